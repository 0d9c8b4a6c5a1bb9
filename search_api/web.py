"""The advocates' web pages: search with filters, passages in context, the alignment report.

Shared rendering (templates in the page's language, error pages) is in ``search_api.pages``;
the search page's view (filter panel, chips, paging) in ``search_api.search_page``; the
precedent finder in ``search_api.web_precedents``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from hrsearch.errors import IndexError_, QueryError
from search_api import link_service, search_page, service
from search_api.errors import public_message
from search_api.filters import Filters
from search_api.i18n import translator
from search_api.limits import check_search
from search_api.pages import error_page, language, render
from search_api.pages import templates as templates
from search_api.retrieval import SearchRequest
from search_api.search_page import PAGE_SIZE, PageProblem

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    """The page's CSS and JavaScript (mounted at /static by the app factory)."""
    return StaticFiles(directory=str(HERE / "static"))


def problem_page(request: Request, p: PageProblem) -> Response:
    return error_page(request, p.status, p.title, p.message, p.links)


@router.get("/", response_class=HTMLResponse)
def page(request: Request) -> Response:
    state = request.app.state.hrsearch
    _ = translator(language(request))
    # the form sends empty fields (year_from=): they are no parameter, and the API's CSV refuses them
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang" and v.strip()]
    params = request.query_params
    q = (params.get("q") or "").strip()
    mode = str(params.get("mode") or "hybrid")
    mode = mode if mode in ("hybrid", "dense", "lexical") else "hybrid"
    raw = search_page.selected_filters(pairs)
    ctx: dict[str, Any] = {"q": q, "mode": mode, "results": None, "error": None, "panels": [], "chips": []}
    try:
        searcher = state.searcher()
    except IndexError_ as e:
        ctx["error"] = public_message(str(e), request)
        return render(request, "index.html", ctx, status_code=503)
    try:
        page_no = search_page.parse_page_number(params.get("page"), _, pairs)
        filters = search_page.parse_filters(raw, searcher, state.settings, pairs, _)
        ctx["chips"] = search_page.chips(filters, pairs, _)
        ctx["clear_url"] = search_page.url("/", [(k, v) for k, v in pairs if k in ("q", "mode")])
        req = res = None
        if q:
            req = SearchRequest(
                q=q, k=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, filters=filters, mode=mode
            )
            check_search(req, state.settings, paging=False)
            res = searcher.search(req)
            search_page.check_page_exists(page_no, max(res.total, len(res.hits)), pairs, _)
            ctx["results"] = service.result_dict(res, PAGE_SIZE, req.offset)
            ctx["page"] = page_no
            ctx["pages"] = max(1, -(-res.total // PAGE_SIZE))
            query = search_page.without(pairs, "page")
            if res.total:
                export = min(res.total, state.settings.max_export_rows)
                ctx["csv_url"] = "/search?" + urlencode([*query, ("format", "csv"), ("k", str(export))])
                ctx["csv_rows"] = export
            ctx["next_url"] = search_page.url("/", [*query, ("page", str(page_no + 1))])
            ctx["prev_url"] = (
                search_page.url("/", [*query, ("page", str(page_no - 1))]) if page_no > 1 else None
            )
        ctx["panels"] = search_page.panels(searcher, req, res, filters, _)
        ctx["year_from"] = filters.year_from
        ctx["year_to"] = filters.year_to
    except PageProblem as p:
        return problem_page(request, p)
    except QueryError as e:
        return error_page(request, 422, _("This search cannot be run"), public_message(str(e), request))
    return render(request, "index.html", ctx)


@router.get("/view/passages/{passage_id:path}", response_class=HTMLResponse)
def passage_page(request: Request, passage_id: str) -> Response:
    state = request.app.state.hrsearch
    _ = translator(language(request))
    try:
        data = service.passage_in_context(state.searcher(), passage_id, neighbours=3)
    except service.NotFound:
        return error_page(
            request, 404, _("Passage not found"), _("No passage “{id}” in the index.", id=passage_id)
        )
    except IndexError_ as e:
        return error_page(request, 503, _("The index is not ready"), public_message(str(e), request))
    back = request.headers.get("referer") or ""
    same_site = back.startswith(str(request.base_url))
    return render(request, "passage.html", {"error": None, **data, "back": back if same_site else None})


def _align_context(request: Request) -> dict[str, Any]:
    state = request.app.state.hrsearch
    linker = state.linker()
    facets = service.facets(linker.searcher, None, Filters.parse({"kind": ["recommendation"]}), limit=300)[
        "facets"
    ]
    return {
        "request": request,
        "report": None,
        "error": None,
        "documents": link_service.ask_documents(linker),
        "countries": sorted(f["value"] for f in facets.get("country", [])),
        "cycles": sorted(f["value"] for f in facets.get("cycle", [])),
        "upload_enabled": bool(state.settings.api_key),
        "selected": {
            "doc_id": request.query_params.getlist("doc_id"),
            "country": request.query_params.get("country", ""),
            "cycle": request.query_params.get("cycle", ""),
        },
    }


def _report_problem(ctx: dict[str, Any], _: Any) -> str | None:
    """What is wrong with the report form as submitted (None: nothing), in the reader's words."""
    sel = ctx["selected"]
    if sel["cycle"] and (not sel["cycle"].isdigit() or int(sel["cycle"]) not in ctx["cycles"]):
        return _(
            "UPR cycle: “{value}” is not a cycle of the index; choose one from the list.", value=sel["cycle"]
        )
    if not sel["doc_id"]:
        return _("Choose at least one letter or submission.")
    if not sel["country"]:
        return _("Choose the country under review.")
    if sel["country"] not in ctx["countries"]:
        return _("The index holds no recommendation to “{country}”.", country=sel["country"])
    known = {d["doc_id"] for d in ctx["documents"]}
    if any(d not in known for d in sel["doc_id"]):
        return _("A chosen letter is not in the index (any more); choose again.")
    return None


@router.get("/report", response_class=HTMLResponse)
def align_page(request: Request) -> Response:
    """Pick indexed letters (or upload one) and a review; see which asks States recommended and
    what the State under review did with those recommendations."""
    _ = translator(language(request))
    try:
        ctx = _align_context(request)
    except IndexError_ as e:
        return error_page(request, 503, _("The index is not ready"), public_message(str(e), request))
    submitted = any(k in request.query_params for k in ("doc_id", "country", "cycle"))
    if not submitted:
        return render(request, "align.html", ctx)
    problem = _report_problem(ctx, _)
    if problem:
        ctx["error"] = problem
        return render(request, "align.html", ctx, status_code=422)
    sel = ctx["selected"]
    try:
        state = request.app.state.hrsearch
        asks = link_service.indexed_asks(state.linker(), sel["doc_id"])
        cycle = int(sel["cycle"]) if sel["cycle"] else None
        report = link_service.run_align(state.linker(), asks, sel["country"], cycle, state.settings)
    except QueryError as e:
        ctx["error"] = public_message(str(e), request)
        return render(request, "align.html", ctx, status_code=422)
    ctx["report"] = report.to_dict()
    query = (
        [("country", sel["country"])]
        + [("doc_id", d) for d in sel["doc_id"]]
        + ([("cycle", sel["cycle"])] if sel["cycle"] else [])
    )
    ctx["csv_url"] = "/report.csv?" + urlencode(query)
    return render(request, "align.html", ctx)


@router.get("/report.csv")
def align_csv(request: Request) -> Response:
    """The report shown on the page, as CSV."""
    from fastapi.responses import PlainTextResponse

    from search_api.alignment import report_csv

    state = request.app.state.hrsearch
    params = request.query_params
    asks = link_service.indexed_asks(state.linker(), params.getlist("doc_id"))
    cycle = link_service.parse_cycle(params.get("cycle", ""))
    report = link_service.run_align(state.linker(), asks, params.get("country", ""), cycle, state.settings)
    return PlainTextResponse(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alignment-report.csv"'},
    )


@router.post("/report", response_class=HTMLResponse)
async def align_upload_page(request: Request) -> Response:
    """Upload a letter (PDF, DOCX, TXT) with the API key and see its report. Only reading the
    form is awaited here; the page's data, parsing and aligning run in the thread pool, so an
    upload never holds up the event loop and the other requests."""
    form = await request.form()
    return await run_in_threadpool(_align_upload, request, form)


def _align_upload(request: Request, form: FormData) -> Response:
    import hmac

    state = request.app.state.hrsearch
    ctx = _align_context(request)
    country = str(form.get("country") or "")
    cycle_raw = str(form.get("cycle") or "")
    ctx["selected"] = {"doc_id": [], "country": country, "cycle": cycle_raw}
    key = str(form.get("api_key") or "")
    upload = form.get("file")
    try:
        if not state.settings.api_key:
            raise QueryError("api_key", "uploads are disabled on this server (no HRSEARCH_API_KEY set)")
        if not hmac.compare_digest(key.encode(), state.settings.api_key.encode()):
            raise QueryError("api_key", "wrong API key")
        if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
            raise QueryError("file", "choose a file to upload")
        upload.file.seek(0)
        data = upload.file.read(state.settings.max_upload_bytes + 1)
        cycle = link_service.parse_cycle(cycle_raw)
        asks = link_service.uploaded_asks(upload.filename or "upload", data, state.settings)
        report = link_service.run_align(state.linker(), asks, country, cycle, state.settings)
        ctx["report"] = report.to_dict()
        ctx["uploaded"] = upload.filename
    except QueryError as e:
        ctx["error"] = str(e)
        return templates.TemplateResponse(request, "align.html", ctx, status_code=422)
    return templates.TemplateResponse(request, "align.html", ctx)
