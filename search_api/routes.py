"""JSON routes. Each validates, calls a service function, and shapes the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from hrsearch.errors import IndexError_, NotFound
from hrsearch.settings import Settings
from search_api import service
from search_api.deps import SearcherDep, SettingsDep, StateDep
from search_api.errors import public_message
from search_api.filters import Filters
from search_api.limits import check_query, check_search
from search_api.paths import without_server_paths
from search_api.responses import render
from search_api.retrieval import Searcher, SearchRequest
from search_api.schemas import (
    DocumentOut,
    ErrorOut,
    FacetsOut,
    FacetsQuery,
    HealthOut,
    PassageContextOut,
    ReadyOut,
    SearchBody,
    SearchOut,
)
from search_api.security import require_write_key

router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "not found"},
    422: {"model": ErrorOut, "description": "invalid input; `field` names it"},
    503: {"model": ErrorOut, "description": "no usable index; the message says how to build it"},
}


def run_search(searcher: Searcher, settings: Settings, body: SearchBody) -> dict[str, Any] | Response:
    """Validate limits, search, and answer in the asked format."""
    export = body.format in ("csv", "jsonl")
    filters = Filters.parse(body.raw(), max_values=settings.max_filter_values)
    req = SearchRequest(
        q=body.q, k=body.k, offset=body.offset, filters=filters, mode=body.mode, group_duplicates=body.group
    )
    check_search(req, settings, export=export)
    out = service.result_dict(searcher.search(req), body.k, body.offset)
    return render(without_server_paths(out, searcher.snapshot().roots), body.format, "hrsearch-results")


@router.get("/search", response_model=SearchOut, responses=ERRORS, tags=["search"])
def search_get(searcher: SearcherDep, settings: SettingsDep, params: Annotated[SearchBody, Query()]) -> Any:
    """Hybrid search with filters; `format=csv|jsonl` downloads the hits. Repeat a filter for
    OR (`?country=A&country=B`); an unknown parameter is an error."""
    return run_search(searcher, settings, params)


@router.post("/search", response_model=SearchOut, responses=ERRORS, tags=["search"])
def search_post(body: SearchBody, searcher: SearcherDep, settings: SettingsDep) -> Any:
    """The same search with a JSON body (filters as lists)."""
    return run_search(searcher, settings, body)


@router.get(
    "/passages/{passage_id:path}", response_model=PassageContextOut, responses=ERRORS, tags=["documents"]
)
def get_passage(
    passage_id: str, searcher: SearcherDep, neighbours: Annotated[int, Query(ge=0, le=10)] = 2
) -> dict[str, Any]:
    """A passage with its neighbouring passages in the same document."""
    out = service.passage_in_context(searcher, passage_id, neighbours)
    return dict(without_server_paths(out, searcher.snapshot().roots))


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS, tags=["documents"])
def get_document(doc_id: str, searcher: SearcherDep) -> dict[str, Any]:
    """A document's metadata and its passages in order (its file shown from the folder it was
    indexed from, as everywhere in the API)."""
    return dict(without_server_paths(service.document_detail(searcher, doc_id), searcher.snapshot().roots))


@router.get("/facets", response_model=FacetsOut, responses=ERRORS, tags=["search"])
def get_facets(
    searcher: SearcherDep, settings: SettingsDep, params: Annotated[FacetsQuery, Query()]
) -> dict[str, Any]:
    """Values and counts of every filter, for the current query or the whole index."""
    if params.q is not None and params.q.strip():
        check_query(params.q, settings)
    filters = Filters.parse(params.raw(), max_values=settings.max_filter_values)
    return service.facets(searcher, params.q, filters, params.limit)


@router.get("/health", response_model=HealthOut, tags=["status"])
async def health() -> dict[str, str]:
    """The process is alive. On the event loop itself (it does nothing that blocks): it answers
    even while every thread of the pool is busy with searches, alignments and uploads."""
    return {"status": "ok"}


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}}, tags=["status"])
def ready(request: Request, state: StateDep) -> JSONResponse:
    """The index is present and was built with the configured model; `indexing` tells how far an
    index run on it has got (files done of total, passages, estimated seconds left)."""
    indexing = service.indexing_status(state.settings)
    try:
        snap = state.searcher().snapshot()
    except IndexError_ as e:
        return JSONResponse(
            status_code=503,
            content={
                "status": "unavailable",
                "message": public_message(str(e), request),
                "indexing": indexing,
            },
        )
    return JSONResponse(
        {
            "status": "ready",
            "model": snap.model,
            "index_version": snap.generation,
            "passages": len(snap),
            "indexing": indexing,
        }
    )


@router.delete(
    "/documents/{doc_id}", responses=ERRORS, tags=["documents"], dependencies=[Depends(require_write_key)]
)
def delete_document(doc_id: str, settings: SettingsDep) -> dict[str, Any]:
    """Delete an indexed document (a withdrawn letter): its passages leave the catalog, Chroma
    and BM25, and its text is purged from the index files. Needs `X-API-Key`."""
    from indexer.deletion import delete_documents

    r = delete_documents(settings, [doc_id])
    if not r.deleted:
        raise NotFound("doc_id", f"no document {doc_id!r} in the index")
    return {
        "deleted": [{"doc_id": d["doc_id"], "passages": d["passages"]} for d in r.deleted],
        "passages_removed": r.passages_removed,
        "passages_total": r.passages_total,
        "generation": r.generation,
    }
