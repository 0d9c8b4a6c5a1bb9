"""Routes for linking asks and recommendations, alignment reports, and uploads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from search_api import link_service
from search_api.alignment import report_csv
from search_api.deps import LinkerDep, SettingsDep
from search_api.filters import Filters
from search_api.limits import check_link
from search_api.paths import without_server_paths
from search_api.responses import render
from search_api.retrieval import Linker
from search_api.routes import ERRORS
from search_api.schemas import FilterFields, Format, HitOut, TextInput
from search_api.security import require_write_key
from search_api.text_input import check_text

router = APIRouter(tags=["linking"])


class LinkBody(FilterFields):  # type: ignore[valid-type,misc]  # made by create_model
    """Body of ``POST /link``: a text, or the id of an indexed passage."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "lift sanctions against the International Criminal Court", "k": 10},
                {
                    "text": "end the criminalization of homelessness",
                    "country": ["United States of America"],
                    "cycle": [3],
                },
            ]
        },
    )
    text: str | None = Field(default=None, description="the ask, draft recommendation or any wording to link")
    passage_id: str | None = Field(default=None, description="link from an indexed passage instead of a text")
    target: Literal["recommendation", "ask", "observation", "paragraph"] | None = Field(
        default=None,
        description="kind of passage to find (default: recommendation; ask when linking from a recommendation)",
    )
    k: int = Field(default=10, ge=1, description="hits per page (1-100; up to the export cap for csv/jsonl)")
    offset: int = Field(default=0, ge=0)
    format: Format = "json"
    group: bool = True


class LinkInfo(BaseModel):
    similarity: float
    lexical: float
    theme_boost: float
    shared_themes: list[str]
    match: str


class LinkHitOut(HitOut):
    link: LinkInfo | None = None


class LinkOut(BaseModel):
    query: str
    target: str
    mode: str
    filters: dict[str, Any]
    k: int
    offset: int
    total: int
    took_ms: float
    model: str
    index_version: int
    source: dict[str, Any] | None = None
    hits: list[LinkHitOut]


@router.post("/link", response_model=LinkOut, responses=ERRORS)
def link(body: LinkBody, linker: LinkerDep, settings: SettingsDep) -> Any:
    """The closest recommendations to a text across all countries and cycles (the precedent finder),
    with response status and action category; or, from a passage id, the recommendations an ask
    is taken up by, the asks a recommendation echoes (`target=ask`), or the same recommendation
    in other cycles and mechanisms (`target=recommendation`)."""
    export = body.format in ("csv", "jsonl")
    filters = Filters.parse(body.raw(), max_values=settings.max_filter_values)
    if body.passage_id:
        check_link(None, body.target, body.k, body.offset, settings, export=export)
        res = linker.link_passage(
            body.passage_id,
            target=body.target,
            k=body.k,
            offset=body.offset,
            filters=filters,
            group_duplicates=body.group,
        )
    elif body.text:
        check_link(body.text, body.target, body.k, body.offset, settings, export=export)
        res = linker.link(
            body.text,
            k=body.k,
            offset=body.offset,
            filters=filters,
            target=body.target or "recommendation",
            group_duplicates=body.group,
        )
    else:
        raise QueryError("text", "give a text or a passage_id")
    out = without_server_paths(link_service.link_result_dict(res, body.k, body.offset), _roots(linker))
    return render(out, body.format, "hrsearch-links")


def _roots(linker: Linker) -> tuple[str, ...]:
    return linker.searcher.snapshot().roots


class AlignBody(TextInput):
    """Body of ``POST /align``: asks as texts and/or indexed documents, and the review."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "texts": ["lift sanctions against the International Criminal Court"],
                    "country": "United States of America",
                    "cycle": 3,
                }
            ]
        },
    )
    texts: list[str] = Field(default_factory=list, max_length=200, description="asks as plain texts")
    doc_ids: list[str] = Field(
        default_factory=list, max_length=50, description="indexed letters or submissions"
    )
    country: str = Field(min_length=1, description="country under review")
    cycle: int | None = Field(default=None, ge=1, le=10, description="UPR cycle")
    format: Literal["json", "csv"] = "json"


def _align_response(report: Any, fmt: str, roots: tuple[str, ...]) -> Response:
    if fmt == "csv":
        return PlainTextResponse(
            report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="alignment-report.csv"'},
        )
    return JSONResponse(without_server_paths(link_service.report_dict(report), roots))


def _asks_from(linker: Linker, texts: list[str], doc_ids: list[str], settings: Settings) -> list[Any]:
    from search_api.alignment import Ask, split_into_parts

    asks = link_service.indexed_asks(linker, doc_ids)
    for i, t in enumerate(texts, 1):
        check_text("texts", t)
        if len(t) > settings.max_link_chars:
            raise QueryError("texts", f"text {i} is longer than {settings.max_link_chars} characters")
        if t.strip():
            asks += split_into_parts(Ask(id=f"text:{i}", text=t.strip(), citation=f"ask {i}"))
    return asks


@router.post("/align", responses=ERRORS)
def align_post(body: AlignBody, linker: LinkerDep, settings: SettingsDep) -> Response:
    """Alignment report of asks against one review (country + cycle): per ask its matched
    recommendations, a verdict (taken up / partly / not taken up) and supported vs noted counts;
    per recommendation the asks it echoes; the asks nobody took up, with the reason."""
    asks = _asks_from(linker, body.texts, body.doc_ids, settings)
    report = link_service.run_align(linker, asks, body.country, body.cycle, settings)
    return _align_response(report, body.format, _roots(linker))


@router.get("/align", responses=ERRORS)
def align_get(
    linker: LinkerDep,
    settings: SettingsDep,
    country: Annotated[str, Query(min_length=1)],
    doc_id: Annotated[list[str], Query(min_length=1, max_length=50)],
    cycle: Annotated[int | None, Query(ge=1, le=10)] = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """The same report for indexed documents, as a link that can be shared or downloaded."""
    asks = _asks_from(linker, [], doc_id, settings)
    report = link_service.run_align(linker, asks, country, cycle, settings)
    return _align_response(report, format, _roots(linker))


@router.post(
    "/documents",
    responses=ERRORS | {403: {"description": "write endpoints need X-API-Key"}},
    dependencies=[Depends(require_write_key)],
)
def upload_document(
    linker: LinkerDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="a letter or submission: PDF, DOCX, TXT or HTML")],
    country: Annotated[str, Form(min_length=1)],
    cycle: Annotated[int | None, Form(ge=1, le=10)] = None,
    format: Annotated[Literal["json", "csv"], Form()] = "json",
) -> Response:
    """Upload a letter or submission and get its alignment report (needs `X-API-Key`).
    The document is read and linked, not added to the index."""
    # A plain function, run in the thread pool: parsing (in the sandbox worker, up to
    # HRSEARCH_PARSE_TIMEOUT_S) and aligning never hold up the event loop and other requests.
    file.file.seek(0)
    data = file.file.read(settings.max_upload_bytes + 1)
    asks = link_service.uploaded_asks(file.filename or "upload.txt", data, settings)
    report = link_service.run_align(linker, asks, country, cycle, settings)
    return _align_response(report, format, _roots(linker))
