"""The advocates' web page: server-rendered search with filters, citations and CSV download.

Everything shown comes from untrusted documents and queries: Jinja2 autoescaping is on, and
the only markup inserted unescaped is the highlight, which ``search_api.highlight`` builds from
escaped text plus ``<mark>`` tags.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from hrsearch.errors import IndexError_, QueryError
from indexer.fields import PAGE_FILTERS
from search_api import link_service, service
from search_api.filters import Filters
from search_api.limits import check_search
from search_api.retrieval import SearchRequest

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20


def static_files() -> StaticFiles:
    """The page's CSS and JavaScript (mounted at /static by the app factory)."""
    return StaticFiles(directory=str(HERE / "static"))


@router.get("/", response_class=HTMLResponse)
def page(request: Request) -> Response:
    state = request.app.state.hrsearch
    params = request.query_params
    q = (params.get("q") or "").strip()
    mode = params.get("mode") or "hybrid"
    try:
        page_no = max(1, int(params.get("page") or 1))
    except ValueError:
        page_no = 1
    raw = {name: [v for v in params.getlist(name) if v] for name, _ in PAGE_FILTERS}
    for name in ("year_from", "year_to"):
        if params.get(name):
            raw[name] = [params[name]]
    ctx: dict[str, Any] = {
        "request": request,
        "q": q,
        "mode": mode,
        "selected": raw,
        "filters": PAGE_FILTERS,
        "results": None,
        "error": None,
        "facets": {},
        "page": page_no,
        "page_size": PAGE_SIZE,
    }
    try:
        searcher = state.searcher()
    except IndexError_ as e:
        ctx["error"] = str(e)
        return templates.TemplateResponse(request, "index.html", ctx, status_code=503)
    try:
        filters = Filters.parse(raw, max_values=state.settings.max_filter_values)
        ctx["facets"] = service.facets(searcher, None, Filters(), limit=300)["facets"]
        if q:
            req = SearchRequest(
                q=q,
                k=PAGE_SIZE,
                offset=(page_no - 1) * PAGE_SIZE,
                filters=filters,
                mode=mode if mode in ("hybrid", "dense", "lexical") else "hybrid",
            )
            check_search(req, state.settings)
            res = searcher.search(req)
            ctx["results"] = service.result_dict(res, PAGE_SIZE, req.offset)
            query = [("q", q), ("mode", mode)] + [(k, v) for k, vs in raw.items() for v in vs]
            ctx["csv_url"] = "/search?" + urlencode(
                [*query, ("format", "csv"), ("k", str(min(1000, state.settings.max_export_rows)))]
            )
            ctx["next_url"] = "/?" + urlencode([*query, ("page", str(page_no + 1))])
            ctx["prev_url"] = "/?" + urlencode([*query, ("page", str(page_no - 1))]) if page_no > 1 else None
    except QueryError as e:
        ctx["error"] = str(e)
        return templates.TemplateResponse(request, "index.html", ctx, status_code=422)
    return templates.TemplateResponse(request, "index.html", ctx)


@router.get("/view/passages/{passage_id:path}", response_class=HTMLResponse)
def passage_page(request: Request, passage_id: str) -> Response:
    state = request.app.state.hrsearch
    try:
        data = service.passage_in_context(state.searcher(), passage_id, neighbours=3)
    except service.NotFound as e:
        return templates.TemplateResponse(
            request, "passage.html", {"request": request, "error": str(e)}, status_code=404
        )
    except IndexError_ as e:
        return templates.TemplateResponse(
            request, "passage.html", {"request": request, "error": str(e)}, status_code=503
        )
    return templates.TemplateResponse(
        request,
        "passage.html",
        {"request": request, "error": None, **data, "back": request.headers.get("referer")},
    )


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
        "countries": [f["value"] for f in facets.get("country", [])],
        "cycles": sorted(f["value"] for f in facets.get("cycle", [])),
        "upload_enabled": bool(state.settings.api_key),
        "selected": {
            "doc_id": request.query_params.getlist("doc_id"),
            "country": request.query_params.get("country", ""),
            "cycle": request.query_params.get("cycle", ""),
        },
    }


@router.get("/report", response_class=HTMLResponse)
def align_page(request: Request) -> Response:
    """Pick indexed letters (or upload one) and a review; see which asks were taken up."""
    try:
        ctx = _align_context(request)
    except IndexError_ as e:
        return templates.TemplateResponse(
            request,
            "align.html",
            {
                "request": request,
                "error": str(e),
                "report": None,
                "documents": [],
                "countries": [],
                "cycles": [],
                "upload_enabled": False,
                "selected": {},
            },
            status_code=503,
        )
    sel = ctx["selected"]
    if sel["doc_id"] and sel["country"]:
        try:
            state = request.app.state.hrsearch
            asks = link_service.indexed_asks(state.linker(), sel["doc_id"])
            cycle = int(sel["cycle"]) if sel["cycle"] else None
            report = link_service.run_align(state.linker(), asks, sel["country"], cycle, state.settings)
            ctx["report"] = report.to_dict()
            query = (
                [("country", sel["country"])]
                + [("doc_id", d) for d in sel["doc_id"]]
                + ([("cycle", sel["cycle"])] if sel["cycle"] else [])
            )
            ctx["csv_url"] = "/report.csv?" + urlencode(query)
        except (QueryError, ValueError) as e:
            ctx["error"] = str(e)
            return templates.TemplateResponse(request, "align.html", ctx, status_code=422)
    return templates.TemplateResponse(request, "align.html", ctx)


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
