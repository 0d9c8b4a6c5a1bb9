"""Incremental indexing: files -> documents -> passages -> vectors -> catalog, Chroma, BM25.

Order of writes for each batch of files, chosen so that a crash at any point is repaired by the
next run and never loses what was already indexed:

1. mark the index ``dirty`` in the catalog;
2. upsert the new passages into Chroma (idempotent: ids are stable);
3. commit the catalog transaction (new passages and file records in, replaced ones out);
4. delete the replaced passages from Chroma.

A run that starts on a dirty index first reconciles Chroma with the catalog (same ids). The BM25
index is rebuilt from the catalog whenever its stamp differs from the catalog generation.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.loader import discover
from corpus.sandbox import load_document_limited
from hrsearch.errors import CorpusError, IndexLocked
from hrsearch.settings import Settings
from indexer.catalog import Catalog, NewDocument, check_config
from indexer.config import CATALOG_FILE, LOCK_FILE, index_config
from indexer.context import CONTEXT_VERSION, context_key
from indexer.embedder import Embedder
from indexer.lexical import LexicalIndex, lexical_document
from indexer.records import passage_record, text_sha
from indexer.segmentation import segment
from indexer.store import ChromaStore

FLUSH_PASSAGES = 2048  # passages gathered before one embed + write round


@dataclass
class IndexReport:
    """The outcome of one ``hrsearch index`` run (printed as JSON with ``--json``)."""

    files_seen: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_failed: list[dict[str, str]] = field(default_factory=list)
    files_removed: int = 0
    passages_added: int = 0
    passages_removed: int = 0
    passages_embedded: int = 0
    contexts_embedded: int = 0  # context keys embedded (a few per document; ``indexer.context``)
    # Wall time per stage (read, segment, model_load, embed, tag, chroma, catalog, bm25): where an
    # index run's time goes, for BENCHMARKS.md and for anyone wondering why a run is slow.
    stage_seconds: dict[str, float] = field(default_factory=dict)
    passages_total: int = 0
    documents_total: int = 0
    warnings: list[dict[str, str]] = field(default_factory=list)
    generation: int = 0
    index_dir: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the wall time of the enclosed block to ``stage_seconds[name]``."""
        t = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = round(self.stage_seconds.get(name, 0.0) + time.perf_counter() - t, 3)


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


def fingerprint(path: Path) -> str:
    """Content hash of a file and its sidecar, computed without parsing the file."""
    from corpus.loader import content_hash

    return content_hash(path)


def remove_index(settings: Settings) -> None:
    """Delete an index entirely (catalog, BM25, Chroma collection)."""
    from indexer.store import make_client

    for name in (CATALOG_FILE, CATALOG_FILE + "-wal", CATALOG_FILE + "-shm"):
        (settings.index_dir / name).unlink(missing_ok=True)
    shutil.rmtree(settings.index_dir / "lexical", ignore_errors=True)
    with contextlib.suppress(Exception):  # a missing collection is what we want
        make_client(settings).delete_collection(settings.collection)


