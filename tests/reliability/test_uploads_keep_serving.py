"""One upload must not freeze the server (issue 18, item 1): while a hostile upload is parsed and
aligned, a real uvicorn server keeps answering ``/health`` within a second, and the upload itself
gets a 4xx saying which limit it hit.

Before, ``POST /documents`` and the page's ``POST /report`` parsed and aligned on the event loop:
a 1.1 MB HTML file of 100,000 nested ``<div>`` held every other request for the whole parse
timeout, and a .txt of 3,000 "We urge..." lines for the alignment of 3,000 asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import settings_for
from tests.reliability.live_server import live_server

KEY = "upload-key"
COUNTRY = "Freedonia"
PARSE_TIMEOUT_S = 15  # the server's HRSEARCH_PARSE_TIMEOUT_S: the nested HTML takes minutes to parse
NESTED_HTML = (
    b"<html><body>" + b"<div>" * 100_000 + b"Freedom of assembly." + b"</div>" * 100_000 + b"</body></html>"
)


def urge_lines(n: int) -> bytes:
    topics = ("the death penalty", "solitary confinement", "the right to housing", "police oversight")
    return "\n".join(
        f"We urge the Government to act on {topics[i % 4]} in case {i} without delay." for i in range(n)
    ).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("uploads")
    docs = make_corpus(root / "docs", letters=4, paragraphs=6, table_rows=400)
    settings: Settings = settings_for(root / "index", "uploads")
    run_index([docs], settings, lambda: HashingEmbedder())
    with live_server(
        settings, root / "server.log", HRSEARCH_API_KEY=KEY, HRSEARCH_PARSE_TIMEOUT_S=str(PARSE_TIMEOUT_S)
    ) as url:
        yield url


def upload_while_probing(
    url: str, endpoint: str, name: str, data: bytes
) -> tuple[httpx.Response, list[float]]:
    """Send one upload and, until it is answered, ask ``/health`` every 0.2 s; returns the
    upload's response and the time each ``/health`` took."""
    result: dict[str, Any] = {}

    def upload() -> None:
        files = {"file": (name, data)}
        try:
            if endpoint == "/documents":
                result["resp"] = httpx.post(
                    f"{url}/documents",
                    files=files,
                    data={"country": COUNTRY},
                    headers={"X-API-Key": KEY},
                    timeout=600,
                )
            else:
                result["resp"] = httpx.post(
                    f"{url}/report", files=files, data={"country": COUNTRY, "api_key": KEY}, timeout=600
                )
        except BaseException as e:  # reported below
            result["error"] = e

    thread = threading.Thread(target=upload)
    thread.start()
    latencies: list[float] = []
    time.sleep(0.3)  # the upload is in flight
    while thread.is_alive():
        t0 = time.perf_counter()
        try:
            ok = httpx.get(f"{url}/health", timeout=30).status_code == 200
        except httpx.TimeoutException:
            ok = False
        latencies.append(time.perf_counter() - t0 if ok else float("inf"))
        time.sleep(0.2)
    thread.join()
    assert "error" not in result, result
    return result["resp"], latencies


@pytest.mark.parametrize("endpoint", ["/documents", "/report"])
def test_health_answers_within_a_second_while_a_nested_html_upload_is_parsed(
    server: str, endpoint: str
) -> None:
    t0 = time.perf_counter()
    resp, latencies = upload_while_probing(server, endpoint, "nested.html", NESTED_HTML)
    took = time.perf_counter() - t0
    assert max(latencies) < 1.0, f"/health took up to {max(latencies):.2f} s while the upload was parsed"
    assert resp.status_code == 422, resp.text[:500]
    assert "parsing took longer than" in resp.text
    assert took >= PARSE_TIMEOUT_S - 1 and len(latencies) >= 10, (took, latencies)


@pytest.mark.parametrize("endpoint", ["/documents", "/report"])
def test_an_upload_with_thousands_of_asks_is_refused_and_health_keeps_answering(
    server: str, endpoint: str
) -> None:
    resp, latencies = upload_while_probing(server, endpoint, "urge.txt", urge_lines(3000))
    assert resp.status_code == 422, resp.text[:500]
    assert "HRSEARCH_MAX_ALIGN_ASKS" in resp.text
    assert not latencies or max(latencies) < 1.0, latencies


def test_health_answers_within_a_second_while_an_upload_is_aligned(server: str) -> None:
    """An upload within the limits is aligned off the event loop: its report comes, and
    ``/health`` answered meanwhile."""
    resp, latencies = upload_while_probing(server, "/documents", "urge.txt", urge_lines(150))
    assert resp.status_code == 200, resp.text[:500]
    assert len(resp.json()["asks"]) == 150
    assert latencies and max(latencies) < 1.0, latencies
