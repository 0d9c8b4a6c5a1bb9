"""Stage 2': the lexical arm, BM25 over the snapshot's passages.

BM25 scores every passage of the snapshot for the expanded query (the passages' text plus their
context as words, ``indexer.lexical``); the request's filters and phrases mask the candidates.
The full score array is kept: score completion reads the BM25 score of candidates only the
dense arm found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.snapshot import Ranked, Snapshot
from search_api.retrieval.query import Query, candidate_mask, unquoted


@dataclass(frozen=True)
class LexicalResult:
    ranked: Ranked  # the top candidates with a positive score, best first
    scores: np.ndarray  # every passage's score, by snapshot position


def lexical_arm(query: Query, depth: int, snapshot: Snapshot) -> LexicalResult:
    scores = snapshot.lexical.scores(unquoted(query.expanded))
    return LexicalResult(snapshot.lexical.top(scores, depth, candidate_mask(query, snapshot)), scores)
