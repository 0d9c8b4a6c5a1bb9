"""Indexes of 10k, 100k and 1M passages made from a real index, without embedding anything.

Embedding a million passages is out of reach on 2 cores, so a larger index is made from the real
passages of a source index (its catalog: text, metadata, vector), exactly like this:

* documents of the source are taken in a fixed shuffled order (seed 7) and their passages
  appended until N passages are reached (the last document may be cut short);
* when the source runs out it is taken again as a new *copy* c = 1, 2, ...: every id and doc_id
  gets the prefix ``x{c}:``, the file becomes ``synthetic/copy{c}/...``, the text and metadata
  stay the same, and the vector becomes ``normalise(v + 0.01 * g)`` with ``g`` standard normal
  noise from ``numpy.random.default_rng(c)`` (cosine to the original about 0.98, so the copies
  are distinct points for HNSW but sit where real passages sit);
* the passages are written through the library's own classes, in batches of 5,000: Chroma first
  (``ChromaStore.upsert``), then the catalog (``Catalog.apply``, one transaction per batch), and
  the BM25 index is built from the catalog at the end (``indexer.writer.refresh_lexical``), as
  ``hrsearch index`` does.

The result is an ordinary index: ``hrsearch serve --index-dir DIR`` opens it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

NOISE = 0.01
SHUFFLE_SEED = 7
BATCH = 5000


def read_source(catalog_path: Path) -> tuple[list[str], dict[str, list[tuple[Any, ...]]]]:
    """The source's documents in shuffled order and their passage rows, read-only."""
    conn = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    q = "SELECT id, doc_id, text, text_sha, data_json, embedding FROM passages ORDER BY doc_id, seq"
    for r in conn.execute(q):
        rows[r[1]].append(r)
    conn.close()
    docs = sorted(rows)
    np.random.default_rng(SHUFFLE_SEED).shuffle(docs)
    return docs, rows


def _copy(row: tuple[Any, ...], c: int) -> tuple[str, str, str, str, dict[str, Any], np.ndarray]:
    pid, doc_id, text, sha, data_json, blob = row
    data = json.loads(data_json)
    vec = np.frombuffer(blob, dtype=np.float32)
    if c:
        pid, doc_id = f"x{c}:{pid}", f"x{c}:{doc_id}"
        data.update(id=pid, doc_id=doc_id, file=f"synthetic/copy{c}/{data.get('file', '')}")
    data["text"] = text
    return pid, doc_id, text, sha, data, vec


def build(source: str, index_dir: str, n: int) -> dict[str, Any]:
    """Child task: write an index of ``n`` passages at ``index_dir`` from the catalog ``source``."""
    from hrsearch.settings import Settings
    from indexer.catalog import Catalog, NewDocument
    from indexer.config import CATALOG_FILE, index_config
    from indexer.store import ChromaStore
    from indexer.writer import refresh_lexical

    t0 = time.perf_counter()
    docs, rows = read_source(Path(source))
    total_source = sum(len(v) for v in rows.values())
    t_read = time.perf_counter() - t0
    out = Path(index_dir)
    shutil.rmtree(out, ignore_errors=True)
    settings = Settings(index_dir=out, chroma_url="")
    config = index_config(settings)
    catalog = Catalog(out / CATALOG_FILE)
    catalog.ensure_config(config)
    catalog.set_meta("dimension", str(len(np.frombuffer(rows[docs[0]][0][5], dtype=np.float32))))
    store = ChromaStore(settings, config, create=True)
    timing = {"read_source_s": t_read, "chroma_s": 0.0, "catalog_s": 0.0, "noise_s": 0.0}
    written, copy = 0, 0
    pending: list[NewDocument] = []
    pending_n = 0

    def flush() -> None:
        nonlocal pending, pending_n
        passages = [p for d in pending for p in d.passages]
        t = time.perf_counter()
        store.upsert(
            [p[0] for p in passages],
            np.stack([p[4] for p in passages]),
            [p[1] for p in passages],
            [p[3] for p in passages],
        )
        timing["chroma_s"] += time.perf_counter() - t
        t = time.perf_counter()
        catalog.apply(pending, [(d.path, f"synthetic-{d.doc_id}", d.doc_id) for d in pending], [])
        timing["catalog_s"] += time.perf_counter() - t
        pending, pending_n = [], 0

    while written < n:
        rng = np.random.default_rng(copy)
        for doc in docs:
            if written >= n:
                break
            take = rows[doc][: n - written]
            t = time.perf_counter()
            made = [_copy(r, copy) for r in take]
            if copy:
                vecs = np.stack([m[5] for m in made]) + NOISE * rng.standard_normal(
                    (len(made), made[0][5].size), dtype=np.float32
                )
                vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            else:
                vecs = np.stack([m[5] for m in made])
            timing["noise_s"] += time.perf_counter() - t
            doc_id = made[0][1]
            path = made[0][4].get("file") or f"synthetic/copy{copy}/{doc}"
            pending.append(
                NewDocument(
                    doc_id=doc_id,
                    path=f"{path}#{doc_id}",
                    meta={"file": path},
                    passages=[(m[0], m[2], m[3], m[4], v) for m, v in zip(made, vecs, strict=True)],
                )
            )
            pending_n += len(made)
            written += len(made)
            if pending_n >= BATCH:
                flush()
        copy += 1
    if pending:
        flush()
    copy_contexts(catalog, Path(source))
    t = time.perf_counter()
    refresh_lexical(catalog, out, force=True)
    timing["bm25_s"] = time.perf_counter() - t
    catalog.set_meta("dirty", "0")
    count = catalog.passage_count()
    catalog.close()
    assert store.count() == count == n, (store.count(), count, n)
    return {
        "passages": n,
        "source_passages": total_source,
        "copies": copy,
        "seconds": round(time.perf_counter() - t0, 1),
        **{k: round(v, 1) for k, v in timing.items()},
        "disk_mib": {p.name: round(_du(p) / 2**20, 1) for p in out.iterdir()},
    }


