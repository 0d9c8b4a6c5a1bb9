"""The cost of country scoping: one query naming a state, timed with and without the scoped
second dense query (``HRSEARCH_COUNTRY_SCOPING``), against a query naming none.

    python -m benchmarks.scoped INDEX_DIR [--repeats 5]

Prints the median milliseconds of each; at 1M passages the scoped query is what makes the p99
of BENCHMARKS.md (Chroma answers a ``where``-filtered nearest-neighbour query far more slowly
than an unfiltered one).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

QUERIES = (
    "How many recommendations did states make to the United States of America",
    "abolish the death penalty",
)


def main(argv: list[str] | None = None) -> None:
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.index import Index
    from search_api.retrieval import Searcher, SearchRequest

    p = argparse.ArgumentParser(prog="python -m benchmarks.scoped", description=__doc__.split("\n")[0])
    p.add_argument("index_dir", type=Path)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    settings = Settings(index_dir=args.index_dir)
    searcher = Searcher(Index.open(settings), load_embedder(settings), settings)
    searcher.search(SearchRequest(q="warm up", k=10))
    for scoping in (True, False):
        params = dataclasses.replace(searcher.params, country_scoping=scoping)
        for q in QUERIES:
            searcher.search(SearchRequest(q=q, k=10), params)  # the first call of each pays its own set-up
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                searcher.search(SearchRequest(q=q, k=10), params)
                times.append((time.perf_counter() - t) * 1000)
            print(f"country_scoping={scoping!s:5}  {statistics.median(times):8.1f} ms  {q}")
    searcher.reader.close()


if __name__ == "__main__":
    main()
