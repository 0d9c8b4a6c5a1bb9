"""API hardening through the real app over a real index: body limit, API keys, CORS, rate
limits, security headers, the one error shape with nothing internal in it, and untrusted text
that stays text in JSON Lines, CSV and HTML."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from hrsearch.settings import Settings
from search_api.security import TokenBuckets, is_expensive, key_matches
from tests.reliability.api_app import FORMULA, SCRIPT, build_index, make_app

KEY = "k3y-for-writes"
READ_KEY = "k3y-for-reads"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_index(tmp_path_factory.mktemp("api"), "api")


@pytest.fixture(scope="module")
def client(index: Settings) -> Iterator[TestClient]:
    with TestClient(make_app(index, api_key=KEY, max_body_bytes=64 * 1024)) as c:
        yield c


def assert_error(
    resp: Any, status: int, code: str | None = None, *, internal: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The one JSON error shape, with no stack trace and no internal path in it."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message", "field"}
    assert body["error"]["status"] == status and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    for secret in ("Traceback", 'File "', "/site-packages/", *internal):
        assert secret not in resp.text, secret
    return dict(body["error"])


# --- body size ----------------------------------------------------------------------------------
def test_body_over_the_limit_is_413_declared_or_streamed(client: TestClient, index: Settings) -> None:
    big = {"q": "death penalty", "padding": "x" * 100_000}
    err = assert_error(client.post("/search", json=big), 413, "too_large", internal=(str(index.index_dir),))
    assert "HRSEARCH_MAX_BODY_BYTES" in err["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted as the body arrives
        yield b'{"q": "death penalty", "padding": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    assert_error(
        client.post("/search", content=chunks(), headers={"content-type": "application/json"}),
        413,
        "too_large",
    )
    assert client.post("/search", json={"q": "death penalty"}).status_code == 200


# --- API keys -----------------------------------------------------------------------------------
WRITE_ALLOWED = {("POST", "/search"), ("POST", "/link"), ("POST", "/align"), ("POST", "/report")}


def api_routes(
    routes: list[Any], prefix: str = "", deps: tuple[str, ...] = ()
) -> list[tuple[APIRoute, str, set[str]]]:
    """Every API route of an app with its full path and the names of its dependencies (FastAPI
    keeps included routers as such in ``app.routes``)."""
    out: list[tuple[APIRoute, str, set[str]]] = []
    for r in routes:
        if isinstance(r, APIRoute):
            names = {getattr(d.call, "__name__", "") for d in r.dependant.dependencies}
            out.append((r, prefix + r.path, names | set(deps)))
        elif hasattr(r, "original_router"):
            ctx = r.include_context
            extra = tuple(
                getattr(d.dependency, "__name__", "") for d in getattr(ctx, "dependencies", None) or []
            )
            out += api_routes(
                r.original_router.routes, prefix + (getattr(ctx, "prefix", "") or ""), deps + extra
            )
    return out


def _write_routes(app: Any) -> list[tuple[APIRoute, str, set[str]]]:
    return [
        (r, path, names)
        for r, path, names in api_routes(app.routes)
        if (r.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        and not {(m, path) for m in r.methods or ()} <= WRITE_ALLOWED
    ]


def test_every_write_route_requires_the_write_key(client: TestClient) -> None:
    """Any route that changes something (upload, index, delete) carries the key dependency."""
    routes = _write_routes(client.app)
    assert routes, "no write route found (is the route walk still right for this FastAPI?)"
    for route, path, names in routes:
        assert "require_write_key" in names, (
            f"{sorted(route.methods or ())} {path} has no write-key dependency"
        )


def test_write_endpoints_need_the_key_and_are_off_without_one(client: TestClient, index: Settings) -> None:
    routes = _write_routes(client.app)
    if not routes:
        pytest.skip("the app has no write endpoint yet")
    route, path, _ = routes[0]
    method = sorted(route.methods or ())[0]
    path = path.replace("{doc_id}", "0000000000000000").replace("{id}", "0000000000000000")
    err = assert_error(client.request(method, path), 403, "forbidden")
    assert err["field"] == "X-API-Key"
    assert_error(client.request(method, path, headers={"X-API-Key": KEY + "x"}), 403)
    with TestClient(make_app(index)) as closed:  # no api_key: writes disabled, and it says so
        err = assert_error(closed.request(method, path, headers={"X-API-Key": ""}), 403)
        assert "disabled" in err["message"] and "HRSEARCH_API_KEY" in err["message"]
    assert client.request(method, path, headers={"X-API-Key": KEY}).status_code != 403


def test_keys_are_compared_whole() -> None:
    assert key_matches("abc", "abc") and not key_matches("abc", "abcd") and not key_matches("", "")
    assert key_matches("r", "w", "r") and not key_matches("x", "", "")


def test_reads_can_be_closed_with_a_read_key(index: Settings) -> None:
    with TestClient(make_app(index, api_key=KEY, read_api_key=READ_KEY)) as c:
        assert_error(c.get("/search", params={"q": "detention"}), 403, "forbidden")
        assert_error(c.get("/", params={"q": "detention"}), 403)
        assert c.get("/search", params={"q": "detention"}, headers={"X-API-Key": READ_KEY}).status_code == 200
        assert c.get("/search", params={"q": "detention"}, headers={"X-API-Key": KEY}).status_code == 200
        assert c.get("/health").status_code == 200 and c.get("/ready").status_code == 200


# --- CORS ---------------------------------------------------------------------------------------
def test_cors_is_off_unless_origins_are_configured(client: TestClient, index: Settings) -> None:
    origin = {"Origin": "https://advocates.example"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    with TestClient(make_app(index, cors_origins=["https://advocates.example"])) as c:
        assert (
            c.get("/health", headers=origin).headers["access-control-allow-origin"]
            == "https://advocates.example"
        )
        other = c.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        pre = c.options(
            "/search",
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-API-Key",
            },
        )
        assert pre.status_code == 200 and "x-api-key" in pre.headers["access-control-allow-headers"].lower()


# --- rate limits --------------------------------------------------------------------------------
def test_rate_limit_answers_429_per_client_on_expensive_endpoints(index: Settings) -> None:
    with TestClient(make_app(index, rate_limit_per_minute=3)) as c:
        for _ in range(3):
            assert c.get("/search", params={"q": "detention"}).status_code == 200
        resp = c.get("/search", params={"q": "detention"})
        err = assert_error(resp, 429, "rate_limited")
        assert int(resp.headers["retry-after"]) >= 1 and "HRSEARCH_RATE_LIMIT_PER_MINUTE" in err["message"]
        assert_error(c.post("/search", json={"q": "detention"}), 429)
        assert_error(c.get("/facets", params={"q": "detention"}), 429)
        # Cheap requests are not counted, and other clients have their own bucket.
        assert c.get("/health").status_code == 200 and c.get("/facets").status_code == 200
    with TestClient(make_app(index, rate_limit_per_minute=3), client=("203.0.113.9", 5000)) as other:
        assert other.get("/search", params={"q": "detention"}).status_code == 200


def test_token_bucket_refills_and_forgets_old_clients() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # one a second, 60 at most
    assert all(buckets.take("a") == 0 for _ in range(60))
    assert buckets.take("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert buckets.take("a") == 0 and buckets.take("a") > 0
    assert buckets.take("b") == 0


def test_expensive_endpoints() -> None:
    assert is_expensive("GET", "/search", b"q=x") and is_expensive("POST", "/link", b"")
    assert is_expensive("GET", "/facets", b"q=x") and not is_expensive("GET", "/facets", b"")
    assert is_expensive("GET", "/", b"q=x") and not is_expensive("GET", "/", b"")
    assert is_expensive("POST", "/documents", b"") and not is_expensive("GET", "/documents/abc", b"")
    assert not is_expensive("GET", "/health", b"")


# --- headers and error shape ----------------------------------------------------------------------
def test_security_headers(client: TestClient) -> None:
    api = client.get("/search", params={"q": "detention"})
    assert api.headers["x-content-type-options"] == "nosniff" and api.headers["x-frame-options"] == "DENY"
    page = client.get("/", params={"q": "detention"})
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "content-security-policy" not in client.get("/docs").headers  # Swagger UI starts inline


def test_errors_have_one_shape_and_nothing_internal(client: TestClient, index: Settings) -> None:
    internal = (str(index.index_dir),)
    assert_error(client.get("/no-such-page"), 404, "not_found", internal=internal)
    assert_error(client.delete("/search"), 405, internal=internal)
    assert_error(client.get("/search", params={"q": "x", "k": 0}), 422, internal=internal)
    assert_error(client.get("/search", params={"q": "x" * 5000}), 422, internal=internal)
    assert_error(client.get("/passages/nope"), 404, internal=internal)
    assert_error(
        client.post("/search", content=b"{not json", headers={"content-type": "application/json"}), 422
    )


def test_index_errors_do_not_name_the_index_folder(tmp_path: Path) -> None:
    missing = Settings(index_dir=tmp_path / "secret-place")
    with TestClient(make_app(missing)) as c:
        assert_error(c.get("/search", params={"q": "x"}), 503, internal=(str(tmp_path),))


# --- untrusted text -------------------------------------------------------------------------------
def test_jsonl_export_keeps_markup_as_json_text(client: TestClient) -> None:
    resp = client.get(
        "/search",
        params={"q": "ministry replied refused access detention centre", "format": "jsonl", "k": 50},
    )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/x-ndjson")
    assert resp.headers["x-content-type-options"] == "nosniff"
    hits = [json.loads(line) for line in resp.text.splitlines() if line]
    assert any(SCRIPT in h["text"] for h in hits)


def test_csv_export_neutralises_formulas(client: TestClient) -> None:
    resp = client.get(
        "/search",
        # lexical: both hostile passages hold a query term, whatever the fusion ranks them
        params={
            "q": "HYPERLINK evil click details journalists SUM",
            "format": "csv",
            "k": 50,
            "mode": "lexical",
        },
    )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'" + FORMULA) for cell in cells), (
        "the formula passage is exported, neutralised"
    )
    assert any(cell.startswith("'@SUM") for cell in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_html_page_escapes_queries_and_documents(client: TestClient) -> None:
    page = client.get("/", params={"q": SCRIPT + " ministry replied detention centre"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(" in page.text  # both the query echoed and the passage shown
    assert page.text.count("&lt;script&gt;alert(") >= 2
