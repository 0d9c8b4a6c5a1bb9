"""Stage 3b: dense pseudo-relevance feedback (Rocchio in embedding space).

A short or oddly worded ask embeds off its topic; the passages the dense arm ranks first are,
more often than not, on it. Moving the query vector towards their centroid
(``q' = unit(q + prf_weight x unit(mean of the best prf_top vectors))``) and rescoring every
candidate with ``q'`` is the vector form of Rocchio feedback (Li et al., "Pseudo relevance
feedback with deep language models and dense retrievers", 2021). Unlike theme feedback it uses
the passages' meaning, not their theme labels.

Only the order fusion sees changes: the dense arm's own cosines (what ``link.similarity`` shows
and verdict thresholds read) stay those of the query as written. A candidate's context share
(``context_weight``) is kept as it was. Off by default (``prf_weight`` 0); measured in
docs/LINKING.md.
"""

from __future__ import annotations

import numpy as np

from indexer.snapshot import Ranked, Snapshot
from search_api.retrieval.dense import unit
from search_api.retrieval.params import RankingParams


def rocchio(qvec: np.ndarray, dense: Ranked, snapshot: Snapshot, params: RankingParams) -> Ranked:
    """``dense`` rescored with the query moved towards its ``prf_top`` best candidates, best
    first; ``dense`` itself when feedback is off or there is nothing to feed back."""
    if params.prf_weight <= 0 or params.prf_top <= 0 or not dense:
        return dense
    vecs = snapshot.vectors([pid for pid, _ in dense])
    top = [vecs[pid] for pid, _ in dense[: params.prf_top] if pid in vecs]
    if not top:
        return dense
    centroid = np.mean(np.stack(top), axis=0)
    if not np.any(centroid):
        return dense
    moved = unit(qvec + params.prf_weight * unit(centroid, centroid), qvec)
    out = []
    for pid, score in dense:
        vec = vecs.get(pid)
        if vec is None:
            out.append((pid, float(score)))
            continue
        # the score minus its own cosine is its context share, kept as it was
        out.append((pid, float(score) - float(vec @ qvec) + float(vec @ moved)))
    return sorted(out, key=lambda x: (-x[1], x[0]))
