"""Service functions for linking and alignment (no FastAPI): asks of indexed documents,
uploaded documents, and report shaping."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hrsearch.errors import CorpusError, QueryError
from hrsearch.settings import Settings
from indexer.records import citation
from search_api.alignment import AlignmentReport, Ask, align, asks_from_passages, split_into_parts
from search_api.linking import Linker, LinkResult
from search_api.service import NotFound, hit_dict

UPLOAD_SUFFIXES = (".pdf", ".docx", ".txt", ".html", ".htm")


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
    """The asks of indexed documents (their paragraphs when no ask was marked), split into demands."""
    catalog = linker.searcher.reader.catalog
    asks: list[Ask] = []
    for doc_id in doc_ids:
        passages = catalog.document_passages(doc_id)
        if not passages:
            raise NotFound("doc_id", f"no document {doc_id!r} in the index")
        chosen = [p for p in passages if p.data.get("kind") == "ask"] or [
            p for p in passages if p.data.get("kind") == "paragraph"
        ]
        for p in chosen:
            asks += split_into_parts(
                Ask(
                    id=p.id,
                    text=p.text,
                    citation=citation(p.data),
                    file=p.data.get("file"),
                    context=p.data.get("context"),
                )
            )
    return asks


def ask_documents(linker: Linker) -> list[dict[str, Any]]:
    """Indexed documents that hold asks (letters, submissions), for the web page's picker."""
    meta = linker.searcher.metadata_index()
    with_asks = meta.postings.get("kind", {}).get("ask")
    if with_asks is None:
        return []
    records = linker.searcher._records
    doc_ids = dict.fromkeys(records[i]["doc_id"] for i in with_asks)
    out = []
    for doc_id in doc_ids:
        doc = linker.searcher.reader.catalog.document(doc_id)
        if doc is None:
            continue
        m = doc["meta"]
        out.append(
            {
                "doc_id": doc_id,
                "label": m.get("title") or m.get("symbol") or Path(doc["path"]).name,
                "file": Path(doc["path"]).name,
                "kind": m.get("kind"),
                "year": m.get("year"),
            }
        )
    return sorted(out, key=lambda d: str(d["label"]))


def uploaded_asks(filename: str, data: bytes, settings: Settings) -> list[Ask]:
    """Read an uploaded letter or submission (PDF, DOCX, TXT, HTML) and take its asks."""
    from corpus.loader import load_document
    from indexer.segmentation import segment

    name = Path(filename or "upload.txt").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise QueryError("file", f"{name}: upload a PDF, DOCX, TXT or HTML file")
    if len(data) > settings.max_upload_bytes:
        raise QueryError("file", f"{name}: larger than {settings.max_upload_bytes} bytes")
    with tempfile.TemporaryDirectory(prefix="hrsearch-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            doc = _load(path, settings, load_document)
            passages = segment(doc, settings)
        except CorpusError as e:
            raise QueryError("file", f"{name}: {e.reason}") from e
    label = doc.meta.title or doc.meta.symbol or name
    return asks_from_passages(passages, name, label)


def _load(path: Path, settings: Settings, fallback: Any) -> Any:
    """Parse under the sandbox's time and memory limits when it is available."""
    try:
        from corpus.sandbox import load_document_limited
    except ImportError:
        return fallback(path, settings)
    return load_document_limited(path, settings)


def report_dict(report: AlignmentReport) -> dict[str, Any]:
    return report.to_dict()


def run_align(
    linker: Linker, asks: list[Ask], country: str, cycle: int | None, settings: Settings
) -> AlignmentReport:
    return align(linker, asks, country=country, cycle=cycle, settings=settings)
