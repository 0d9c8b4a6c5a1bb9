"""Measuring the relevance floor (``search_api.retrieval.floor``) on judged query sets.

For every scored query of each set, the search as configured but without floor or fixed pool
(``RankingParams.ranking_only``, what the evaluation measures) returns its first 100 hits; each
hit's dense score is recorded with whether it satisfies a judged relevant ref. Queries nobody
should get an answer to (keyboard mashes, cooking, sport) are run the same way. For each candidate
floor the report gives the share of relevant hits in the first 10 and the first 100 that reach it,
how many of the nonsense queries it leaves without any result, and the results a real query keeps.

    python -m evaluation.floor --index-dir /work/eval-index \\
        --set evaluation/datasets/hrsearch_advocates --set ../shared/eval/seed_asks_us_upr3 ...

The floor chosen from this is in ``hrsearch.settings.MODEL_FLOORS``; the figures in EVALUATION.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Queries with no answer in a human rights corpus: typed noise and everyday topics.
NONSENSE = (
    "asdfghjkl qwertyuiop",
    "zxcvbnm poiuytrewq lkjhgf",
    "qwerty uiop asdf",
    "xyzzy plugh frobnicate",
    "lorem ipsum dolor sit amet consectetur",
    "aaaaaa bbbbbb cccccc",
    "recipe for chocolate chip cookies",
    "how to bake sourdough bread at home",
    "who won the football world cup final",
    "best hiking boots for winter",
    "replace the spark plugs of a car engine",
    "cheap flights to hawaii in december",
    "tomato plants leaves turning yellow",
    "guitar chords for a beginner",
    "install python packages with pip",
    "knitting a scarf pattern",
)
FLOORS = [round(0.20 + 0.01 * i, 2) for i in range(51)]


def _relevant(hit: Any, ctx: Any, qs: Any, qid: str) -> int:
    from evaluation.refs import unit_refs
    from evaluation.systems import hit_unit

    refs = unit_refs(hit_unit(ctx, hit), qs.judged.get(qid, []), row_file=qs.row_file)
    grades = qs.qrels.get(qid, {})
    return max((grades.get(r, 0) for r in refs), default=0)


def measure(
    set_dirs: Sequence[Path], settings: Any, embedder_factory: Any, depth: int = 100
) -> dict[str, Any]:
    """Dense scores of relevant hits per set, and the best dense score of each nonsense query."""
    from evaluation.context import EvalContext
    from evaluation.runner import load_sets, resolve_scope
    from search_api.filters import Filters
    from search_api.retrieval import SearchRequest
    from search_api.retrieval.dense import query_vector
    from search_api.retrieval.query import parse

    ctx = EvalContext(settings, embedder_factory, cache_dir=None)
    try:
        searcher = ctx.searcher
        params = searcher.params.ranking_only()
        snap = searcher.snapshot()
        documents = [{"doc_id": d.doc_id, "path": d.path, "meta": d.meta} for d in snap.documents.values()]

        def hits(text: str, filters: Filters) -> list[Any]:
            req = SearchRequest(q=text, k=depth, filters=filters, group_duplicates=False)
            out = searcher.search(req, params).hits
            q = parse(text, filters, params)
            qvec = query_vector(q, searcher.embedder, params, searcher.models(q, params).crosslingual)
            vecs = snap.vectors([h.id for h in out])
            for h in out:
                h.cosine = float(vecs[h.id] @ qvec) if h.id in vecs else float("-inf")
            return out

        def dense(h: Any) -> float:
            return float(h.arms.get("dense", {}).get("score", float("-inf")))

        sets: dict[str, list[dict[str, Any]]] = {}
        for qs in load_sets(set_dirs, languages=[]):
            scope = resolve_scope(qs, documents, settings.index_dir)
            rows = []
            for qid in qs.scored_qids():
                for rank, h in enumerate(hits(qs.queries[qid], Filters.parse(scope.filters(qid))), 1):
                    rows.append(
                        {
                            "qid": qid,
                            "rank": rank,
                            "dense": dense(h),
                            "cosine": h.cosine,
                            "grade": _relevant(h, ctx, qs, qid),
                        }
                    )
            sets[qs.name] = rows
        nonsense = {}
        for q in NONSENSE:
            got = hits(q, Filters())
            nonsense[q] = {
                "dense": max((dense(h) for h in got), default=None),
                "cosine": max((h.cosine for h in got), default=None),
            }
    finally:
        ctx.close()
    return {"sets": sets, "nonsense": nonsense}


def table(
    data: dict[str, Any], floors: Sequence[float] = FLOORS, score: str = "dense"
) -> list[dict[str, Any]]:
    """Per floor: relevant hits kept at 10 and 100 (each set, and all), nonsense queries emptied,
    and the mean results a real query keeps."""
    out = []
    for t in floors:
        row: dict[str, Any] = {"floor": t}
        all10 = all100 = kept10 = kept100 = 0
        for name, rows in data["sets"].items():
            rel10 = [r for r in rows if r["grade"] > 0 and r["rank"] <= 10]
            rel100 = [r for r in rows if r["grade"] > 0]
            k10 = sum(r[score] >= t for r in rel10)
            k100 = sum(r[score] >= t for r in rel100)
            row[f"{name}@10"] = round(k10 / len(rel10), 3) if rel10 else None
            all10, all100, kept10, kept100 = (
                all10 + len(rel10),
                all100 + len(rel100),
                kept10 + k10,
                kept100 + k100,
            )
        row["relevant@10 kept"] = round(kept10 / all10, 4) if all10 else None
        row["relevant@100 kept"] = round(kept100 / all100, 4) if all100 else None
        scores = [s[score] for s in data["nonsense"].values() if s[score] is not None]
        row["nonsense emptied"] = f"{sum(s < t for s in scores)}/{len(scores)}"
        per_query: dict[tuple[str, str], int] = {}
        for name, rows in data["sets"].items():
            for r in rows:
                per_query[(name, r["qid"])] = per_query.get((name, r["qid"]), 0) + (r[score] >= t)
        row["mean results kept (of 100)"] = round(sum(per_query.values()) / max(1, len(per_query)), 1)
        out.append(row)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder

    ap = argparse.ArgumentParser(prog="python -m evaluation.floor", description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", type=Path, required=True, dest="sets")
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, help="write the measured scores as JSON here")
    args = ap.parse_args(argv)
    settings = Settings(index_dir=args.index_dir)
    data = measure(args.sets, settings, lambda: load_embedder(settings))
    if args.out:
        args.out.write_text(json.dumps(data, indent=1))
    for score in ("dense", "cosine"):
        rows = table(data, score=score)
        cols = list(rows[0])
        sys.stdout.write(
            f"\n{score}\n| " + " | ".join(cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n"
        )
        for r in rows:
            sys.stdout.write("| " + " | ".join(str(r[c]) for c in cols) + " |\n")
    sys.stdout.write("nonsense best scores: " + json.dumps(data["nonsense"]) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
