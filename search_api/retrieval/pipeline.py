"""The retrieval stages composed into one ranking, for search and for linking alike.

query -> dense arm + lexical arm -> (leave out) -> score completion -> fusion -> adjustments
(country boost and lead-in penalty; theme feedback) -> the final order. ``Searcher`` and
``Linker`` call ``rank`` with their own ``RankingParams`` and then fold, page and build hits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

from indexer.embedder import Embedder
from indexer.snapshot import Ranked, Snapshot
from search_api.filters import Filters
from search_api.retrieval.adjust import (
    ThemeFeedback,
    ask_theme_votes,
    boost_and_penalise,
    theme_feedback,
    uses_ask_votes,
)
from search_api.retrieval.complete import complete
from search_api.retrieval.dense import ContextVectors, dense_arm, query_vector
from search_api.retrieval.fold import Candidate
from search_api.retrieval.fusion import fused
from search_api.retrieval.lexical import best_coverage, lexical_arm
from search_api.retrieval.params import RankingParams
from search_api.retrieval.prf import rocchio
from search_api.retrieval.query import Query, country_scope

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class Models:
    """What the stages embed with: the index model, the context vectors it made, and for queries
    not in English the cross-lingual encoder."""

    embedder: Embedder
    contexts: ContextVectors
    crosslingual: Embedder | None = None


@dataclass(frozen=True)
class Ranking:
    """A request's candidates in their final order, with what each arm made of them."""

    ranked: list[Candidate]  # (id, score, snapshot position), best first
    dense: Ranked  # the dense arm's scores (every candidate's, when completed), best first
    lexical: Ranked  # the lexical arm's, likewise
    themes: ThemeFeedback | None = None
    beyond: Ranked = field(default_factory=list)  # dense-scored passages past the candidates (``deep``)


def _kept(ranked: Ranked, snapshot: Snapshot, exclude: Collection[str]) -> Ranked:
    """The candidates the snapshot holds (the dense store may already hold a newer generation),
    minus those left out (the passage a link starts from)."""
    pos = snapshot.position
    return [x for x in ranked if x[0] in pos and x[0] not in exclude]


def _native_share(query: Query, dense: Ranked, snapshot: Snapshot, top: int = 100) -> float:
    """The share of the query's own language among the dense arm's best candidates (1 for an
    English query, or when the dense arm did not run)."""
    if not query.crosslingual or not dense:
        return 1.0
    own = {int(p) for p in snapshot.filters.positions("language", query.language)}
    pos = snapshot.position
    best = dense[:top]
    return sum(pos[pid] in own for pid, _ in best) / len(best)


def rank(
    query: Query,
    mode: str,
    depth: int,
    snapshot: Snapshot,
    params: RankingParams,
    models: Models,
    *,
    exclude: Collection[str] = (),
    themes: bool = False,
    deep: int = 0,
) -> Ranking:
    """Rank the snapshot's passages for ``query``; ``themes``: compute theme feedback (always
    applied when ``params.theme_weight`` > 0); ``deep``: also score the dense arm's nearest
    passages past the candidates, up to ``deep`` (``Ranking.beyond``; they are not ranked)."""
    dense: Ranked = []
    lexical: Ranked = []
    beyond: Ranked = []
    scope: Filters | None = None
    if mode in ("hybrid", "dense"):
        qvec = query_vector(query, models.embedder, params, models.crosslingual)
        scope = country_scope(query, params)
        arm, beyond = dense_arm(query, qvec, depth, scope, snapshot, params, models.contexts, deep=deep)
        dense = _kept(arm, snapshot, exclude)
        beyond = _kept(beyond, snapshot, exclude)
    if mode in ("hybrid", "lexical"):
        lex = lexical_arm(query, depth, snapshot, _native_share(query, dense, snapshot))
        lexical = _kept(lex.ranked, snapshot, exclude)
    arrival = list(dict.fromkeys([pid for pid, _ in dense] + [pid for pid, _ in lexical]))
    if mode == "hybrid" and params.fusion != "rrf" and params.complete_scores:
        dense, lexical = complete(qvec, dense, lexical, lex.scores, snapshot, params, models.contexts)
    feedback = None
    if mode == "hybrid":
        mix = params
        if params.lexical_coverage and params.fusion == "zmix":
            share = (1.0 - params.dense_weight) * best_coverage(query, arrival, snapshot)
            mix = replace(params, dense_weight=1.0 - share)
        order = fused(rocchio(qvec, dense, snapshot, params), lexical, arrival, mix)
        order = boost_and_penalise(order, scope if params.fusion != "rrf" else None, snapshot, params)
        if themes or params.theme_weight > 0:
            own = uses_ask_votes(params, query.crosslingual)
            ask = ask_theme_votes(query.english or query.expanded, qvec) if own else None
            order, feedback = theme_feedback(order, dict(dense), snapshot, params, ask)
        order = sorted(order, key=lambda x: -x[1])  # stable: ties keep the fusion's order
    elif dense:
        order = rocchio(qvec, dense, snapshot, params)
    else:
        order = lexical
    pos = snapshot.position
    return Ranking([(pid, s, pos[pid]) for pid, s in order], dense, lexical, feedback, beyond)
