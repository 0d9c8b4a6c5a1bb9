"""Service functions behind the HTTP routes (no FastAPI here): passages in context, documents,
facets and readiness, over one ``Searcher``."""

from __future__ import annotations

import dataclasses
from typing import Any

from hrsearch.errors import NotFound
from hrsearch.settings import Settings
from indexer.progress import read_progress
from indexer.records import citation
from indexer.snapshot import Snapshot
from search_api.filters import FILTER_FIELDS, Filters
from search_api.retrieval import Hit, Searcher, SearchRequest, SearchResult
from search_api.retrieval.fold import Candidate, norm_text

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
        "weak": res.weak,
        "more": res.more,
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
    """Value counts per filter field: over the whole index (or the passages ``filters`` select)
    without a query; with one, over the results the search shows (``result_facets``)."""
    if q and q.strip():
        req = SearchRequest(q=q, k=1, filters=filters)
        return {"scope": "query", "facets": result_facets(searcher, req, limit)}
    snap = searcher.snapshot()
    mask = snap.filters.mask(filters) if filters else None
    return {"scope": "filters" if filters else "index", "facets": snap.filters.facets(mask, limit=limit)}


def result_facets(
    searcher: Searcher, req: SearchRequest, limit: int = 50, base: SearchResult | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per filter field, how many results choosing each value gives: the results a search shows
    (above the relevance floor, duplicates folded as on the page) that hold the value.

    A field the request already filters on is counted over the search without that field's own
    filter, since its values are OR-ed (choosing a second country adds its results); the other
    fields' filters stay. A search whose results are all weak (none reached the floor) gets no
    counts: no value has a good match. ``base``: the request's own result, when already run.

    Every search and every record read here is over one snapshot (``base``'s when given): a
    result's positions mean nothing in a generation a writer's refresh swapped in since."""
    snap = base.snapshot if base is not None else searcher.snapshot()
    if base is not None:
        results = [] if base.weak else base.results
    else:
        results = _results(searcher, req, req.filters, snap)
    out = _count_values(results, snap, [n for n in FILTER_FIELDS if n not in req.filters.values])
    for name in req.filters.values:
        others = dataclasses.replace(
            req.filters, values={k: v for k, v in req.filters.values.items() if k != name}
        )
        out |= _count_values(_results(searcher, req, others, snap), snap, [name])
    return {name: values[:limit] for name, values in out.items()}


def _results(searcher: Searcher, req: SearchRequest, filters: Filters, snap: Snapshot) -> list[Candidate]:
    res = searcher.search(
        dataclasses.replace(req, k=1, offset=0, filters=filters, group_duplicates=True), snap=snap
    )
    return [] if res.weak else res.results


def _count_values(
    results: list[Candidate], snap: Snapshot, names: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per filter name, the values of ``results`` with the number of page hits each gives.

    A hit is a group of recommendations with one text (``fold``): within the results holding a
    value, one text counts once, as the page would fold them."""
    keys: dict[str, dict[Any, set[Any]]] = {name: {} for name in names}
    for pid, _, pos in results:
        r = snap.records[pos]
        group = ("text", norm_text(snap.texts[pos])) if snap.is_rec[pos] else ("id", pid)
        for name in names:
            fld, _, is_list = FILTER_FIELDS[name]
            v: Any = r.get(fld)
            if v is None or v == "":
                continue
            for item in v if is_list else [v]:
                keys[name].setdefault(item, set()).add(group)
    return {
        name: sorted(
            ({"value": v, "count": len(g)} for v, g in d.items()),
            key=lambda x: (-x["count"], str(x["value"])),
        )
        for name, d in keys.items()
    }
