"""Writing an index: every write to the catalog, Chroma and BM25 goes through ``IndexWriter``.

Order of writes, chosen so that a crash at any point is repaired by the next writer and never
loses what was already indexed:

1. mark the index ``dirty`` in the catalog;
2. upsert the new passages into Chroma (idempotent: ids are stable);
3. commit the catalog transaction (new passages and file records in, replaced ones out);
4. delete the replaced passages from Chroma.

A writer that opens a dirty index (or one whose Chroma count differs from the catalog's) first
reconciles Chroma with the catalog (same ids). The BM25 index is rebuilt from the catalog
whenever its stamp differs from the catalog generation. A deletion records the purge it owes
(``hrsearch delete``: the deleted text out of every file) in the same catalog transaction that
removes the passages; a writer that opens an index with a purge pending (the deletion was killed)
finishes it first. Only one writer works on an index at a
time (``write.lock``); a second one gets ``IndexLocked`` at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from hrsearch.errors import IndexLocked, IndexMissing
from hrsearch.settings import Settings
from indexer.catalog import Catalog, NewDocument, check_config

__all__ = ["IndexWriter", "NewDocument", "open_writer", "refresh_lexical", "remove_index", "write_lock"]
from indexer.config import CATALOG_FILE, LOCK_FILE, index_config
from indexer.context import CONTEXT_VERSION, context_key
from indexer.folder import check_folder, own_leftovers
from indexer.lexical import LexicalIndex, lexical_document
from indexer.store import ChromaStore, make_client

CONTEXT_BATCH = 2048  # context keys embedded per call
Embed = Callable[[Sequence[str]], np.ndarray]


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's single-writer lock; a second writer gets IndexLocked at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise IndexLocked(
                f"another process is writing the index at {index_dir}; wait for it to finish"
            ) from e
        yield
    finally:
        os.close(fd)


def remove_index(settings: Settings) -> None:
    """Delete an index entirely (Chroma collection, BM25, catalog); the caller holds the lock.
    The catalog goes last: a rebuild killed midway leaves a folder that is still an index (a
    catalog whose stores the next writer reconciles), not a folder of leftovers. Its WAL and
    shared memory go before it: left without their database, they are files no run can open
    as an index (and a stale WAL has no business beside the next new catalog)."""
    with contextlib.suppress(Exception):  # a missing collection is what we want
        make_client(settings).delete_collection(settings.collection)
    shutil.rmtree(settings.index_dir / "lexical", ignore_errors=True)
    for leftover in own_leftovers(settings.index_dir):  # progress, a killed save's BM25 folders
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    for name in (CATALOG_FILE + "-wal", CATALOG_FILE + "-shm", CATALOG_FILE):
        (settings.index_dir / name).unlink(missing_ok=True)


@contextmanager
def open_writer(settings: Settings, *, create: bool = True, rebuild: bool = False) -> Iterator[IndexWriter]:
    """The index's writer, under its write lock. ``create``: make the index if there is none
    (otherwise IndexMissing); ``rebuild``: delete it first."""
    path = settings.index_dir / CATALOG_FILE
    # Before the lock file is made: a place that is not an index is refused untouched.
    if not check_folder(settings.index_dir, create=create) and not create:
        raise IndexMissing(f"no index at {settings.index_dir}; nothing to delete")
    with write_lock(settings.index_dir):
        if rebuild:
            remove_index(settings)
        if not create and not path.exists():
            raise IndexMissing(f"no index at {settings.index_dir}; nothing to delete")
        catalog = Catalog(path)
        store: ChromaStore | None = None
        try:
            if create:
                catalog.ensure_config(index_config(settings))
            else:
                recorded = catalog.config()
                if recorded is None:
                    raise IndexMissing(f"the index at {settings.index_dir} is empty; nothing to delete")
                check_config(recorded, index_config(settings), where=str(settings.index_dir))
            store = ChromaStore(settings, catalog.config() or {}, create=True)
            writer = IndexWriter(settings, catalog, store)
            writer.recover()
            yield writer
        finally:
            if store is not None:
                store.close()
            catalog.close()


class IndexWriter:
    """All writes to one index, in the crash-safe order above."""

    def __init__(self, settings: Settings, catalog: Catalog, store: ChromaStore) -> None:
        self.settings = settings
        self._catalog = catalog
        self._store = store
        # Files whose deletion an earlier, interrupted writer left unpurged and ``recover`` purged.
        self.finished_deletions: list[dict[str, Any]] = []

    # --- reads a writer needs ---------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._catalog.generation

    def passage_count(self) -> int:
        return self._catalog.passage_count()

    def document_count(self) -> int:
        return self._catalog.document_count()

    def add_roots(self, roots: Iterable[str]) -> None:
        """Record the paths an index run was given (``Catalog.roots``)."""
        self._catalog.add_roots(roots)

    def file_hashes(self) -> dict[str, str]:
        """Content hash of every indexed file, by path."""
        return self._catalog.file_hashes()

    def has_document(self, doc_id: str) -> bool:
        return self._catalog.document(doc_id) is not None

    def documents(self) -> list[dict[str, Any]]:
        return self._catalog.documents()

    def paths_by_document(self) -> dict[str, list[str]]:
        return self._catalog.paths_by_document()

    def vectors_for_texts(self, shas: Iterable[str]) -> dict[str, np.ndarray]:
        """Stored vectors of passages with these text hashes (identical text is embedded once)."""
        return self._catalog.embeddings_for_shas(shas)

    @property
    def dimension(self) -> int | None:
        dim = self._catalog.get_meta("dimension")
        return None if dim is None else int(dim)

    def check_dimension(self, dimension: int) -> None:
        """Record the model's dimension in a new index; IndexMismatch if it differs from the recorded one."""
        recorded = self.dimension
        if recorded is None:
            self._catalog.set_meta("dimension", str(dimension))
        elif recorded != dimension:
            check_config({"dimension": recorded}, {"dimension": dimension}, where=str(self._catalog.path))

    # --- writes ------------------------------------------------------------------------------
    def recover(self) -> None:
        """Repair what a killed writer left: Chroma reconciled with the catalog, and the purge of a
        killed deletion finished (BM25 saved without the deleted passages, then ``purge``)."""
        if self._catalog.get_meta("dirty") == "1" or self._store.count() != self._catalog.passage_count():
            self.reconcile()
        ids, files = self._catalog.pending_purge()
        if ids or files:
            self.refresh_lexical()
            self.mark_clean()
            self.purge(ids)
            self.finished_deletions = files

    def reconcile(self) -> tuple[int, int]:
        """Make Chroma hold exactly the catalog's passages; return (deleted, restored) counts."""
        in_chroma = self._store.all_ids()
        in_catalog = self._catalog.passage_ids()
        extra = sorted(in_chroma - in_catalog)
        missing = sorted(in_catalog - in_chroma)
        self._store.delete(extra)
        for i in range(0, len(missing), 2000):
            self._upsert_stored(missing[i : i + 2000])
        return len(extra), len(missing)

    def _upsert_stored(self, ids: list[str]) -> None:
        """Write passages the catalog holds to Chroma again (their stored text, record and vector)."""
        ps = self._catalog.get_passages(ids)
        vecs = self._catalog.get_embeddings(ids)
        self._store.upsert(
            ids, np.stack([vecs[i] for i in ids]), [ps[i].text for i in ids], [ps[i].data for i in ids]
        )

    def write(
        self, new_docs: list[NewDocument], files: list[tuple[str, str, str]], *, timer: Any = None
    ) -> tuple[list[str], int]:
        """Add documents and (path, content hash, doc_id) file records; passages of documents no
        file refers to any more go. Returns (ids removed, passages added)."""
        stage = timer or _no_timer
        self._catalog.set_meta("dirty", "1")
        upsert = [p for d in new_docs for p in d.passages]
        if upsert:
            with stage("chroma"):
                self._store.upsert(
                    [p[0] for p in upsert],
                    np.stack([p[4] for p in upsert]),
                    [p[1] for p in upsert],
                    [p[3] for p in upsert],
                )
        with stage("catalog"):
            removed, added = self._catalog.apply(new_docs, files, [])
        with stage("chroma"):
            self._store.delete(removed)
        return removed, added

    def remove_files(
        self, paths: Sequence[str], *, secure: bool = False, purge_pending: bool = False
    ) -> list[str]:
        """Forget these files; their documents' passages go when no other file holds them.
        ``secure`` (``hrsearch delete``): deleted rows are zeroed in the catalog file;
        ``purge_pending``: the purge of the removed passages is recorded as owed until ``purge``
        has done it (a writer that finds it owed does it, ``recover``)."""
        if not paths:
            return []
        if secure:
            self._catalog.secure_delete()
        self._catalog.set_meta("dirty", "1")
        removed, _ = self._catalog.apply([], [], list(paths), pending_purge=purge_pending)
        self._store.delete(removed)
        return removed

    def store_contexts(self, keys: set[str], embed: Embed) -> int:
        """Embed and store the context ``keys`` the catalog does not hold yet; how many there were."""
        missing = sorted(keys - set(self._catalog.context_vectors(keys)))
        for i in range(0, len(missing), CONTEXT_BATCH):
            part = missing[i : i + CONTEXT_BATCH]
            self._catalog.add_contexts(dict(zip(part, embed(part), strict=True)))
        return len(missing)

    def refresh_contexts(self, embed: Embed) -> int:
        """Embed the context key of every passage that has none stored (an index made before context
        vectors existed); a no-op once done. Returns how many keys were embedded."""
        if self._catalog.get_meta("contexts") == CONTEXT_VERSION:
            return 0
        n = self.store_contexts(self.context_keys_in_use(), embed)
        self._catalog.set_meta("contexts", CONTEXT_VERSION)
        return n

    def context_keys_in_use(self) -> set[str]:
        return {k for p, _ in self._catalog.iter_passages() if (k := context_key(p.data))}

    def refresh_lexical(self, force: bool = False) -> LexicalIndex | None:
        """Rebuild the BM25 index from the catalog if its stamp is not the catalog's generation."""
        return refresh_lexical(self._catalog, self.settings.index_dir, force)

    def mark_clean(self) -> None:
        """Every store agrees with the catalog again (and a first build is done)."""
        self._catalog.set_meta("dirty", "0")
        self._catalog.delete_meta("first_build")

    def purge(self, removed: list[str]) -> tuple[list[str], list[str]]:
        """Purge deleted text from every store's files (``indexer.purge``): (what was purged,
        warnings). The pending purge is cleared once it is done."""
        from indexer.purge import purge

        self._catalog.secure_delete()
        done = purge(self.settings, self._catalog, self._store, removed, self.context_keys_in_use())
        self._catalog.clear_pending_purge()
        return done


def refresh_lexical(catalog: Catalog, index_dir: Path, force: bool = False) -> LexicalIndex | None:
    """Rebuild the BM25 index of ``catalog`` if its stamp is not the catalog's generation (the
    caller holds the write lock; benchmarks building a synthetic index call it directly)."""
    gen = catalog.generation
    if not force and LexicalIndex.saved_generation(index_dir) == gen:
        return None
    ids, texts = [], []
    for p, _ in catalog.iter_passages():
        ids.append(p.id)
        texts.append(lexical_document(p.text, p.data))
    lex = LexicalIndex.build(ids, texts, gen)
    lex.save(index_dir)
    return lex


@contextmanager
def _no_timer(_: str) -> Iterator[None]:
    yield
