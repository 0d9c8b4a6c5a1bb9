"""A small Python API for notebooks: open an index, search, link, align; plain records out.

Every method returns a list of flat dicts (one per hit, or per ask and matched recommendation),
which ``pandas.DataFrame(records)`` takes as it is::

    from search_api.notebook import open_index

    ix = open_index(".hrsearch/index")
    hits = ix.search("abolish the death penalty", k=20, country="United States of America")
    pandas.DataFrame(hits)[["citation", "recommending_state", "response", "text"]]

Filters are keyword arguments (``country=...``, ``cycle=[2, 3]``, ``kind="recommendation"``,
``year_from=2015``; a list is OR-ed), checked like the HTTP API's (same limits, same errors:
``QueryError`` names the argument). The index and model open once, in ``open_index``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hrsearch.settings import Settings
from indexer.embedder import Embedder
from search_api import link_service, precedents
from search_api.alignment import AlignmentReport, Ask, asks_from_files, split_into_parts
from search_api.filters import Filters
from search_api.limits import check_link, check_link_text, check_search
from search_api.retrieval import Hit, SearchRequest
from search_api.service import passage_in_context
from search_api.state import AppState

__all__ = ["NotebookIndex", "open_index"]

# Metadata of a hit lifted into columns of its record (the rest stays in ``metadata``).
COLUMNS = (
    "country",
    "recommending_state",
    "response",
    "action_category",
    "cycle",
    "session",
    "year",
    "symbol",
    "rec_id",
    "paragraph",
    "page",
    "doc_kind",
    "themes",
    "doc_id",
)


def hit_record(rank: int, h: Hit) -> dict[str, Any]:
    """One hit as a flat record: rank, id, citation, text, kind, score, the common metadata as
    columns, the linker's similarity and match label when linked."""
    m = h.metadata
    record: dict[str, Any] = {
        "rank": rank,
        "id": h.id,
        "citation": h.citation,
        "text": h.text,
        "kind": h.kind,
        "score": h.score,
    }
    record |= {c: m.get(c) for c in COLUMNS}
    if h.link is not None:
        record["similarity"] = h.link.get("similarity")
        record["match"] = h.link.get("match")
    record["also_made_by"] = [a.get("recommending_state") for a in h.also_made_by]
    return record


def report_records(report: AlignmentReport) -> list[dict[str, Any]]:
    """An alignment report as one record per (ask, matched recommendation), as its CSV; an ask
    with no match has one record with the recommendation columns empty."""
    rows: list[dict[str, Any]] = []
    for r in report.asks:
        base = {
            "ask_id": r.ask.id,
            "ask_citation": r.ask.citation,
            "ask_text": r.ask.text,
            "verdict": r.verdict,
            "best_similarity": r.best_similarity,
            "supported": r.supported,
            "noted": r.noted,
        }
        if not r.matches:
            rows.append(base | {"rank": None, "rec_citation": None, "similarity": None})
        for rank, m in enumerate(r.matches, 1):
            rows.append(
                base
                | {
                    "rank": rank,
                    "rec_citation": m.citation,
                    "rec_id": m.rec_id,
                    "rec_text": m.text,
                    "recommending_state": m.recommending_state,
                    "response": m.response,
                    "cycle": m.cycle,
                    "similarity": round(m.similarity, 4),
                    "match": m.match,
                }
            )
    return rows


