"""Training the strength-of-wording model (UPR Info's action category 1-5): data, the session
split, the two baselines, the variants measured, and the artifact ``hrsearch tagger
train-strength`` writes (``indexer/strength_model/``).

Data: the 41,066 rows of ``upr_info_sessions01-20_recommendations.csv`` with their
``action_category``, the text as the indexer stores it (``training.tagger_data.training_text``).
Split by UPR session like the theme tagger: train on sessions 1-14, choose the variant on 15-16,
test on 17-20 without the rows whose exact text occurs in sessions 1-16. Every fit is
deterministic (lbfgs), and weights are rounded to float16 as the artifact stores them.

``python -m training.strength`` measures the baselines and every variant and prints the figures.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer import strength as st
from indexer.tagger_features import LEXICAL_NGRAMS, LEXICAL_TOKEN_PATTERN, Lexical
from training.tagger_data import (
    TEST_SESSIONS,
    TRAIN_SESSIONS,
    UPR_INFO_CSV,
    VALID_SESSIONS,
    embed_texts,
    file_sha,
    training_text,
)

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Row:
    """One recommendation with UPR Info's action category."""

    text: str
    category: int
    session: int
    ref: str


def load_rows(path: Path) -> list[Row]:
    """The UPR Info rows that have text and an action category 1-5."""
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            text = training_text(r["recommendation"])
            cat = (r.get("action_category") or "").strip()
            if text and cat in {"1", "2", "3", "4", "5"}:
                out.append(Row(text, int(cat), int(r["session"]), r["rec_id"]))
    return out


@dataclass
class Split:
    train: list[int]
    valid: list[int]
    test: list[int]
    test_dropped: int


def session_split(rows: Sequence[Row]) -> Split:
    """Sessions 1-14 / 15-16 / 17-20 less the texts seen in 1-16."""
    train = [i for i, r in enumerate(rows) if r.session in TRAIN_SESSIONS]
    valid = [i for i, r in enumerate(rows) if r.session in VALID_SESSIONS]
    seen = {rows[i].text for i in train + valid}
    test_all = [i for i, r in enumerate(rows) if r.session in TEST_SESSIONS]
    test = [i for i in test_all if rows[i].text not in seen]
    return Split(train, valid, test, len(test_all) - len(test))


# --- the verb rule (a baseline) ----------------------------------------------------------------
# UPR Info's guide to its categories names the verbs of each; the first of these words among the
# first eight of a recommendation decides, else the commonest category (4).
VERB_RULE: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        3,
        (
            "consider",
            "considering",
            "reflect",
            "envisage",
            "explore",
            "study",
            "examine",
            "reconsider",
            "evaluate",
            "assess",
            "look",
        ),
    ),
    (
        2,
        (
            "continue",
            "continuing",
            "maintain",
            "pursue",
            "persevere",
            "persist",
            "keep",
            "sustain",
            "carry",
            "remain",
        ),
    ),
    (1, ("share", "seek", "request", "call", "appeal", "invite")),
    (
        5,
        (
            "ratify",
            "accede",
            "adopt",
            "abolish",
            "repeal",
            "amend",
            "enact",
            "establish",
            "criminalize",
            "criminalise",
            "prohibit",
            "withdraw",
            "sign",
            "extend",
            "implement",
            "conduct",
            "release",
            "investigate",
            "prosecute",
            "set",
            "create",
            "introduce",
            "submit",
            "lift",
            "incorporate",
            "decriminalize",
            "decriminalise",
            "ban",
            "end",
            "close",
            "issue",
            "bring",
            "remove",
            "revise",
            "include",
            "finalize",
            "finalise",
            "allow",
            "grant",
        ),
    ),
    (
        4,
        (
            "take",
            "strengthen",
            "promote",
            "encourage",
            "engage",
            "intensify",
            "enhance",
            "improve",
            "step",
            "redouble",
            "work",
            "make",
            "undertake",
            "further",
            "combat",
            "protect",
            "guarantee",
            "develop",
            "support",
            "raise",
            "respect",
            "fight",
            "address",
            "increase",
            "provide",
            "pay",
            "ensure",
        ),
    ),
)
_RULE_WORDS = {w: cat for cat, words in VERB_RULE for w in words}
_WORDS = re.compile(r"[a-z]+")


def verb_rule(text: str, default: int = 4) -> int:
    """The category of the first verb of ``VERB_RULE`` among the first eight words."""
    for w in _WORDS.findall(text.lower())[:8]:
        if w in _RULE_WORDS:
            return _RULE_WORDS[w]
    return default


