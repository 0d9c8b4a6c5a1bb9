"""Opening a built index for reading: catalog, Chroma collection and BM25, checked to agree.

A serving process keeps one ``IndexReader``; ``refresh()`` notices a newer catalog generation
(an index run finished meanwhile) and reloads the BM25 index, so readers never mix versions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np

from hrsearch.errors import IndexMissing
from hrsearch.settings import Settings
from indexer.catalog import Catalog, check_config
from indexer.config import CATALOG_FILE, index_config
from indexer.lexical import LexicalIndex, lexical_document
from indexer.store import ChromaStore


class IndexReader:
    """Read access to an index built with the same settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        path = settings.index_dir / CATALOG_FILE
        if not path.exists():
            raise IndexMissing(
                f"no index at {settings.index_dir}; build one with `hrsearch index PATH` "
                f"(or set HRSEARCH_INDEX_DIR to where it is)"
            )
        self.catalog = Catalog(path)
        recorded = self.catalog.config()
        if recorded is None:
            raise IndexMissing(
                f"the index at {settings.index_dir} is empty; build it with `hrsearch index PATH`"
            )
        check_config(recorded, index_config(settings), where=str(settings.index_dir))
        self.config = recorded
        self.store = ChromaStore(settings, recorded, create=False)
        self._lock = threading.Lock()
        self._view: tuple[LexicalIndex, list[str], Records] | None = None
        self._contexts: tuple[int, dict[str, np.ndarray]] | None = None

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def generation(self) -> int:
        return self.catalog.generation

    @property
    def dimension(self) -> int | None:
        dim = self.catalog.get_meta("dimension")
        return None if dim is None else int(dim)

    def lexical(self) -> LexicalIndex:
        """The BM25 index of the current generation (rebuilt in memory if the saved one is stale)."""
        return self.view()[0]

    def view(self) -> tuple[LexicalIndex, list[str], Records]:
        """The BM25 index of one generation with its passages' texts and records, aligned with the
        BM25 index's ids and read from one catalog snapshot."""
        gen = self.generation
        with self._lock:
            if self._view is None or self._view[0].generation != gen:
                snap_gen, ids, texts, data = self.catalog.snapshot_passages()
                lex = LexicalIndex.load(self.index_dir, mmap=self.settings.lexical_mmap)
                if lex is None or lex.generation != snap_gen:
                    lex = _build_lexical(ids, texts, data, snap_gen)
                elif lex.ids != ids:  # align with the order the BM25 index was saved in
                    row = {pid: i for i, pid in enumerate(ids)}
                    if len(lex.ids) != len(ids) or any(pid not in row for pid in lex.ids):
                        lex = _build_lexical(ids, texts, data, snap_gen)  # not the same passages
                    else:
                        order = [row[pid] for pid in lex.ids]
                        texts = [texts[i] for i in order]
                        data = [data[i] for i in order]
                self._view = (lex, texts, Records(data))
            return self._view

    def contexts(self) -> dict[str, np.ndarray]:
        """The context vectors of the index (``indexer.context``), read once per generation.

        A few thousand keys (country, review, document, section): a few MB."""
        gen = self.generation
        with self._lock:
            if self._contexts is None or self._contexts[0] != gen:
                self._contexts = (gen, self.catalog.all_contexts())
            return self._contexts[1]

    def close(self) -> None:
        self.catalog.close()


def _build_lexical(ids: list[str], texts: list[str], data: list[str], generation: int) -> LexicalIndex:
    """The BM25 index of a snapshot, built in memory (the saved one is stale or missing)."""
    docs = [lexical_document(t, json.loads(d)) for t, d in zip(texts, data, strict=True)]
    return LexicalIndex.build(ids, docs, generation)


class Records(Sequence[dict[str, Any]]):
    """The passage records of one generation, kept as their JSON and decoded when read.

    A decoded record (about 30 keys) takes three to four times the memory of its JSON, and a
    query reads a few hundred records, not all of them: at a million passages this is the
    difference between a serving process of several GiB and one under 2 (BENCHMARKS.md). Recently
    read records are kept decoded; callers must not modify a record they read.
    """

    def __init__(self, raw: list[str], cache_size: int = 16_384) -> None:
        self._raw = raw
        self._decoded = lru_cache(maxsize=cache_size)(self._decode)

    def _decode(self, i: int) -> dict[str, Any]:
        return dict(json.loads(self._raw[i]))

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self._decoded(j) for j in range(*i.indices(len(self._raw)))]
        if i < 0:
            i += len(self._raw)
        if not 0 <= i < len(self._raw):
            raise IndexError(i)
        return self._decoded(i)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # A full pass (building the filter index) decodes without filling the cache.
        return (dict(json.loads(r)) for r in self._raw)
