"""Stage 3: score completion, both arms' scores for every candidate either arm found.

Score fusion otherwise gives a passage the other arm did not return that arm's minimum: a
passage BM25 ranks first for one rare query word ("cannot afford", "killing") but whose meaning
is far from the question then ties with the dense arm's best, and a passage the dense arm found
that shares most query words is scored as if it shared none. Its real score costs little: BM25
has scored every passage already, and the vectors of the (at most ``candidate_depth``) passages
only BM25 found are read from the catalog and rescored with their context like the dense arm's
own. Measured on the four sets in EVALUATION.md (What helped, session 4).
"""

from __future__ import annotations

import numpy as np

from indexer.snapshot import Ranked, Snapshot
from search_api.retrieval.dense import ContextVectors, with_context
from search_api.retrieval.params import RankingParams


def complete(
    qvec: np.ndarray,
    dense: Ranked,
    lexical: Ranked,
    lex_scores: np.ndarray,
    snapshot: Snapshot,
    params: RankingParams,
    contexts: ContextVectors,
) -> tuple[Ranked, Ranked]:
    """(dense, lexical), each holding every candidate of both, best first."""
    in_dense = {pid for pid, _ in dense}
    in_lex = {pid for pid, _ in lexical}
    only_lex = [pid for pid, _ in lexical if pid not in in_dense]
    only_dense = [pid for pid, _ in dense if pid not in in_lex]
    if only_lex:
        vecs = snapshot.vectors(only_lex)
        extra = [(pid, float(vecs[pid] @ qvec)) for pid in only_lex if pid in vecs]
        if params.context_weight > 0 and extra:
            extra = with_context(qvec, extra, snapshot, params, contexts)
        dense = sorted(dense + extra, key=lambda x: (-x[1], x[0]))
    if only_dense and lex_scores.size:
        pos = snapshot.position
        extra = [(pid, float(lex_scores[pos[pid]])) for pid in only_dense if pid in pos]
        lexical = sorted(lexical + extra, key=lambda x: (-x[1], x[0]))
    return dense, lexical
