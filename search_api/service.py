"""Service functions behind the HTTP routes (no FastAPI here): passages in context, documents,
facets and readiness, over one ``Searcher``."""

from __future__ import annotations

from typing import Any

import numpy as np

from hrsearch.errors import NotFound
from hrsearch.settings import Settings
from indexer.progress import read_progress
from indexer.records import citation
from indexer.snapshot import Snapshot
from search_api.filters import Filters
from search_api.retrieval import Hit, Searcher, SearchRequest, SearchResult

__all__ = ["NotFound"]
NEIGHBOURS = 2
INDEXING_FIELDS = (
    "active",
    "state",
    "files_done",
    "files_total",
    "passages",
    "passages_embedded",
    "eta_seconds",
    "elapsed_seconds",
    "updated_at",
)


def indexing_status(settings: Settings) -> dict[str, Any] | None:
    """The progress of the last index run on the configured index folder (None: none recorded)."""
    progress = read_progress(settings.index_dir)
    if progress is None:
        return None
    return {k: progress.get(k) for k in INDEXING_FIELDS}


def hit_dict(h: Hit) -> dict[str, Any]:
    return {
        "id": h.id,
        "text": h.text,
        "highlight": h.highlight,
        "highlight_sentence": h.highlight_sentence,
        "score": h.score,
        "arms": h.arms,
        "kind": h.kind,
        "citation": h.citation,
        "metadata": h.metadata,
        "also_made_by": h.also_made_by,
    }


def result_dict(res: SearchResult, k: int, offset: int) -> dict[str, Any]:
    return {
        "query": res.query,
        "mode": res.mode,
        "filters": res.filters,
        "k": k,
        "offset": offset,
        "total": res.total,
        "took_ms": res.took_ms,
        "model": res.model,
        "index_version": res.index_version,
        "language": res.language,
        "notices": res.notices,
        "hits": [hit_dict(h) for h in res.hits],
    }


def passage_view(r: dict[str, Any], text: str) -> dict[str, Any]:
    return {"id": r["id"], "text": text, "kind": r.get("kind"), "citation": citation(r), "metadata": r}


def _views(snap: Snapshot, positions: list[int]) -> list[dict[str, Any]]:
    return [passage_view(dict(snap.records[i]), snap.texts[i]) for i in positions]


def passage_in_context(searcher: Searcher, pid: str, neighbours: int = NEIGHBOURS) -> dict[str, Any]:
    """A passage with up to ``neighbours`` passages before and after it in its document."""
    snap = searcher.snapshot()
    rec = snap.record(pid)
    if rec is None:
        raise NotFound("id", f"no passage {pid!r} in the index")
    positions = snap.document_positions(rec["doc_id"])
    idx = positions.index(snap.position[pid])
    return {
        "passage": _views(snap, [positions[idx]])[0],
        "before": _views(snap, positions[max(0, idx - neighbours) : idx]),
        "after": _views(snap, positions[idx + 1 : idx + 1 + neighbours]),
        "document": document_summary(snap, rec["doc_id"]),
    }


def document_summary(snap: Snapshot, doc_id: str) -> dict[str, Any]:
    doc = snap.documents.get(doc_id)
    if doc is None:
        raise NotFound("id", f"no document {doc_id!r} in the index")
    return {"id": doc_id, "file": doc.path, "metadata": doc.meta, "passages": doc.n_passages}


def document_detail(searcher: Searcher, doc_id: str) -> dict[str, Any]:
    snap = searcher.snapshot()
    out = document_summary(snap, doc_id)
    out["passage_list"] = [
        {"id": v["id"], "kind": v["kind"], "citation": v["citation"], "text": v["text"]}
        for v in _views(snap, snap.document_positions(doc_id))
    ]
    return out


def facets(searcher: Searcher, q: str | None, filters: Filters, limit: int = 50) -> dict[str, Any]:
    """Value counts per filter field, over the whole index or over what a query matches."""
    snap = searcher.snapshot()
    meta = snap.filters
    mask = None
    scope = "index"
    if q and q.strip():
        res = searcher.search(
            SearchRequest(q=q, k=searcher.settings.max_k, filters=filters, group_duplicates=False)
        )
        ids = {h.id for h in res.hits}
        pos = snap.position
        mask = np.zeros(meta.n, dtype=bool)
        mask[[pos[i] for i in ids if i in pos]] = True
        scope = "query"
    elif filters:
        mask = meta.mask(filters)
        scope = "filters"
    return {"scope": scope, "facets": meta.facets(mask, limit=limit)}