# --- figures -----------------------------------------------------------------------------------
def figures(predicted: Sequence[int], truth: Sequence[int]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-category precision/recall/F1/support, the confusion matrix (rows:
    true category 1-5, columns: predicted), and the mean absolute distance in categories."""
    p = np.asarray(predicted)
    t = np.asarray(truth)
    per: dict[str, dict[str, float]] = {}
    f1s = []
    for c in st.CATEGORIES:
        tp = int(np.sum((p == c) & (t == c)))
        prec = tp / max(1, int(np.sum(p == c)))
        rec = tp / max(1, int(np.sum(t == c)))
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        per[str(c)] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": int(np.sum(t == c)),
        }
    confusion = [[int(np.sum((t == a) & (p == b))) for b in st.CATEGORIES] for a in st.CATEGORIES]
    return {
        "accuracy": round(float(np.mean(p == t)), 4),
        "macro_f1": round(float(np.mean(f1s)), 4),
        "mean_abs_error": round(float(np.mean(np.abs(p - t))), 4),
        "per_category": per,
        "confusion": confusion,
        "n": len(t),
    }


# --- variants ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One configuration of the model."""

    name: str
    lexical: int = 5000  # TF-IDF vocabulary of the text (0: none)
    lead: bool = True  # TF-IDF of the first words
    emb_scale: float = 1.0  # 0: no embedding block
    lexical_scale: float = 1.0
    C: float = 1.0
    class_weight: str | None = None


def _fit_lexical(texts: Sequence[str], max_features: int, min_df: int = 3) -> Lexical:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        ngram_range=LEXICAL_NGRAMS,
        min_df=min_df,
        max_features=max_features or None,
        sublinear_tf=True,
        dtype=np.float32,
        token_pattern=LEXICAL_TOKEN_PATTERN,
    )
    vec.fit(texts)
    vocab = sorted(vec.vocabulary_, key=lambda t: vec.vocabulary_[t])
    return Lexical(vocab, np.asarray(vec.idf_, dtype=np.float32))


def _f16(a: Any) -> Floats:
    return np.asarray(a, dtype=np.float32).astype(np.float16).astype(np.float32)


def fit(v: Variant, texts: Sequence[str], vectors: Floats, y: Sequence[int]) -> st.StrengthModel:
    """A multinomial logistic regression on the variant's features (lbfgs: deterministic)."""
    from sklearn.linear_model import LogisticRegression

    lexical = _fit_lexical(texts, v.lexical) if v.lexical else None
    if lexical is not None:
        lexical.scale = v.lexical_scale
    lead = _fit_lexical([st.lead_text(t) for t in texts], 0, min_df=2) if v.lead else None
    x = st.design(vectors, texts, lexical, lead, v.emb_scale)
    clf = LogisticRegression(C=v.C, class_weight=v.class_weight, max_iter=5000, tol=1e-5)
    clf.fit(x, np.asarray(y))
    if list(clf.classes_) != list(st.CATEGORIES):
        raise ValueError(f"training data lacks a category: {clf.classes_}")
    return st.StrengthModel(lexical, lead, _f16(clf.coef_.T), _f16(clf.intercept_), v.emb_scale)


DEFAULT_VARIANT = Variant("emb + TF-IDF 5k + first words, LR C=1")

VARIANTS: tuple[Variant, ...] = (
    Variant("emb only, LR C=1", lexical=0, lead=False),
    Variant("TF-IDF 5k + first words, no emb, LR C=1", emb_scale=0.0),
    Variant("emb + TF-IDF 5k, LR C=1", lead=False),
    DEFAULT_VARIANT,
    Variant("emb + TF-IDF 5k + first words, LR C=4", C=4.0),
    Variant("emb + TF-IDF 5k + first words, LR C=0.25", C=0.25),
    Variant("emb + TF-IDF 5k + first words, LR C=1 balanced", class_weight="balanced"),
)


@dataclass
class Data:
    rows: list[Row]
    vectors: Floats
    split: Split

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
        rows = load_rows(corpus_dir / UPR_INFO_CSV)
        vectors = embed_texts(
            [r.text for r in rows],
            embedder_factory,
            model=model,
            cache_dir=cache_dir,
            reuse_index=reuse_index,
        )
        return cls(rows, vectors, session_split(rows))

    def part(self, idx: Sequence[int]) -> tuple[list[str], Floats, list[int]]:
        return [self.rows[i].text for i in idx], self.vectors[idx], [self.rows[i].category for i in idx]


