"""Fusing the dense and lexical rankings into one.

``rrf``: reciprocal rank fusion, sum of weight / (k + rank) over the arms.
``minmax``: each arm's scores scaled to [0, 1] over its candidates, then a weighted sum.
``zscore``: each arm's scores standardised over its candidates, then a weighted sum.
A passage missing from an arm gets nothing from it (RRF) or the arm's minimum (score methods).
The method and its parameters are settings, chosen by measurement (EVALUATION.md).
"""

from __future__ import annotations

import numpy as np

FUSION_METHODS = ("rrf", "minmax", "zscore")

Ranked = list[tuple[str, float]]


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
