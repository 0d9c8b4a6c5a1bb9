"""Training the theme tagger: data, session split, features, models, thresholds, figures, artifact.

The labelled data are the recommendations of ``corpus/recommendations/``: the UPR Info export
(sessions 1-20, column ``issues``: the taxonomy, 52 tags without "Other" and "General"), and the
OHCHR themes of the US 3rd-cycle table and the Slovenia thematic lists, mapped onto the taxonomy
by ``tagger_model/theme_map.json``. Evaluation is on a split by UPR session: train on sessions
1-14, calibrate and choose per-label thresholds on 15-16, test on 17-20 without the test items
whose exact text occurs in training or validation. Every step is deterministic (fixed seeds,
sorted inputs), so ``hrsearch tagger train`` rebuilds the committed artifact from the same
vectors.

Vectors are all-MiniLM-L6-v2 passage embeddings of the recommendation text as the indexer sees it
(``training_text``). They are cached by text sha under ``cache_dir``; a finished whole-corpus
index (``reuse_index``) lends its vectors for identical texts; the rest is embedded here.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer import tagger as tg

log = logging.getLogger(__name__)

UPR_INFO_CSV = "upr_info_sessions01-20_recommendations.csv"
US_CSV = "us_upr_cycle3_recommendations.csv"
SLOVENIA_CSV = "slovenia/slovenia_upr_cycles2-4_thematic_list_parsed.csv"
TRAIN_SESSIONS = range(1, 15)
VALID_SESSIONS = range(15, 17)
TEST_SESSIONS = range(17, 21)
SEED = 20240601
_TAIL = " ;,.:"

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Item:
    """One labelled recommendation."""

    text: str
    labels: tuple[str, ...]
    session: int  # UPR session; 0 for the extra (OHCHR) sets, which are training-only
    source: str  # "upr_info" | "us_cycle3" | "slovenia"
    ref: str


# --- data --------------------------------------------------------------------------------------
def training_text(raw: str, states: str | None = None) -> str:
    """The text as the indexer stores it: without a final "(States)" group and trailing " ;,.:"."""
    s = " ".join(raw.split())
    if states:
        group = re.search(r"\(([^()]*)\)[\s;,.]*$", s)
        if group and " ".join(group.group(1).split()) == " ".join(states.split()):
            s = s[: group.start()]
    return s.strip(_TAIL)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_upr_info(path: Path) -> list[Item]:
    """The UPR Info rows with their issue tags (without "Other"/"General"; a row may have none)."""
    out = []
    for r in _read_csv(path):
        text = training_text(r["recommendation"])
        if not text:
            continue
        issues = [t.strip() for t in r["issues"].split(",") if t.strip()]
        labels = tuple(sorted({t for t in issues if t not in tg.EXCLUDED}))
        out.append(Item(text, labels, int(r["session"]), "upr_info", r["rec_id"]))
    return out


def load_ohchr(path: Path, source: str, theme_map: dict[str, list[str]]) -> list[Item]:
    """An OHCHR-themed table; only rows with at least one mapped theme are kept."""
    out = []
    for r in _read_csv(path):
        raw_themes = r.get("themes") or ""
        parts = raw_themes.split(" | ") if " | " in raw_themes else raw_themes.split(";")
        labels = tuple(sorted({t for p in parts for t in tg.map_theme(p, theme_map)}))
        text = training_text(r.get("text") or r.get("recommendation") or "", r.get("recommending_states_raw"))
        if labels and text:
            ref = r.get("rec_id") or f"{r.get('cycle')}:{r.get('paragraph')}"
            out.append(Item(text, labels, 0, source, ref))
    return out


def load_all(corpus_dir: Path) -> tuple[list[Item], list[Item]]:
    """(UPR Info items, extra OHCHR items) from ``corpus_dir`` (the folder ``recommendations``)."""
    theme_map = tg.load_theme_map()
    main = load_upr_info(corpus_dir / UPR_INFO_CSV)
    extra = load_ohchr(corpus_dir / US_CSV, "us_cycle3", theme_map) + load_ohchr(
        corpus_dir / SLOVENIA_CSV, "slovenia", theme_map
    )
    return main, extra


@dataclass
class Split:
    """Indices into the item list of the three parts of the session split."""

    train: list[int]
    valid: list[int]
    test: list[int]
    test_dropped: int = 0


def session_split(items: Sequence[Item], *, with_extra: bool) -> Split:
    """Sessions 1-14 (+ extra sets) / 15-16 / 17-20 less texts seen in training or validation."""
    train = [
        i for i, it in enumerate(items) if it.session in TRAIN_SESSIONS or (with_extra and it.session == 0)
    ]
    valid = [i for i, it in enumerate(items) if it.session in VALID_SESSIONS]
    seen = {items[i].text for i in train + valid}
    test_all = [i for i, it in enumerate(items) if it.session in TEST_SESSIONS]
    test = [i for i in test_all if items[i].text not in seen]
    return Split(train, valid, test, len(test_all) - len(test))


def label_matrix(items: Sequence[Item], labels: Sequence[str]) -> npt.NDArray[np.int8]:
    index = {name: j for j, name in enumerate(labels)}
    y = np.zeros((len(items), len(labels)), dtype=np.int8)
    for i, it in enumerate(items):
        for name in it.labels:
            y[i, index[name]] = 1
    return y


# --- vectors -----------------------------------------------------------------------------------
def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class VectorCache:
    """Passage vectors by text sha, kept in one .npz per model under a folder outside the repo."""

    path: Path
    vectors: dict[str, Floats] = field(default_factory=dict)

    @classmethod
    def open(cls, cache_dir: Path, model: str) -> VectorCache:
        path = cache_dir / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', model)}.npz"
        cache = cls(path)
        if path.is_file():
            with np.load(path) as z:
                cache.vectors = dict(zip(z["shas"].tolist(), z["vectors"], strict=True))
        return cache

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        shas = sorted(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(
            tmp, shas=np.array(shas), vectors=np.stack([self.vectors[s] for s in shas]).astype(np.float32)
        )
        tmp.replace(self.path)


def vectors_from_index(catalog: Path, shas: set[str]) -> dict[str, Floats]:
    """Vectors of a finished index's catalog for the texts (by sha) it holds."""
    out: dict[str, Floats] = {}
    con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        for sha, blob in con.execute("SELECT text_sha, embedding FROM passages WHERE embedding IS NOT NULL"):
            if sha in shas and sha not in out:
                out[sha] = np.frombuffer(blob, dtype=np.float32).copy()
    finally:
        con.close()
    return out


