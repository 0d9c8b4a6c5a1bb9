"""JSON routes. Each validates, calls a service function, and shapes the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from hrsearch.errors import IndexError_, QueryError
from hrsearch.settings import Settings
from search_api import service
from search_api.export import hits_to_csv, hits_to_jsonl
from search_api.filters import Filters
from search_api.retrieval import Searcher, SearchRequest
from search_api.schemas import (
    DocumentOut,
    ErrorOut,
    FacetsOut,
    FilterFields,
    Format,
    HealthOut,
    Mode,
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


def get_settings(request: Request) -> Settings:
    return request.app.state.hrsearch.settings


def get_searcher(request: Request) -> Searcher:
    return request.app.state.hrsearch.searcher()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]

ListQ = Annotated[list[str] | None, Query()]
IntListQ = Annotated[list[int] | None, Query()]


def filter_params(
    kind: ListQ = None,
    doc_kind: ListQ = None,
    symbol: ListQ = None,
    country: ListQ = None,
    recommending_state: ListQ = None,
    mechanism: ListQ = None,
    response: ListQ = None,
    cycle: IntListQ = None,
    session: IntListQ = None,
    language: ListQ = None,
    theme: ListQ = None,
    doc_id: ListQ = None,
    action_category: IntListQ = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> FilterFields:
    """Filters from the query string (a filter may repeat: ``?country=A&country=B``)."""
    return FilterFields(
        kind=kind or [],
        doc_kind=doc_kind or [],
        symbol=symbol or [],
        country=country or [],
        recommending_state=recommending_state or [],
        mechanism=mechanism or [],
        response=response or [],
        cycle=cycle or [],
        session=session or [],
        language=language or [],
        theme=theme or [],
        doc_id=doc_id or [],
        action_category=action_category or [],
        year_from=year_from,
        year_to=year_to,
    )


FiltersDep = Annotated[FilterFields, Depends(filter_params)]


def run_search(searcher: Searcher, settings: Settings, body: SearchBody) -> Response:
    """Validate limits, search, and answer in the asked format."""
    export = body.format in ("csv", "jsonl")
    cap = settings.max_export_rows if export else settings.max_k
    if body.k > cap:
        raise QueryError("k", f"must be between 1 and {cap}" + (" for exports" if export else ""))
    if len(body.q) > settings.max_query_chars:
        raise QueryError("q", f"longer than {settings.max_query_chars} characters")
    filters = Filters.parse(body.raw(), max_values=settings.max_filter_values)
    req = SearchRequest(
        q=body.q, k=body.k, offset=body.offset, filters=filters, mode=body.mode, group_duplicates=body.group
    )
    res = searcher.search(req, k_cap=cap)
    out = service.result_dict(res, body.k, body.offset)
    if body.format == "csv":
        return PlainTextResponse(
            hits_to_csv(out["hits"], body.offset),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="hrsearch-results.csv"'},
        )
    if body.format == "jsonl":
        return PlainTextResponse(
            hits_to_jsonl(out["hits"]),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="hrsearch-results.jsonl"'},
        )
    return JSONResponse(SearchOut.model_validate(out).model_dump())


@router.get("/search", response_model=SearchOut, responses=ERRORS, tags=["search"])
def search_get(
    searcher: SearcherDep,
    settings: SettingsDep,
    filters: FiltersDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            description='query; a "quoted phrase" must appear in every hit',
            examples=["abolish capital punishment"],
        ),
    ],
    k: Annotated[int, Query(ge=1, description="hits per page, 1-100 (csv/jsonl: up to the export cap)")] = 10,
    offset: Annotated[int, Query(ge=0, description="hits to skip")] = 0,
    mode: Mode = "hybrid",
    format: Format = "json",
    group: bool = True,
) -> Response:
    """Hybrid search with filters; `format=csv|jsonl` downloads the hits."""
    body = SearchBody(q=q, k=k, offset=offset, mode=mode, format=format, group=group, **filters.model_dump())
    return run_search(searcher, settings, body)


@router.post("/search", response_model=SearchOut, responses=ERRORS, tags=["search"])
def search_post(body: SearchBody, searcher: SearcherDep, settings: SettingsDep) -> Response:
    """The same search with a JSON body (filters as lists)."""
    return run_search(searcher, settings, body)


@router.get(
    "/passages/{passage_id:path}", response_model=PassageContextOut, responses=ERRORS, tags=["documents"]
)
def get_passage(
    passage_id: str, searcher: SearcherDep, neighbours: Annotated[int, Query(ge=0, le=10)] = 2
) -> dict[str, Any]:
    """A passage with its neighbouring passages in the same document."""
    return service.passage_in_context(searcher, passage_id, neighbours)


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS, tags=["documents"])
def get_document(doc_id: str, searcher: SearcherDep) -> dict[str, Any]:
    """A document's metadata and its passages in order."""
    return service.document_detail(searcher, doc_id)


@router.get("/facets", response_model=FacetsOut, responses=ERRORS, tags=["search"])
def get_facets(
    searcher: SearcherDep,
    settings: SettingsDep,
    filters: FiltersDep,
    q: Annotated[
        str | None, Query(description="count over what this query finds (omit: the whole index)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Values and counts of every filter, for the current query or the whole index."""
    if q is not None and len(q) > settings.max_query_chars:
        raise QueryError("q", f"longer than {settings.max_query_chars} characters")
    return service.facets(
        searcher, q, Filters.parse(filters.raw(), max_values=settings.max_filter_values), limit
    )


@router.get("/health", response_model=HealthOut, tags=["status"])
def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}}, tags=["status"])
def ready(request: Request) -> JSONResponse:
    """The index is present and was built with the configured model."""
    state = request.app.state.hrsearch
    try:
        searcher = state.searcher()
    except IndexError_ as e:
        from search_api.app import public_message

        return JSONResponse(
            status_code=503, content={"status": "unavailable", "message": public_message(str(e), request)}
        )
    return JSONResponse(
        {
            "status": "ready",
            "model": searcher.reader.config.get("model"),
            "index_version": searcher.reader.generation,
            "passages": searcher.reader.catalog.passage_count(),
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
        raise service.NotFound("doc_id", f"no document {doc_id!r} in the index")
    return {
        "deleted": [{"doc_id": d["doc_id"], "passages": d["passages"]} for d in r.deleted],
        "passages_removed": r.passages_removed,
        "passages_total": r.passages_total,
        "generation": r.generation,
    }
