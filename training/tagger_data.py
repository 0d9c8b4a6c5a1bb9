"""Training data of the theme tagger: labelled recommendations, the session split, their vectors.

The labelled data are the recommendations of ``corpus/recommendations/``: the UPR Info export
(sessions 1-20, column ``issues``: the taxonomy, 52 tags without "Other" and "General"), and the
OHCHR themes of the US 3rd-cycle table and the Slovenia thematic lists, mapped onto the taxonomy
by ``tagger_model/theme_map.json``. Evaluation is on a split by UPR session: train on sessions
1-14, calibrate and choose per-label thresholds on 15-16, test on 17-20 without the test items
whose exact text occurs in training or validation. Every step is deterministic (sorted inputs),
so ``hrsearch tagger train`` rebuilds the committed artifact from the same vectors.

Vectors are all-MiniLM-L6-v2 passage embeddings of the recommendation text as the indexer sees it
(``training_text``). They are cached by text sha under ``cache_dir``; a finished whole-corpus
index (``reuse_index``) lends its vectors for identical texts; the rest is embedded here.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer.themes import EXCLUDED, load_theme_map, map_theme

log = logging.getLogger(__name__)

UPR_INFO_CSV = "upr_info_sessions01-20_recommendations.csv"
US_CSV = "us_upr_cycle3_recommendations.csv"
SLOVENIA_CSV = "slovenia/slovenia_upr_cycles2-4_thematic_list_parsed.csv"
TRAIN_SESSIONS = range(1, 15)
VALID_SESSIONS = range(15, 17)
TEST_SESSIONS = range(17, 21)
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
        labels = tuple(sorted({t for t in issues if t not in EXCLUDED}))
        out.append(Item(text, labels, int(r["session"]), "upr_info", r["rec_id"]))
    return out


def load_ohchr(path: Path, source: str, theme_map: dict[str, list[str]]) -> list[Item]:
    """An OHCHR-themed table; only rows with at least one mapped theme are kept."""
    out = []
    for r in _read_csv(path):
        raw_themes = r.get("themes") or ""
        parts = raw_themes.split(" | ") if " | " in raw_themes else raw_themes.split(";")
        labels = tuple(sorted({t for p in parts for t in map_theme(p, theme_map)}))
        text = training_text(r.get("text") or r.get("recommendation") or "", r.get("recommending_states_raw"))
        if labels and text:
            ref = r.get("rec_id") or f"{r.get('cycle')}:{r.get('paragraph')}"
            out.append(Item(text, labels, 0, source, ref))
    return out


def load_all(corpus_dir: Path) -> tuple[list[Item], list[Item]]:
    """(UPR Info items, extra OHCHR items) from ``corpus_dir`` (the folder ``recommendations``)."""
    theme_map = load_theme_map()
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


def vectors_from_index(index_dir: Path, shas: set[str], model: str) -> dict[str, Floats]:
    """Vectors of a finished index for the texts (by sha) it holds, if it was built with ``model``
    (an index of another model gives vectors the tagger cannot use, and lends none)."""
    from indexer.index import Index

    recorded, vectors = Index.stored_vectors(index_dir, sorted(shas))
    if recorded != model:
        log.warning("%s was built with %r, not %r: its vectors are not reused", index_dir, recorded, model)
        return {}
    return {sha: np.array(v, dtype=np.float32) for sha, v in vectors.items()}


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
        found = vectors_from_index(reuse_index, set(missing), model)
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


def file_sha(path: Path) -> str:
    """SHA-256 of a training file's bytes, recorded in an artifact's metadata."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
