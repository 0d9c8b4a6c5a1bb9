"""The MCP edge: the index as tools an AI assistant can call (``hrsearch mcp``).

An edge like the HTTP app: each tool checks the request against the same limits
(``search_api.limits``, the ``HRSEARCH_MAX_*`` settings), calls the same service functions
(``search_api.service``, ``search_api.link_service``) over the same lazily opened searcher and
linker (``search_api.state.AppState``), and shapes the answer. Every hit carries its citation,
ready to quote. Read-only: no tool writes to the index (each is annotated ``readOnlyHint``).

======================  ===============================================================
``search``              hybrid search with filters
``link``                ask -> recommendations; or from a passage id, in either direction
``precedent``           the strongest adopted wording: supported recommendations, most
                        specific action (UPR Info category) first, then similarity
``align``               a letter (pasted text, asks, or indexed letters) against a review
``passage``             a passage with its neighbours in its document
======================  ===============================================================

Errors of the core (``QueryError``, ``NotFound``, an index that cannot be used) become tool errors
with the core's message (server paths left out), in one place (``_tool``); nothing else
reaches the client.
Transports: stdio (``run_stdio``) and streamable HTTP (``http_app``, with the HTTP API's read key,
body size limit and per-client rate limit).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from hrsearch import __version__
from hrsearch.errors import HrsearchError, QueryError
from hrsearch.settings import Settings
from indexer.embedder import Embedder
from search_api import link_service, precedents, service
from search_api.alignment import Ask, split_into_parts
from search_api.filters import FILTER_FIELDS, RANGE_FIELDS, Filters
from search_api.limits import check_link, check_link_text, check_search
from search_api.retrieval import SearchRequest
from search_api.state import AppState

__all__ = ["TOOL_NAMES", "HrsearchTools", "create_mcp_server", "http_app"]

F = TypeVar("F", bound=Callable[..., Any])
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
MCP_PATH = "/mcp"
MAX_ASKS = 200  # as ``POST /align``
MAX_DOC_IDS = 50
MAX_NEIGHBOURS = 10
HIT_FIELDS = ("id", "citation", "text", "kind", "score", "metadata", "also_made_by", "link")
FILTER_HELP = (
    "filters as {name: [values]}: values of one filter are OR-ed, filters AND-ed; names: "
    + ", ".join(sorted([*FILTER_FIELDS, *RANGE_FIELDS]))
    + ' (e.g. {"country": ["United States of America"], "cycle": [3], "kind": ["recommendation"]})'
)
INSTRUCTIONS = (
    "Search and link UN human rights documents: Universal Periodic Review recommendations (with the "
    "State's response and, where known, UPR Info's action category), treaty-body texts and "
    "civil-society letters. Quote results with their `citation`. Use `search` to find passages, "
    "`link` to find the recommendations that take up an ask, `precedent` for the strongest wording "
    "a State has already accepted, `align` to check a letter's asks against one review, `passage` to "
    "read a passage in its context."
)

FiltersArg = Annotated[dict[str, Any] | None, Field(description=FILTER_HELP)]
K = Annotated[int, Field(description="number of results (1 to HRSEARCH_MAX_K, default 10)")]


def _hit(h: dict[str, Any]) -> dict[str, Any]:
    """A hit as an assistant needs it: no HTML highlight, no per-arm ranks."""
    return {k: h[k] for k in HIT_FIELDS if k in h}


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in result.items() if k != "hits"}, "hits": [_hit(h) for h in result["hits"]]}


def _filters(raw: dict[str, Any] | None, settings: Settings) -> Filters:
    if raw is None:
        return Filters()
    if not isinstance(raw, dict):
        raise QueryError("filters", "give filters as an object of {name: [values]}")
    lists = {name: value if isinstance(value, list) else [value] for name, value in raw.items()}
    return Filters.parse(lists, max_values=settings.max_filter_values)


def _public(message: str, settings: Settings) -> str:
    """The message without the server's paths (as the HTTP API's errors)."""
    places = {str(settings.index_dir), str(settings.chroma_path()), settings.chroma_url} - {""}
    for place in sorted(places, key=len, reverse=True):
        message = message.replace(place, "the index folder")
    return message


def _tool(fn: F, settings: Settings) -> F:
    """Core errors become tool errors carrying the core's message (and the field at fault)."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except QueryError as e:
            raise ToolError(str(e)) from e
        except HrsearchError as e:
            raise ToolError(f"{e.__class__.__name__}: {_public(str(e), settings)}") from e

    return call  # type: ignore[return-value]


