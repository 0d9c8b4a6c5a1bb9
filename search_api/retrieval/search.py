"""Search: the retrieval stages (``pipeline.rank``) for a query, then folding, paging and hits.

Limits (query length, page size, paging depth) are checked at the edges (``search_api.limits``),
not here. This module does not import FastAPI: the CLI, the evaluation code, the MCP server
and the HTTP app all call ``Searcher.search``.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from hrsearch.settings import Settings
from indexer.crosslingual import encoder_for
from indexer.embedder import Embedder, ModelUnavailable
from indexer.index import Index
from indexer.snapshot import Snapshot
from search_api.filters import Filters
from search_api.retrieval.dense import ContextVectors, uses_crosslingual
from search_api.retrieval.floor import above_floor
from search_api.retrieval.floor import applies as floor_applies
from search_api.retrieval.fold import Candidate, fold, unfolded
from search_api.retrieval.hits import Hit, build_hits
from search_api.retrieval.params import RankingParams
from search_api.retrieval.pipeline import Models, Ranking, rank
from search_api.retrieval.query import Query, parse

log = logging.getLogger(__name__)


@dataclass
class SearchRequest:
    q: str
    k: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)
    mode: str = "hybrid"
    group_duplicates: bool = True
    fusion: str | None = None  # None = the parameters' own


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    took_ms: float
    mode: str
    model: str
    index_version: int
    query: str
    filters: dict[str, Any]
    # The generation ``results``' positions refer to: whoever reads records for them (facet
    # counts, the page's panels) reads this one, not a newer one a refresh swapped in since.
    snapshot: Snapshot = field(repr=False, compare=False)
    language: str = "en"  # the language the query was read in
    notices: list[str] = field(default_factory=list)  # what the answer had to relax, in words
    weak: bool = False  # no candidate reached the relevance floor: the hits are the closest few
    more: bool = False  # the search stopped looking before the floor: ``total`` is a lower bound
    results: list[Candidate] = field(default_factory=list, repr=False)  # every result, rank order


class Searcher:
    """Answers search requests over one index with one embedder."""

    def __init__(
        self, index: Index, embedder: Embedder, settings: Settings, params: RankingParams | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.params = params or RankingParams.for_search(settings)
        self.contexts = ContextVectors(embedder)
        self._crosslingual: Embedder | None = None
        self._crosslingual_tried = False
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        return self.index.snapshot()

    def models(self, query: Query, params: RankingParams) -> Models:
        """The models a query needs: the cross-lingual encoder only where the dense arm uses it
        (``dense.uses_crosslingual``: a query not in English, unless a variant mixes it in)."""
        if not uses_crosslingual(query, params):
            return Models(self.embedder, self.contexts)
        return Models(self.embedder, self.contexts, self.crosslingual())

    def crosslingual(self) -> Embedder | None:
        """The encoder of queries not in English into the index's space, loaded on first use;
        None when the index model is multilingual itself (no map ships for it) or e5 cannot load
        (the query is then embedded by the index model alone, as before)."""
        with self._lock:
            if not self._crosslingual_tried:
                self._crosslingual_tried = True
                model = self.index.model
                try:
                    self._crosslingual = encoder_for(model, self.embedder.dimension)
                except ModelUnavailable as e:
                    log.warning("queries not in English use %s alone: %s", model, e)
            return self._crosslingual

    def search(
        self, req: SearchRequest, params: RankingParams | None = None, snap: Snapshot | None = None
    ) -> SearchResult:
        """Run one (validated) request with ``params`` (default: the configured search) over
        ``snap`` (default: the current generation); a caller that runs several searches for one
        answer (facet counts) passes one snapshot to all of them."""
        t0 = time.perf_counter()
        p = params or self.params
        if req.fusion is not None:
            p = dataclasses.replace(p, fusion=req.fusion)  # type: ignore[arg-type]
        snap = snap or self.snapshot()  # one generation for the whole request
        query = parse(req.q, req.filters, p)

        def ranked_for(query: Query) -> tuple[Ranking, int]:
            """The ranking and how deep the dense arm looks past the pool (0: no floor here)."""
            deep = p.result_depth if floor_applies(query, req.mode, p) and p.result_depth else 0
            depth = p.depth(req.offset, req.k)
            return rank(query, req.mode, depth, snap, p, self.models(query, p), deep=deep), deep

        ranking, deep = ranked_for(query)
        notices = []
        if query.phrases and not ranking.ranked:
            # A pasted ask quoting a word ("the “erasure”") names no phrase that must appear: when
            # no passage holds the quoted words, the words are searched without the quotes.
            query = dataclasses.replace(query, phrases=())
            ranking, deep = ranked_for(query)
            notices.append("no passage contains the quoted words exactly; searched without the quotes")
        floored = floor_applies(query, req.mode, p)
        ranked, weak, more = ranking.ranked, False, False
        if floored:
            assert p.relevance_floor is not None
            cut = above_floor(
                ranked, ranking.dense, p.relevance_floor, p.closest_when_none,
                beyond=ranking.beyond, positions=snap.position, looked_at=deep,
            )  # fmt: skip
            ranked, weak, more = cut.kept, cut.weak, cut.more
        groups = fold(ranked, snap) if req.group_duplicates else unfolded(ranked)
        shown = groups[req.offset : req.offset + req.k]
        return SearchResult(
            hits=build_hits(shown, [*ranking.dense, *ranking.beyond], ranking.lexical, query.expanded, snap),
            total=0 if weak else len(groups),  # good matches only: the closest few are not counted
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            mode=req.mode,
            model=snap.model,
            index_version=snap.generation,
            query=query.text,
            filters=req.filters.as_dict(),
            language=query.language,
            notices=notices,
            weak=weak,
            more=more,
            results=ranked,
            snapshot=snap,
        )