def embed_texts(
    texts: Sequence[str],
    embedder_factory: Callable[[], Any],
    *,
    model: str,
    cache_dir: Path | None,
    reuse_index: Path | None = None,
    chunk: int = 2048,
) -> Floats:
    """Vectors of ``texts``: from the cache, then a finished index's catalog, then the embedder."""
    cache = VectorCache.open(cache_dir, model) if cache_dir else VectorCache(Path("/nonexistent"))
    shas = [_sha(t) for t in texts]
    missing = sorted({s for s in shas if s not in cache.vectors})
    if missing and reuse_index is not None and (reuse_index / "catalog.sqlite").is_file():
        found = vectors_from_index(reuse_index / "catalog.sqlite", set(missing))
        log.info("reused %d of %d vectors from %s", len(found), len(missing), reuse_index)
        cache.vectors.update(found)
        missing = [s for s in missing if s not in found]
    if missing:
        by_sha = dict(zip(shas, texts, strict=True))
        embedder = embedder_factory()
        t0 = time.perf_counter()
        for k in range(0, len(missing), chunk):
            part = missing[k : k + chunk]
            cache.vectors.update(zip(part, embedder.embed_passages([by_sha[s] for s in part]), strict=True))
            if cache_dir:
                cache.save()
            log.info("embedded %d/%d texts (%.0f s)", k + len(part), len(missing), time.perf_counter() - t0)
    elif cache_dir and not cache.path.is_file():
        cache.save()
    return np.stack([cache.vectors[s] for s in shas]).astype(np.float32)


# --- lexical features --------------------------------------------------------------------------
def fit_lexical(
    texts: Sequence[str], max_features: int, min_df: int = 3, norm: str = "l2", scale: float = 1.0
) -> tg.Lexical:
    """A TF-IDF vocabulary (unigrams and bigrams, sublinear tf) fitted on the training texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        ngram_range=tg.LEXICAL_NGRAMS,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
        token_pattern=tg.LEXICAL_TOKEN_PATTERN,
    )
    vec.fit(texts)
    vocab = sorted(vec.vocabulary_, key=lambda t: vec.vocabulary_[t])
    return tg.Lexical(vocab, np.asarray(vec.idf_, dtype=np.float32), norm, scale)


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


@dataclass
class Data:
    """Items, labels, vectors and the splits, loaded once for all variants."""

    items: list[Item]
    labels: list[str]
    targets: npt.NDArray[np.int8]
    vectors: Floats
    split_with_extra: Split
    split_main: Split

    @classmethod
    def load(
        cls,
        corpus_dir: Path,
        embedder_factory: Callable[[], Any],
        *,
        model: str,
        cache_dir: Path | None,
        reuse_index: Path | None = None,
    ) -> Data:
        main, extra = load_all(corpus_dir)
        items = main + extra
        labels = sorted({name for it in main for name in it.labels})
        vectors = embed_texts(
            [it.text for it in items],
            embedder_factory,
            model=model,
            cache_dir=cache_dir,
            reuse_index=reuse_index,
        )
        split_extra = session_split(items, with_extra=True)
        split_main = session_split(items, with_extra=False)
        return cls(items, labels, label_matrix(items, labels), vectors, split_extra, split_main)

    def texts(self, idx: Sequence[int]) -> list[str]:
        return [self.items[i].text for i in idx]


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

# Every variant measured for docs/TAGGER.md (python -m indexer.tagger_train --experiments).
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


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
            UPR_INFO_CSV: _file_sha(corpus_dir / UPR_INFO_CSV),
            US_CSV: _file_sha(corpus_dir / US_CSV),
            SLOVENIA_CSV: _file_sha(corpus_dir / SLOVENIA_CSV),
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
    p.add_argument("--only", help="comma-separated variant numbers (0-based)")
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
