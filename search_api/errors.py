"""Errors at the HTTP edge: one table from exception to (status, code), one JSON shape.

Every error leaves as ``{"error": {"status", "code", "message", "field"}}``; no stack trace or
server path reaches a client. The core raises its own exceptions (``hrsearch.errors``); this
module is where they become HTTP. A browser asking for a page (an unknown address, a wrong
method, a failure outside the API's paths) gets the same error as a page in the site's style
with a way back (``search_api.pages.error_page``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hrsearch.errors import (
    AccessDenied,
    HrsearchError,
    IndexError_,
    IndexLocked,
    IndexMismatch,
    IndexMissing,
    NotFound,
    QueryError,
)
from hrsearch.settings import Settings

log = logging.getLogger("hrsearch.api")

# exception -> (status, code, message to show: None = the exception's own, without server paths).
# Looked up most specific first (NotFound before QueryError).
ERROR_TABLE: tuple[tuple[type[Exception], int, str, str | None], ...] = (
    (NotFound, 404, "not_found", None),
    (QueryError, 422, "invalid_query", None),
    (IndexMissing, 503, "index_missing", None),
    (IndexMismatch, 503, "index_mismatch", None),
    (IndexLocked, 409, "index_locked", "the index is being written; try again when that is done"),
    (IndexError_, 503, "index_unusable", None),
    (AccessDenied, 403, "forbidden", None),
    (HrsearchError, 500, "internal_error", "the request could not be completed"),
)
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}
# (title, message) of an error page per status; {path} is the address asked for.
PAGE_ERRORS = {
    404: ("Page not found", "There is no page at {path}."),
    405: ("This address does not take that request", "{path} cannot be opened this way."),
    413: ("Too large", "What was sent is larger than this server accepts."),
    429: ("Too many requests", "Too many searches from this address; wait a minute and try again."),
}
DEFAULT_PAGE_ERROR = ("Something went wrong", "The request could not be completed.")


def html_error(request: Request, status: int) -> Response:
    """The error as a page (for a browser outside the API's paths)."""
    from search_api.i18n import translator
    from search_api.pages import error_page, language

    _ = translator(language(request))
    title, message = PAGE_ERRORS.get(status, DEFAULT_PAGE_ERROR)
    return error_page(request, status, _(title), _(message, path=request.url.path))


def error_response(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={
            "error": {
                "status": status,
                "code": code,
                "message": printable(message),
                "field": None if field is None else printable(field),
            }
        },
    )


def printable(text: str) -> str:
    """``text`` encodable as UTF-8: a lone surrogate a client sent (in a field name it got wrong,
    say) is shown as ``\\udcff`` instead of failing the error response itself."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def public_message(message: str, request: Request) -> str:
    """The message without the server's paths (a client has no business knowing them)."""
    return without_index_paths(message, request.app.state.hrsearch.settings)


def without_index_paths(message: str, settings: Settings) -> str:
    """``message`` with the index folder, the Chroma folder and URL named "the index folder"."""
    s = settings
    for p in sorted({str(s.index_dir), str(s.chroma_path()), s.chroma_url} - {""}, key=len, reverse=True):
        message = message.replace(p, "the index folder")
    return message


def _field_of(loc: Any) -> str:
    # ("query", "cycle", 0) -> "cycle": the field, not the position of one of its values.
    parts = [str(p) for p in loc if p not in ("query", "body", "path") and not isinstance(p, int)]
    return ".".join(parts) or "request"


def _core_error(request: Request, exc: HrsearchError) -> JSONResponse:
    for kind, status, code, shown in ERROR_TABLE:
        if isinstance(exc, kind):
            if status >= 500:
                log.warning("request failed: %s", exc)
            field = getattr(exc, "field", None) if isinstance(exc, QueryError) else None
            if isinstance(exc, AccessDenied):
                field = "X-API-Key"
            message = shown or public_message(str(exc), request)
            if isinstance(exc, NotFound):
                message = message.split(": ", 1)[-1]
            return error_response(status, code, message, field)
    return error_response(500, "internal_error", "the request could not be completed")  # pragma: no cover


def install_error_handlers(app: FastAPI) -> None:
    from search_api.pages import wants_html

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first = errs[0] if errs else {"loc": ("request",), "msg": "invalid request"}
        field = _field_of(first.get("loc", ()))
        return error_response(422, "invalid_request", f"{field}: {first.get('msg')}", field)

    @app.exception_handler(HrsearchError)
    async def _core(request: Request, exc: HrsearchError) -> JSONResponse:
        return _core_error(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request):
            return html_error(request, exc.status_code)
        return error_response(exc.status_code, HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error")
        if wants_html(request):
            return html_error(request, 500)
        return error_response(500, "internal_error", "the request could not be completed")