def _du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


STAMP = "synthetic.json"


def copy_contexts(catalog: Any, source: Path) -> int:
    """Give a synthetic index the source's context vectors (``indexer.context``): its copies have
    the source's records, hence its context keys. Returns how many were copied."""
    from indexer.context import CONTEXT_VERSION

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        rows = src.execute("SELECT key, embedding FROM contexts").fetchall()
    except sqlite3.OperationalError:  # a source made before context vectors: embedded on first use
        rows = []
    finally:
        src.close()
    catalog.add_contexts({k: np.frombuffer(b, dtype=np.float32) for k, b in rows})
    if rows:
        catalog.set_meta("contexts", CONTEXT_VERSION)
    return len(rows)


def ensure_lexical(index_dir: str) -> bool:
    """Rebuild a synthetic index's saved BM25 index when it is stale or of an older
    ``LEXICAL_VERSION`` (readers would otherwise rebuild it in memory on every start, and a
    memory figure would include that). Returns whether it was rebuilt."""
    from indexer.catalog import Catalog
    from indexer.config import CATALOG_FILE
    from indexer.writer import refresh_lexical

    catalog = Catalog(Path(index_dir) / CATALOG_FILE)
    try:
        return refresh_lexical(catalog, Path(index_dir)) is not None
    finally:
        catalog.close()


def ensure_contexts(index_dir: str, source: str) -> int:
    """``copy_contexts`` into a synthetic index built before context vectors existed (0 if it has them)."""
    from indexer.catalog import Catalog
    from indexer.config import CATALOG_FILE

    catalog = Catalog(Path(index_dir) / CATALOG_FILE)
    try:
        if catalog.get_meta("contexts"):
            return 0
        return copy_contexts(catalog, Path(source))
    finally:
        catalog.close()


def restamp(index_dir: str) -> bool:
    """Record the current index configuration in a synthetic index built under an older one.

    A synthetic index's passages do not come from this code's segmenter, so its recorded
    configuration is only a label; when colleagues bump the segmenter version, relabelling spares
    rebuilding a million passages. Returns whether anything changed.
    """
    import chromadb

    from hrsearch.settings import Settings
    from indexer.catalog import Catalog
    from indexer.config import CATALOG_FILE, index_config

    settings = Settings(index_dir=Path(index_dir), chroma_url="")
    wanted = json.dumps(index_config(settings), sort_keys=True)
    catalog = Catalog(Path(index_dir) / CATALOG_FILE)
    try:
        if catalog.get_meta("config") == wanted:
            return False
        catalog.set_meta("config", wanted)
    finally:
        catalog.close()
    client = chromadb.PersistentClient(
        path=str(settings.chroma_path()), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    client.get_collection(settings.collection).modify(metadata={"hrsearch_config": wanted})
    return True


def stamp_ok(index_dir: Path, source: Path, n: int) -> bool:
    """Whether ``index_dir`` already holds the synthetic index of ``n`` passages from ``source``."""
    f = index_dir / STAMP
    if not f.exists():
        return False
    s = json.loads(f.read_text())
    return bool(s.get("source") == str(source) and s.get("passages") == n)


def write_stamp(index_dir: Path, source: Path, info: dict[str, Any]) -> None:
    (index_dir / STAMP).write_text(json.dumps({"source": str(source), **info}))
