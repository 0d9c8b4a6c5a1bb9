"""Query latency of hybrid search against its floor, in one process, interleaved per query.

The floor is what no hybrid search can beat: encoding the query plus one bare Chroma
nearest-neighbour query of the same size (``n_results`` = the candidate depth, no filter). Each
query of the development sets is run as floor and as hybrid search (``Searcher.search``, k=10,
the configured fusion, highlights and all), alternating which goes first, for several rounds.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.proc import rss_mib
from benchmarks.stats import load_average, percentiles, summary

EVAL_SETS = ("seed_asks_us_upr3", "letters_qa", "uprinfo_issues")


def dev_queries(eval_dir: Path) -> list[str]:
    """The queries of the three development sets (80 in all)."""
    from evaluation.datasets import load_set

    out: list[str] = []
    for name in EVAL_SETS:
        out += list(load_set(eval_dir / name).queries.values())
    return out


def open_searcher(index_dir: str, chroma_url: str = "") -> Any:
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.index import Index
    from search_api.retrieval import Searcher

    settings = Settings(index_dir=Path(index_dir), chroma_url=chroma_url)
    return Searcher(Index.open(settings), load_embedder(settings), settings)


def measure(index_dir: str, eval_dir: str, rounds: int = 5, chroma_url: str = "") -> dict[str, Any]:
    """Child task: p50/p95/p99 of hybrid search and of the floor, and their ratios."""
    import os

    from search_api.retrieval import SearchRequest

    queries = dev_queries(Path(eval_dir))
    t0 = time.perf_counter()
    searcher = open_searcher(index_dir, chroma_url)
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    searcher.search(SearchRequest(q="warm-up: abolish the death penalty"))
    t_first = time.perf_counter() - t0
    mem_ready = rss_mib(os.getpid())
    embedder, index, depth = searcher.embedder, searcher.index, searcher.params.candidate_depth
    for q in queries[:10]:  # warm both paths
        index.nearest(embedder.embed_queries([q])[0], depth)
        searcher.search(SearchRequest(q=q))
    hybrid: list[float] = []
    floor: list[float] = []
    for r in range(rounds):
        for i, q in enumerate(queries):
            for what in ("floor", "hybrid") if (i + r) % 2 == 0 else ("hybrid", "floor"):
                t = time.perf_counter()
                if what == "floor":
                    index.nearest(embedder.embed_queries([q])[0], depth)
                    floor.append((time.perf_counter() - t) * 1000)
                else:
                    searcher.search(SearchRequest(q=q, k=10))
                    hybrid.append((time.perf_counter() - t) * 1000)
    h, f = percentiles(hybrid), percentiles(floor)
    return {
        "passages": index.passage_count(),
        "chroma": "server" if chroma_url else "embedded",
        "queries": len(queries),
        "rounds": rounds,
        "hybrid_ms": h,
        "floor_ms": f,
        "ratio": {k: round(h[k] / f[k], 3) for k in ("p50", "p95", "p99")},
        "paired_ratio": summary([a / b for a, b in zip(hybrid, floor, strict=True)]) | {"runs": []},
        "open_s": round(t_open, 2),
        "first_query_s": round(t_first, 2),
        "rss_ready_mib": mem_ready,
        "rss_end_mib": rss_mib(os.getpid()),
        "load_average": load_average(),
    }


def answers(index_dir: str, eval_dir: str, chroma_url: str = "") -> dict[str, Any]:
    """Child task: every development query's result page as JSON (to check a patch changes nothing)."""
    from search_api.retrieval import SearchRequest
    from search_api.service import result_dict

    searcher = open_searcher(index_dir, chroma_url)
    out = {}
    for q in dev_queries(Path(eval_dir)):
        res = result_dict(searcher.search(SearchRequest(q=q, k=10)), 10, 0)
        res.pop("took_ms")
        out[q] = res
    return out
