"""The FastAPI application: ``create_app(settings)``.

Heavy things (the index, the model) load in the lifespan, not at import. Every error leaves as
one JSON shape ``{"error": {"status", "code", "message", "field"}}``; no stack trace or internal
path ever reaches a client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hrsearch import __version__
from hrsearch.errors import IndexError_
from hrsearch.runtime import passive_openmp
from hrsearch.settings import Settings
from indexer.embedder import Embedder
from search_api.errors import install_error_handlers, log
from search_api.state import AppState

__all__ = ["AppState", "create_app"]


def _default_embedder_factory(settings: Settings) -> Callable[[], Embedder]:
    from indexer.embedder import load_embedder

    return lambda: load_embedder(settings)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """Build the app; ``embedder`` may be given to share an already loaded model."""
    passive_openmp()  # before the models load (hrsearch.runtime)
    settings = settings or Settings()
    factory = (lambda: embedder) if embedder is not None else _default_embedder_factory(settings)
    state = AppState(settings, factory)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            state.searcher()
        except IndexError_ as e:
            log.warning("index not ready: %s", e)
        yield

    app = FastAPI(
        title="hrsearch",
        version=__version__,
        description=(
            "Search UN human rights recommendations, treaty-body observations and civil-society letters; "
            "hybrid (dense + BM25) retrieval with filters, highlights and ready-to-paste citations."
        ),
        lifespan=lifespan,
        docs_url=None,  # served from the package's assets, not a CDN (search_api.api_docs)
        redoc_url=None,
    )
    app.state.hrsearch = state
    install_error_handlers(app)
    from search_api.security import install_security

    install_security(app, settings)

    from search_api.api_docs import install_docs
    from search_api.link_routes import router as link_router
    from search_api.pages import LanguageCookie
    from search_api.routes import router
    from search_api.web import router as web_router
    from search_api.web import static_files
    from search_api.web_precedents import router as precedents_router

    app.include_router(router)
    app.include_router(link_router)
    app.include_router(web_router)
    app.include_router(precedents_router)
    install_docs(app)
    app.mount("/static", static_files(), name="static")
    app.add_middleware(LanguageCookie)
    return app
