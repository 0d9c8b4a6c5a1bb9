"""Profiles (cProfile) of a hybrid query over an index and of one indexing run.

Each profile is written in full to ``benchmarks/results/profile-*.txt`` (by cumulative and by own
time); the returned summary lists the functions that take the largest share of the wall time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import load_average

# Functions worth naming in a summary: (label, substring of pstats' "file:line(function)" key).
QUERY_PARTS = (
    ("query encoding (ONNX)", "embedder_onnx.py", "_encode"),
    ("dense arm: Chroma query", "retrieval/dense.py", "nearest"),
    ("dense arm: context rescoring", "retrieval/dense.py", "with_context"),
    ("lexical arm (BM25 + mask)", "retrieval/lexical.py", "lexical_arm"),
    ("bm25s get_scores", "bm25s", "get_scores"),
    ("query tokenisation (bm25s)", "lexical.py", "tokenize"),
    ("candidate mask (filters)", "retrieval/query.py", "candidate_mask"),
    ("score completion", "retrieval/complete.py", "complete"),
    ("fusion", "retrieval/fusion.py", "fused"),
    ("hits (records, citations)", "retrieval/hits.py", "build_hits"),
    ("highlight", "highlight.py", "highlight"),
    ("fold duplicates", "retrieval/fold.py", "fold"),
    ("generation check (SQLite)", "catalog.py", "generation"),
)
INDEX_PARTS = (
    ("embedding (ONNX)", "embedder_onnx.py", "_encode"),
    ("model load", "embedder.py", "load_embedder"),
    ("reading files", "loader.py", "load_document"),
    ("segmentation", "segmentation.py", "segment"),
    ("Chroma upsert", "store.py", "upsert"),
    ("catalog write", "catalog.py", "apply"),
    ("reuse lookup by text hash", "catalog.py", "embeddings_for_shas"),
    ("BM25 build + save", "writer.py", "refresh_lexical"),
    ("reconcile / count", "writer.py", "recover"),
)


def _summarise(
    prof: cProfile.Profile, wall: float, parts: tuple[tuple[str, str, str], ...], out: Path, title: str
) -> dict[str, Any]:
    stats = pstats.Stats(prof)
    shares: dict[str, float] = {}
    for label, file_part, func in parts:
        cum = sum(v[3] for k, v in stats.stats.items() if file_part in k[0] and k[2] == func)  # type: ignore[attr-defined]
        shares[label] = round(cum / wall, 3)
    buf = io.StringIO()
    buf.write(f"# {title}\n# wall {wall:.2f} s, load average {load_average()}\n\n")
    for key in ("cumulative", "tottime"):
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(40)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(buf.getvalue())
    return {"wall_s": round(wall, 2), "share_of_wall": shares, "file": str(out)}


def query_profile(
    index_dir: str, eval_dir: str, out: str, rounds: int = 3, chroma_url: str = ""
) -> dict[str, Any]:
    """Child task: profile ``rounds`` passes of hybrid search over the development queries."""
    from benchmarks.latency import dev_queries, open_searcher
    from search_api.retrieval import SearchRequest

    queries = dev_queries(Path(eval_dir))
    searcher = open_searcher(index_dir, chroma_url)
    for q in queries[:10]:
        searcher.search(SearchRequest(q=q))
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for _ in range(rounds):
        for q in queries:
            searcher.search(SearchRequest(q=q, k=10))
    prof.disable()
    wall = time.perf_counter() - t0
    res = _summarise(
        prof, wall, QUERY_PARTS, Path(out), f"hybrid search, {len(queries) * rounds} queries, {index_dir}"
    )
    res["ms_per_query"] = round(wall * 1000 / (len(queries) * rounds), 2)
    return res


def index_profile(files: list[str], index_dir: str, out: str) -> dict[str, Any]:
    """Child task: profile one ``run_index`` of ``files`` into a new index."""
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.pipeline import run_index

    shutil.rmtree(index_dir, ignore_errors=True)
    settings = Settings(index_dir=Path(index_dir), chroma_url="")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report = run_index([Path(f) for f in files], settings, lambda: load_embedder(settings), rebuild=True)
    prof.disable()
    wall = time.perf_counter() - t0
    res = _summarise(
        prof, wall, INDEX_PARTS, Path(out), f"indexing {len(files)} files, {report.passages_added} passages"
    )
    res["passages"] = report.passages_added
    return res
