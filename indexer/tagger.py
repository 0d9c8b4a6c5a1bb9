"""Theme tagging: UPR Info issue tags with a confidence for any passage, from its vector and text.

The model (``tagger_model/``, built by ``hrsearch tagger train``) is one-vs-rest and linear per
label over the passage embedding and TF-IDF features, with Platt-calibrated probabilities and a
threshold per label. It is stored as plain arrays (``model.npz``) and JSON (``model.json``), never
as a pickle. Nothing is loaded at import; ``load_tagger()`` loads once per process. The taxonomy
is in ``indexer.themes``, the TF-IDF features in ``indexer.tagger_features``.

Entry points for the rest of hrsearch:

- ``tag_passages(texts, vectors)``: the tags of each passage (indexing; no second embedding);
- ``merge_tags(data_themes, model_tags)``: a record's ``themes`` and ``tags`` in the one
  vocabulary (a label from the data always wins over the model);
- ``tag_records(records, vectors)``: ``labels``, ``themes`` and ``tags`` of each record (indexing);
- ``theme_vector(vectors)``: per-label probabilities, for comparing theme distributions;
- ``ThemeTagger.tag_text(text, embedder)``: tags of any text with the sentence supporting each.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hrsearch.errors import HrsearchError
from indexer.tagger_features import Lexical, features, sigmoid
from indexer.themes import MODEL_DIR, VOCABULARY, vocabulary_themes

MODEL_FILE = "model.npz"
META_FILE = "model.json"

Floats = npt.NDArray[np.float32]


class TaggerUnavailableError(HrsearchError):
    """The tagger artifact is missing or does not fit the embedder."""


@dataclass(frozen=True)
class Tag:
    """One theme of a passage: ``source`` is ``label`` (from the data) or ``model`` (the tagger)."""

    theme: str
    confidence: float
    source: str = "model"
    sentence: str | None = None  # the sentence of the text that supports the tag most (tag_text)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["sentence"] is None:
            del d["sentence"]
        return d


# --- the model ---------------------------------------------------------------------------------
@dataclass
class Component:
    """One scorer of the ensemble, with its per-label Platt calibration ``sigmoid(a*score + c)``.

    ``linear``: arrays w_ (features x labels), b. ``mlp``: W1, b1 (ReLU hidden layer), W2, b2.
    """

    kind: str
    arrays: dict[str, Floats]
    a: Floats
    c: Floats
    inputs: str = "features"  # "features" (embeddings + TF-IDF) or "vectors" (embeddings only)

    def scores(self, x: Any) -> Floats:
        w = self.arrays
        if self.kind == "linear":
            return np.asarray(x @ w["W"], dtype=np.float32) + w["b"]
        h = np.maximum(np.asarray(x @ w["W1"], dtype=np.float32) + w["b1"], 0.0)
        return np.asarray(h @ w["W2"], dtype=np.float32) + w["b2"]

    def proba(self, x: Any) -> Floats:
        return sigmoid(self.a * self.scores(x) + self.c)


_ARRAY_NAMES = {"linear": ("W", "b"), "mlp": ("W1", "b1", "W2", "b2")}


@dataclass
class ThemeTagger:
    """Per-label probabilities (mean of the calibrated components) and per-label thresholds.

    ``emb_head`` is an embeddings-only linear component for callers that have vectors and no text
    (``theme_vector``); it is None when the main model uses embeddings only.
    """

    labels: list[str]
    lexical: Lexical | None
    components: list[Component]
    thresholds: Floats
    emb_scale: float = 1.0
    emb_head: Component | None = None
    meta: dict[str, Any] | None = None
    clauses: bool = False  # also score each clause's words with the passage's vector; keep the max

    @property
    def dimension(self) -> int:
        first = self.components[0].arrays
        rows = int((first["W"] if "W" in first else first["W1"]).shape[0])
        return rows - (len(self.lexical.vocabulary) if self.lexical else 0)

    def proba(self, vectors: Floats, texts: Sequence[str] | None = None) -> Floats:
        """(n, labels) probabilities; without texts only the embeddings-only head can be used."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if vectors.shape[0] == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        if vectors.shape[1] != self.dimension:
            raise TaggerUnavailableError(
                f"the tagger was trained on {self.dimension}-d vectors, got {vectors.shape[1]}-d ones; "
                "it fits the all-MiniLM-L6-v2 embedder only"
            )
        if texts is None and self.lexical is not None:
            if self.emb_head is None:
                raise TaggerUnavailableError("this tagger needs the passage texts")
            return self.emb_head.proba(vectors)
        x = features(vectors, self.lexical, texts or [], self.emb_scale)
        probs = []
        for comp in self.components:
            if comp.inputs == "vectors":
                probs.append(comp.proba(vectors))
                continue
            p = comp.proba(x)
            if self.clauses and texts and comp.kind == "linear":
                p = np.maximum(p, self._clause_proba(comp, vectors, texts))
            probs.append(p)
        return np.asarray(np.mean(probs, axis=0), dtype=np.float32)

    def _clause_proba(self, comp: Component, vectors: Floats, texts: Sequence[str]) -> Floats:
        """Per passage, the best clause: the passage's embedding score plus one clause's TF-IDF score.

        A list of asks ("abolish the death penalty, address health disparities, ... and ratify
        CEDAW") keeps each theme: the words of the other clauses do not outvote it.
        """
        assert self.lexical is not None
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        owners, pieces = [], []
        for i, text in enumerate(texts):
            found = [c for c in _CLAUSE.split(text) if len(c.split()) >= 2]
            if len(found) >= 2:
                owners += [i] * len(found)
                pieces += found
        if not pieces:
            return out
        w, d = comp.arrays["W"], self.dimension
        emb = np.asarray(vectors, dtype=np.float32) * self.emb_scale @ w[:d] + comp.arrays["b"]
        idx = np.asarray(owners)
        lex = np.asarray(self.lexical.transform(pieces) @ w[d:], dtype=np.float32)
        np.maximum.at(out, idx, sigmoid(comp.a * (emb[idx] + lex) + comp.c))
        return out

    def tag(self, texts: Sequence[str], vectors: Floats) -> list[list[Tag]]:
        """The tags over threshold of each passage, most confident first."""
        probs = self.proba(vectors, texts)
        out = []
        for row in probs:
            hits = np.flatnonzero(row >= self.thresholds)
            hits = hits[np.argsort(-row[hits], kind="stable")]
            out.append([Tag(self.labels[j], round(float(row[j]), 4)) for j in hits])
        return out

    def tag_text(self, text: str, embedder: Any, *, max_sentences: int = 400) -> list[Tag]:
        """Tags of any text: each sentence (and the whole, if short) is tagged; per label the best
        sentence gives the confidence and is shown as the support."""
        units = split_sentences(text)[:max_sentences]
        whole = " ".join(text.split())
        if whole and whole not in units and len(whole.split()) <= 200:
            units.append(whole)
        if not units:
            return []
        probs = self.proba(embedder.embed_passages(units), units)
        best = probs.argmax(axis=0)
        conf = probs[best, np.arange(len(self.labels))]
        order = np.argsort(-conf, kind="stable")
        return [
            Tag(self.labels[j], round(float(conf[j]), 4), "model", units[best[j]])
            for j in order
            if conf[j] >= self.thresholds[j]
        ]

    # --- storage -------------------------------------------------------------------------------
    def save(self, folder: Path, meta: dict[str, Any]) -> None:
        """``model.npz`` (float16 weights) and ``model.json`` (labels, vocabulary, how it was built)."""
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"thresholds": self.thresholds.astype(np.float32)}
        parts = [(f"c{i}_", c) for i, c in enumerate(self.components)]
        if self.emb_head is not None:
            parts.append(("head_", self.emb_head))
        for prefix, comp in parts:
            for name in _ARRAY_NAMES[comp.kind]:
                arrays[prefix + name] = comp.arrays[name].astype(np.float16)
            arrays[prefix + "a"], arrays[prefix + "c"] = comp.a.astype(np.float32), comp.c.astype(np.float32)
        if self.lexical is not None:
            arrays["idf"] = self.lexical.idf.astype(np.float32)
        np.savez_compressed(folder / MODEL_FILE, **arrays)
        doc = dict(meta)
        doc.update(
            labels=self.labels,
            components=[{"kind": c.kind, "inputs": c.inputs} for c in self.components],
            emb_head=self.emb_head is not None,
            emb_scale=self.emb_scale,
            vocabulary=self.lexical.vocabulary if self.lexical else [],
            clauses=self.clauses,
            lexical_norm=self.lexical.norm if self.lexical else "l2",
            lexical_scale=self.lexical.scale if self.lexical else 1.0,
        )
        (folder / META_FILE).write_text(
            json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> ThemeTagger:
        if not (folder / MODEL_FILE).is_file() or not (folder / META_FILE).is_file():
            raise TaggerUnavailableError(
                f"no tagger model in {folder}; build it with `hrsearch tagger train`"
            )
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        with np.load(folder / MODEL_FILE, allow_pickle=False) as z:
            arrays = {k: z[k].astype(np.float32) for k in z.files}

        def comp(prefix: str, kind: str, inputs: str = "vectors") -> Component:
            a, c = arrays[prefix + "a"], arrays[prefix + "c"]
            return Component(kind, {n: arrays[prefix + n] for n in _ARRAY_NAMES[kind]}, a, c, inputs)

        lexical = (
            Lexical(
                meta["vocabulary"],
                arrays["idf"],
                meta.get("lexical_norm", "l2"),
                meta.get("lexical_scale", 1.0),
            )
            if meta["vocabulary"]
            else None
        )
        return cls(
            labels=list(meta["labels"]),
            lexical=lexical,
            components=[comp(f"c{i}_", c["kind"], c["inputs"]) for i, c in enumerate(meta["components"])],
            thresholds=arrays["thresholds"],
            emb_scale=float(meta["emb_scale"]),
            emb_head=comp("head_", "linear") if meta["emb_head"] else None,
            meta=meta,
            clauses=bool(meta.get("clauses", False)),
        )


@functools.cache
def load_tagger(folder: Path = MODEL_DIR) -> ThemeTagger:
    """The committed tagger, loaded once per process."""
    return ThemeTagger.load(folder)


# --- sentences ---------------------------------------------------------------------------------
_CLAUSE = re.compile(r"\s*(?:[;,:]|\band\b|\bor\b)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“‘(\[]?[A-Z])")
_CLOSED = re.compile(r"[.!?;:)\"”’]$")


def split_sentences(text: str, min_words: int = 4, heading_words: int = 12) -> list[str]:
    """Sentences of a text, split at blank lines and sentence ends.

    Pieces without closing punctuation and shorter than ``heading_words`` (headings, names in a
    signature list, addresses) are dropped, as are pieces under ``min_words`` words.
    """
    out = []
    for block in re.split(r"\n\s*\n", text):
        for piece in _SENTENCE_END.split(" ".join(block.split())):
            s = piece.strip()
            n = len(s.split())
            if n >= min_words and (n >= heading_words or _CLOSED.search(s)):
                out.append(s)
    return out


# --- what the pipeline and linking call --------------------------------------------------------
def tag_passages(texts: Sequence[str], vectors: Floats, tagger: ThemeTagger | None = None) -> list[list[Tag]]:
    """Model tags of each passage from the vectors the pipeline already has (no second embedding)."""
    return (tagger or load_tagger()).tag(texts, vectors)


def theme_vector(
    vectors: Floats, texts: Sequence[str] | None = None, tagger: ThemeTagger | None = None
) -> Floats:
    """(n, 52) per-label probabilities in ``labels`` order, for comparing theme distributions.

    With ``texts`` the full model is used; without them the embeddings-only head.
    """
    return (tagger or load_tagger()).proba(vectors, texts)


def merge_tags(
    data_themes: Sequence[str], model_tags: Sequence[Tag], taxonomy: Collection[str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """A record's ``themes`` and ``tags``, in the one vocabulary (``indexer.themes``), from its
    data's labels and the model's tags.

    Each data label becomes its vocabulary name(s) ("National Human Rights Institution (NHRI)"
    -> "NHRI"), a tag with source ``label`` and confidence 1.0; a label with no mapping adds
    nothing here (the record's ``labels`` keep every label as given). A record whose labels all
    are UPR Info issues ("Other" and "General" included) is labelled in the vocabulary itself and
    complete: model tags are not added. Otherwise (no labels, or labels of another taxonomy) the
    model's tags are added for themes the data does not give.
    """
    vocabulary = set(VOCABULARY if taxonomy is None else taxonomy)
    themes: list[str] = []
    tags: list[dict[str, Any]] = []

    def add(theme: str, confidence: float, source: str) -> None:
        if theme not in themes and theme in vocabulary:
            themes.append(theme)
            tags.append({"theme": theme, "confidence": confidence, "source": source})

    for label in data_themes:
        for theme in vocabulary_themes(label):
            add(theme, 1.0, "label")
    if not data_themes or not all(t in vocabulary for t in data_themes):
        for tag in model_tags:
            add(tag.theme, tag.confidence, "model")
    return themes, tags


def tag_records(
    records: Sequence[dict[str, Any]], vectors: Floats | None, tagger: ThemeTagger | None = None
) -> None:
    """Set ``labels`` (the data's themes as given), ``themes`` and ``tags`` on each passage record
    (in place), from its data themes and the model's tags of its text and vector. Without vectors
    (tagging turned off), without a tagger, or with vectors of another embedder than the
    tagger's, only the data's labels count (the model's tags would be garbage)."""
    if not records:
        return
    model: list[list[Tag]] = [[] for _ in records]
    if vectors is not None:
        with contextlib.suppress(TaggerUnavailableError):
            model = (tagger or load_tagger()).tag([str(r["text"]) for r in records], vectors)
    for r, tags in zip(records, model, strict=True):
        r["labels"] = list(r.get("themes") or [])
        r["themes"], r["tags"] = merge_tags(r["labels"], tags)
