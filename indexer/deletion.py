"""Deleting documents so that their text is gone from the index, not only from its answers.

``delete_documents(settings, items)`` takes file paths or document ids, and under the index's
write lock removes their files, documents and passages from the catalog (one transaction), their
passages from Chroma and the BM25 index (through ``indexer.writer.IndexWriter``), and then purges what the stores
keep of deleted data (``indexer.purge``: the catalog's free pages and log, Chroma's log and
SQLite file, unused context vectors).

The purge is recorded in the catalog in the transaction that removes the passages, and cleared
when done: a deletion killed before its purge is finished by the next writer that opens the index
(``IndexWriter.recover``; the next ``hrsearch delete`` or ``hrsearch index``), and the report of
a ``delete`` that finished one lists it in ``finished``; naming it again is not "not found".

A document shared by several files (same bytes) is deleted when all of its files are named, or
when it is named by id. The files themselves are not touched: a file that still exists would be
indexed again by the next ``hrsearch index`` of its folder, and the report warns about it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hrsearch.settings import Settings
from indexer.writer import IndexWriter, open_writer


@dataclass
class DeletionReport:
    """What ``hrsearch delete`` did (printed as JSON with ``--json``)."""

    deleted: list[dict[str, Any]] = field(default_factory=list)  # {doc_id, files, passages}
    # Deletions an interrupted ``hrsearch delete`` left unpurged, purged now: {doc_id, files, passages}.
    finished: list[dict[str, Any]] = field(default_factory=list)
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
    with open_writer(settings, create=False) as writer:
        _finished(report, writer.finished_deletions)
        paths_of = writer.paths_by_document()
        files = _resolve(paths_of, items, report)
        if files:
            docs_before = {d["doc_id"]: d for d in writer.documents()}
            removed_ids = writer.remove_files(sorted(files), secure=True, purge_pending=purge)
            writer.refresh_lexical()
            writer.mark_clean()
            _describe(report, writer, docs_before, paths_of, files, removed_ids)
            if purge:
                purged, warnings = writer.purge(removed_ids)
                report.purged += purged
                report.warnings += warnings
        report.passages_total = writer.passage_count()
        report.documents_total = writer.document_count()
        report.generation = writer.generation
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _finished(report: DeletionReport, files: list[dict[str, Any]]) -> None:
    """The deletions the writer's recovery purged, one entry per document."""
    by_doc: dict[str, dict[str, Any]] = {}
    for f in files:
        entry = by_doc.setdefault(
            f["doc_id"], {"doc_id": f["doc_id"], "files": [], "passages": f["passages"]}
        )
        entry["files"].append(f["path"])
    report.finished = list(by_doc.values())
    if files:
        report.purged.append("the purge of an interrupted deletion")


def _candidates(raw: str) -> set[str]:
    return {raw, str(Path(raw).expanduser().absolute()), str(Path(raw).expanduser().resolve())}


def _resolve(by_doc: dict[str, list[str]], items: Sequence[str | Path], report: DeletionReport) -> set[str]:
    """The indexed file paths that ``items`` name (a doc id names all of its files). A name of a
    deletion finished just now (``report.finished``) is done, not "not found"."""
    known = {p for ps in by_doc.values() for p in ps}
    done = {f["doc_id"] for f in report.finished} | {p for f in report.finished for p in f["files"]}
    files: set[str] = set()
    for item in items:
        raw = str(item)
        if raw in by_doc:
            files.update(by_doc[raw])
            continue
        hit = _candidates(raw) & known
        if hit:
            files.update(hit)
        elif not _candidates(raw) & done:
            report.not_found.append(raw)
    return files


def _describe(
    report: DeletionReport,
    writer: IndexWriter,
    before: dict[str, Any],
    paths_of: dict[str, list[str]],
    files: set[str],
    removed: list[str],
) -> None:
    remaining = {d["doc_id"] for d in writer.documents()}
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