class _Run:
    def __init__(
        self,
        settings: Settings,
        embedder: Callable[[], Embedder],
        report: IndexReport,
        catalog: Catalog,
        store: ChromaStore,
    ) -> None:
        self.settings = settings
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self.report = report
        self.catalog = catalog
        self.store = store
        self.pending: list[tuple[str, str, Any, list[dict[str, Any]]]] = []  # (path, hash, doc, records)
        self.pending_passages = 0

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self.report.stage("model_load"):
                self._embedder = self._embedder_factory()
            dim = self.catalog.get_meta("dimension")
            if dim is not None and int(dim) != self._embedder.dimension:
                check_config(
                    {"dimension": int(dim)},
                    {"dimension": self._embedder.dimension},
                    where=str(self.catalog.path),
                )
        return self._embedder

    def add(self, path: str, chash: str, doc: Any, records: list[dict[str, Any]]) -> None:
        self.pending.append((path, chash, doc, records))
        self.pending_passages += len(records)
        if self.pending_passages >= FLUSH_PASSAGES:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending, self.pending_passages = self.pending, [], 0
        # Embed each distinct text once; reuse vectors already in the catalog.
        new_records = [r for _, _, doc, recs in pending if not self._known_doc(doc.doc_id) for r in recs]
        shas = {text_sha(r["text"]) for r in new_records}
        vectors = self.catalog.embeddings_for_shas(shas)
        missing = sorted(shas - set(vectors))
        if missing:
            by_sha = {text_sha(r["text"]): r["text"] for r in new_records}
            encoded = self.embed([by_sha[s] for s in missing])
            vectors.update(zip(missing, encoded, strict=True))
            self.report.passages_embedded += len(missing)
            if self.catalog.get_meta("dimension") is None:
                self.catalog.set_meta("dimension", str(self.embedder.dimension))
        self.report.contexts_embedded += store_missing_contexts(
            self.catalog, {k for r in new_records if (k := context_key(r))}, self.embed
        )
        if self.settings.tag_passages:
            with self.report.stage("tag"):
                self._tag(
                    [r for _, _, doc, recs in pending if not self._known_doc(doc.doc_id) for r in recs],
                    vectors,
                )
        new_docs: list[NewDocument] = []
        for path, _, doc, recs in pending:
            if self._known_doc(doc.doc_id):
                continue
            new_docs.append(
                NewDocument(
                    doc_id=doc.doc_id,
                    path=path,
                    meta=doc.meta.to_dict() | {"file": path, "warnings": doc.warnings},
                    passages=[
                        (r["id"], r["text"], text_sha(r["text"]), r, vectors[text_sha(r["text"])])
                        for r in recs
                    ],
                )
            )
        self.catalog.set_meta("dirty", "1")
        upsert = [p for d in new_docs for p in d.passages]
        if upsert:
            with self.report.stage("chroma"):
                self.store.upsert(
                    [p[0] for p in upsert],
                    np.stack([p[4] for p in upsert]),
                    [p[1] for p in upsert],
                    [p[3] for p in upsert],
                )
        with self.report.stage("catalog"):
            removed, added = self.catalog.apply(
                new_docs, [(p, h, doc.doc_id) for p, h, doc, _ in pending], []
            )
        with self.report.stage("chroma"):
            self.store.delete(removed)
        self.report.passages_added += added
        self.report.passages_removed += len(removed)
        self.report.files_indexed += len(pending)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors of ``texts``, timed as the ``embed`` stage (the model load apart)."""
        model = self.embedder
        with self.report.stage("embed"):
            return np.asarray(model.embed_passages(list(texts)))

    def _tag(self, records: list[dict[str, Any]], vectors: dict[str, np.ndarray]) -> None:
        """Theme tags on every passage from the vectors already computed (labels from the data win)."""
        if not records:
            return
        from indexer.tagger import TaggerUnavailableError, merge_tags, tag_passages

        try:
            tags = tag_passages(
                [r["text"] for r in records], np.stack([vectors[text_sha(r["text"])] for r in records])
            )
        except TaggerUnavailableError as e:
            self.report.warnings.append({"path": "tagger", "warning": str(e)})
            return
        for r, model_tags in zip(records, tags, strict=True):
            r["labels"] = list(r.get("themes") or [])  # the data's own themes, exactly as given
            r["themes"], r["tags"] = merge_tags(r["labels"], model_tags)

    def _known_doc(self, doc_id: str) -> bool:
        return self.catalog.document(doc_id) is not None

    def prune(self, removed_paths: list[str]) -> None:
        if not removed_paths:
            return
        self.catalog.set_meta("dirty", "1")
        removed, _ = self.catalog.apply([], [], removed_paths)
        self.store.delete(removed)
        self.report.files_removed += len(removed_paths)
        self.report.passages_removed += len(removed)


def reconcile(catalog: Catalog, store: ChromaStore) -> tuple[int, int]:
    """Make Chroma hold exactly the catalog's passages; return (deleted, restored) counts."""
    in_chroma = store.all_ids()
    in_catalog = catalog.passage_ids()
    extra = sorted(in_chroma - in_catalog)
    missing = sorted(in_catalog - in_chroma)
    store.delete(extra)
    for i in range(0, len(missing), 2000):
        chunk = missing[i : i + 2000]
        ps = catalog.get_passages(chunk)
        vecs = catalog.get_embeddings(chunk)
        store.upsert(
            chunk,
            np.stack([vecs[i] for i in chunk]),
            [ps[i].text for i in chunk],
            [ps[i].data for i in chunk],
        )
    return len(extra), len(missing)


