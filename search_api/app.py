"""The FastAPI application: ``create_app(settings)``.

Heavy things (the index, the model) load in the lifespan, not at import. Every error leaves as
one JSON shape ``{"error": {"status", "code", "message", "field"}}``; no stack trace or internal
path ever reaches a client.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hrsearch import __version__
from hrsearch.errors import (
    AccessDenied,
    HrsearchError,
    IndexError_,
    IndexLocked,
    IndexMismatch,
    IndexMissing,
    QueryError,
)
from hrsearch.settings import Settings
from indexer.embedder import Embedder
from search_api.service import NotFound

log = logging.getLogger("hrsearch.api")


class AppState:
    """What the routes share: settings, and the searcher once the index could be opened."""

    def __init__(self, settings: Settings, embedder_factory: Callable[[], Embedder]) -> None:
        self.settings = settings
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._searcher: Any = None
        self._linker: Any = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            return self._embedder

    def searcher(self) -> Any:
        """The searcher; opens the index on first use (and again after a failure)."""
        if self._searcher is not None:
            return self._searcher
        from indexer.reader import IndexReader
        from search_api.retrieval import Searcher

        embedder = self.embedder()
        with self._lock:
            if self._searcher is None:
                try:
                    self._searcher = Searcher(IndexReader(self.settings), embedder, self.settings)
                    self.last_error = None
                except IndexError_ as e:
                    self.last_error = str(e)
                    raise
        return self._searcher

    def linker(self) -> Any:
        if self._linker is None:
            from search_api.linking import Linker

            self._linker = Linker(self.searcher(), self.settings)
        return self._linker


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"status": status, "code": code, "message": message, "field": field}},
    )


def public_message(message: str, request: Request) -> str:
    """The message without the server's paths (a client has no business knowing them)."""
    s = request.app.state.hrsearch.settings
    for p in sorted({str(s.index_dir), str(s.chroma_path()), s.chroma_url} - {""}, key=len, reverse=True):
        message = message.replace(p, "the index folder")
    return message


def _field_of(loc: Any) -> str:
    # ("query", "cycle", 0) -> "cycle": the field, not the position of one of its values.
    parts = [str(p) for p in loc if p not in ("query", "body", "path") and not isinstance(p, int)]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first = errs[0] if errs else {"loc": ("request",), "msg": "invalid request"}
        field = _field_of(first.get("loc", ()))
        return _error(422, "invalid_request", f"{field}: {first.get('msg')}", field)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, "not_found", str(exc).split(": ", 1)[-1], exc.field)

    @app.exception_handler(QueryError)
    async def _query(_: Request, exc: QueryError) -> JSONResponse:
        return _error(422, "invalid_query", str(exc), exc.field)

    @app.exception_handler(IndexMissing)
    async def _missing(request: Request, exc: IndexMissing) -> JSONResponse:
        return _error(503, "index_missing", public_message(str(exc), request))

    @app.exception_handler(IndexMismatch)
    async def _mismatch(request: Request, exc: IndexMismatch) -> JSONResponse:
        return _error(503, "index_mismatch", public_message(str(exc), request))

    @app.exception_handler(IndexLocked)
    async def _locked(_: Request, exc: IndexLocked) -> JSONResponse:
        return _error(409, "index_locked", "the index is being written; try again when that is done")

    @app.exception_handler(AccessDenied)
    async def _denied(_: Request, exc: AccessDenied) -> JSONResponse:
        return _error(403, "forbidden", str(exc), "X-API-Key")

    @app.exception_handler(HrsearchError)
    async def _other(_: Request, exc: HrsearchError) -> JSONResponse:
        log.warning("request failed: %s", exc)
        return _error(500, "internal_error", "the request could not be completed")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}.get(
            exc.status_code, "http_error"
        )
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _error(500, "internal_error", "the request could not be completed")


def _default_embedder_factory(settings: Settings) -> Callable[[], Embedder]:
    from indexer.embedder import load_embedder

    return lambda: load_embedder(settings)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """Build the app; ``embedder`` may be given to share an already loaded model."""
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
    )
    app.state.hrsearch = state
    install_error_handlers(app)
    from search_api.security import install_security

    install_security(app, settings)

    from search_api.link_routes import router as link_router
    from search_api.routes import router
    from search_api.web import router as web_router
    from search_api.web import static_files

    app.include_router(router)
    app.include_router(link_router)
    app.include_router(web_router)
    app.mount("/static", static_files(), name="static")
    return app
