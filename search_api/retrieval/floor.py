"""Stage 5b: the relevance floor. A candidate whose meaning is too far from the query is not a result.

Fused scores are relative (min-max over the candidates): the best answer to "asdfghjkl qwertyuiop"
scores as high as the best answer to a good question. The dense arm's score is absolute (the
passage's cosine plus ``context_weight`` times its context's), so the floor is a threshold on
it: a reader is shown the candidates that reach it, in the fused order, and when none does, the
``closest_when_none`` best candidates marked as weak ("no good matches; the closest are ...").

The floor applies where every candidate has its dense score (the dense mode, and hybrid with
complete scores) and not to a query with a "quoted phrase": what a reader required word for word
is found whatever its cosine. The lexical mode needs the query's words and has no floor.
``RankingParams.relevance_floor`` (``HRSEARCH_RELEVANCE_FLOOR``) is chosen by measurement
(``evaluation.floor``); the evaluation runs without it (``RankingParams.ranking_only``).
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.snapshot import Ranked
from search_api.retrieval.fold import Candidate
from search_api.retrieval.params import RankingParams
from search_api.retrieval.query import Query


@dataclass(frozen=True)
class Floored:
    """The candidates a reader is shown, in rank order."""

    kept: list[Candidate]
    weak: bool  # none reached the floor: ``kept`` holds the closest few
    more: bool = False  # the deepest passage looked at still reached the floor: there may be more


def applies(query: Query, mode: str, params: RankingParams) -> bool:
    """Whether the floor cuts this request (see the module docstring)."""
    if params.relevance_floor is None or query.phrases:
        return False
    return mode == "dense" or (mode == "hybrid" and params.fusion != "rrf" and params.complete_scores)


def above_floor(
    ranked: list[Candidate],
    dense: Ranked,
    floor: float,
    closest: int,
    beyond: Ranked | None = None,
    positions: dict[str, int] | None = None,
    looked_at: int = 0,
) -> Floored:
    """``ranked`` cut to the candidates whose dense score reaches ``floor`` (order kept), then the
    passages ``beyond`` the candidates that reach it, by dense score (they have no fused score:
    theirs is 0); when none does, the first ``closest`` candidates, marked weak. ``looked_at``:
    how deep the dense arm looked, to tell whether the floor was reached before its end."""
    score = dict(dense)
    kept = [c for c in ranked if score.get(c[0], float("-inf")) >= floor]
    seen = {c[0] for c in ranked}
    beyond = beyond or []
    extra = [(pid, s) for pid, s in beyond if s >= floor and pid not in seen]
    if extra and positions is not None:
        kept += [(pid, 0.0, positions[pid]) for pid, _ in sorted(extra, key=lambda x: -x[1])]
    more = (
        bool(looked_at)
        and len(beyond) > 0
        and len(dense) + len(beyond) >= looked_at
        and min(s for _, s in beyond) >= floor
    )
    if kept or not ranked:
        return Floored(kept, False, more)
    return Floored(ranked[:closest], True)
