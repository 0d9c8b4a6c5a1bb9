"""Throughput under concurrency: requests/s and latency of ``GET /search`` with 1, 8, 32 clients.

The server is a real ``hrsearch serve`` on 127.0.0.1 (one uvicorn worker, as the command starts
it). Each client is a thread with its own ``httpx.Client`` that sends the development queries one
after another; a level stops after ``max_requests`` answers or ``max_seconds``, whichever comes
first. The load generator runs on the same 2 cores as the server, so it takes part of the CPU.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from benchmarks.proc import Server
from benchmarks.stats import load_average, percentiles


def _level(
    url: str, queries: list[str], clients: int, max_requests: int, max_seconds: float
) -> dict[str, Any]:
    lat: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    issued = 0
    stop_at = time.perf_counter() + max_seconds

    def worker(w: int) -> None:
        nonlocal issued
        with httpx.Client(base_url=url, timeout=60) as client:
            i = w * 7
            while time.perf_counter() < stop_at:
                with lock:
                    if issued >= max_requests:
                        return
                    issued += 1
                q = queries[i % len(queries)]
                i += 1
                t = time.perf_counter()
                r = client.get("/search", params={"q": q, "k": 10})
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    if r.status_code == 200:
                        lat.append(dt)
                    else:
                        errors.append(r.status_code)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "requests": len(lat),
        "errors": len(errors),
        "seconds": round(wall, 1),
        "requests_per_s": round(len(lat) / wall, 2),
        "latency_ms": percentiles(lat) if lat else {},
        "load_average": load_average(),
    }


def run(
    server: Server,
    queries: list[str],
    levels: tuple[int, ...] = (1, 8, 32),
    max_requests: int = 400,
    max_seconds: float = 60,
) -> dict[str, Any]:
    """Every concurrency level against ``server``, after a warm-up; with the server's memory."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for q in queries[:5]:
            client.get("/search", params={"q": q, "k": 10}).raise_for_status()
    out: dict[str, Any] = {"levels": []}
    for c in levels:
        out["levels"].append(_level(server.url, queries, c, max_requests, max_seconds))
        lv = out["levels"][-1]
        print(
            f"  load {c} clients: {lv['requests_per_s']} req/s, p99 {lv['latency_ms'].get('p99')} ms, "
            f"{lv['errors']} errors, load {lv['load_average'][0]}",
            flush=True,
        )
    out["server_rss_mib"] = server.memory()
    return out
