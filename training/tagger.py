"""Training the theme tagger: the variants measured, fitting one on the session split, the
artifact ``hrsearch tagger train`` writes, and the experiments of docs/TAGGER.md.

The data and the split are in ``training.tagger_data``, the fitting of each part in
``training.tagger_fit``. The product only loads the artifact (``indexer.tagger``); it never
imports this package.

``python -m training.tagger --experiments`` measures every variant of ``EXPERIMENTS``
(``--only N,M`` a few of them) and prints one row of figures per variant.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer import tagger as tg
from training.tagger_data import SLOVENIA_CSV, UPR_INFO_CSV, US_CSV, Data, file_sha
from training.tagger_fit import choose_thresholds, fit_lexical, fit_linear, fit_mlp, fit_platt, scores_table

log = logging.getLogger(__name__)


# --- variants ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One configuration of the tagger, measured on the session split."""

    name: str
    lexical: int = 0  # TF-IDF vocabulary size (0: embeddings only)
    min_df: int = 3
    lexical_norm: str = "l2"  # "l2" or "none" (raw tf-idf times lexical_scale)
    lexical_scale: float = 1.0
    emb_scale: float = 1.0  # weight of the embedding block next to the TF-IDF block
    C: float = 1.0
    class_weight: str | None = None
    extra: bool = False  # add the OHCHR-themed tables (mapped) to training
    linear: bool = True
    mlp_hidden: int = 0  # > 0: add a one-hidden-layer MLP on the embeddings; probabilities averaged
    mlp_alpha: float = 1e-4
    mlp_epochs: int = 30
    thresholds: str = "per_label"  # "per_label" | "global" | "half" (0.5 on uncalibrated scores)
    emb_head: bool = True  # also train the embeddings-only head used by theme_vector(vectors)
    clauses: bool = False  # per label, max over the passage and its clauses (tagger.ThemeTagger)


def fit_variant(v: Variant, data: Data, train: Sequence[int], valid: Sequence[int]) -> tg.ThemeTagger:
    """Train on ``train``; calibrate and choose thresholds on ``valid``."""
    lexical = (
        fit_lexical(data.texts(train), v.lexical, v.min_df, v.lexical_norm, v.lexical_scale)
        if v.lexical
        else None
    )
    y_tr, y_va = data.targets[train], data.targets[valid]
    x_tr = tg.features(data.vectors[train], lexical, data.texts(train), v.emb_scale)
    x_va = tg.features(data.vectors[valid], lexical, data.texts(valid), v.emb_scale)
    comps: list[tg.Component] = []
    if v.linear:
        comps.append(fit_linear(x_tr, y_tr, reg=v.C, class_weight=v.class_weight))
    if v.mlp_hidden:
        # The MLP sees the embeddings only: on TF-IDF columns its first layer would not fit in 1 MB.
        mlp = fit_mlp(data.vectors[train], y_tr, hidden=v.mlp_hidden, alpha=v.mlp_alpha, epochs=v.mlp_epochs)
        mlp.inputs = "vectors"
        comps.append(mlp)
    tagger = tg.ThemeTagger(
        data.labels, lexical, comps, np.full(len(data.labels), 0.5, np.float32), v.emb_scale
    )
    if v.thresholds == "half":
        return tagger
    for comp in comps:
        x = data.vectors[valid] if comp.inputs == "vectors" else x_va
        comp.a, comp.c = fit_platt(comp.scores(x), y_va)
    if lexical is not None and v.emb_head:
        head = fit_linear(data.vectors[train], y_tr, reg=v.C, class_weight=v.class_weight)
        head.a, head.c = fit_platt(head.scores(data.vectors[valid]), y_va)
        head.inputs = "vectors"
        tagger.emb_head = head
    tagger.clauses = v.clauses
    probs = tagger.proba(data.vectors[valid], data.texts(valid))
    min_pos = len(valid) + 1 if v.thresholds == "global" else 5
    tagger.thresholds = choose_thresholds(probs, y_va, min_positives=min_pos)
    return tagger


def evaluate(tagger: tg.ThemeTagger, data: Data, test: Sequence[int]) -> dict[str, Any]:
    """Figures of a tagger on ``test``: F1s, per-label scores and the Brier score."""
    probs = tagger.proba(data.vectors[test], data.texts(test))
    out = scores_table(probs >= tagger.thresholds, data.targets[test], data.labels)
    out["brier"] = round(float(np.mean((probs - data.targets[test]) ** 2)), 5)
    return out


def run_variant(v: Variant, data: Data) -> tuple[tg.ThemeTagger, dict[str, Any]]:
    """Fit on sessions 1-14 (+ extra sets), calibrate on 15-16, measure on 17-20."""
    split = data.split_with_extra if v.extra else data.split_main
    t0 = time.perf_counter()
    tagger = fit_variant(v, data, split.train, split.valid)
    figures = evaluate(tagger, data, split.test)
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    figures["split"] = {
        "train": len(split.train),
        "valid": len(split.valid),
        "test": len(split.test),
        "test_dropped_seen": split.test_dropped,
    }
    return tagger, figures


# --- the artifact ------------------------------------------------------------------------------
DEFAULT_VARIANT = Variant(
    "emb+tfidf5k unnormalised x0.05 LR C=4, clause max",
    lexical=5000,
    C=4.0,
    lexical_norm="none",
    lexical_scale=0.05,
    clauses=True,
)

