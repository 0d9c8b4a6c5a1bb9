"""One upload must not freeze the server (issue 18, item 1): while a hostile upload is parsed and
aligned, a real uvicorn server keeps answering ``/health``, and the upload itself gets a 4xx
saying which limit it hit.

"Keeps answering" is asserted by order, not by a clock: the ``/health`` probes (one every 0.2 s)
are answered while the upload is still in flight, many of them during a 15 s parse. A server whose
event loop the upload holds answers none of them until the upload's own answer. How fast they
are answered is a speed figure (``make bench``, ``benchmarks.hostile_load``), printed here.

Before, ``POST /documents`` and the page's ``POST /report`` parsed and aligned on the event loop:
a 1.1 MB HTML file of 100,000 nested ``<div>`` held every other request for the whole parse
timeout, and a .txt of 3,000 "We urge..." lines for the alignment of 3,000 asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import COUNTRY, KEY, NESTED_HTML, make_corpus, urge_lines
from tests.reliability.helpers import settings_for
from tests.reliability.live_server import live_server

PARSE_TIMEOUT_S = 15  # the server's HRSEARCH_PARSE_TIMEOUT_S: the nested HTML takes minutes to parse


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


@dataclass(frozen=True)
class Probes:
    """The ``/health`` probes sent while an upload was in flight."""

    latencies: list[float]  # seconds each probe took (inf: no 200 within 30 s)
    answered_in_flight: int  # probes answered 200 before the upload got its own answer

    def __str__(self) -> str:
        worst = max(self.latencies, default=0.0)
        return f"{len(self.latencies)} probes, {self.answered_in_flight} answered in flight, slowest {worst:.2f} s"


def upload_while_probing(url: str, endpoint: str, name: str, data: bytes) -> tuple[httpx.Response, Probes]:
    """Send one upload and, until it is answered, ask ``/health`` every 0.2 s; returns the
    upload's response and the probes."""
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
        result["answered_at"] = time.perf_counter()

    thread = threading.Thread(target=upload)
    thread.start()
    probes: list[tuple[float, float]] = []  # (latency, answered at)
    time.sleep(0.3)  # the upload is in flight
    while thread.is_alive():
        t0 = time.perf_counter()
        try:
            ok = httpx.get(f"{url}/health", timeout=30).status_code == 200
        except httpx.TimeoutException:
            ok = False
        t1 = time.perf_counter()
        probes.append((t1 - t0 if ok else float("inf"), t1))
        time.sleep(0.2)
    thread.join()
    assert "error" not in result, result
    done = result["answered_at"]
    in_flight = sum(1 for latency, at in probes if latency != float("inf") and at < done)
    return result["resp"], Probes([latency for latency, _ in probes], in_flight)


@pytest.mark.parametrize("endpoint", ["/documents", "/report"])
def test_health_keeps_answering_while_a_nested_html_upload_is_parsed(server: str, endpoint: str) -> None:
    t0 = time.perf_counter()
    resp, probes = upload_while_probing(server, endpoint, "nested.html", NESTED_HTML)
    took = time.perf_counter() - t0
    print(f"{endpoint}: {took:.1f} s in the parser; /health: {probes}")
    assert resp.status_code == 422, resp.text[:500]
    assert "parsing took longer than" in resp.text
    assert took >= PARSE_TIMEOUT_S - 1, took  # the HTML was in the parser for the whole timeout
    # every probe answered, most of them (at most one per 0.2 s) while the parse went on
    assert float("inf") not in probes.latencies, probes
    assert probes.answered_in_flight >= 10, probes


@pytest.mark.parametrize("endpoint", ["/documents", "/report"])
def test_an_upload_with_thousands_of_asks_is_refused_and_health_keeps_answering(
    server: str, endpoint: str
) -> None:
    resp, probes = upload_while_probing(server, endpoint, "urge.txt", urge_lines(3000))
    print(f"{endpoint}: /health: {probes}")
    assert resp.status_code == 422, resp.text[:500]
    assert "HRSEARCH_MAX_ALIGN_ASKS" in resp.text
    assert float("inf") not in probes.latencies, probes


def test_health_keeps_answering_while_an_upload_is_aligned(server: str) -> None:
    """An upload within the limits is aligned off the event loop: its report comes, and
    ``/health`` was answered before it."""
    resp, probes = upload_while_probing(server, "/documents", "urge.txt", urge_lines(150))
    print(f"/health: {probes}")
    assert resp.status_code == 200, resp.text[:500]
    assert len(resp.json()["asks"]) == 150
    assert float("inf") not in probes.latencies, probes
    assert probes.answered_in_flight >= 1, probes