def measure(v: Variant, data: Data) -> tuple[st.StrengthModel, dict[str, Any]]:
    """Fit on sessions 1-14; figures on 15-16 (choice) and 17-20 (test)."""
    t0 = time.perf_counter()
    texts, vectors, y = data.part(data.split.train)
    m = fit(v, texts, vectors, y)
    out: dict[str, Any] = {"variant": asdict(v)}
    for name, idx in (("valid", data.split.valid), ("test", data.split.test)):
        t, x, truth = data.part(idx)
        out[name] = figures([c for c, _ in m.predict(x, t)], truth)
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return m, out


def baselines(data: Data) -> dict[str, Any]:
    """The majority category of the training sessions, and the verb rule, on 15-16 and 17-20."""
    majority = Counter(data.rows[i].category for i in data.split.train).most_common(1)[0][0]
    out: dict[str, Any] = {}
    for name, idx in (("valid", data.split.valid), ("test", data.split.test)):
        texts, _, truth = data.part(idx)
        out.setdefault("majority", {"category": majority})[name] = figures([majority] * len(truth), truth)
        out.setdefault("verb_rule", {})[name] = figures([verb_rule(t) for t in texts], truth)
    return out


# Sentences whose order the shipped model must keep (docs/TAGGER.md, tests/unit/test_strength.py).
CHECKS = (
    "Consider ratifying the Convention on the Rights of the Child",
    "Ratify the Convention on the Rights of the Child",
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
    """Build the artifact in ``out_dir``: fit on sessions 1-14, measure, save; return the figures."""
    data = Data.load(corpus_dir, embedder_factory, model=model, cache_dir=cache_dir, reuse_index=reuse_index)
    m, measured = measure(variant, data)
    result = {
        "split": {
            "train": len(data.split.train),
            "valid": len(data.split.valid),
            "test": len(data.split.test),
            "test_dropped_seen": data.split.test_dropped,
        },
        "model": measured,
        "baselines": baselines(data),
    }
    meta = {
        "about": "hrsearch strength-of-wording model; rebuild with `hrsearch tagger train-strength`",
        "embedder": model,
        "dimension": int(data.vectors.shape[1]),
        "variant": asdict(variant),
        "sessions": {"train": [1, 14], "valid": [15, 16], "test": [17, 20]},
        "data": {UPR_INFO_CSV: file_sha(corpus_dir / UPR_INFO_CSV)},
        "split": result["split"],
        "figures": {k: measured["test"][k] for k in ("accuracy", "macro_f1", "mean_abs_error")},
    }
    m.save(out_dir, meta)
    stable = {k: v for k, v in result.items()}
    stable["model"] = {k: v for k, v in measured.items() if k != "seconds"}
    (out_dir / "figures.json").write_text(json.dumps(stable, indent=1) + "\n", encoding="utf-8")
    return result


def main() -> None:  # pragma: no cover - a developer's tool for the figures of docs/TAGGER.md
    import argparse

    from indexer.embedder import SentenceTransformerEmbedder

    p = argparse.ArgumentParser(description="measure the strength model's variants on the session split")
    p.add_argument("--corpus", default="../shared/corpus/recommendations")
    p.add_argument("--cache-dir", default="/work/scratch/tagger-cache")
    p.add_argument("--reuse-index", default=None)
    p.add_argument("--only", help="comma-separated variant numbers (0-based), instead of all")
    p.add_argument("--out", default="-")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data = Data.load(
        Path(args.corpus),
        lambda: SentenceTransformerEmbedder(batch_size=64),
        model="all-MiniLM-L6-v2",
        cache_dir=Path(args.cache_dir),
        reuse_index=Path(args.reuse_index) if args.reuse_index else None,
    )
    chosen = [VARIANTS[int(i)] for i in args.only.split(",")] if args.only else list(VARIANTS)
    rows: list[dict[str, Any]] = [{"baselines": baselines(data)}]
    for v in chosen:
        _, f = measure(v, data)
        rows.append(f)
        log.info("%s: valid acc %.4f macro %.4f", v.name, f["valid"]["accuracy"], f["valid"]["macro_f1"])
    text = json.dumps(rows, indent=1) + "\n"
    if args.out == "-":
        import sys

        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
