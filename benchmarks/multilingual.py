"""What the multilingual path costs: latency of queries in English, Spanish and French, and the
memory the multilingual-e5 model adds to a serving process.

    python -m benchmarks.multilingual INDEX_DIR [--rounds 3] [--out benchmarks/results/multilingual.json]

The queries are the asks of the linking sets in their three languages (hybrid search and the
linker, k = 10, after a warm-up); RSS is read before the first query not in English (the model
loads then) and after.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.proc import rss_mib
from benchmarks.stats import load_average, percentiles

SETS = ("slovenia_stakeholder_asks", "usa_stakeholder_asks", "treaty_and_other_asks")


def queries(language: str) -> list[str]:
    from evaluation.datasets import DATASETS, load_set, translated

    out: list[str] = []
    for name in SETS:
        qs = load_set(DATASETS / name)
        out += list((qs if language == "en" else translated(qs, language)).queries.values())
    return out


def measure(index_dir: Path, rounds: int) -> dict[str, Any]:
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.index import Index
    from search_api.retrieval import Linker, Searcher, SearchRequest

    settings = Settings(index_dir=index_dir)
    searcher = Searcher(Index.open(settings), load_embedder(settings), settings)
    linker = Linker(searcher, settings)
    for q in queries("en")[:5]:
        searcher.search(SearchRequest(q=q))
    out: dict[str, Any] = {"index_dir": str(index_dir), "load_average_before": load_average()}
    rss_before = rss_mib(os.getpid())["VmRSS"]
    for lang in ("en", "es", "fr"):
        qs = queries(lang)
        searcher.search(SearchRequest(q=qs[0]))  # the first query of a language loads what it needs
        if lang == "es":
            out["rss_mib"] = {"before_e5": rss_before, "after_e5": rss_mib(os.getpid())["VmRSS"]}
        search_ms, link_ms = [], []
        for _ in range(rounds):
            for q in qs:
                t = time.perf_counter()
                searcher.search(SearchRequest(q=q, k=10))
                search_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                linker.link(q, k=10)
                link_ms.append((time.perf_counter() - t) * 1000)
        out[lang] = {"queries": len(qs), "search_ms": percentiles(search_ms), "link_ms": percentiles(link_ms)}
    out["load_average_after"] = load_average()
    searcher.index.close()
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.multilingual", description=__doc__.split("\n")[0])
    p.add_argument("index_dir", type=Path)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/multilingual.json"))
    args = p.parse_args(argv)
    result = measure(args.index_dir, args.rounds)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