class HrsearchTools:
    """The tools as plain methods over one ``AppState``: what the MCP server exposes, callable
    without a transport."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.settings = state.settings

    def search(
        self,
        query: Annotated[
            str, Field(description='the question or words to find; a "quoted phrase" must appear')
        ],
        k: K = 10,
        filters: FiltersArg = None,
        mode: Annotated[Literal["hybrid", "dense", "lexical"], Field(description="ranking")] = "hybrid",
    ) -> dict[str, Any]:
        """Search recommendations, treaty-body texts and letters (hybrid: meaning and words, any of
        English, Spanish, French). Each hit has its citation, text, kind and metadata (country,
        recommending State, response, cycle, action category, themes)."""
        req = SearchRequest(q=query, k=k, filters=_filters(filters, self.settings), mode=mode)
        check_search(req, self.settings)
        res = self.state.searcher().search(req)
        return _shape(service.result_dict(res, k, 0))

    def link(
        self,
        text: Annotated[
            str | None, Field(description="an ask, a draft recommendation or any wording")
        ] = None,
        passage_id: Annotated[
            str | None,
            Field(description="link from an indexed passage (an `id` from another result) instead"),
        ] = None,
        target: Annotated[
            Literal["recommendation", "ask", "observation", "paragraph"] | None,
            Field(
                description="kind to find: recommendation (default); from a recommendation, "
                "ask finds the asks it echoes and recommendation the same wording elsewhere"
            ),
        ] = None,
        k: K = 10,
        filters: FiltersArg = None,
    ) -> dict[str, Any]:
        """The recommendations closest to a text across all countries and cycles, each with its
        similarity, match label, response and action category; or, from a passage id, the
        recommendations an ask is taken up by, or the asks a recommendation echoes."""
        f = _filters(filters, self.settings)
        linker = self.state.linker()
        if passage_id:
            check_link(None, target, k, 0, self.settings)
            res = linker.link_passage(passage_id, target=target, k=k, filters=f)
        elif text:
            check_link(text, target, k, 0, self.settings)
            res = linker.link(text, k=k, filters=f, target=target or "recommendation")
        else:
            raise QueryError("text", "give a text or a passage_id")
        return _shape(link_service.link_result_dict(res, k, 0))

    def precedent(
        self,
        text: Annotated[str, Field(description="the wording you want to find accepted precedent for")],
        k: K = 10,
        filters: FiltersArg = None,
    ) -> dict[str, Any]:
        """The strongest adopted wording: recommendations the State under review supported; those
        that say the same thing as the text first, the strongest wording first (the record's
        strength, else UPR Info's action category, 5 a specific action down to 1, unknown last),
        then the rest closest first (the web page's precedent finder, search_api.precedents)."""
        check_link(text, None, k, 0, self.settings)
        res = precedents.strongest(
            self.state.linker(), text, k=k, filters=_filters(filters, self.settings), settings=self.settings
        )
        return _shape(link_service.link_result_dict(res, k, 0))

    def align(
        self,
        country: Annotated[str, Field(description="the State under review, e.g. United States of America")],
        cycle: Annotated[int | None, Field(description="UPR cycle (1-4); all cycles when omitted")] = None,
        letter: Annotated[
            str | None,
            Field(description="the text of a letter or submission, pasted: its asks are found in it"),
        ] = None,
        asks: Annotated[list[str] | None, Field(description="asks as separate texts")] = None,
        doc_ids: Annotated[list[str] | None, Field(description="indexed letters, by document id")] = None,
    ) -> dict[str, Any]:
        """Which asks of a letter a review took up: per ask its closest recommendations with their
        citations, a verdict (taken up / partly / not taken up) and supported vs noted counts; the
        asks nobody took up with the reason."""
        if cycle is not None and not 1 <= cycle <= 10:
            raise QueryError("cycle", "must be between 1 and 10")
        asks, doc_ids = asks or [], doc_ids or []
        if len(asks) > MAX_ASKS:
            raise QueryError("asks", f"at most {MAX_ASKS} asks")
        if len(doc_ids) > MAX_DOC_IDS:
            raise QueryError("doc_ids", f"at most {MAX_DOC_IDS} documents")
        linker = self.state.linker()
        found = link_service.indexed_asks(linker, doc_ids)
        if letter and letter.strip():
            found += link_service.uploaded_asks("letter.txt", letter.encode("utf-8"), self.settings)
        for i, text in enumerate(asks, 1):
            check_link_text(text, self.settings)
            found += split_into_parts(Ask(id=f"ask:{i}", text=text.strip(), citation=f"ask {i}"))
        report = link_service.run_align(linker, found, country, cycle, self.settings)
        return link_service.report_dict(report)

    def passage(
        self,
        passage_id: Annotated[str, Field(description="a passage `id` from another result")],
        neighbours: Annotated[int, Field(description="passages shown before and after (0-10)")] = 2,
    ) -> dict[str, Any]:
        """A passage in its context: the passages before and after it in its document, with the
        document's metadata; each with its citation."""
        if not 0 <= neighbours <= MAX_NEIGHBOURS:
            raise QueryError("neighbours", f"must be between 0 and {MAX_NEIGHBOURS}")
        return service.passage_in_context(self.state.searcher(), passage_id, neighbours)


TOOL_NAMES = ("search", "link", "precedent", "align", "passage")


def create_mcp_server(settings: Settings, *, embedder: Embedder | None = None) -> MCPServer:
    """The MCP server over the configured index; the index and model open at the first call
    (``embedder`` may be given to share a loaded model)."""
    from indexer.embedder import load_embedder

    factory = (lambda: embedder) if embedder is not None else (lambda: load_embedder(settings))
    tools = HrsearchTools(AppState(settings, factory))
    server: MCPServer = MCPServer(
        "hrsearch", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    for name in TOOL_NAMES:
        method = getattr(tools, name)
        server.add_tool(_tool(method, settings), name=name, description=method.__doc__, annotations=READ_ONLY)
    return server


def http_app(server: MCPServer, settings: Settings, *, host: str = "127.0.0.1") -> Any:
    """The streamable HTTP app at ``/mcp``, behind the HTTP API's read key and rate limit."""
    from search_api.security import ReadKeyMiddleware, TokenBuckets, send_error

    app: Any = server.streamable_http_app(
        streamable_http_path=MCP_PATH, max_request_body_size=settings.max_body_bytes, host=host
    )
    if settings.rate_limit_per_minute > 0:
        inner, buckets = app, TokenBuckets(settings.rate_limit_per_minute)

        async def limited(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "POST":
                wait = buckets.take(str((scope.get("client") or ("unknown", 0))[0]))
                if wait > 0:
                    seconds = max(1, math.ceil(wait))
                    await send_error(
                        send,
                        429,
                        "rate_limited",
                        f"more than {settings.rate_limit_per_minute} calls a minute from this address "
                        f"(setting HRSEARCH_RATE_LIMIT_PER_MINUTE); try again in {seconds} s",
                        headers={"Retry-After": str(seconds)},
                    )
                    return
            await inner(scope, receive, send)

        app = limited
    if settings.read_api_key:
        app = ReadKeyMiddleware(app, settings.read_api_key, settings.api_key)
    return app
