"""Service functions for linking and alignment (no FastAPI): asks of indexed documents,
uploaded documents, and report shaping."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hrsearch.errors import CorpusError, QueryError
from hrsearch.settings import Settings
from indexer.records import citation, doc_label
from indexer.segment.asks import closing_pleasantry
from search_api import work
from search_api.alignment import (
    AlignmentReport,
    Ask,
    align,
    asks_from_passages,
    document_label,
    split_into_parts,
)
from search_api.limits import check_align, check_align_documents
from search_api.retrieval import Linker, LinkResult
from search_api.service import NotFound, hit_dict

UPLOAD_SUFFIXES = (".pdf", ".docx", ".txt", ".html", ".htm")
UPLOAD_NAME_BYTES = 200  # below the 255 bytes of a file name, with room for what a reader adds


def link_result_dict(res: LinkResult, k: int, offset: int) -> dict[str, Any]:
    return {
        "query": res.query,
        "target": res.target,
        "mode": "link",
        "filters": res.filters,
        "k": k,
        "offset": offset,
        "total": res.total,
        "took_ms": res.took_ms,
        "model": res.model,
        "index_version": res.index_version,
        "source": res.source,
        "hits": [hit_dict(h) | {"link": h.link} for h in res.hits],
    }


def indexed_asks(linker: Linker, doc_ids: list[str]) -> list[Ask]:
    """The asks of indexed documents (their paragraphs when no ask was marked), split into demands;
    a document named twice is read once, and at most ``max_align_documents`` are read.

    An ask passage that is only a closing pleasantry ("Now is the time to take action") is left
    out: the segmenter no longer makes one, and an index built before it still holds them."""
    snap = linker.searcher.snapshot()
    asks: list[Ask] = []
    for doc_id in check_align_documents(doc_ids, linker.settings):
        positions = snap.document_positions(doc_id)
        if not positions:
            raise NotFound("doc_id", f"no document {doc_id!r} in the index")
        chosen = [
            i
            for i in positions
            if snap.records[i].get("kind") == "ask" and not closing_pleasantry(snap.texts[i])
        ] or [i for i in positions if snap.records[i].get("kind") == "paragraph"]
        for i in chosen:
            r = snap.records[i]
            asks += split_into_parts(
                Ask(
                    id=r["id"],
                    text=snap.texts[i],
                    citation=citation(r),
                    file=r.get("file"),
                    context=r.get("context"),
                    document=doc_label(r),
                )
            )
    return asks


def ask_documents(linker: Linker) -> list[dict[str, Any]]:
    """Indexed documents that hold asks (letters, submissions), for the web page's picker."""
    snap = linker.searcher.snapshot()
    with_asks = snap.filters.positions("kind", "ask")
    doc_ids = dict.fromkeys(snap.records[int(i)]["doc_id"] for i in with_asks)
    out = []
    for doc_id in doc_ids:
        doc = snap.documents.get(doc_id)
        if doc is None:
            continue
        m = doc.meta
        out.append(
            {
                "doc_id": doc_id,
                "label": m.get("title") or m.get("symbol") or Path(doc.path).name,
                "author": m.get("author"),
                "file": Path(doc.path).name,
                "kind": m.get("kind"),
                "year": m.get("year"),
                "country": m.get("country"),
            }
        )
    return sorted(out, key=lambda d: str(d["label"]))


def upload_name(filename: str) -> str:
    """The name an uploaded file is read and cited under: the client's base name, without NUL
    bytes or what is not valid text, its stem shortened so that it fits a file system's name
    limit (255 bytes) with its suffix."""
    name = Path((filename or "").replace("\x00", "")).name
    name = name.encode("utf-8", "replace").decode("utf-8") or "upload.txt"
    suffix = Path(name).suffix[:16]
    stem = name[: len(name) - len(suffix)] if suffix else name
    while len((stem + suffix).encode("utf-8")) > UPLOAD_NAME_BYTES:
        stem = stem[:-1]
    return (stem or "upload") + suffix


def parse_cycle(raw: str) -> int | None:
    """A UPR cycle from a form or URL: empty is None (every cycle), 1-10 is itself, anything else
    a QueryError (``"²".isdigit()`` is true, but it is not a cycle)."""
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 10):
        raise QueryError("cycle", f"{raw!r} is not a UPR cycle (a whole number from 1 to 10)")
    return int(raw)


def uploaded_asks(filename: str, data: bytes, settings: Settings) -> list[Ask]:
    """Read an uploaded letter or submission (PDF, DOCX, TXT, HTML) and take its asks."""
    from corpus.sandbox import load_document_limited
    from indexer.segmentation import segment

    name = upload_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise QueryError("file", f"{name}: upload a PDF, DOCX, TXT or HTML file")
    if len(data) > settings.max_upload_bytes:
        raise QueryError("file", f"{name}: larger than {settings.max_upload_bytes} bytes")
    with tempfile.TemporaryDirectory(prefix="hrsearch-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            doc = load_document_limited(path, settings)
            passages = segment(doc, settings)
        except CorpusError as e:
            raise QueryError("file", f"{name}: {e.reason}") from e
    return asks_from_passages(passages, name, document_label(doc.meta, name))


def report_dict(report: AlignmentReport) -> dict[str, Any]:
    return report.to_dict()


def run_align(
    linker: Linker, asks: list[Ask], country: str, cycle: int | None, settings: Settings
) -> AlignmentReport:
    """An alignment for a client (HTTP, the web page): within the bounds on one request's work
    (``limits.check_align``), and charged one unit of the rate limit per ask."""
    check_align(asks, settings)
    report = align(linker, asks, country=country, cycle=cycle, settings=settings)
    work.charge(len(asks))
    return report
