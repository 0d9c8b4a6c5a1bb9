"""Where a serving process's memory goes, per part, measured in a fresh interpreter.

Resident memory (``VmRSS``) is read after each step of opening an index the way the API does:
the embedding model, the catalog and Chroma collection, the imports of the lexical arm, the
reader's view (the BM25 index and every passage of the generation), the searcher's views (texts,
records and the filter index) and one query (which, with embedded Chroma, loads the HNSW index).
The differences are each part's share. ``lexical_alone`` measures the BM25 index by itself.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.proc import rss_mib


def serving_parts(index_dir: str, chroma_url: str = "") -> dict[str, Any]:
    """Child task: RSS after each step of opening ``index_dir`` for search."""
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.index import Index
    from search_api.retrieval import Searcher, SearchRequest

    steps: list[tuple[str, float, float]] = []

    def mark(name: str, t0: float) -> None:
        gc.collect()
        steps.append((name, rss_mib(os.getpid())["VmRSS"], round(time.perf_counter() - t0, 2)))

    mark("interpreter", time.perf_counter())
    settings = Settings(index_dir=Path(index_dir), chroma_url=chroma_url)
    t0 = time.perf_counter()
    embedder = load_embedder(settings)
    mark("embedding model", t0)
    t0 = time.perf_counter()
    index = Index.open(settings)
    mark("catalog + Chroma client", t0)
    t0 = time.perf_counter()
    import bm25s  # noqa: F401 - its import (scipy, ...) is not the index's size

    mark("imports of the lexical arm", t0)
    t0 = time.perf_counter()
    snap = index.snapshot()
    lex = snap.lexical
    mark("snapshot (BM25 + passages)", t0)
    searcher = Searcher(index, embedder, settings)
    t0 = time.perf_counter()
    _ = snap.filters
    mark("filter index", t0)
    t0 = time.perf_counter()
    searcher.search(SearchRequest(q="abolish the death penalty"))
    mark("first query (loads the HNSW index if embedded)", t0)
    parts = [
        {
            "step": s[0],
            "rss_mib": s[1],
            "delta_mib": round(s[1] - (steps[i - 1][1] if i else 0), 1),
            "seconds": s[2],
        }
        for i, s in enumerate(steps)
    ]
    n = len(lex)
    bm25 = lex.bm25
    arrays = sum(a.nbytes for a in bm25.scores.values() if hasattr(a, "nbytes")) if bm25 is not None else 0
    return {
        "passages": n,
        "chroma": "server" if chroma_url else "embedded",
        "parts": parts,
        "bm25_arrays_mib": round(arrays / 2**20, 1),
        "bm25_vocabulary": len(bm25.vocab_dict) if bm25 is not None else 0,
        "peak_mib": rss_mib(os.getpid())["VmHWM"],
    }


def lexical_alone(index_dir: str, mmap: bool = False) -> dict[str, Any]:
    """Child task: resident memory of the saved BM25 index by itself (loaded as the reader does)."""
    import bm25s  # noqa: F401

    from indexer.lexical import LEXICAL_DIR, LexicalIndex

    gc.collect()
    before = rss_mib(os.getpid())["VmRSS"]
    t0 = time.perf_counter()
    lex = LexicalIndex.load(Path(index_dir), mmap=mmap)
    assert lex is not None and lex.bm25 is not None
    load_s = time.perf_counter() - t0
    gc.collect()
    after = rss_mib(os.getpid())["VmRSS"]
    t0 = time.perf_counter()
    lex.search("abolish the death penalty and ratify the optional protocol", 100)
    first_s = time.perf_counter() - t0
    after_query = rss_mib(os.getpid())["VmRSS"]
    arrays = sum(a.nbytes for a in lex.bm25.scores.values() if hasattr(a, "nbytes"))
    folder = Path(index_dir) / LEXICAL_DIR
    return {
        "passages": len(lex),
        "mmap": mmap,
        "rss_mib": round(after - before, 1),
        "rss_after_query_mib": round(after_query - before, 1),
        "arrays_mib": round(arrays / 2**20, 1),
        "vocabulary": len(lex.bm25.vocab_dict),
        "disk_mib": round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1),
        "load_s": round(load_s, 2),
        "first_query_s": round(first_s, 3),
    }
