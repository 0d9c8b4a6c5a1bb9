"""The catalog: the index's source of truth, in one SQLite file.

It holds the index configuration (model, dimension, segmentation), every indexed file with its
content hash, and every passage with its text, metadata and embedding. Chroma and the BM25 index
are projections of the catalog: each write to the catalog is one transaction that bumps a
``generation`` counter, so a crash leaves either the old or the new state, and the projections
can always be checked against it (same ids) and rebuilt from it without re-embedding.

Documents are content-addressed: two files with the same bytes share one ``doc_id`` and one set
of passages, which are removed only when no file refers to them any more.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hrsearch.errors import IndexMismatch

SCHEMA_VERSION = "1"
_BUSY_RETRIES = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    indexed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_doc ON files(doc_id);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    meta_json TEXT NOT NULL,
    n_passages INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_sha TEXT NOT NULL,
    data_json TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, seq);
CREATE INDEX IF NOT EXISTS passages_sha ON passages(text_sha);
CREATE TABLE IF NOT EXISTS contexts (key TEXT PRIMARY KEY, embedding BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS purge_passages (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS purge_files (path TEXT PRIMARY KEY, doc_id TEXT NOT NULL, passages INTEGER NOT NULL);
"""


@dataclass
class StoredPassage:
    id: str
    doc_id: str
    seq: int
    text: str
    data: dict[str, Any]


@dataclass
class CatalogSnapshot:
    """What ``Catalog.snapshot_passages`` reads in one transaction."""

    generation: int
    ids: list[str]
    texts: list[str]
    data: list[str]  # each passage's record as JSON
    documents: list[tuple[str, str, str, int]]  # (doc_id, path, meta JSON, number of passages)
    roots: list[str] = field(default_factory=list)  # the paths index runs were given (``roots``)


@dataclass
class NewDocument:
    """A document ready to be written: its metadata and its passages with embeddings."""

    doc_id: str
    path: str
    meta: dict[str, Any]
    passages: list[tuple[str, str, str, dict[str, Any], np.ndarray]]  # (id, text, text_sha, data, vector)


