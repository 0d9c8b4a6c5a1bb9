"""What every HTML page shares: the templates with the page's language, error pages, and the
rule for when an error is shown as a page rather than as the API's JSON.

Everything shown comes from untrusted documents and queries: Jinja2 autoescaping is on, and the
only markup inserted unescaped is the highlight, which ``search_api.highlight`` builds from
escaped text plus ``<mark>`` tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from search_api.i18n import COOKIE, LANGUAGES, choose_language, direction, translator
from search_api.search_page import ACTION_CATEGORIES, DOC_KINDS
from search_api.verdicts import Thresholds, similarity_words

HERE = Path(__file__).parent
# Paths of the JSON API: their errors stay JSON whatever the client accepts.
API_PATHS = (
    "/search",
    "/link",
    "/align",
    "/facets",
    "/passages",
    "/documents",
    "/health",
    "/ready",
    "/openapi",
)


def language(request: Request) -> str:
    return choose_language(request.query_params, request.cookies, request.headers.get("accept-language"))


def url_with(request: Request, **changes: str | None) -> str:
    """This page's URL (path and query) with some parameters changed (None: removed)."""
    pairs = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k not in changes]
    pairs += [(k, v) for k, v in changes.items() if v is not None]
    return request.url.path + ("?" + urlencode(pairs) if pairs else "")


def _page_context(request: Request) -> dict[str, Any]:
    lang = language(request)
    return {
        "_": translator(lang),
        "lang": lang,
        "dir": direction(lang),
        "languages": LANGUAGES,
        "lang_urls": {code: url_with(request, lang=code) for code in LANGUAGES},
    }


templates = Jinja2Templates(directory=str(HERE / "templates"), context_processors=[_page_context])
templates.env.globals["action_categories"] = ACTION_CATEGORIES
# Words of the pages chosen in templates by a value (translated there with ``_``).
MODE_LABELS = {"hybrid": "meaning and words", "dense": "meaning only", "lexical": "words only"}
VERDICT_WORDS = {
    "taken up": "Recommended",
    "partly": "Partly recommended",
    "not taken up": "Not recommended by any State",
}
GLANCE_WORDS = {
    "recommended, supported": "Recommended, and supported",
    "recommended, noted": "Recommended, but noted",
    "recommended, no response yet": "Recommended, no response yet",
    "partly recommended": "Partly recommended",
    "not recommended": "Not recommended by any State",
}
templates.env.globals.update(
    mode_labels=MODE_LABELS, verdict_words=VERDICT_WORDS, glance_words=GLANCE_WORDS, doc_kinds=DOC_KINDS
)


def similarity_in_words(similarity: float, thresholds: dict[str, float]) -> str:
    """A report's similarity in plain words (the English message; the template translates it)."""
    return similarity_words(similarity, Thresholds(thresholds["taken_up"], thresholds["partly"]))


def report_csv_url(report: dict[str, Any]) -> str:
    """The report as a CSV in a ``data:`` address, for a report that cannot be asked for again
    (an uploaded letter is read, not kept)."""
    from search_api.alignment import report_csv

    return "data:text/csv;charset=utf-8," + quote(report_csv(report))


templates.env.globals["similarity_words"] = similarity_in_words
templates.env.globals["report_csv_url"] = report_csv_url


def render(request: Request, name: str, ctx: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, name, {"request": request, **ctx}, status_code=status_code)


def wants_html(request: Request) -> bool:
    """An error is a page for a browser asking for a page, and JSON for the API and its clients."""
    if request.url.path.startswith(API_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    links: Sequence[tuple[str, str]] = (),
) -> HTMLResponse:
    """A page in the site's style saying what went wrong, with a way back (``links``: (href,
    label), already translated; the search page is always offered)."""
    _ = translator(language(request))
    back = [*links, ("/", _("Back to search"))]
    response = render(
        request, "error.html", {"title": title, "message": message, "links": back, "status": status}, status
    )
    assert isinstance(response, HTMLResponse)
    return response


class LanguageCookie:
    """Keeps a chosen ``?lang=`` in a cookie and says which language an HTML page is in."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang")

        async def send_with(message: Any) -> None:
            if message["type"] == "http.response.start" and chosen in LANGUAGES:
                headers = list(message.get("headers") or [])
                cookie = f"{COOKIE}={chosen}; Path=/; Max-Age=31536000; SameSite=Lax"
                headers.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with)
