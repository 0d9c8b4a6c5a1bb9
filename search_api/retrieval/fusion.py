"""Stage 4: fusing the dense and lexical rankings into one.

``rrf``: reciprocal rank fusion, sum of weight / (k + rank) over the arms.
``minmax``: each arm's scores scaled to [0, 1] over its candidates, then a weighted sum.
``zscore``: each arm's scores standardised over its candidates, then a weighted sum.
``zmix``: the linker's: both arms' scores z-normalised over the pool of candidates (every
candidate scored by both, ``complete``) and mixed; ties keep the order the arms found the
candidates in (the dense arm's first).
A passage missing from an arm gets nothing from it (RRF) or the arm's minimum (score methods).
The method and its parameters are settings, chosen by measurement (EVALUATION.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from indexer.snapshot import Ranked
from search_api.retrieval.params import FUSION_METHODS, RankingParams

__all__ = ["FUSION_METHODS", "fuse", "fused", "zmix"]


def fused(dense: Ranked, lexical: Ranked, arrival: Sequence[str], params: RankingParams) -> Ranked:
    """The fusion stage: every candidate with its fused score, in tie-break order (best first for
    the score methods, whose ties go by id; in ``arrival`` order for ``zmix``)."""
    if params.fusion == "zmix":
        scores = zmix(dense, lexical, arrival, weight=params.dense_weight, gate=params.lexical_gate)
        return [(pid, float(s)) for pid, s in zip(arrival, scores, strict=True)]
    return fuse(dense, lexical, method=params.fusion, rrf_k=params.rrf_k, weight=params.dense_weight)


def fuse(
    dense: Ranked, lexical: Ranked, *, method: str = "rrf", rrf_k: float = 60.0, weight: float = 0.5
) -> Ranked:
    """One ranking from two; ``weight`` is the dense arm's share (lexical gets 1 - weight)."""
    if method == "rrf":
        scores: dict[str, float] = {}
        for w, ranked in ((weight, dense), (1.0 - weight, lexical)):
            for rank, (pid, _) in enumerate(ranked, 1):
                scores[pid] = scores.get(pid, 0.0) + 2.0 * w / (rrf_k + rank)
        return sorted(scores.items(), key=lambda x: (-x[1], x[0]))
    if method in ("minmax", "zscore"):
        nd = _normalise(dense, method)
        nl = _normalise(lexical, method)
        floor_d = min(nd.values(), default=0.0)
        floor_l = min(nl.values(), default=0.0)
        ids = set(nd) | set(nl)
        fused = {pid: weight * nd.get(pid, floor_d) + (1.0 - weight) * nl.get(pid, floor_l) for pid in ids}
        return sorted(fused.items(), key=lambda x: (-x[1], x[0]))
    raise ValueError(f"unknown fusion method {method!r}")


def zmix(
    dense: Ranked, lexical: Ranked, arrival: Sequence[str], *, weight: float, gate: bool = False
) -> np.ndarray:
    """The linker's mix: for each id of ``arrival``, ``weight`` x z(cosine) + (1 - weight) x
    z(BM25), z over ``arrival``. Returned in ``arrival`` order (the caller sorts, stably, after
    the adjustments that need this order: theme feedback).

    ``gate``: a candidate's BM25 *lift* (a positive z) is scaled by Phi(z(cosine)), the normal
    CDF of its own cosine's z: BM25 raises what the embedding finds plausible almost fully and
    what it finds far from the ask much less, meant for matches on generic words ("repeal",
    "laws"). A below-average BM25 score counts as before. Measured in session 18 and not adopted
    (docs/LINKING.md): it helped the treaty set and lost on the US and sixth sets, where the
    candidates BM25 lifts from low in the dense pool are often right. Off by default."""
    cos_of = dict(dense)
    bm25_of = dict(lexical)
    floor = min(cos_of.values(), default=0.0)
    cos = np.array([cos_of.get(pid, floor) for pid in arrival], dtype=np.float64)
    # BM25 scores are float32 (as bm25s gives them) and are standardised as such.
    bm25 = np.array([bm25_of.get(pid, 0.0) for pid in arrival], dtype=np.float32)
    zc, zl = _z(cos), _z(bm25)
    if gate:
        zl = np.where(zl > 0, zl * _phi(zc), zl)
    return weight * zc + (1.0 - weight) * zl


def _phi(x: np.ndarray) -> np.ndarray:
    """The standard normal CDF, element by element."""
    return np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x], dtype=np.float64)


def _z(x: np.ndarray) -> np.ndarray:
    if x.size == 0:  # no candidate (a filter nothing matches): nothing to standardise, no warning
        return x
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def _normalise(ranked: Ranked, method: str) -> dict[str, float]:
    if not ranked:
        return {}
    s = np.array([x[1] for x in ranked], dtype=np.float64)
    if method == "minmax":
        lo, hi = s.min(), s.max()
        z = (s - lo) / (hi - lo) if hi > lo else np.ones_like(s)
    else:
        sd = s.std()
        z = (s - s.mean()) / sd if sd > 0 else np.zeros_like(s)
    return {pid: float(v) for (pid, _), v in zip(ranked, z, strict=True)}
