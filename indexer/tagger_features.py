"""The tagger's lexical features: TF-IDF over a fixed vocabulary next to the passage embedding.

Shared by the committed tagger (``indexer.tagger``) and its training (``training.tagger_fit``),
so that both build the design matrix the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

LEXICAL_NGRAMS = (1, 2)
LEXICAL_TOKEN_PATTERN = r"(?u)\b\w\w+\b"

Floats = npt.NDArray[np.float32]


class Lexical:
    """TF-IDF features over a fixed vocabulary (unigrams and bigrams, sublinear tf).

    ``norm="l2"``: unit rows (a term weighs less in a longer text); ``"none"``: raw tf-idf times
    ``scale`` (a term weighs the same in any text, so a list of many themes keeps each of them).
    """

    def __init__(self, vocabulary: Sequence[str], idf: Floats, norm: str = "l2", scale: float = 1.0) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.norm = norm
        self.scale = scale
        self._vec = TfidfVectorizer(
            vocabulary=self.vocabulary,
            ngram_range=LEXICAL_NGRAMS,
            sublinear_tf=True,
            dtype=np.float32,
            token_pattern=LEXICAL_TOKEN_PATTERN,
            norm="l2" if norm == "l2" else None,
        )
        self._vec.idf_ = self.idf

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        rows = sparse.csr_matrix(self._vec.transform(list(texts)), dtype=np.float32)
        return rows * np.float32(self.scale) if self.scale != 1.0 else rows


def features(vectors: Floats, lexical: Lexical | None, texts: Sequence[str], emb_scale: float) -> Any:
    """The design matrix: scaled embeddings, then TF-IDF columns when there is a vocabulary."""
    if lexical is None:
        return np.asarray(vectors, dtype=np.float32) * emb_scale
    dense = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * emb_scale)
    return sparse.hstack([dense, lexical.transform(texts)], format="csr")


def sigmoid(x: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40, 40))), dtype=np.float32)
