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
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hrsearch.errors import IndexMissing
from hrsearch.settings import Settings
from indexer.catalog import Catalog, CatalogSnapshot, check_config
from indexer.config import CATALOG_FILE, index_config
from indexer.folder import check_folder
from indexer.lexical import LexicalIndex, lexical_document
from indexer.progress import writer_active
from indexer.snapshot import DocumentInfo, Ranked, Records, Snapshot
from indexer.store import ChromaStore

log = logging.getLogger(__name__)
# While another process writes the index, a new snapshot (which rebuilds BM25 in memory until the
# writer saves it) is made in the background at most this often; requests meanwhile keep the
# last one, consistent but a few seconds old.
REFRESH_WHILE_WRITING_S = 30.0


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
        self._refreshing = False
        self._refreshed_at = 0.0
        self._vectors = _VectorMatrix()

    @classmethod
    def open(cls, settings: Settings) -> Index:
        """Open the index at ``settings.index_dir`` for reading (IndexMissing, IndexMismatch)."""
        path = settings.index_dir / CATALOG_FILE
        if not check_folder(settings.index_dir, create=False) or not path.exists():
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

    @staticmethod
    def recorded_config(index_dir: Path) -> dict[str, Any]:
        """The configuration an index was built with (model, prefixes, segmentation); empty when
        there is no index there."""
        path = index_dir / CATALOG_FILE
        if not check_folder(index_dir, create=False) or not path.exists():
            return {}
        catalog = Catalog(path)
        try:
            return catalog.config() or {}
        finally:
            catalog.close()

    @staticmethod
    def stored_vectors(index_dir: Path, shas: Sequence[str]) -> tuple[str, dict[str, np.ndarray]]:
        """The model an index was built with, and its stored vectors by the SHA-256 of their text.

        Only the catalog is read, and its segmentation is not checked: a text's vector does not
        depend on how documents were cut, so an index built by an older segmenter lends its
        vectors too (training reuses them). Empty when there is no index there."""
        path = index_dir / CATALOG_FILE
        if not path.exists():
            return "", {}
        catalog = Catalog(path)
        try:
            config = catalog.config() or {}
            return str(config.get("model", "")), catalog.embeddings_for_shas(shas)
        finally:
            catalog.close()

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
    def being_built(self) -> bool:
        """Whether another process is building this index for the first time (its answers are
        partial until it is done)."""
        return self._catalog.get_meta("first_build") == "1" and self._writer_active()

    @property
    def dense_paused(self) -> bool:
        """Whether the last dense query found the store paused by a writer (embedded Chroma)."""
        return self._store.paused

    # --- snapshots ----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The snapshot of the current generation, made once per generation and shared.

        While another process writes the index (``write.lock`` held) the generation moves at every
        batch it commits, and a new snapshot costs a BM25 rebuild: requests then keep the last
        snapshot while a newer one is made in the background (at most every
        ``REFRESH_WHILE_WRITING_S``). At rest, the first request of a new generation makes it."""
        gen = self.generation
        current = self._snapshot
        if current is not None and current.generation == gen:
            return current
        if current is not None and self._writer_active():
            self._refresh_in_background()
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != gen:
                self._snapshot = self._read_snapshot()
            return self._snapshot

    def _writer_active(self) -> bool:
        """Whether another process holds the index's write lock."""
        return writer_active(self.settings.index_dir)

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._refreshing or time.monotonic() - self._refreshed_at < REFRESH_WHILE_WRITING_S:
                return
            self._refreshing = True

        def refresh() -> None:
            try:
                snap = self._read_snapshot()
                with self._lock:
                    if self._snapshot is None or snap.generation > self._snapshot.generation:
                        self._snapshot = snap
            except Exception:  # the next request tries again; readers keep the last snapshot
                log.exception("snapshot refresh failed")
            finally:
                with self._lock:
                    self._refreshing = False
                    self._refreshed_at = time.monotonic()

        threading.Thread(target=refresh, name="hrsearch-snapshot", daemon=True).start()

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
        return Snapshot(
            snap.generation, self.config, lex, texts, Records(data), documents, self, roots=snap.roots
        )

    # --- read live (``indexer.snapshot.LiveStores``) --------------------------------------------
    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        where: dict[str, Any] | None = None,
        where_document: dict[str, Any] | None = None,
    ) -> Ranked | None:
        """The dense store's nearest passages, or None while another process writes an embedded
        store (the snapshot then searches its own vectors, ``exact_nearest``)."""
        hits = self._store.query_unless_paused(vector, n, where=where, where_document=where_document)
        if hits is not None:
            self._vectors.drop()  # the store answers again: the copy of the vectors can go
        return hits

    def exact_nearest(self, snap: Snapshot, vector: np.ndarray, n: int, mask: np.ndarray | None) -> Ranked:
        """The ``n`` passages of ``snap`` (within ``mask``) nearest to ``vector``, by exact search
        over the catalog's vectors: what the dense arm uses while a writer holds the dense store,
        so answers during an index run are as good as at rest (exact search ranks at least as
        well as the store's approximate one)."""
        matrix = self._vectors.of(snap, self._catalog)
        if matrix.shape[0] == 0 or n <= 0:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        k = min(n, int(np.count_nonzero(np.isfinite(scores))))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        ids = snap.lexical.ids
        return [(ids[i], float(scores[i])) for i in top]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return self._catalog.get_embeddings(ids)

    def context_vectors(self) -> dict[str, np.ndarray]:
        return self._catalog.all_contexts()

    def vectors_for_texts(self, shas: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by the SHA-256 of their text (``indexer.records.text_sha``)."""
        return self._catalog.embeddings_for_shas(shas)

    def close(self) -> None:
        self._store.close()
        self._catalog.close()


def _build_lexical(snap: CatalogSnapshot) -> LexicalIndex:
    """The BM25 index of a snapshot, built in memory (the saved one is stale or missing)."""
    docs = [lexical_document(t, json.loads(d)) for t, d in zip(snap.texts, snap.data, strict=True)]
    return LexicalIndex.build(snap.ids, docs, snap.generation)


class _VectorMatrix:
    """The catalog's passage vectors as one matrix aligned with a snapshot's positions, kept while
    the dense store is paused; a newer snapshot reads only the vectors it does not hold yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = -1
        self._ids: dict[str, int] = {}
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def of(self, snap: Snapshot, catalog: Catalog) -> np.ndarray:
        with self._lock:
            if self._generation == snap.generation:
                return self._matrix
            ids = snap.lexical.ids
            missing = [pid for pid in ids if pid not in self._ids]
            fetched = catalog.get_embeddings(missing)
            dim = self._matrix.shape[1] if self._matrix.size else next((v.size for v in fetched.values()), 0)
            matrix = np.zeros((len(ids), dim), dtype=np.float32)
            for i, pid in enumerate(ids):
                row = self._ids.get(pid)
                if row is not None:
                    matrix[i] = self._matrix[row]
                elif pid in fetched:
                    matrix[i] = fetched[pid]
            self._matrix, self._ids, self._generation = (
                matrix,
                {pid: i for i, pid in enumerate(ids)},
                snap.generation,
            )
            return matrix

    def drop(self) -> None:
        if self._generation >= 0:
            with self._lock:
                self._matrix, self._ids, self._generation = np.zeros((0, 0), dtype=np.float32), {}, -1
