"""What may be in an index folder, checked before anything in it is opened, created or deleted.

``--index-dir`` can point anywhere: at a file, under a file, under ``/proc``, at a folder of
another program's files, at a ``catalog.sqlite`` some other program wrote. Opening such a place
as an index would create files in it, switch a foreign SQLite file to WAL mode for good, or
delete a ``lexical/`` folder that is not ours (``--rebuild``). ``check_folder`` refuses all of
these with ``IndexUnusable`` and touches nothing: a folder is an index when its
``catalog.sqlite`` is an hrsearch catalog (checked read-only), and may become one when it does
not exist yet or holds nothing but what an interrupted first run or rebuild leaves (the locks and
an embedded Chroma folder).
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from hrsearch.errors import IndexUnusable
from indexer.config import CATALOG_FILE, LOCK_FILE

# What an index folder without a catalog may hold: what a first run or a rebuild killed before
# writing its catalog leaves behind.
_OWN_WITHOUT_CATALOG = frozenset({LOCK_FILE, "chroma.lock", "chroma.intent", "chroma"})
# Files a run leaves beside its catalog (its progress, a killed BM25 save's folders): ours, and
# what a rebuild killed just after it removed the catalog may leave without one.
_LEFTOVERS = re.compile(r"progress\.json|progress\.tmp[0-9]+|lexical\.(tmp|old)-[0-9]+")
_CHROMA_FILES = re.compile(r"chroma\.sqlite3(-wal|-shm|-journal)?|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
# The catalog's own tables and the columns every version of it has had.
_CATALOG_COLUMNS = {
    "meta": {"key", "value"},
    "files": {"path", "content_hash", "doc_id"},
    "documents": {"doc_id", "path", "meta_json"},
    "passages": {"id", "doc_id", "text", "data_json", "embedding"},
}


def check_folder(index_dir: Path, *, create: bool) -> bool:
    """Whether ``index_dir`` holds an hrsearch catalog; ``IndexUnusable`` when it cannot be an
    index. ``create``: make the folder if it does not exist (a writer about to build one)."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexUnusable(
            f"the index folder {index_dir} is a file, not a folder; choose another --index-dir"
        )
    if not index_dir.exists():
        if not create:
            return False
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IndexUnusable(
                f"cannot create the index folder {index_dir}: {e.strerror or e}; choose another --index-dir"
            ) from e
        return False
    try:
        entries = set(os.listdir(index_dir))
    except OSError as e:
        raise IndexUnusable(f"cannot read the index folder {index_dir}: {e.strerror or e}") from e
    if CATALOG_FILE in entries:
        check_catalog(index_dir / CATALOG_FILE)
        return True
    foreign = sorted(n for n in entries - _OWN_WITHOUT_CATALOG if not _LEFTOVERS.fullmatch(n))
    if "chroma" in entries and not foreign:
        chroma = index_dir / "chroma"
        try:
            foreign = [f"chroma/{n}" for n in sorted(os.listdir(chroma)) if not _CHROMA_FILES.fullmatch(n)]
        except OSError:
            foreign = ["chroma"]
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise IndexUnusable(
            f"{index_dir} is not an hrsearch index: it holds other files ({shown}) and no catalog.sqlite; "
            "nothing in it was touched. Choose an empty or new folder, or the folder of an existing index"
        )
    return False


def own_leftovers(index_dir: Path) -> list[Path]:
    """The files and folders of ``index_dir`` that runs leave beside the catalog (``_LEFTOVERS``)."""
    try:
        return [index_dir / n for n in sorted(os.listdir(index_dir)) if _LEFTOVERS.fullmatch(n)]
    except OSError:
        return []


def check_catalog(path: Path) -> None:
    """``IndexUnusable`` unless ``path`` is an hrsearch catalog, read without writing a byte."""
    try:
        if path.stat().st_size == 0:
            return  # created by a first run killed at once: it becomes the catalog
    except OSError as e:
        raise _foreign(path, e.strerror or str(e)) from e
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as e:
        raise _foreign(path, str(e)) from e
    try:
        tables = {
            name: {str(r[1]) for r in con.execute(f"PRAGMA table_info({name})")}
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    except sqlite3.DatabaseError as e:
        raise _foreign(path, f"not an SQLite database ({e})") from e
    finally:
        con.close()
    if not tables:
        return  # a first run killed before it made the tables: it becomes the catalog
    missing = [t for t, cols in _CATALOG_COLUMNS.items() if not cols <= tables.get(t, set())]
    if missing:
        raise _foreign(
            path, f"an SQLite database of another program (no hrsearch table {', '.join(missing)})"
        )


def _foreign(path: Path, why: str) -> IndexUnusable:
    return IndexUnusable(
        f"{path} is not an hrsearch catalog: {why}; it was left as it was. Choose another --index-dir, "
        "or move the file away to build an index there"
    )
