"""HTTP hardening: body size limit, API keys, CORS, per-client rate limits, security headers.

``install_security(app, settings)`` adds everything to an app (call it once in ``create_app``):

- requests with a body larger than ``max_body_bytes`` get 413 (checked on the declared
  ``Content-Length`` and again while the body streams in, for chunked uploads);
- when ``read_api_key`` is set, every endpoint but ``/health`` and ``/ready`` needs
  ``X-API-Key`` (the read key or the write key);
- write endpoints carry the ``WriteKey`` dependency: ``X-API-Key`` must equal ``api_key``,
  compared in constant time; with no ``api_key`` they answer 403 "disabled";
- the expensive endpoints (searches, linking, alignment, facets of a query, uploads) are rate
  limited per client address with a token bucket of ``rate_limit_per_minute`` units (0 = off)
  that charges work, not requests: a search is one unit, an alignment one per ask it links
  (``search_api.work``). A request is admitted while its client has a unit left, and what it
  cost is charged when it is done, so a large alignment is served once and the client then
  waits until its cost is paid back;
- CORS headers only for the origins in ``cors_origins`` (none by default);
- every response says ``nosniff`` and may not be framed; HTML pages get a Content-Security-Policy
  that allows only the app's own scripts and styles.

Errors leave in the one JSON shape ``{"error": {"status", "code", "message", "field"}}``. The
middlewares are plain ASGI (no ``BaseHTTPMiddleware``), so streaming responses and background
tasks are untouched.
"""

from __future__ import annotations

import hmac
import json
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from starlette.exceptions import HTTPException

