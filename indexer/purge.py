"""Purging deleted text from the index's files, so a withdrawn document cannot be read back from them.

Called by ``IndexWriter.purge`` after passages were removed; the only code besides the stores
themselves that knows how they keep deleted data:

- the catalog: SQLite keeps deleted rows in free pages and in its write-ahead log until they are
  reused; ``secure_delete`` zeroes them, ``VACUUM`` rewrites the file, and a truncating
  checkpoint empties the ``-wal`` file;
- Chroma keeps every write in its own log (the ``embeddings_queue`` table of
  ``chroma.sqlite3``, text included) until its vector index has been saved past it, which
  happens every ``sync_threshold`` (1000) writes. Passages still in the index are written again
  (same ids, same vectors: nothing changes) until Chroma saves and drops the log; then its full-text
  index is optimised and the file vacuumed, and vector folders of deleted collections removed.
  With a Chroma server the log is purged the same way, but the server's own files can only be
  vacuumed on the server (``chroma vacuum --path DIR``): the report says so.
- context vectors whose key (a document's country, title and headings) no passage uses any more;
- BM25 folders a killed run left behind (the BM25 index itself is rebuilt without the passages).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from typing import Any

import numpy as np

from hrsearch.settings import Settings
from indexer.catalog import Catalog
from indexer.store import ChromaStore

CHROMA_DB = "chroma.sqlite3"
_DELETE_OP = 3  # chromadb's Operation.DELETE in embeddings_queue.operation
_BUSY_RETRIES = 20


def purge(
    settings: Settings, catalog: Catalog, store: ChromaStore, removed: list[str], keys_in_use: set[str]
) -> tuple[list[str], list[str]]:
    """Purge what the stores keep of the ``removed`` passages; (what was purged, warnings)."""
    purged: list[str] = []
    warnings: list[str] = []
    _purge_chroma_log(settings, catalog, store, removed, purged, warnings)
    if settings.chroma_url:
        warnings.append(
            "the Chroma server may keep deleted text in free pages of its own files until "
            "`chroma vacuum --path DIR` is run on the server"
        )
    else:
        _vacuum_chroma(settings, purged, warnings)
    catalog.prune_contexts(keys_in_use)
    if catalog.vacuum():
        purged.append("catalog")
    else:
        warnings.append("a reader kept the catalog's write-ahead log busy; it is emptied on the next write")
    for folder in settings.index_dir.glob("lexical.*-*"):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            purged.append(f"stale folder {folder.name}")
    return purged, warnings


def log_holds(settings: Settings, ids: list[str]) -> bool | None:
    """Whether Chroma's log still holds a write of one of ``ids`` (None: cannot tell, server mode)."""
    if settings.chroma_url:
        return None
    db = settings.chroma_path() / CHROMA_DB
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = f"SELECT 1 FROM embeddings_queue WHERE operation != ? AND id IN ({','.join('?' * len(chunk))}) LIMIT 1"
            if con.execute(q, [_DELETE_OP, *chunk]).fetchone():
                return True
        return False
    finally:
        con.close()


def _purge_chroma_log(
    settings: Settings,
    catalog: Catalog,
    store: ChromaStore,
    removed: list[str],
    purged: list[str],
    warnings: list[str],
) -> None:
    """Write kept passages again until Chroma has saved its vector index and dropped its log."""
    if not removed or log_holds(settings, removed) is False:
        purged.append("chroma log")
        return
    hnsw = (store.collection.configuration or {}).get("hnsw") or {}
    threshold = int(hnsw.get("sync_threshold") or 1000)
    kept = catalog.first_passage_ids(threshold)
    if not kept:
        # Nothing left to write again: a new, empty collection has no log.
        store.recreate()
        purged.append("chroma log (collection recreated empty)")
        return
    passages, vectors = catalog.get_passages(kept), catalog.get_embeddings(kept)
    written = 0
    rounds = threshold // len(kept) + 2
    for _ in range(rounds):
        store.upsert(
            kept,
            np.stack([vectors[i] for i in kept]),
            [passages[i].text for i in kept],
            [passages[i].data for i in kept],
        )
        written += len(kept)
        holds = log_holds(settings, removed)
        if holds is False or (holds is None and written >= threshold):
            purged.append("chroma log")
            return
    warnings.append("Chroma's log may still hold deleted text (it did not save its index in time)")


def with_retries(con: sqlite3.Connection, sql: str) -> Any:
    """Run ``sql``, retrying while another connection holds the database busy."""
    for attempt in range(_BUSY_RETRIES):
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(0.05 * (attempt + 1))
    return con.execute(sql).fetchall()


def _vacuum_chroma(settings: Settings, purged: list[str], warnings: list[str]) -> None:
    """Optimise Chroma's full-text index (drops deleted entries) and rewrite its SQLite file."""
    db = settings.chroma_path() / CHROMA_DB
    con = sqlite3.connect(str(db), timeout=30, isolation_level=None)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "embedding_fulltext_search" in tables:
            with_retries(
                con, "INSERT INTO embedding_fulltext_search(embedding_fulltext_search) VALUES('optimize')"
            )
        with_retries(con, "VACUUM")
        purged.append("chroma sqlite")
    except sqlite3.Error as e:
        warnings.append(
            f"Chroma's SQLite file could not be vacuumed ({e}); run `chroma vacuum --path {settings.chroma_path()}`"
        )
    finally:
        con.close()
    _remove_orphan_segments(settings, purged)


def _remove_orphan_segments(settings: Settings, purged: list[str]) -> None:
    """Vector folders of collections that no longer exist (Chroma leaves them behind)."""
    root = settings.chroma_path()
    con = sqlite3.connect(f"file:{root / CHROMA_DB}?mode=ro", uri=True, timeout=30)
    try:
        live = {str(r[0]) for r in con.execute("SELECT id FROM segments")}
    finally:
        con.close()
    for folder in root.iterdir():
        if folder.is_dir() and _is_uuid(folder.name) and folder.name not in live:
            shutil.rmtree(folder, ignore_errors=True)
            purged.append(f"orphan vector folder {folder.name}")


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True
