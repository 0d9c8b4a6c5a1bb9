"""Strength of wording: UPR Info's action category (1-5) of a recommendation, from its text and
vector, for every recommendation whose data gives none.

UPR Info files each recommendation under one of five categories by the action it asks for:
1 minimal action (directed at other States, or asking the State to seek or share assistance),
2 continuing action ("continue", "maintain"), 3 considering action ("consider", "explore"),
4 general action ("take measures", "strengthen", "promote"), 5 specific action ("ratify",
"adopt", "abolish", "repeal"). "Consider ratifying the CRC" is a 3, "Ratify the CRC" a 5.

The model (``strength_model/``, built by ``hrsearch tagger train-strength``, measured in
docs/TAGGER.md) is a multinomial logistic regression over the passage embedding, TF-IDF of the
text and TF-IDF of its first words (where the verb that decides the category stands). It is
stored as plain arrays (``model.npz``) and JSON (``model.json``), never as a pickle, and loaded
once per process on first use.

- ``lead_text(text)``: the first words as features ("lead_consider lead_ratifying ...");
- ``StrengthModel.predict(vectors, texts)``: (category, probability) of each text;
- ``strength_records(records, vectors)``: ``strength`` and ``strength_source`` on each record:
  the data's ``action_category`` where it has one (source ``data``), else the model's category
  for a recommendation (source ``model``), else nothing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from hrsearch.errors import HrsearchError
from indexer.tagger_features import Lexical

MODEL_DIR = Path(__file__).resolve().parent / "strength_model"
MODEL_FILE = "model.npz"
META_FILE = "model.json"
CATEGORIES = (1, 2, 3, 4, 5)
LEAD_WORDS = 4
# Where the verb stands after a preamble: "To consider", "That the Government consider ...".
_PREAMBLE = re.compile(r"^(?:\W*(?:to|that|the\s+government(?:\s+(?:should|to))?)\s+)+", re.I)
_LEAD_WORD = re.compile(r"[A-Za-z]+")

Floats = npt.NDArray[np.float32]


class StrengthUnavailableError(HrsearchError):
    """The strength model is missing or does not fit the embedder."""


def lead_text(text: str, words: int = LEAD_WORDS) -> str:
    """The first words of ``text`` as tokens of their own: "Consider ratifying the CRC" ->
    "lead_consider lead_ratifying lead_the lead_crc"."""
    head = _PREAMBLE.sub("", text.strip())
    return " ".join(f"lead_{w.lower()}" for w in _LEAD_WORD.findall(head)[:words])


def design(
    vectors: Floats, texts: Sequence[str], lexical: Lexical | None, lead: Lexical | None, emb_scale: float
) -> sparse.csr_matrix:
    """The features: scaled embeddings, TF-IDF of the text, TF-IDF of its first words."""
    blocks = [sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * emb_scale)]
    if lexical is not None:
        blocks.append(lexical.transform(texts))
    if lead is not None:
        blocks.append(lead.transform([lead_text(t) for t in texts]))
    return sparse.hstack(blocks, format="csr")


def softmax(scores: Floats) -> Floats:
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)


@dataclass
class StrengthModel:
    """Multinomial logistic regression: ``W`` (features x categories), ``b``; ``lexical`` and
    ``lead`` are None in variants without those features."""

    lexical: Lexical | None
    lead: Lexical | None
    W: Floats
    b: Floats
    emb_scale: float = 1.0
    meta: dict[str, Any] | None = None

    @property
    def dimension(self) -> int:
        return int(self.W.shape[0]) - sum(
            len(x.vocabulary) for x in (self.lexical, self.lead) if x is not None
        )

    def proba(self, vectors: Floats, texts: Sequence[str]) -> Floats:
        """(n, 5) probabilities of categories 1-5."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if len(texts) == 0:
            return np.zeros((0, len(CATEGORIES)), dtype=np.float32)
        if vectors.shape[1] != self.dimension:
            raise StrengthUnavailableError(
                f"the strength model was trained on {self.dimension}-d vectors, got {vectors.shape[1]}-d "
                "ones; it fits the all-MiniLM-L6-v2 embedder only"
            )
        x = design(vectors, texts, self.lexical, self.lead, self.emb_scale)
        return softmax(np.asarray(x @ self.W, dtype=np.float32) + self.b)

    def predict(self, vectors: Floats, texts: Sequence[str]) -> list[tuple[int, float]]:
        """The category of each text and its probability."""
        probs = self.proba(vectors, texts)
        best = probs.argmax(axis=1)
        return [(CATEGORIES[j], round(float(probs[i, j]), 4)) for i, j in enumerate(best)]

    # --- storage -------------------------------------------------------------------------------
    def save(self, folder: Path, meta: dict[str, Any]) -> None:
        """``model.npz`` (float16 weights, no pickle) and ``model.json`` (vocabularies, how it was built)."""
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"W": self.W.astype(np.float16), "b": self.b.astype(np.float32)}
        doc = dict(meta)
        doc.update(categories=list(CATEGORIES), emb_scale=self.emb_scale, lead_words=LEAD_WORDS)
        for name, lex in (("lexical", self.lexical), ("lead", self.lead)):
            if lex is not None:
                arrays[f"{name}_idf"] = lex.idf.astype(np.float32)
                doc[name] = {"vocabulary": lex.vocabulary, "norm": lex.norm, "scale": lex.scale}
        np.savez_compressed(folder / MODEL_FILE, **arrays)
        (folder / META_FILE).write_text(
            json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> StrengthModel:
        if not (folder / MODEL_FILE).is_file() or not (folder / META_FILE).is_file():
            raise StrengthUnavailableError(
                f"no strength model in {folder}; build it with `hrsearch tagger train-strength`"
            )
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        with np.load(folder / MODEL_FILE, allow_pickle=False) as z:
            arrays = {k: z[k].astype(np.float32) for k in z.files}

        def lexical(name: str) -> Lexical | None:
            if name not in meta:
                return None
            m = meta[name]
            return Lexical(m["vocabulary"], arrays[f"{name}_idf"], m["norm"], m["scale"])

        return cls(
            lexical=lexical("lexical"),
            lead=lexical("lead"),
            W=arrays["W"],
            b=arrays["b"],
            emb_scale=float(meta["emb_scale"]),
            meta=meta,
        )


@functools.cache
def load_strength_model(folder: Path = MODEL_DIR) -> StrengthModel:
    """The committed model, loaded once per process."""
    return StrengthModel.load(folder)


def strength_records(
    records: Sequence[dict[str, Any]], vectors: Floats | None, model: StrengthModel | None = None
) -> None:
    """Set ``strength`` and ``strength_source`` on each record (in place): the data's action
    category where it has one, else the model's category for a recommendation. Without vectors
    (tagging turned off), without the model, or with vectors of another embedder than the
    model's, only the data's categories are kept."""
    todo = [
        i for i, r in enumerate(records) if r.get("kind") == "recommendation" and not r.get("action_category")
    ]
    for r in records:
        if r.get("action_category"):
            r["strength"], r["strength_source"] = int(r["action_category"]), "data"
        else:
            r["strength"], r["strength_source"] = None, None
    if not todo or vectors is None:
        return
    try:
        m = model or load_strength_model()
        predicted = m.predict(np.asarray(vectors)[todo], [str(records[i]["text"]) for i in todo])
    except StrengthUnavailableError:
        return
    for i, (category, _) in zip(todo, predicted, strict=True):
        records[i]["strength"], records[i]["strength_source"] = category, "model"
