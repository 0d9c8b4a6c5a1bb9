"""Service functions behind the HTTP routes (no FastAPI here): passages in context, documents,
facets and readiness, over one ``Searcher``."""

from __future__ import annotations

from typing import Any

from hrsearch.errors import QueryError
from indexer.records import citation
from search_api.filters import Filters
from search_api.retrieval import Hit, Searcher, SearchRequest, SearchResult

NEIGHBOURS = 2


class NotFound(QueryError):
    """A passage or document id that the index does not hold."""


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
        "hits": [hit_dict(h) for h in res.hits],
    }


def passage_view(r: dict[str, Any], text: str) -> dict[str, Any]:
    return {"id": r["id"], "text": text, "kind": r.get("kind"), "citation": citation(r), "metadata": r}


def passage_in_context(searcher: Searcher, pid: str, neighbours: int = NEIGHBOURS) -> dict[str, Any]:
    """A passage with up to ``neighbours`` passages before and after it in its document."""
    rec = searcher.record(pid)
    if rec is None:
        raise NotFound("id", f"no passage {pid!r} in the index")
    doc_passages = searcher.reader.catalog.document_passages(rec["doc_id"])
    idx = next(i for i, p in enumerate(doc_passages) if p.id == pid)
    before = doc_passages[max(0, idx - neighbours) : idx]
    after = doc_passages[idx + 1 : idx + 1 + neighbours]
    return {
        "passage": passage_view(doc_passages[idx].data, doc_passages[idx].text),
        "before": [passage_view(p.data, p.text) for p in before],
        "after": [passage_view(p.data, p.text) for p in after],
        "document": document_summary(searcher, rec["doc_id"]),
    }


def document_summary(searcher: Searcher, doc_id: str) -> dict[str, Any]:
    doc = searcher.reader.catalog.document(doc_id)
    if doc is None:
        raise NotFound("id", f"no document {doc_id!r} in the index")
    return {"id": doc_id, "file": doc["path"], "metadata": doc["meta"], "passages": doc["n_passages"]}


def document_detail(searcher: Searcher, doc_id: str) -> dict[str, Any]:
    out = document_summary(searcher, doc_id)
    out["passage_list"] = [
        {"id": p.id, "kind": p.data.get("kind"), "citation": citation(p.data), "text": p.text}
        for p in searcher.reader.catalog.document_passages(doc_id)
    ]
    return out


def facets(searcher: Searcher, q: str | None, filters: Filters, limit: int = 50) -> dict[str, Any]:
    """Value counts per filter field, over the whole index or over what a query matches."""
    meta = searcher.metadata_index()
    mask = None
    scope = "index"
    if q and q.strip():
        res = searcher.search(
            SearchRequest(q=q, k=searcher.settings.max_k, filters=filters, group_duplicates=False)
        )
        ids = {h.id for h in res.hits}
        pos = searcher.reader.lexical().position
        import numpy as np

        mask = np.zeros(meta.n, dtype=bool)
        mask[[pos[i] for i in ids if i in pos]] = True
        scope = "query"
    elif filters:
        mask = meta.mask(filters)
        scope = "filters"
    return {"scope": scope, "facets": meta.facets(mask, limit=limit)}