class Catalog:
    """SQLite-backed catalog of files, documents and passages."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        # One transaction: a process killed between two CREATE TABLEs would otherwise leave a
        # catalog with some of its tables, which the next run must refuse as another program's.
        self.conn.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}\nCOMMIT;")

    def close(self) -> None:
        self.conn.close()

    # --- configuration ---------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def roots(self) -> list[str]:
        """The absolute paths (folders or files) index runs were given, so that a file can be shown
        by its path from there (``corpus/letters/x.txt``) instead of the server's whole path."""
        raw = self.get_meta("roots")
        return list(json.loads(raw)) if raw else []

    def add_roots(self, roots: Iterable[str]) -> None:
        merged = sorted(set(self.roots()) | set(roots))
        self.set_meta("roots", json.dumps(merged))

    def delete_meta(self, key: str) -> None:
        self.conn.execute("DELETE FROM meta WHERE key=?", (key,))

    def config(self) -> dict[str, Any] | None:
        raw = self.get_meta("config")
        return None if raw is None else dict(json.loads(raw))

    def ensure_config(self, config: dict[str, Any]) -> None:
        """Record ``config`` in a new catalog, or check that an existing one was built the same way."""
        current = self.config()
        if current is None:
            self.conn.execute("BEGIN IMMEDIATE")
            self.set_meta("config", json.dumps(config, sort_keys=True))
            self.set_meta("schema", SCHEMA_VERSION)
            self.set_meta("generation", "0")
            self.set_meta("created_at", str(time.time()))
            self.set_meta("first_build", "1")  # until the first run finishes (IndexWriter.mark_clean)
            self.conn.execute("COMMIT")
            return
        check_config(current, config, where=str(self.path))

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    # --- reads -----------------------------------------------------------------------------
    def file_hashes(self) -> dict[str, str]:
        return {p: h for p, h in self.conn.execute("SELECT path, content_hash FROM files")}

    def passage_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    def document_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def passage_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM passages")}

    def embeddings_for_shas(self, shas: Iterable[str]) -> dict[str, np.ndarray]:
        """Stored vectors of passages with these text hashes (identical text is embedded once)."""
        return self._vectors_by("SELECT text_sha, embedding FROM passages WHERE text_sha", shas)

    # --- context vectors (``indexer.context``): one per distinct context key ----------------
    def context_vectors(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these context keys (those not stored are absent)."""
        return self._vectors_by("SELECT key, embedding FROM contexts WHERE key", keys)

    def _vectors_by(self, select_where: str, values: Iterable[str]) -> dict[str, np.ndarray]:
        """``{value: vector}`` for ``select_where IN (values)``, queried 500 values at a time
        (SQLite's limit on bound parameters); the first row of a value wins."""
        out: dict[str, np.ndarray] = {}
        wanted = list(set(values))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            for value, blob in self.conn.execute(f"{select_where} IN ({','.join('?' * len(chunk))})", chunk):
                out.setdefault(value, np.frombuffer(blob, dtype=np.float32))
        return out

    def add_contexts(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()]
        self._write("INSERT OR REPLACE INTO contexts(key, embedding) VALUES (?, ?)", rows)

    def all_contexts(self) -> dict[str, np.ndarray]:
        rows = self.conn.execute("SELECT key, embedding FROM contexts")
        return {k: np.frombuffer(b, dtype=np.float32) for k, b in rows}

    def prune_contexts(self, keep: set[str]) -> int:
        """Delete the context vectors whose key no passage has any more; how many went."""
        gone = [k for (k,) in self.conn.execute("SELECT key FROM contexts") if k not in keep]
        self._write("DELETE FROM contexts WHERE key = ?", [(k,) for k in gone])
        return len(gone)

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """``executemany`` in one transaction (the connection is in autocommit mode)."""
        if not rows:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(sql, rows)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def iter_passages(
        self, with_embeddings: bool = False, batch: int = 2000
    ) -> Iterator[tuple[StoredPassage, np.ndarray | None]]:
        """Every passage in (doc_id, seq) order."""
        cols = "id, doc_id, seq, text, data_json" + (", embedding" if with_embeddings else "")
        cur = self.conn.execute(f"SELECT {cols} FROM passages ORDER BY doc_id, seq")
        while rows := cur.fetchmany(batch):
            for r in rows:
                vec = np.frombuffer(r[5], dtype=np.float32) if with_embeddings else None
                yield StoredPassage(r[0], r[1], r[2], r[3], json.loads(r[4])), vec

    def snapshot_passages(self) -> CatalogSnapshot:
        """The generation, every passage's id, text and record JSON (in (doc_id, seq) order) and
        every document, read in one transaction on a connection of their own: a consistent view
        even while a writer commits meanwhile. Records stay JSON: a reader decodes the few it
        shows."""
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30.0, isolation_level=None)
        try:
            con.execute("BEGIN")
            row = con.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
            snap = CatalogSnapshot(int(row[0]) if row else 0, [], [], [], [])
            cur = con.execute("SELECT id, text, data_json FROM passages ORDER BY doc_id, seq")
            while rows := cur.fetchmany(10_000):  # no million-row list of tuples at once
                for r in rows:
                    snap.ids.append(r[0])
                    snap.texts.append(r[1])
                    snap.data.append(r[2])
            snap.documents.extend(
                con.execute("SELECT doc_id, path, meta_json, n_passages FROM documents ORDER BY path")
            )
            row = con.execute("SELECT value FROM meta WHERE key='roots'").fetchone()
            snap.roots = list(json.loads(row[0])) if row else []
            con.execute("COMMIT")
        finally:
            con.close()
        return snap

    def get_passages(self, ids: Iterable[str]) -> dict[str, StoredPassage]:
        out: dict[str, StoredPassage] = {}
        wanted = list(ids)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            q = f"SELECT id, doc_id, seq, text, data_json FROM passages WHERE id IN ({','.join('?' * len(chunk))})"
            for r in self.conn.execute(q, chunk):
                out[r[0]] = StoredPassage(r[0], r[1], r[2], r[3], json.loads(r[4]))
        return out

    def get_embeddings(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these passages (an id not in the catalog is absent)."""
        return self._vectors_by("SELECT id, embedding FROM passages WHERE id", ids)

    def document_passages(self, doc_id: str) -> list[StoredPassage]:
        q = "SELECT id, doc_id, seq, text, data_json FROM passages WHERE doc_id=? ORDER BY seq"
        return [
            StoredPassage(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in self.conn.execute(q, (doc_id,))
        ]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT path, meta_json, n_passages FROM documents WHERE doc_id=?", (doc_id,)
        ).fetchone()
        if row is None:
            return None
        return {"doc_id": doc_id, "path": row[0], "meta": json.loads(row[1]), "n_passages": row[2]}

    def documents(self) -> list[dict[str, Any]]:
        return [
            {"doc_id": d, "path": p, "meta": json.loads(m), "n_passages": n}
            for d, p, m, n in self.conn.execute(
                "SELECT doc_id, path, meta_json, n_passages FROM documents ORDER BY path"
            )
        ]

    def paths_by_document(self) -> dict[str, list[str]]:
        """The indexed file paths of each document (several files may hold the same bytes)."""
        out: dict[str, list[str]] = {}
        for p, d in self.conn.execute("SELECT path, doc_id FROM files ORDER BY path"):
            out.setdefault(d, []).append(p)
        return out

    def first_passage_ids(self, n: int) -> list[str]:
        """Up to ``n`` passage ids, in id order (passages to write again when purging Chroma's log)."""
        return [r[0] for r in self.conn.execute("SELECT id FROM passages ORDER BY id LIMIT ?", (n,))]

    # --- purging deleted rows from the file ---------------------------------------------------
    def pending_purge(self) -> tuple[list[str], list[dict[str, Any]]]:
        """What a deletion removed and has not purged from the files yet: (passage ids, the files
        removed as ``{path, doc_id, passages}``); both empty when nothing is pending."""
        ids = [r[0] for r in self.conn.execute("SELECT id FROM purge_passages ORDER BY id")]
        files = [
            {"path": p, "doc_id": d, "passages": int(n)}
            for p, d, n in self.conn.execute("SELECT path, doc_id, passages FROM purge_files ORDER BY path")
        ]
        return ids, files

    def clear_pending_purge(self) -> None:
        """The pending purge is done."""
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("DELETE FROM purge_passages")
        self.conn.execute("DELETE FROM purge_files")
        self.conn.execute("COMMIT")

    def secure_delete(self) -> None:
        """From now on, deleted rows are overwritten with zeros in the file."""
        self.conn.execute("PRAGMA secure_delete=ON")

    def vacuum(self) -> bool:
        """Rewrite the file without free pages and empty the write-ahead log; False when a reader
        kept the log busy (it is emptied on the next write)."""
        self._retry("PRAGMA wal_checkpoint(TRUNCATE)")
        self._retry("VACUUM")
        busy = self._retry("PRAGMA wal_checkpoint(TRUNCATE)")
        return not (busy and busy[0][0])

    def _retry(self, sql: str) -> Any:
        for attempt in range(_BUSY_RETRIES):
            try:
                return self.conn.execute(sql).fetchall()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                time.sleep(0.05 * (attempt + 1))
        return self.conn.execute(sql).fetchall()

    # --- writes (each one transaction, each bumps the generation) ---------------------------
    def apply(
        self,
        new_docs: list[NewDocument],
        files: list[tuple[str, str, str]],
        removed_files: list[str],
        *,
        pending_purge: bool = False,
    ) -> tuple[list[str], int]:
        """Write documents and file records, drop files; return (ids removed, passages added).

        ``files`` are (path, content_hash, doc_id) records to upsert. Passages of a document that
        no file refers to any more are deleted in the same transaction. ``pending_purge``: the
        removed passages and files are recorded as a purge to do (``pending_purge``), in the same
        transaction, so a deletion killed before its purge is finished by the next writer.
        """
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            added = 0
            before = {p: d for p, d in c.execute("SELECT path, doc_id FROM files")}
            touched_docs = {before[p] for p in removed_files if p in before}
            touched_docs |= {before[p] for p, _, _ in files if p in before}
            for doc in new_docs:
                if c.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc.doc_id,)).fetchone():
                    continue  # the same content is already indexed under another path
                c.execute(
                    "INSERT INTO documents(doc_id, path, meta_json, n_passages) VALUES (?,?,?,?)",
                    (doc.doc_id, doc.path, json.dumps(doc.meta), len(doc.passages)),
                )
                c.executemany(
                    "INSERT OR REPLACE INTO passages(id, doc_id, seq, text, text_sha, data_json, embedding) VALUES (?,?,?,?,?,?,?)",
                    [
                        (
                            pid,
                            doc.doc_id,
                            seq,
                            text,
                            sha,
                            _data_json(data),
                            np.asarray(vec, dtype=np.float32).tobytes(),
                        )
                        for seq, (pid, text, sha, data, vec) in enumerate(doc.passages)
                    ],
                )
                added += len(doc.passages)
            now = time.time()
            for path in removed_files:
                c.execute("DELETE FROM files WHERE path=?", (path,))
            c.executemany(
                "INSERT OR REPLACE INTO files(path, content_hash, doc_id, indexed_at) VALUES (?,?,?,?)",
                [(p, h, d, now) for p, h, d in files],
            )
            removed_ids: list[str] = []
            for doc_id in touched_docs:
                if c.execute("SELECT 1 FROM files WHERE doc_id=?", (doc_id,)).fetchone():
                    continue
                ids = [r[0] for r in c.execute("SELECT id FROM passages WHERE doc_id=?", (doc_id,))]
                removed_ids += ids
                c.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
                c.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
                if pending_purge:
                    c.executemany(
                        "INSERT OR IGNORE INTO purge_files(path, doc_id, passages) VALUES (?,?,?)",
                        [(p, doc_id, len(ids)) for p in removed_files if before.get(p) == doc_id],
                    )
            if pending_purge:
                c.executemany(
                    "INSERT OR IGNORE INTO purge_passages(id) VALUES (?)", [(i,) for i in removed_ids]
                )
            self.set_meta("generation", str(self.generation + 1))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return removed_ids, added


def _data_json(data: dict[str, Any]) -> str:
    """A passage's metadata as stored: everything but the text, which has its own column."""
    return json.dumps({k: v for k, v in data.items() if k != "text"})


def check_config(recorded: dict[str, Any], wanted: dict[str, Any], *, where: str) -> None:
    """Raise IndexMismatch naming every setting in which ``wanted`` differs from ``recorded``."""
    diffs = []
    for k in sorted(set(recorded) | set(wanted)):
        have, want = recorded.get(k), wanted.get(k)
        if have == want:
            continue
        if isinstance(have, dict) and isinstance(want, dict):
            # Name the part that differs ("segmentation.segmenter_version"), not the whole section.
            diffs += [
                f"{k}.{sub}: index has {have.get(sub)!r}, settings ask for {want.get(sub)!r}"
                for sub in sorted(set(have) | set(want))
                if have.get(sub) != want.get(sub)
            ]
        else:
            diffs.append(f"{k}: index has {have!r}, settings ask for {want!r}")
    if diffs:
        raise IndexMismatch(
            f"the index at {where} was built differently ({'; '.join(diffs)}). "
            "Use the settings it was built with, another HRSEARCH_INDEX_DIR, or rebuild it with "
            "`hrsearch index PATH --rebuild`."
        )
