"""One generation of the index as a request sees it.

A ``Snapshot`` is read in one catalog transaction: every passage's id, text and record, every
document, and the BM25 index of that generation (rebuilt in memory when the saved one is
stale). It never changes; an index run that commits meanwhile makes a new one
(``indexer.index.Index.snapshot``), so one request never mixes two generations of texts,
records, filters and BM25 scores. Two things are read live, because they are too big to copy
per generation: the dense store's nearest neighbours and the catalog's stored vectors. Results
for passages the snapshot does not hold (written after it was taken) are left out by the
retrieval stages, which address passages by the snapshot's positions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, cast, overload

import numpy as np

from indexer.context import context_key
from indexer.fields import PassageRecord
from indexer.lexical import LexicalIndex
from indexer.postings import MetadataIndex

Ranked = list[tuple[str, float]]


class Records(Sequence[PassageRecord]):
    """The passage records of one generation, kept as their JSON and decoded when read.

    A decoded record (about 30 keys) takes three to four times the memory of its JSON, and a
    query reads a few hundred records, not all of them: at a million passages this is the
    difference between a serving process of several GiB and one under 2 (BENCHMARKS.md). Recently
    read records are kept decoded; callers must not modify a record they read.
    """

    def __init__(self, raw: list[str], cache_size: int = 16_384) -> None:
        self._raw = raw
        self._decoded = lru_cache(maxsize=cache_size)(self._decode)

    def _decode(self, i: int) -> PassageRecord:
        return cast(PassageRecord, dict(json.loads(self._raw[i])))

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, i: int) -> PassageRecord: ...

    @overload
    def __getitem__(self, i: slice) -> list[PassageRecord]: ...

    def __getitem__(self, i: int | slice) -> PassageRecord | list[PassageRecord]:
        if isinstance(i, slice):
            return [self._decoded(j) for j in range(*i.indices(len(self._raw)))]
        if i < 0:
            i += len(self._raw)
        if not 0 <= i < len(self._raw):
            raise IndexError(i)
        return self._decoded(i)

    def __iter__(self) -> Iterator[PassageRecord]:
        # A full pass (building the filter index) decodes without filling the cache.
        return (cast(PassageRecord, dict(json.loads(r))) for r in self._raw)


@dataclass(frozen=True)
class DocumentInfo:
    """A document of the snapshot: its id, the file it was first indexed from, its metadata."""

    doc_id: str
    path: str
    meta: dict[str, Any]
    n_passages: int


class LiveStores(Protocol):
    """What a snapshot reads live from the index (``indexer.index.Index`` implements it)."""

    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        where: dict[str, Any] | None = None,
        where_document: dict[str, Any] | None = None,
    ) -> Ranked | None: ...

    def exact_nearest(
        self, snap: Snapshot, vector: np.ndarray, n: int, mask: np.ndarray | None
    ) -> Ranked: ...

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def context_vectors(self) -> dict[str, np.ndarray]: ...


_CONTEXT_KEYS_MAX = 500_000  # context keys of passage positions remembered per snapshot


class Snapshot:
    """The passages, documents, BM25 index and filter index of one generation."""

    def __init__(
        self,
        generation: int,
        config: dict[str, Any],
        lexical: LexicalIndex,
        texts: list[str],
        records: Records,
        documents: dict[str, DocumentInfo],
        live: LiveStores,
        roots: Sequence[str] = (),
    ) -> None:
        self.generation = generation
        self.roots = tuple(roots)  # the paths index runs were given (``Catalog.roots``)
        self.config = config
        self.lexical = lexical
        self.texts = texts
        self.records = records
        self.documents = documents
        self.position = lexical.position
        self._live = live
        self._lock = threading.Lock()
        self._filters: MetadataIndex | None = None
        self._is_rec: np.ndarray | None = None
        self._contexts: dict[str, np.ndarray] | None = None
        self._context_keys: dict[int, str] = {}

    @property
    def model(self) -> str:
        return str(self.config.get("model", ""))

    def __len__(self) -> int:
        return len(self.texts)

    # --- derived once per generation ------------------------------------------------------------
    @property
    def filters(self) -> MetadataIndex:
        """The filter index (built on first use: one pass over the records)."""
        if self._filters is None:
            with self._lock:
                if self._filters is None:
                    self._filters = MetadataIndex.build(self.records)
        return self._filters

    @property
    def is_rec(self) -> np.ndarray:
        """Which positions hold a recommendation (from the filter index: no record decoded)."""
        if self._is_rec is None:
            is_rec = np.zeros(len(self.texts), dtype=bool)
            is_rec[self.filters.positions("kind", "recommendation")] = True
            self._is_rec = is_rec
        return self._is_rec

    @property
    def contexts(self) -> dict[str, np.ndarray]:
        """The stored context vectors (``indexer.context``): a few thousand keys, a few MB."""
        if self._contexts is None:
            self._contexts = self._live.context_vectors()
        return self._contexts

    def context_key(self, pos: int) -> str:
        """The context key of the passage at ``pos`` (remembered: the same candidates come back)."""
        key = self._context_keys.get(pos)
        if key is None:
            if len(self._context_keys) >= _CONTEXT_KEYS_MAX:
                self._context_keys.clear()
            key = self._context_keys[pos] = context_key(self.records[pos])
        return key

    # --- passages and documents ---------------------------------------------------------------
    def record(self, pid: str) -> PassageRecord | None:
        pos = self.position.get(pid)
        return None if pos is None else self.records[pos]

    def text(self, pid: str) -> str | None:
        pos = self.position.get(pid)
        return None if pos is None else self.texts[pos]

    def document_positions(self, doc_id: str) -> list[int]:
        """The positions of a document's passages, in document order."""
        return sorted(int(p) for p in self.filters.positions("doc_id", doc_id))

    # --- read live ----------------------------------------------------------------------------
    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        where: dict[str, Any] | None = None,
        where_document: dict[str, Any] | None = None,
        mask: Callable[[], np.ndarray | None] | None = None,
    ) -> Ranked:
        """The dense store's nearest passages as (id, cosine), best first; while a writer holds
        the store, an exact search over this snapshot's vectors within ``mask()`` (the same
        filters and phrases as ``where`` and ``where_document``)."""
        hits = self._live.nearest(vector, n, where=where, where_document=where_document)
        if hits is not None:
            return hits
        return self._live.exact_nearest(self, vector, n, mask() if mask is not None else None)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these passages (one no longer stored is absent)."""
        return self._live.vectors(ids)
