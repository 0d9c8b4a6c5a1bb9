"""Linking civil-society asks and UN recommendations, in both directions.

For a text (an ask, a draft recommendation, any wording) the linker ranks passages of a target
kind (recommendations by default; asks for the reverse direction) with the retrieval stages of
search (``pipeline.rank``) and its own parameters (``RankingParams.for_linking``, chosen by
measurement on ``seed_asks_us_upr3``, docs/LINKING.md):

1. **meaning**: cosine similarity of the embeddings (the query with the spelled-out form of
   human rights acronyms, ``search_api.glossary``);
2. **words**: BM25 over the same passages;
3. **theme feedback** (``adjust.theme_feedback``).

Meaning and words are z-normalised over the pool of both arms' candidates and mixed (fusion
``zmix``); the theme boost is added. The cosine stays in every hit (``link.similarity``): it is
absolute, so verdicts (taken up / partly / not taken up, ``search_api.verdicts``) are thresholds
on it. This module does not import FastAPI.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hrsearch.errors import NotFound
from hrsearch.settings import Settings
from indexer.fields import shown_metadata
from indexer.records import citation
from search_api.ask_parts import split_ask
from search_api.filters import Filters
from search_api.retrieval.fold import fold, unfolded
from search_api.retrieval.hits import Hit, build_hits
from search_api.retrieval.params import RankingParams
from search_api.retrieval.pipeline import rank
from search_api.retrieval.query import parse
from search_api.retrieval.search import Searcher
from search_api.verdicts import match_label

TARGETS = ("recommendation", "ask", "observation", "paragraph")


@dataclass
class LinkResult:
    query: str
    target: str
    hits: list[Hit]
    total: int
    took_ms: float
    model: str
    index_version: int
    filters: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None  # the passage linked from, when the input was a passage


class Linker:
    """Ranks passages of a target kind for a text, over the searcher's index."""

    def __init__(self, searcher: Searcher, settings: Settings, params: RankingParams | None = None) -> None:
        self.searcher = searcher
        self.settings = settings
        self.params = params or RankingParams.for_linking(settings)

    def link(
        self,
        text: str,
        *,
        k: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        target: str = "recommendation",
        exclude: Sequence[str] = (),
        group_duplicates: bool = True,
        params: RankingParams | None = None,
        split: bool = False,
    ) -> LinkResult:
        """The passages of kind ``target`` closest to ``text`` (a validated request).

        ``split``: an ask that bundles several demands ("ratify X and abolish Y") is linked one
        demand at a time (``search_api.ask_parts``) and each passage keeps its best score and
        similarity over the demands."""
        if split:
            parts = split_ask(text)
            if len(parts) > 1:
                return self._link_parts(
                    text, parts, k=k, offset=offset, filters=filters, target=target, exclude=exclude,
                    group_duplicates=group_duplicates, params=params,
                )  # fmt: skip
        t0 = time.perf_counter()
        p = params or self.params
        base = filters or Filters()
        filters = replace(
            base, values={**base.values, "kind": [target]}, exclude_doc_ids=list(base.exclude_doc_ids)
        )
        s = self.searcher
        snap = s.snapshot()
        query = parse(text, filters, p)
        ranking = rank(
            query,
            "hybrid",
            p.depth(offset, k),
            snap,
            p,
            s.models(query, p),
            exclude=set(exclude),
            themes=True,
        )
        groups = fold(ranking.ranked, snap) if group_duplicates else unfolded(ranking.ranked)
        shown = groups[offset : offset + k]
        hits = build_hits(shown, ranking.dense, ranking.lexical, query.expanded, snap)
        cosine, bm25 = dict(ranking.dense), dict(ranking.lexical)
        feedback = ranking.themes
        encoder = s.crosslingual() if query.crosslingual else None
        rescale = getattr(encoder, "similarity", None)
        for h in hits:
            similarity = cosine.get(h.id, 0.0)
            if rescale is not None:
                similarity = rescale(similarity)
            h.link = {
                "similarity": round(similarity, 4),
                "lexical": round(bm25.get(h.id, 0.0), 4),
                "theme_boost": round(feedback.boost.get(h.id, 0.0), 4) if feedback else 0.0,
                "shared_themes": feedback.shared.get(h.id, []) if feedback else [],
                "match": match_label(similarity, self.settings),
            }
        return LinkResult(
            query=query.text,
            target=target,
            hits=hits,
            total=len(groups),
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            model=snap.model,
            index_version=snap.generation,
            filters=filters.as_dict(),
        )

    def _link_parts(self, text: str, parts: list[str], *, k: int, offset: int, **kw: Any) -> LinkResult:
        """``link`` of each demand, pooled: a passage's best score (and similarity) over them."""
        t0 = time.perf_counter()
        best: dict[str, Hit] = {}
        result = None
        for part in parts:
            result = self.link(part, k=offset + k, offset=0, **kw)
            for h in result.hits:
                held = best.get(h.id)
                if held is None or h.score > held.score:
                    best[h.id] = h
                if held is not None and h.link and held.link:
                    best[h.id].link = dict(best[h.id].link or {}) | {
                        "similarity": max(h.link["similarity"], held.link["similarity"])
                    }
        assert result is not None
        ranked = sorted(best.values(), key=lambda h: -h.score)
        result.query = text
        result.hits = ranked[offset : offset + k]
        result.total = max(result.total, len(ranked))
        result.took_ms = round((time.perf_counter() - t0) * 1000, 2)
        return result

    def link_passage(
        self,
        passage_id: str,
        *,
        target: str | None = None,
        k: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        group_duplicates: bool = True,
    ) -> LinkResult:
        """Link from an indexed passage: an ask to recommendations, a recommendation to asks
        (``target="ask"``) or to the same and similar recommendations elsewhere."""
        snap = self.searcher.snapshot()
        rec = snap.record(passage_id)
        text = snap.text(passage_id)
        if rec is None or text is None:
            raise NotFound("passage_id", f"no passage {passage_id!r} in the index")
        if target is None:
            target = "ask" if rec.get("kind") == "recommendation" else "recommendation"
        if rec.get("kind") == target:
            # The same or similar passages in *other* documents: other cycles, other mechanisms.
            filters = replace(filters or Filters(), exclude_doc_ids=[rec["doc_id"]])
        result = self.link(
            text,
            k=k,
            offset=offset,
            filters=filters,
            target=target,
            exclude=[passage_id],
            group_duplicates=group_duplicates,
        )
        result.source = {
            "id": passage_id,
            "text": text,
            "kind": rec.get("kind"),
            "citation": citation(rec),
            "metadata": shown_metadata(rec),
        }
        return result
