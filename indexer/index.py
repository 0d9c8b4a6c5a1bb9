"""The index: the one owner of an index folder's stores.

An index is four stores kept in step: the catalog (SQLite, the source of truth: files, documents,
passages with text, record and vector, context vectors), the dense store (a Chroma collection),
the BM25 index (a folder of arrays) and the write lock. This module and the modules it delegates
to (``indexer.writer`` for writes, ``indexer.purge`` for purging deleted text) are the only
code that opens them or touches their internals; everything else reads through a
``Snapshot`` and writes through an ``IndexWriter``::

    index = Index.open(settings)          # reading: checks the recorded configuration
    snap = index.snapshot()               # one generation, for one request
    with open_writer(settings) as writer: # writing: takes the single-writer lock
        writer.write(documents, files)

The configuration the index was built with (model, segmentation) is recorded in the catalog and
in the Chroma collection; opening it with other settings is ``IndexMismatch``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from hrsearch.errors import IndexMissing
from hrsearch.settings import Settings
from indexer.catalog import Catalog, CatalogSnapshot, check_config
from indexer.config import CATALOG_FILE, index_config
from indexer.lexical import LexicalIndex, lexical_document
from indexer.snapshot import DocumentInfo, Ranked, Records, Snapshot
from indexer.store import ChromaStore


class Index:
    """Read access to an index built with the same settings; hands out one snapshot per generation."""

    def __init__(
        self, settings: Settings, catalog: Catalog, config: dict[str, Any], store: ChromaStore
    ) -> None:
        self.settings = settings
        self._catalog = catalog
        self.config = config
        self._store = store
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    @classmethod
    def open(cls, settings: Settings) -> Index:
        """Open the index at ``settings.index_dir`` for reading (IndexMissing, IndexMismatch)."""
        path = settings.index_dir / CATALOG_FILE
        if not path.exists():
            raise IndexMissing(
                f"no index at {settings.index_dir}; build one with `hrsearch index PATH` "
                f"(or set HRSEARCH_INDEX_DIR to where it is)"
            )
        catalog = Catalog(path)
        try:
            recorded = catalog.config()
            if recorded is None:
                raise IndexMissing(
                    f"the index at {settings.index_dir} is empty; build it with `hrsearch index PATH`"
                )
            check_config(recorded, index_config(settings), where=str(settings.index_dir))
            store = ChromaStore(settings, recorded, create=False)
        except BaseException:
            catalog.close()
            raise
        return cls(settings, catalog, recorded, store)

    # --- what the index is --------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._catalog.generation

    @property
    def model(self) -> str:
        return str(self.config.get("model", ""))

    @property
    def dimension(self) -> int | None:
        dim = self._catalog.get_meta("dimension")
        return None if dim is None else int(dim)

    def passage_count(self) -> int:
        return self._catalog.passage_count()

    @property
    def dense_paused(self) -> bool:
        """Whether the last dense query found the store paused by a writer (embedded Chroma)."""
        return self._store.paused

    # --- snapshots ----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The snapshot of the current generation (made once per generation, then shared)."""
        gen = self.generation
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != gen:
                self._snapshot = self._read_snapshot()
            return self._snapshot

    def _read_snapshot(self) -> Snapshot:
        snap = self._catalog.snapshot_passages()
        ids, texts, data = snap.ids, snap.texts, snap.data
        lex = LexicalIndex.load(self.settings.index_dir, mmap=self.settings.lexical_mmap)
        if lex is None or lex.generation != snap.generation:
            lex = _build_lexical(snap)
        elif lex.ids != ids:  # align with the order the BM25 index was saved in
            row = {pid: i for i, pid in enumerate(ids)}
            if len(lex.ids) != len(ids) or any(pid not in row for pid in lex.ids):
                lex = _build_lexical(snap)  # not the same passages
            else:
                order = [row[pid] for pid in lex.ids]
                texts = [texts[i] for i in order]
                data = [data[i] for i in order]
        documents = {
            doc_id: DocumentInfo(doc_id, path, json.loads(meta), int(n))
            for doc_id, path, meta, n in snap.documents
        }
        return Snapshot(snap.generation, self.config, lex, texts, Records(data), documents, self)

    # --- read live (``indexer.snapshot.LiveStores``) --------------------------------------------
    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        where: dict[str, Any] | None = None,
        where_document: dict[str, Any] | None = None,
    ) -> Ranked:
        return self._store.query(vector, n, where=where, where_document=where_document)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return self._catalog.get_embeddings(ids)

    def context_vectors(self) -> dict[str, np.ndarray]:
        return self._catalog.all_contexts()

    def close(self) -> None:
        self._store.close()
        self._catalog.close()


def _build_lexical(snap: CatalogSnapshot) -> LexicalIndex:
    """The BM25 index of a snapshot, built in memory (the saved one is stale or missing)."""
    docs = [lexical_document(t, json.loads(d)) for t, d in zip(snap.texts, snap.data, strict=True)]
    return LexicalIndex.build(snap.ids, docs, snap.generation)