from hrsearch.errors import AccessDenied
from hrsearch.settings import Settings
from search_api.work import CURRENT, Meter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Defaults of the settings this module reads with getattr (so it works before they exist).
DEFAULT_MAX_BODY_BYTES = 21 * 1024 * 1024
OPEN_PATHS = frozenset({"/health", "/ready"})
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
MAX_TRACKED_CLIENTS = 10_000
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _setting(settings: Settings, name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- API keys ------------------------------------------------------------------------------------
class WritesDisabled(AccessDenied):
    def __init__(self) -> None:
        super().__init__("write endpoints are disabled: set HRSEARCH_API_KEY on the server to enable them")


class WrongKey(AccessDenied):
    def __init__(self) -> None:
        super().__init__("missing or wrong API key (send it in the X-API-Key header)")


def key_matches(given: str, *keys: str) -> bool:
    """True if ``given`` equals one of the non-empty ``keys`` (constant time for each)."""
    ok = False
    for key in keys:
        if key:
            ok |= hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8"))
    return ok


def require_write_key(request: Request) -> None:
    """Dependency of write endpoints (upload, index, delete)."""
    settings: Settings = request.app.state.hrsearch.settings
    key = str(_setting(settings, "api_key", ""))
    if not key:
        raise WritesDisabled()
    if not key_matches(request.headers.get("x-api-key", ""), key):
        raise WrongKey()


WriteKey = Annotated[None, Depends(require_write_key)]


# --- responses -----------------------------------------------------------------------------------
async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer with the one JSON error shape."""
    body = json.dumps(
        {"error": {"status": status, "code": code, "message": message, "field": field}}
    ).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return bytes(v).decode("latin-1")
    return None


# --- body size -----------------------------------------------------------------------------------
class BodyLimitMiddleware:
    """413 for a request body over ``max_bytes``: at once when Content-Length says so, and while
    reading otherwise (the route then fails with 413 through the app's error handler)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"request body larger than {self.max_bytes:,} bytes (setting HRSEARCH_MAX_BODY_BYTES)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await send_error(send, 400, "bad_request", "Content-Length is not a number", "Content-Length")
                return
            if too_big:
                await send_error(send, 413, "too_large", self._message())
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, detail=self._message())
            return message

        await self.app(scope, limited, send)


# --- read key ------------------------------------------------------------------------------------
class ReadKeyMiddleware:
    """With ``read_key`` set, every path but ``OPEN_PATHS`` needs X-API-Key (read or write key)."""

    def __init__(self, app: ASGIApp, read_key: str, write_key: str) -> None:
        self.app = app
        self.keys = (read_key, write_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        if not key_matches(_header(scope, b"x-api-key") or "", *self.keys):
            await send_error(
                send,
                403,
                "forbidden",
                "this server needs an API key for reading (send it in the X-API-Key header)",
                "X-API-Key",
            )
            return
        await self.app(scope, receive, send)


# --- rate limits ---------------------------------------------------------------------------------
def is_expensive(method: str, path: str, query_string: bytes) -> bool:
    """Requests that run a search, the linker or a parser: the ones a flood would hurt."""
    if path in ("/search", "/link", "/align", "/report.csv"):
        return True
    if path == "/documents" and method == "POST":  # upload
        return True
    query = parse_qs(query_string.decode("latin-1"))
    if path == "/report":
        return method == "POST" or bool(query.get("doc_id"))
    if path in ("/facets", "/"):
        return bool(query.get("q"))
    return False


class TokenBuckets:
    """Per-client token buckets: ``per_minute`` tokens refilled evenly, as many held at most."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """Take a token for ``client``; returns 0 if it had one, else the seconds until it will."""
        wait = self.wait(client)
        if wait == 0:
            self.charge(client, 1)
        return wait

    def wait(self, client: str) -> float:
        """0 if ``client`` has a token, else the seconds until it will (nothing is taken)."""
        tokens = self._refill(client)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def charge(self, client: str, units: float) -> None:
        """Take ``units`` tokens from ``client``, into debt if it has fewer: a request costing more
        than a bucket holds is served, and the client then waits until it is paid back."""
        self.buckets[client] = (self._refill(client) - units, self.clock())

    def _refill(self, client: str) -> float:
        now = self.clock()
        tokens, last = self.buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        self.buckets[client] = (tokens, now)
        while len(self.buckets) > MAX_TRACKED_CLIENTS:
            self.buckets.popitem(last=False)  # the least recently seen client
        return tokens


class RateLimitMiddleware:
    """429 when a client address asks for more work than ``per_minute`` units a minute; each
    request is charged the units its meter counted (at least one)."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self.buckets = TokenBuckets(per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_expensive(
            scope["method"], scope["path"], scope.get("query_string", b"")
        ):
            client = str((scope.get("client") or ("unknown", 0))[0])
            wait = self.buckets.wait(client)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await send_error(
                    send, 429, "rate_limited",
                    f"more than {self.per_minute} units of work a minute from this address (a search "
                    "is one, an alignment one per ask; setting HRSEARCH_RATE_LIMIT_PER_MINUTE); "
                    f"try again in {seconds} s",
                    headers={"Retry-After": str(seconds)},
                )  # fmt: skip
                return
            meter = Meter()
            token = CURRENT.set(meter)
            try:
                await self.app(scope, receive, send)
            finally:
                CURRENT.reset(token)
                self.buckets.charge(client, max(1, meter.units))
            return
        await self.app(scope, receive, send)


# --- headers -------------------------------------------------------------------------------------
class SecurityHeadersMiddleware:
    """``nosniff`` and no framing on every response; a strict CSP on the HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in DOCS_PATHS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {bytes(k).lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                content_type = next(
                    (bytes(v) for k, v in headers if bytes(k).lower() == b"content-type"), b""
                )
                if content_type.startswith(b"text/html") and not docs:
                    extra.append((b"content-security-policy", CSP.encode()))
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# --- wiring --------------------------------------------------------------------------------------
def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares to ``app`` (once; a second call does nothing)."""
    if getattr(app.state, "security_installed", False):
        return
    app.state.security_installed = True
    # add_middleware puts each new one outside the previous: the last added sees requests first.
    read_key = str(_setting(settings, "read_api_key", ""))
    if read_key:
        app.add_middleware(
            ReadKeyMiddleware, read_key=read_key, write_key=str(_setting(settings, "api_key", ""))
        )
    per_minute = int(_setting(settings, "rate_limit_per_minute", 0))
    if per_minute > 0:
        app.add_middleware(RateLimitMiddleware, per_minute=per_minute)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=int(_setting(settings, "max_body_bytes", DEFAULT_MAX_BODY_BYTES))
    )
    origins = list(_setting(settings, "cors_origins", []) or [])
    if origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "X-API-Key"], max_age=600,
        )  # fmt: skip
    app.add_middleware(SecurityHeadersMiddleware)
