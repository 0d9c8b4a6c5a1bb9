"""The limits on a request, checked once, at the edge (HTTP routes, web page, CLI, MCP server).

Each limit is a named setting (``HRSEARCH_MAX_QUERY_CHARS``, ``HRSEARCH_MAX_K``, ...); a request
over one is ``QueryError`` naming the field. The retrieval stages behind the edges assume a
request that passed these checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from search_api.retrieval import FUSION_METHODS, MODES, SearchRequest
from search_api.retrieval.link import TARGETS
from search_api.text_input import check_text

if TYPE_CHECKING:
    from search_api.alignment import Ask


def page_cap(settings: Settings, *, export: bool = False) -> int:
    """The largest page: ``max_k``, or ``max_export_rows`` for CSV/JSONL exports."""
    return settings.max_export_rows if export else settings.max_k


def check_query(q: str, settings: Settings) -> None:
    check_text("q", q)
    if not q.strip():
        raise QueryError("q", "the query is empty")
    if len(q.strip()) > settings.max_query_chars:
        raise QueryError("q", f"longer than {settings.max_query_chars} characters")


def check_page(k: int, offset: int, settings: Settings, *, export: bool = False) -> None:
    cap = page_cap(settings, export=export)
    if not 1 <= k <= cap:
        raise QueryError("k", f"must be between 1 and {cap}" + (" for exports" if export else ""))
    if not 0 <= offset <= settings.max_offset:
        raise QueryError("offset", f"must be between 0 and {settings.max_offset}")


def check_search(
    req: SearchRequest, settings: Settings, *, export: bool = False, paging: bool = True
) -> None:
    """A search request within every limit, or QueryError naming the field. ``paging=False``: the
    caller checks the page against the results itself (the web page says which pages there are)."""
    check_query(req.q, settings)
    if req.mode not in MODES:
        raise QueryError("mode", f"must be one of {', '.join(MODES)}")
    if req.fusion is not None and req.fusion not in FUSION_METHODS:
        raise QueryError("fusion", f"must be one of {', '.join(FUSION_METHODS)}")
    if paging:
        check_page(req.k, req.offset, settings, export=export)


def check_link_text(text: str, settings: Settings, field: str = "text") -> None:
    check_text(field, text or "")
    if not (text or "").strip():
        raise QueryError(field, "the text is empty")
    if len(text.strip()) > settings.max_link_chars:
        raise QueryError(field, f"longer than {settings.max_link_chars} characters")


def check_link(
    text: str | None, target: str | None, k: int, offset: int, settings: Settings, *, export: bool = False
) -> None:
    """A link request within every limit (``text`` None: linking from a passage id)."""
    if text is not None:
        check_link_text(text, settings)
    if target is not None and target not in TARGETS:
        raise QueryError("target", f"must be one of {', '.join(TARGETS)}")
    check_page(k, offset, settings, export=export)


def check_align(asks: Sequence[Ask], settings: Settings) -> None:
    """An alignment within the bounds on its work: at most ``max_align_asks`` asks, and at most
    ``max_align_chars`` characters to embed (each ask counted up to ``max_embed_chars``, what the
    linker embeds of it)."""
    if len(asks) > settings.max_align_asks:
        raise QueryError(
            "asks",
            f"{len(asks):,} asks to align, more than {settings.max_align_asks:,} per request "
            "(setting HRSEARCH_MAX_ALIGN_ASKS); align fewer documents or asks at a time, or use "
            "`hrsearch align` on your own machine",
        )
    chars = sum(min(len(a.text), settings.max_embed_chars) for a in asks)
    if chars > settings.max_align_chars:
        raise QueryError(
            "asks",
            f"the asks hold {chars:,} characters to embed, more than {settings.max_align_chars:,} per "
            "request (setting HRSEARCH_MAX_ALIGN_CHARS); align fewer documents or asks at a time, "
            "or use `hrsearch align` on your own machine",
        )


def check_align_documents(doc_ids: Sequence[str], settings: Settings) -> list[str]:
    """The distinct ``doc_ids`` (a repeated id counts once), at most ``max_align_documents``."""
    distinct = list(dict.fromkeys(doc_ids))
    if len(distinct) > settings.max_align_documents:
        raise QueryError(
            "doc_id",
            f"{len(distinct)} documents, more than {settings.max_align_documents} per request "
            "(setting HRSEARCH_MAX_ALIGN_DOCUMENTS)",
        )
    return distinct