def refresh_lexical(catalog: Catalog, index_dir: Path, force: bool = False) -> LexicalIndex | None:
    """Rebuild the BM25 index from the catalog if its stamp is not the catalog's generation."""
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


def store_missing_contexts(
    catalog: Catalog, keys: set[str], embed: Callable[[Sequence[str]], np.ndarray]
) -> int:
    """Embed and store the context ``keys`` the catalog does not hold yet; how many there were."""
    missing = sorted(keys - set(catalog.context_vectors(keys)))
    for i in range(0, len(missing), FLUSH_PASSAGES):
        part = missing[i : i + FLUSH_PASSAGES]
        catalog.add_contexts(dict(zip(part, embed(part), strict=True)))
    return len(missing)


def refresh_contexts(catalog: Catalog, embed: Callable[[Sequence[str]], np.ndarray]) -> int:
    """Embed the context key of every passage that has none stored (an index made before context
    vectors existed); a no-op once done. Returns how many keys were embedded."""
    if catalog.get_meta("contexts") == CONTEXT_VERSION:
        return 0
    keys = {k for p, _ in catalog.iter_passages() if (k := context_key(p.data))}
    n = store_missing_contexts(catalog, keys, embed)
    catalog.set_meta("contexts", CONTEXT_VERSION)
    return n


def _under(path: str, roots: list[Path]) -> bool:
    p = Path(path)
    return any(p == r or r in p.parents for r in roots)


def run_index(
    paths: list[Path],
    settings: Settings,
    embedder: Callable[[], Embedder],
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: bool = False,
) -> IndexReport:
    """Index ``paths`` (files or folders) incrementally into ``settings.index_dir``."""
    t0 = time.perf_counter()
    report = IndexReport(index_dir=str(settings.index_dir))
    config = index_config(settings)
    with write_lock(settings.index_dir):
        if rebuild:
            remove_index(settings)
        catalog = Catalog(settings.index_dir / CATALOG_FILE)
        store: ChromaStore | None = None
        try:
            catalog.ensure_config(config)
            store = ChromaStore(settings, config, create=True)
            if catalog.get_meta("dirty") == "1" or store.count() != catalog.passage_count():
                reconcile(catalog, store)
            run = _Run(settings, embedder, report, catalog, store)
            roots = [p.resolve() for p in paths]
            files = discover(roots)
            report.files_seen = len(files)
            known = catalog.file_hashes()
            bar = _progress(files, progress)
            for f in bar:
                key = str(f)
                try:
                    chash = fingerprint(f)
                    if known.get(key) == chash:
                        report.files_unchanged += 1
                        continue
                    with report.stage("read"):
                        doc = load_document_limited(f, settings)
                    with report.stage("segment"):
                        passages = segment(doc, settings)
                    if not passages:
                        raise CorpusError(f, "no passages found (no text to index)")
                except CorpusError as e:
                    report.files_failed.append({"path": key, "error": e.reason})
                    continue
                except (OSError, MemoryError, RecursionError) as e:
                    report.files_failed.append({"path": key, "error": f"{e.__class__.__name__}: {e}"})
                    continue
                for w in doc.warnings:
                    report.warnings.append({"path": key, "warning": w})
                run.add(key, chash, doc, [passage_record(p, doc, key) for p in passages])
            run.flush()
            if prune:
                seen = {str(f) for f in files}
                run.prune(
                    sorted(
                        p
                        for p in catalog.file_hashes()
                        if p not in seen and (_under(p, roots) or not Path(p).exists())
                    )
                )
            with report.stage("bm25"):
                refresh_lexical(catalog, settings.index_dir)
            report.contexts_embedded += refresh_contexts(catalog, run.embed)
            catalog.set_meta("dirty", "0")
            report.passages_total = catalog.passage_count()
            report.documents_total = catalog.document_count()
            report.generation = catalog.generation
        finally:
            if store is not None:
                store.close()
            catalog.close()
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _progress(files: list[Path], enabled: bool) -> Any:
    if not enabled:
        return files
    from tqdm import tqdm

    return tqdm(files, desc="indexing", unit="file", dynamic_ncols=True)