# Every variant measured for docs/TAGGER.md (python -m training.tagger --experiments).
EXPERIMENTS: tuple[Variant, ...] = (
    Variant("emb LR C=1, threshold 0.5 (baseline)", thresholds="half"),
    Variant("emb LR C=1, one global threshold", thresholds="global"),
    Variant("emb LR C=1, per-label thresholds"),
    Variant("emb LR C=4, per-label thresholds", C=4.0),
    Variant("emb LR C=16, per-label thresholds", C=16.0),
    Variant("emb LR C=4 balanced, per-label thresholds", C=4.0, class_weight="balanced"),
    Variant("emb+tfidf5k LR C=4", lexical=5000, C=4.0),
    Variant("emb+tfidf5k LR C=4, emb x2", lexical=5000, C=4.0, emb_scale=2.0),
    Variant("emb+tfidf10k LR C=4", lexical=10000, C=4.0),
    Variant("emb+tfidf5k LR C=4 + OHCHR extra", lexical=5000, C=4.0, extra=True),
    Variant("emb MLP 512", linear=False, mlp_hidden=512),
    Variant("emb+tfidf5k LR C=4 + emb MLP 512", lexical=5000, C=4.0, mlp_hidden=512),
    Variant("emb+tfidf5k LR C=8", lexical=5000, C=8.0),
    Variant("emb+tfidf5k LR C=4, one global threshold", lexical=5000, C=4.0, thresholds="global"),
    Variant(
        "emb+tfidf5k unnormalised x0.05 LR C=4", lexical=5000, C=4.0, lexical_norm="none", lexical_scale=0.05
    ),
    Variant(
        "emb+tfidf5k unnormalised x0.1 LR C=1", lexical=5000, C=1.0, lexical_norm="none", lexical_scale=0.1
    ),
    DEFAULT_VARIANT,
)


def train(
    corpus_dir: Path,
    out_dir: Path,
    embedder_factory: Callable[[], Any],
    *,
    model: str = "all-MiniLM-L6-v2",
    cache_dir: Path | None = None,
    reuse_index: Path | None = None,
    variant: Variant = DEFAULT_VARIANT,
) -> dict[str, Any]:
    """Build the artifact in ``out_dir``: fit on the session split, measure, save; return the figures."""
    data = Data.load(corpus_dir, embedder_factory, model=model, cache_dir=cache_dir, reuse_index=reuse_index)
    tagger, figures = run_variant(variant, data)
    split = data.split_with_extra if variant.extra else data.split_main
    meta = {
        "about": "hrsearch theme tagger; rebuild with `hrsearch tagger train` (see README.md)",
        "embedder": model,
        "dimension": int(data.vectors.shape[1]),
        "variant": {k: v for k, v in variant.__dict__.items()},
        "split": figures["split"],
        "sessions": {"train": [1, 14], "valid": [15, 16], "test": [17, 20]},
        "data": {
            UPR_INFO_CSV: file_sha(corpus_dir / UPR_INFO_CSV),
            US_CSV: file_sha(corpus_dir / US_CSV),
            SLOVENIA_CSV: file_sha(corpus_dir / SLOVENIA_CSV),
        },
        "train_items": len(split.train),
        "figures": {
            k: figures[k] for k in ("micro_f1", "macro_f1", "micro_precision", "micro_recall", "brier")
        },
    }
    tagger.save(out_dir, meta)
    stable = {k: v for k, v in figures.items() if k != "seconds"}  # the file is rebuilt byte for byte
    (out_dir / "figures.json").write_text(json.dumps(stable, indent=1) + "\n", encoding="utf-8")
    return figures


def run_experiments(data: Data, variants: Sequence[Variant]) -> list[dict[str, Any]]:
    """Measure each variant on the session split; one row of figures per variant."""
    rows = []
    for v in variants:
        _, f = run_variant(v, data)
        weakest = sorted(f["per_label"].items(), key=lambda kv: kv[1]["f1"])[:5]
        rows.append(
            {
                "variant": v.name,
                "micro_f1": f["micro_f1"],
                "macro_f1": f["macro_f1"],
                "micro_precision": f["micro_precision"],
                "micro_recall": f["micro_recall"],
                "brier": f["brier"],
                "seconds": f["seconds"],
                "weakest": [(k, p["f1"]) for k, p in weakest],
            }
        )
        log.info("%s: micro %.4f macro %.4f (%.0f s)", v.name, f["micro_f1"], f["macro_f1"], f["seconds"])
    return rows


def main() -> None:  # pragma: no cover - a developer's tool for the figures of docs/TAGGER.md
    import argparse

    from indexer.embedder import SentenceTransformerEmbedder

    p = argparse.ArgumentParser(description="measure tagger variants on the session split")
    p.add_argument("--corpus", default="../shared/corpus/recommendations")
    p.add_argument("--cache-dir", default="/work/scratch/tagger-cache")
    p.add_argument(
        "--experiments", action="store_true", help="measure every variant of EXPERIMENTS (the default)"
    )
    p.add_argument("--only", help="comma-separated variant numbers (0-based), instead of all")
    p.add_argument("--out", default="-")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data = Data.load(
        Path(args.corpus),
        lambda: SentenceTransformerEmbedder(batch_size=64),
        model="all-MiniLM-L6-v2",
        cache_dir=Path(args.cache_dir),
    )
    chosen = [EXPERIMENTS[int(i)] for i in args.only.split(",")] if args.only else list(EXPERIMENTS)
    rows = run_experiments(data, chosen)
    text = json.dumps(rows, indent=1) + "\n"
    if args.out == "-":
        import sys

        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
