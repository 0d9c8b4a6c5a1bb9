"""Incremental indexing: files -> documents -> passages -> vectors -> the index.

Files are read and segmented here, passages embedded (each distinct text once; vectors already
in the catalog are reused) and tagged, and written in batches through ``IndexWriter``, which
keeps the catalog, Chroma and BM25 in step in an order a crash cannot leave half-done
(``indexer.writer``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.loader import check_name, find_documents, shown_path
from corpus.sandbox import load_document_limited
from hrsearch.errors import CorpusError
from hrsearch.settings import Settings
from indexer.config import CATALOG_FILE
from indexer.context import context_key
from indexer.crosslingual import FOREIGN, encoder_for
from indexer.embedder import Embedder
from indexer.progress import Progress
from indexer.records import passage_record, text_sha
from indexer.segmentation import segment
from indexer.writer import IndexWriter, NewDocument, open_writer, remove_index, write_lock

__all__ = ["CATALOG_FILE", "IndexReport", "fingerprint", "remove_index", "run_index", "write_lock"]

FLUSH_PASSAGES = 2048  # passages gathered before one embed + write round
EMBED_CHUNK = 1024  # texts per model call within a round, so that progress moves during a big file


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


def fingerprint(path: Path) -> str:
    """Content hash of a file and its sidecar, computed without parsing the file."""
    from corpus.loader import content_hash

    return content_hash(path)


class _Run:
    """One index run's batches: gathered files, embedded and written a batch at a time."""

    def __init__(
        self,
        settings: Settings,
        embedder: Callable[[], Embedder],
        report: IndexReport,
        writer: IndexWriter,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.progress = progress
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self._crosslingual: Embedder | bool | None = False  # False: not looked up yet
        self.report = report
        self.writer = writer
        self.pending: list[tuple[str, str, Any, list[dict[str, Any]]]] = []  # (path, hash, doc, records)
        self.pending_passages = 0

    @property
    def crosslingual(self) -> Embedder | None:
        """The encoder of passages not in English into the index model's space (None when no
        map ships for the index model)."""
        if self._crosslingual is False:
            self._crosslingual = encoder_for(self.embedder.name, self.embedder.dimension)
        return self._crosslingual  # type: ignore[return-value]

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self.report.stage("model_load"):
                self._embedder = self._embedder_factory()
            self.writer.check_dimension(self._embedder.dimension)
        return self._embedder

    def add(self, path: str, chash: str, doc: Any, records: list[dict[str, Any]], nbytes: int = 0) -> None:
        if self.progress is not None:
            self.progress.reading(nbytes)
        self.pending.append((path, chash, doc, records))
        self.pending_passages += len(records)
        if self.pending_passages >= FLUSH_PASSAGES:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        pending, self.pending, self.pending_passages = self.pending, [], 0
        fresh = [
            (path, doc, recs) for path, _, doc, recs in pending if not self.writer.has_document(doc.doc_id)
        ]
        # Embed each distinct text once; reuse vectors already in the catalog.
        new_records = [r for _, _, recs in fresh for r in recs]
        shas = {text_sha(r["text"]) for r in new_records}
        vectors = self.writer.vectors_for_texts(shas)
        missing = sorted(shas - set(vectors))
        if missing:
            by_sha = {text_sha(r["text"]): r["text"] for r in new_records}
            # A passage not in English is embedded with multilingual-e5 mapped into the index
            # model's space (``indexer.crosslingual``), so that queries in any language find it.
            lang = {text_sha(r["text"]): r.get("language") for r in new_records}
            foreign = [s for s in missing if lang[s] in FOREIGN] if self.crosslingual is not None else []
            own = [s for s in missing if s not in set(foreign)]
            if own:
                vectors.update(zip(own, self.embed([by_sha[s] for s in own]), strict=True))
            if foreign and self.crosslingual is not None:
                with self.report.stage("embed"):
                    mapped = self.crosslingual.embed_passages([by_sha[s] for s in foreign])
                vectors.update(zip(foreign, mapped, strict=True))
            self.report.passages_embedded += len(missing)
        self.report.contexts_embedded += self.writer.store_contexts(
            {k for r in new_records if (k := context_key(r))}, self.embed
        )
        with self.report.stage("tag"):
            self._tag(new_records, vectors, models=self.settings.tag_passages)
        new_docs = [
            NewDocument(
                doc_id=doc.doc_id,
                path=path,
                meta=doc.meta.to_dict() | {"file": path, "warnings": doc.warnings},
                passages=[
                    (r["id"], r["text"], text_sha(r["text"]), r, vectors[text_sha(r["text"])]) for r in recs
                ],
            )
            for path, doc, recs in fresh
        ]
        removed, added = self.writer.write(
            new_docs, [(p, h, doc.doc_id) for p, h, doc, _ in pending], timer=self.report.stage
        )
        self.report.passages_added += added
        self.report.passages_removed += len(removed)
        self.report.files_indexed += len(pending)
        if self.progress is not None:
            self.progress.written(len(pending), self.writer.passage_count())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors of ``texts``, timed as the ``embed`` stage (the model load apart)."""
        model = self.embedder
        texts = list(texts)
        if self.progress is None or len(texts) <= EMBED_CHUNK:
            with self.report.stage("embed"):
                return np.asarray(model.embed_passages(texts))
        parts = []
        for i in range(0, len(texts), EMBED_CHUNK):
            chunk = texts[i : i + EMBED_CHUNK]
            with self.report.stage("embed"):
                parts.append(np.asarray(model.embed_passages(chunk)))
            self.progress.embedded(i + len(chunk), len(texts), len(chunk))
        return np.concatenate(parts)

    def _tag(self, records: list[dict[str, Any]], vectors: dict[str, np.ndarray], *, models: bool) -> None:
        """Themes in the one vocabulary and the strength of wording on every passage: the data's
        labels and categories, and (``models``: setting ``tag_passages``) the theme tagger's and
        the strength model's from the vectors already computed, where the data has none."""
        if not records:
            return
        from indexer.strength import StrengthUnavailableError, load_strength_model, strength_records
        from indexer.tagger import TaggerUnavailableError, load_tagger, tag_records

        matrix = np.stack([vectors[text_sha(r["text"])] for r in records]) if models else None
        if models:
            for name, load, error in (
                ("tagger", load_tagger, TaggerUnavailableError),
                ("strength model", load_strength_model, StrengthUnavailableError),
            ):
                try:
                    load()
                except error as e:
                    self.report.warnings.append({"path": name, "warning": str(e)})
        tag_records(records, matrix)
        strength_records(records, matrix)

    def prune(self, removed_paths: list[str]) -> None:
        if not removed_paths:
            return
        removed = self.writer.remove_files(removed_paths)
        self.report.files_removed += len(removed_paths)
        self.report.passages_removed += len(removed)


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
    with open_writer(settings, rebuild=rebuild) as writer:
        tracker = Progress(settings.index_dir)
        run = _Run(settings, embedder, report, writer, tracker)
        roots = [p.resolve() for p in paths]
        writer.add_roots(str(r) for r in roots if r.exists() and str(r) == shown_path(r))
        files, refused = find_documents(roots)
        report.files_seen = len(files) + len(refused)
        report.files_failed += [{"path": e.path, "error": e.reason} for e in refused]
        known = writer.file_hashes()
        hashes, sizes = _fingerprints(files)
        todo = [f for f in files if known.get(str(f)) != hashes.get(f)]
        tracker.plan(len(files), sum(sizes.get(f, 0) for f in todo), writer.passage_count())
        for f in _progress(files, progress):
            key = str(f)
            try:
                check_name(f)
                if known.get(key) == (hashes.get(f) or fingerprint(f)):
                    report.files_unchanged += 1
                    tracker.skipped()
                    continue
                with report.stage("read"):
                    doc = load_document_limited(f, settings)
                with report.stage("segment"):
                    passages = segment(doc, settings)
                if not passages:
                    raise CorpusError(f, "no passages found (no text to index)")
            except CorpusError as e:
                report.files_failed.append({"path": shown_path(f), "error": e.reason})
                tracker.skipped(sizes.get(f, 0))
                continue
            except (OSError, MemoryError, RecursionError) as e:
                report.files_failed.append({"path": shown_path(f), "error": f"{e.__class__.__name__}: {e}"})
                tracker.skipped(sizes.get(f, 0))
                continue
            for w in doc.warnings:
                report.warnings.append({"path": key, "warning": w})
            # The hash recorded is the hash of the bytes parsed (and of the sidecar read with them),
            # not of the read that found the file changed: if the file was rewritten in between,
            # the next run sees a difference and reads it again instead of keeping a torn copy.
            run.add(
                key, doc.content_hash, doc, [passage_record(p, doc, key) for p in passages], sizes.get(f, 0)
            )
        run.flush()
        if prune:
            seen = {str(f) for f in files}
            run.prune(
                sorted(
                    p
                    for p in writer.file_hashes()
                    if p not in seen and (_under(p, roots) or not Path(p).exists())
                )
            )
        with report.stage("bm25"):
            writer.refresh_lexical()
        report.contexts_embedded += writer.refresh_contexts(run.embed)
        writer.mark_clean()
        report.passages_total = writer.passage_count()
        report.documents_total = writer.document_count()
        report.generation = writer.generation
        tracker.finish(report.passages_total)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _fingerprints(files: list[Path]) -> tuple[dict[Path, str], dict[Path, int]]:
    """Content hash and size of each file that can be read (a file that cannot fails later, in
    the loop, with its error): the run knows what it has to do before it starts."""
    hashes: dict[Path, str] = {}
    sizes: dict[Path, int] = {}
    for f in files:
        try:
            sizes[f] = f.stat().st_size
            hashes[f] = fingerprint(f)
        except OSError:
            continue
    return hashes, sizes


def _progress(files: list[Path], enabled: bool) -> Any:
    if not enabled:
        return files
    from tqdm import tqdm

    return tqdm(files, desc="indexing", unit="file", dynamic_ncols=True)
