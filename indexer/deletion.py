"""Deleting documents so that their text is gone from the index, not only from its answers.

``delete_documents(settings, items)`` takes file paths or document ids, and under the index's
write lock removes their files, documents and passages from the catalog (one transaction), their
passages from Chroma and the BM25 index, and then purges what the stores keep of deleted data:

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
- BM25: the index is rebuilt without them (a new folder replaces the old one).

A document shared by several files (same bytes) is deleted when all of its files are named, or
when it is named by id. The files themselves are not touched: a file that still exists would be
indexed again by the next ``hrsearch index`` of its folder, and the report warns about it.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hrsearch.errors import IndexMissing
from hrsearch.settings import Settings
from indexer.catalog import Catalog, check_config
from indexer.config import CATALOG_FILE, index_config
from indexer.context import context_key
from indexer.pipeline import refresh_lexical, write_lock
from indexer.store import ChromaStore

CHROMA_DB = "chroma.sqlite3"
_DELETE_OP = 3  # chromadb's Operation.DELETE in embeddings_queue.operation
_BUSY_RETRIES = 20


@dataclass
class DeletionReport:
    """What ``hrsearch delete`` did (printed as JSON with ``--json``)."""

    deleted: list[dict[str, Any]] = field(default_factory=list)  # {doc_id, files, passages}
    not_found: list[str] = field(default_factory=list)
    files_removed: int = 0
    passages_removed: int = 0
    passages_total: int = 0
    documents_total: int = 0
    generation: int = 0
    purged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def delete_documents(
    settings: Settings, items: Sequence[str | Path], *, purge: bool = True
) -> DeletionReport:
    """Delete the documents named by ``items`` (file paths or document ids) from the index."""
    t0 = time.perf_counter()
    report = DeletionReport()
    path = settings.index_dir / CATALOG_FILE
    if not path.exists():
        raise IndexMissing(f"no index at {settings.index_dir}; nothing to delete")
    with write_lock(settings.index_dir), ExitStack() as stack:
        catalog = Catalog(path)
        stack.callback(catalog.close)
        recorded = catalog.config()
        if recorded is None:
            raise IndexMissing(f"the index at {settings.index_dir} is empty; nothing to delete")
        check_config(recorded, index_config(settings), where=str(settings.index_dir))
        store = ChromaStore(settings, recorded, create=True)
        stack.callback(store.close)
        files = _resolve(catalog, items, report)
        if files:
            catalog.conn.execute("PRAGMA secure_delete=ON")
            catalog.set_meta("dirty", "1")
            docs_before = {d["doc_id"]: d for d in catalog.documents()}
            paths_of = _paths_by_doc(catalog)
            removed_ids, _ = catalog.apply([], [], sorted(files))
            store.delete(removed_ids)
            refresh_lexical(catalog, settings.index_dir)
            catalog.set_meta("dirty", "0")
            _describe(report, catalog, docs_before, paths_of, files, removed_ids)
            if purge:
                _purge(settings, catalog, store, removed_ids, report)
        report.passages_total = catalog.passage_count()
        report.documents_total = catalog.document_count()
        report.generation = catalog.generation
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


# --- which files -------------------------------------------------------------------------------
def _paths_by_doc(catalog: Catalog) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p, d in catalog.conn.execute("SELECT path, doc_id FROM files ORDER BY path"):
        out.setdefault(d, []).append(p)
    return out


def _resolve(catalog: Catalog, items: Sequence[str | Path], report: DeletionReport) -> set[str]:
    """The indexed file paths that ``items`` name (a doc id names all of its files)."""
    by_doc = _paths_by_doc(catalog)
    known = {p for ps in by_doc.values() for p in ps}
    files: set[str] = set()
    for item in items:
        raw = str(item)
        if raw in by_doc:
            files.update(by_doc[raw])
            continue
        candidates = {raw, str(Path(raw).expanduser().absolute()), str(Path(raw).expanduser().resolve())}
        hit = candidates & known
        if hit:
            files.update(hit)
        else:
            report.not_found.append(raw)
    return files


def _describe(
    report: DeletionReport,
    catalog: Catalog,
    before: dict[str, Any],
    paths_of: dict[str, list[str]],
    files: set[str],
    removed: list[str],
) -> None:
    remaining = {d["doc_id"] for d in catalog.documents()}
    for doc_id, paths in paths_of.items():
        named = [p for p in paths if p in files]
        if not named:
            continue
        if doc_id in remaining:
            others = [p for p in paths if p not in files]
            report.warnings.append(
                f"document {doc_id} is kept: the same content is also indexed from {', '.join(others)}"
            )
        else:
            report.deleted.append(
                {"doc_id": doc_id, "files": named, "passages": int(before[doc_id]["n_passages"])}
            )
    report.files_removed = len(files)
    report.passages_removed = len(removed)
    for p in sorted(files):
        if Path(p).exists():
            report.warnings.append(
                f"{p} still exists: the next `hrsearch index` of its folder adds it again; delete or move it"
            )


# --- purging -----------------------------------------------------------------------------------
def _purge(
    settings: Settings, catalog: Catalog, store: ChromaStore, removed: list[str], report: DeletionReport
) -> None:
    _purge_chroma_log(settings, catalog, store, removed, report)
    if settings.chroma_url:
        report.warnings.append(
            "the Chroma server may keep deleted text in free pages of its own files until "
            "`chroma vacuum --path DIR` is run on the server"
        )
    else:
        _vacuum_chroma(settings, report)
    # A context key names a document's country, title and headings: keep only those still used.
    catalog.prune_contexts({k for p, _ in catalog.iter_passages() if (k := context_key(p.data))})
    _vacuum_catalog(catalog, report)
    _remove_stale_folders(settings, report)


def _log_holds(settings: Settings, ids: list[str]) -> bool | None:
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
    settings: Settings, catalog: Catalog, store: ChromaStore, removed: list[str], report: DeletionReport
) -> None:
    """Write kept passages again until Chroma has saved its vector index and dropped its log."""
    if not removed or _log_holds(settings, removed) is False:
        report.purged.append("chroma log")
        return
    hnsw = (store.collection.configuration or {}).get("hnsw") or {}
    threshold = int(hnsw.get("sync_threshold") or 1000)
    kept = [r[0] for r in catalog.conn.execute("SELECT id FROM passages ORDER BY id LIMIT ?", (threshold,))]
    if not kept:
        # Nothing left to write again: a new, empty collection has no log.
        store.recreate()
        report.purged.append("chroma log (collection recreated empty)")
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
        holds = _log_holds(settings, removed)
        if holds is False or (holds is None and written >= threshold):
            report.purged.append("chroma log")
            return
    report.warnings.append("Chroma's log may still hold deleted text (it did not save its index in time)")


def _with_retries(con: sqlite3.Connection, sql: str) -> Any:
    for attempt in range(_BUSY_RETRIES):
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(0.05 * (attempt + 1))
    return con.execute(sql).fetchall()


def _vacuum_chroma(settings: Settings, report: DeletionReport) -> None:
    """Optimise Chroma's full-text index (drops deleted entries) and rewrite its SQLite file."""
    db = settings.chroma_path() / CHROMA_DB
    con = sqlite3.connect(str(db), timeout=30, isolation_level=None)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "embedding_fulltext_search" in tables:
            _with_retries(
                con, "INSERT INTO embedding_fulltext_search(embedding_fulltext_search) VALUES('optimize')"
            )
        _with_retries(con, "VACUUM")
        report.purged.append("chroma sqlite")
    except sqlite3.Error as e:
        report.warnings.append(
            f"Chroma's SQLite file could not be vacuumed ({e}); run `chroma vacuum --path {settings.chroma_path()}`"
        )
    finally:
        con.close()
    _remove_orphan_segments(settings, report)


def _remove_orphan_segments(settings: Settings, report: DeletionReport) -> None:
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
            report.purged.append(f"orphan vector folder {folder.name}")


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True


def _vacuum_catalog(catalog: Catalog, report: DeletionReport) -> None:
    con = catalog.conn
    _with_retries(con, "PRAGMA wal_checkpoint(TRUNCATE)")
    _with_retries(con, "VACUUM")
    busy = _with_retries(con, "PRAGMA wal_checkpoint(TRUNCATE)")
    if busy and busy[0][0]:
        report.warnings.append(
            "a reader kept the catalog's write-ahead log busy; it is emptied on the next write"
        )
    else:
        report.purged.append("catalog")


def _remove_stale_folders(settings: Settings, report: DeletionReport) -> None:
    """BM25 folders a killed run left behind (``lexical.tmp-*``, ``lexical.old-*``)."""
    for folder in settings.index_dir.glob("lexical.*-*"):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            report.purged.append(f"stale folder {folder.name}")
