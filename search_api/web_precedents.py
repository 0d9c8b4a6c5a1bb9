"""The precedent finder page: paste an ask or a draft recommendation, read the adopted wordings
that say the same thing, strongest first (``search_api.precedents``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hrsearch.errors import IndexError_, QueryError
from search_api import precedents
from search_api.errors import public_message
from search_api.filters import Filters
from search_api.i18n import translator
from search_api.limits import check_link_text
from search_api.pages import error_page, language, render

router = APIRouter(include_in_schema=False)


@router.get("/link")
def link_page_redirect(request: Request) -> Response:
    """``POST /link`` is the API; a browser opening ``/link`` is sent to the precedent finder."""
    text = request.query_params.get("text")
    return RedirectResponse(
        "/precedents" + ("?" + urlencode({"text": text}) if text else ""), status_code=303
    )


def _choices(request: Request) -> dict[str, list[Any]]:
    """The cycles and regions the index's recommendations have (a filter without values is not offered)."""
    snap = request.app.state.hrsearch.linker().searcher.snapshot()
    mask = snap.filters.mask(Filters.parse({"kind": ["recommendation"]}))
    facets = snap.filters.facets(mask, limit=500)
    return {
        "cycles": sorted(f["value"] for f in facets.get("cycle", [])),
        "regions": sorted(str(f["value"]) for f in facets.get("region", [])),
    }


@router.get("/precedents", response_class=HTMLResponse)
def precedents_page(request: Request) -> Response:
    state = request.app.state.hrsearch
    _ = translator(language(request))
    params = request.query_params
    text = (params.get("text") or "").strip()
    cycle, region = params.get("cycle", ""), params.get("region", "")
    selected: dict[str, Any] = {"supported": params.get("supported") == "1", "cycle": cycle, "region": region}
    ctx: dict[str, Any] = {"text": text, "selected": selected, "result": None, "error": None}
    try:
        ctx |= _choices(request)
    except IndexError_ as e:
        return error_page(request, 503, _("The index is not ready"), public_message(str(e), request))
    raw: dict[str, list[Any]] = {}
    if selected["supported"]:
        raw["response"] = ["supported"]
    if cycle:
        if not cycle.isdigit() or int(cycle) not in ctx["cycles"]:
            return error_page(
                request,
                422,
                _("This filter cannot be used"),
                _("UPR cycle: “{value}” is not a cycle of the index.", value=cycle),
                [("/precedents?" + urlencode({"text": text}), _("Search again without this filter"))],
            )
        raw["cycle"] = [cycle]
    if region:
        if region not in ctx["regions"]:
            return error_page(
                request,
                422,
                _("This filter cannot be used"),
                _("Region: “{value}” is not a region of the index.", value=region),
                [("/precedents?" + urlencode({"text": text}), _("Search again without this filter"))],
            )
        raw["region"] = [region]
    if "text" in params:
        try:
            check_link_text(text, state.settings)
            ctx["result"] = precedents.find(state.linker(), text, Filters.parse(raw), state.settings)
        except QueryError as e:
            ctx["error"] = (
                _("Paste an ask or a draft recommendation first.")
                if not text
                else _("This text cannot be searched: {reason}", reason=public_message(str(e), request))
            )
            return render(request, "precedents.html", ctx, status_code=422)
    return render(request, "precedents.html", ctx)
