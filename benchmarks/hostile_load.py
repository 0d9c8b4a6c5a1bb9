"""Serving under a hostile upload (issue 18): ``/health`` and ``/search`` latency while a 1.1 MB
HTML file of 100,000 nested ``<div>`` is in the parser and alignments of 200 asks (the most one
request may hold) are asked for one after another.

A real uvicorn server with the configured real model, over a synthetic corpus of 12 letters and a
1,500-row table (``tests.reliability.corpus``); 4 ``/search`` clients and a ``/health`` client
(every 0.05 s) for ``seconds``. The parse timeout is the run plus 30 s, so the nested HTML holds a
core for the whole run. The target: p99 of both under 1,000 ms (``P99_LIMIT_MS``). The
reliability test ``tests/reliability/test_load_with_upload.py`` runs the same scenario and
asserts what does not depend on the machine's speed (no error, the upload refused, every
alignment answered, both clients served throughout); the target is checked here, where a busy
machine is a measurement condition and not a failure.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.stats import percentiles

P99_LIMIT_MS = 1000.0
SEARCH_CLIENTS = 4
QUERIES = (
    "abolish the death penalty",
    "rights of migrant children in detention",
    "independent oversight of the police",
    "access to safe drinking water",
    "violence against women",
    "freedom of expression online",
)


def _figures(seconds: list[float]) -> dict[str, Any]:
    """Requests and latency percentiles (``benchmarks.stats.percentiles``) of one endpoint, in ms."""
    if not seconds:
        return {"requests": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    p = percentiles([s * 1000 for s in seconds])
    return {
        "requests": len(seconds),
        **{f"{k}_ms": round(p[k], 1) for k in ("p50", "p95", "p99")},
        "max_ms": round(max(seconds) * 1000, 1),
    }


def run(work: Path, seconds: float = 30.0, search_clients: int = SEARCH_CLIENTS) -> dict[str, Any]:
    """Build the corpus and index under ``work``, serve it, load it for ``seconds``; the figures
    (requests, p50/p95/p99/max ms per endpoint), the outcomes and whether the target was met."""
    from indexer.embedder import load_embedder
    from indexer.pipeline import run_index
    from tests.reliability.corpus import COUNTRY, KEY, NESTED_HTML, make_corpus, urge_lines
    from tests.reliability.helpers import settings_for
    from tests.reliability.live_server import live_server

    docs = make_corpus(work / "docs", letters=12, paragraphs=8, table_rows=1500)
    settings = settings_for(work / "index", "load")
    embedder = load_embedder(settings)
    run_index([docs], settings, lambda: embedder)
    timings: dict[str, list[float]] = {"health": [], "search": []}
    errors: list[str] = []
    uploads: list[int] = []
    alignments: list[int] = []
    stop = threading.Event()

    def ask(kind: str, url: str, i: int) -> None:
        with httpx.Client(timeout=30) as c:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    if kind == "health":
                        r = c.get(f"{url}/health")
                    else:
                        r = c.get(f"{url}/search", params={"q": QUERIES[i % len(QUERIES)], "k": 10})
                    ok = r.status_code == 200
                except httpx.HTTPError as e:
                    ok, r = False, None
                    errors.append(f"{kind}: {e!r}")
                if ok:
                    timings[kind].append(time.perf_counter() - t0)
                elif r is not None:
                    errors.append(f"{kind}: {r.status_code} {r.text[:200]}")
                i += 1
                if kind == "health":
                    time.sleep(0.05)

    def upload(url: str) -> None:
        with httpx.Client(timeout=600) as c:
            r = c.post(
                f"{url}/documents",
                files={"file": ("nested.html", NESTED_HTML)},
                data={"country": COUNTRY},
                headers={"X-API-Key": KEY},
            )
            uploads.append(r.status_code)

    def align(url: str) -> None:
        texts = urge_lines(200).decode().splitlines()
        with httpx.Client(timeout=600) as c:
            while not stop.is_set():
                r = c.post(f"{url}/align", json={"texts": texts, "country": COUNTRY})
                alignments.append(r.status_code)

    parse_timeout = seconds + 30  # the nested HTML stays in the parser for the whole run
    with live_server(
        settings, work / "server.log", real_model=True,
        HRSEARCH_API_KEY=KEY, HRSEARCH_PARSE_TIMEOUT_S=str(parse_timeout),
    ) as url:  # fmt: skip
        httpx.get(f"{url}/search", params={"q": "warm up"}, timeout=60)
        hostile = threading.Thread(target=upload, args=(url,))
        aligning = threading.Thread(target=align, args=(url,))
        clients = [threading.Thread(target=ask, args=("health", url, 0))] + [
            threading.Thread(target=ask, args=("search", url, i)) for i in range(search_clients)
        ]
        hostile.start()
        time.sleep(1.0)  # the HTML is in the parser
        aligning.start()
        for t in clients:
            t.start()
        time.sleep(seconds)
        in_flight = hostile.is_alive()
        stop.set()
        for t in [*clients, aligning, hostile]:
            t.join()
    figures = {kind: _figures(v) for kind, v in timings.items()}
    met = all(f["p99_ms"] is not None and f["p99_ms"] < P99_LIMIT_MS for f in figures.values())
    return {
        "seconds": seconds,
        "search_clients": search_clients,
        "model": settings.model,
        "figures": figures,
        "p99_limit_ms": P99_LIMIT_MS,
        "p99_under_limit": met,
        "upload_in_parser_throughout": in_flight,
        "uploads": uploads,
        "alignments": alignments,
        "errors": errors[:20],
    }
