"""Fitting the theme tagger's parts: TF-IDF features, per-label models, calibration, thresholds,
and the figures they are judged by. Every fit is deterministic (lbfgs, fixed seeds), and weights
are rounded to float16 as the artifact stores them, so what is measured is what is shipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer import tagger as tg
from indexer.tagger_features import LEXICAL_NGRAMS, LEXICAL_TOKEN_PATTERN, Lexical

SEED = 20240601

Floats = npt.NDArray[np.float32]


# --- lexical features --------------------------------------------------------------------------
def fit_lexical(
    texts: Sequence[str], max_features: int, min_df: int = 3, norm: str = "l2", scale: float = 1.0
) -> Lexical:
    """A TF-IDF vocabulary (unigrams and bigrams, sublinear tf) fitted on the training texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        ngram_range=LEXICAL_NGRAMS,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
        token_pattern=LEXICAL_TOKEN_PATTERN,
    )
    vec.fit(texts)
    vocab = sorted(vec.vocabulary_, key=lambda t: vec.vocabulary_[t])
    return Lexical(vocab, np.asarray(vec.idf_, dtype=np.float32), norm, scale)


# --- models ------------------------------------------------------------------------------------
def _f16(a: Any) -> Floats:
    """Weights as the artifact stores them (float16), so that what is measured is what is shipped."""
    return np.asarray(a, dtype=np.float32).astype(np.float16).astype(np.float32)


def _uncalibrated(kind: str, arrays: dict[str, Floats], n_labels: int) -> tg.Component:
    return tg.Component(kind, arrays, np.ones(n_labels, np.float32), np.zeros(n_labels, np.float32))


def fit_linear(
    x: Any, targets: npt.NDArray[np.int8], *, reg: float, class_weight: str | None
) -> tg.Component:
    """One logistic regression per label (lbfgs: deterministic), weights gathered in one matrix."""
    from sklearn.linear_model import LogisticRegression

    w_ = np.zeros((x.shape[1], targets.shape[1]), dtype=np.float32)
    b = np.zeros(targets.shape[1], dtype=np.float32)
    for j in range(targets.shape[1]):
        clf = LogisticRegression(C=reg, class_weight=class_weight, max_iter=3000, tol=1e-5)
        clf.fit(x, targets[:, j])
        w_[:, j] = clf.coef_[0]
        b[j] = clf.intercept_[0]
    return _uncalibrated("linear", {"W": _f16(w_), "b": _f16(b)}, targets.shape[1])


def fit_mlp(x: Any, targets: npt.NDArray[np.int8], *, hidden: int, alpha: float, epochs: int) -> tg.Component:
    """sklearn's MLPClassifier (adam, fixed seed, fixed number of epochs), exported as arrays."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        alpha=alpha,
        batch_size=256,
        learning_rate_init=1e-3,
        max_iter=epochs,
        shuffle=True,
        random_state=SEED,
        early_stopping=False,
        n_iter_no_change=epochs + 1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, targets)
    c, i = clf.coefs_, clf.intercepts_
    return _uncalibrated(
        "mlp", {"W1": _f16(c[0]), "b1": _f16(i[0]), "W2": _f16(c[1]), "b2": _f16(i[1])}, targets.shape[1]
    )


# --- calibration and thresholds ----------------------------------------------------------------
def fit_platt(z: Floats, targets: npt.NDArray[np.int8]) -> tuple[Floats, Floats]:
    """Per-label sigmoid(a*z + c) fitted on held-out scores (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    a = np.ones(z.shape[1], dtype=np.float32)
    c = np.zeros(z.shape[1], dtype=np.float32)
    for j in range(z.shape[1]):
        if 0 < targets[:, j].sum() < len(targets):
            lr = LogisticRegression(C=1e4, max_iter=1000).fit(z[:, [j]], targets[:, j])
            a[j], c[j] = lr.coef_[0, 0], lr.intercept_[0]
    return a, c


_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def _f1(tp: float, fp: float, fn: float) -> float:
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def choose_thresholds(probs: Floats, targets: npt.NDArray[np.int8], *, min_positives: int = 5) -> Floats:
    """Per label, the grid threshold that maximises F1 on validation (middle of the best plateau).

    Labels with fewer than ``min_positives`` validation positives get the one threshold that
    maximises micro-F1 over all labels.
    """
    y = targets.astype(bool)
    n_labels = targets.shape[1]
    f1 = np.zeros((n_labels, len(_GRID)))
    totals = np.zeros((3, len(_GRID)))
    for g, t in enumerate(_GRID):
        pred = probs >= t
        tp_, fp_, fn_ = (pred & y).sum(0), (pred & ~y).sum(0), (~pred & y).sum(0)
        f1[:, g] = np.where(tp_ > 0, 2 * tp_ / np.maximum(2 * tp_ + fp_ + fn_, 1), 0.0)
        totals[:, g] = tp_.sum(), fp_.sum(), fn_.sum()
    micro = 2 * totals[0] / np.maximum(2 * totals[0] + totals[1] + totals[2], 1)
    out = np.full(n_labels, float(_GRID[int(np.argmax(micro))]), dtype=np.float32)
    for j in range(n_labels):
        if y[:, j].sum() >= min_positives:
            best = np.flatnonzero(f1[j] >= f1[j].max() - 1e-12)
            out[j] = float(_GRID[best[len(best) // 2]])
    return out


# --- figures -----------------------------------------------------------------------------------
def scores_table(
    pred: npt.NDArray[np.bool_], targets: npt.NDArray[np.int8], labels: Sequence[str]
) -> dict[str, Any]:
    """Micro and macro F1 and per-label precision, recall, F1 and support."""
    y = targets.astype(bool)
    tp = (pred & y).sum(0).astype(float)
    fp = (pred & ~y).sum(0).astype(float)
    fn = (~pred & y).sum(0).astype(float)
    per = {
        name: {
            "precision": round(tp[j] / (tp[j] + fp[j]), 4) if tp[j] + fp[j] else 0.0,
            "recall": round(tp[j] / (tp[j] + fn[j]), 4) if tp[j] + fn[j] else 0.0,
            "f1": round(_f1(tp[j], fp[j], fn[j]), 4),
            "support": int(tp[j] + fn[j]),
        }
        for j, name in enumerate(labels)
    }
    with_support = [p["f1"] for p in per.values() if p["support"]]
    return {
        "micro_f1": round(_f1(tp.sum(), fp.sum(), fn.sum()), 4),
        "macro_f1": round(float(np.mean(with_support)), 4),
        "micro_precision": round(float(tp.sum() / max(tp.sum() + fp.sum(), 1)), 4),
        "micro_recall": round(float(tp.sum() / max(tp.sum() + fn.sum(), 1)), 4),
        "items": len(targets),
        "per_label": per,
    }