class NotebookIndex:
    """An opened index: search, link, precedent, align and passage, each returning records."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        from indexer.embedder import load_embedder

        self.settings = settings
        model = embedder if embedder is not None else load_embedder(settings)
        self._state = AppState(settings, lambda: model)
        self._state.searcher()  # open now: a wrong path or model is an error here, not later

    def __enter__(self) -> NotebookIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._state.searcher().index.close()

    def _filters(self, filters: dict[str, Any]) -> Filters:
        raw = {k: v if isinstance(v, list | tuple) else [v] for k, v in filters.items() if v is not None}
        return Filters.parse(raw, max_values=self.settings.max_filter_values)

    def search(
        self, query: str, k: int = 10, *, mode: str = "hybrid", **filters: Any
    ) -> list[dict[str, Any]]:
        """Hybrid search (``mode`` ``dense`` or ``lexical`` for one arm); one record per hit."""
        req = SearchRequest(q=query, k=k, filters=self._filters(filters), mode=mode)
        check_search(req, self.settings)
        return [hit_record(i, h) for i, h in enumerate(self._state.searcher().search(req).hits, 1)]

    def link(
        self, text: str, k: int = 10, *, target: str = "recommendation", **filters: Any
    ) -> list[dict[str, Any]]:
        """The passages of kind ``target`` (recommendations by default) closest to ``text``, across
        all countries and cycles unless filtered; with ``similarity`` and ``match``."""
        check_link(text, target, k, 0, self.settings)
        res = self._state.linker().link(text, k=k, filters=self._filters(filters), target=target)
        return [hit_record(i, h) for i, h in enumerate(res.hits, 1)]

    def link_passage(
        self, passage_id: str, k: int = 10, *, target: str | None = None, **filters: Any
    ) -> list[dict[str, Any]]:
        """From an indexed passage: an ask to the recommendations that take it up, a
        recommendation to the asks it echoes (``target="ask"``) or to its wording elsewhere."""
        check_link(None, target, k, 0, self.settings)
        res = self._state.linker().link_passage(
            passage_id, target=target, k=k, filters=self._filters(filters)
        )
        return [hit_record(i, h) for i, h in enumerate(res.hits, 1)]

    def precedent(self, text: str, k: int = 10, **filters: Any) -> list[dict[str, Any]]:
        """The strongest adopted wording: supported recommendations that say the same thing, the
        strongest wording first, then the rest closest first (``search_api.precedents``)."""
        check_link(text, None, k, 0, self.settings)
        res = precedents.strongest(
            self._state.linker(), text, k=k, filters=self._filters(filters), settings=self.settings
        )
        return [hit_record(i, h) for i, h in enumerate(res.hits, 1)]

    def align(
        self,
        country: str,
        cycle: int | None = None,
        *,
        asks: Sequence[str] = (),
        letter: str | None = None,
        files: Sequence[str | Path] = (),
        doc_ids: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Asks (texts, a pasted letter, letter files or indexed letters) against one review: one
        record per ask and matched recommendation, with the ask's verdict."""
        linker = self._state.linker()
        found = link_service.indexed_asks(linker, list(doc_ids))
        if files:
            from_files, _ = asks_from_files([Path(f) for f in files], self.settings)
            found += from_files
        if letter and letter.strip():
            found += link_service.uploaded_asks("letter.txt", letter.encode("utf-8"), self.settings)
        for i, text in enumerate(asks, 1):
            check_link_text(text, self.settings)
            found += split_into_parts(Ask(id=f"ask:{i}", text=text.strip(), citation=f"ask {i}"))
        return report_records(link_service.run_align(linker, found, country, cycle, self.settings))

    def passage(self, passage_id: str, neighbours: int = 2) -> list[dict[str, Any]]:
        """A passage and its neighbours in its document, in order (``current`` marks the passage)."""
        ctx = passage_in_context(self._state.searcher(), passage_id, min(max(neighbours, 0), 10))
        views = [*ctx["before"], ctx["passage"], *ctx["after"]]
        return [
            {
                "id": v["id"],
                "current": v["id"] == passage_id,
                "citation": v["citation"],
                "kind": v["kind"],
                "text": v["text"],
            }
            for v in views
        ]


def open_index(index_dir: str | Path | None = None, **settings: Any) -> NotebookIndex:
    """Open the index at ``index_dir`` (default: ``HRSEARCH_INDEX_DIR``); other keyword arguments
    are settings (``open_index("idx", dense_weight=0.6)``)."""
    if index_dir is not None:
        settings["index_dir"] = Path(index_dir)
    return NotebookIndex(Settings(**settings))
