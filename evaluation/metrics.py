"""Scores of ranked ref lists with ranx, and paired significance tests against the baseline.

nDCG is ranx's ``ndcg`` (Järvelin & Kekäläinen: linear gain = grade, discount log2(rank + 1)),
checked against hand-computed values in ``tests/unit/test_eval_metrics.py``. Only refs with a
grade above 0 are relevant; queries without any relevant ref are not scored.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
# Share of the top 10 refs that carry no judgment: how far the other figures may underrate a
# system on a set judged only in part (a condensed-list nDCG would need judged non-relevant refs,
# which the sets do not have).
UNJUDGED = "unjudged@10"
LABELS = {
    "ndcg@10": "nDCG@10",
    "recall@10": "R@10",
    "recall@100": "R@100",
    "mrr@10": "MRR@10",
    UNJUDGED: "unjudged@10",
}
STAT_TEST = "fisher"  # Fisher's randomization test, paired over queries, two-sided
N_PERMUTATIONS = 10_000
RANDOM_SEED = 42

Ranking = Mapping[str, Sequence[str]]  # qid -> ref ids, best first
Qrels = Mapping[str, Mapping[str, int]]  # qid -> ref id -> grade


@dataclass
class Scores:
    """Mean and per-query values of each metric for one system on one set."""

    mean: dict[str, float]
    per_query: dict[str, dict[str, float]]  # metric -> qid -> value


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numba's uint64->int64 cast warning inside ranx (ids are small integers)."""
    from numba.core.errors import NumbaTypeSafetyWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaTypeSafetyWarning)
        yield


def _ranx_qrels(qrels: Qrels, qids: Sequence[str]) -> Any:
    from ranx import Qrels as RanxQrels

    return RanxQrels.from_dict({q: {d: int(g) for d, g in qrels[q].items() if g > 0} for q in qids})


def _ranx_run(ranking: Ranking, qids: Sequence[str], name: str) -> Any:
    from ranx import Run

    run: dict[str, dict[str, float]] = {}
    for q in qids:
        refs = list(ranking.get(q) or [])
        # Strictly decreasing scores, so ranx keeps our order exactly.
        run[q] = {ref: float(len(refs) - i) for i, ref in enumerate(refs)} or {"~empty": 0.0}
    return Run.from_dict(run, name=name)


def score(
    qrels: Qrels, ranking: Ranking, qids: Sequence[str], metrics: Sequence[str] = METRICS, name: str = "run"
) -> Scores:
    """Mean and per-query ``metrics`` of ``ranking`` over the queries ``qids``."""
    from ranx import evaluate

    run = _ranx_run(ranking, qids, name)
    with _quiet():
        means = evaluate(_ranx_qrels(qrels, qids), run, list(metrics), return_mean=True)
    if len(metrics) == 1:
        means = {metrics[0]: means}
    per_query = {m: {q: float(run.scores[m][q]) for q in qids} for m in metrics}
    return Scores(mean={m: float(means[m]) for m in metrics}, per_query=per_query)


def unjudged_at_10(qrels: Qrels, ranking: Ranking, qids: Sequence[str]) -> dict[str, float]:
    """Per query, the share of the first 10 refs without a judgment (missing ranks count as unjudged)."""
    return {
        q: sum(1 for r in list(ranking.get(q) or [])[:10] if r not in qrels.get(q, {})) / 10 for q in qids
    }


def significance(
    qrels: Qrels,
    rankings: Mapping[str, Ranking],
    qids: Sequence[str],
    baseline: str,
    metrics: Sequence[str] = METRICS,
) -> dict[str, dict[str, float]]:
    """p-value of the paired test of every system against ``baseline``, per metric."""
    from ranx import compare

    rq = _ranx_qrels(qrels, qids)
    base = _ranx_run(rankings[baseline], qids, baseline)
    out: dict[str, dict[str, float]] = {}
    for name, ranking in rankings.items():
        if name == baseline:
            continue
        with _quiet():
            report = compare(
                rq,
                [base, _ranx_run(ranking, qids, name)],
                list(metrics),
                stat_test=STAT_TEST,
                n_permutations=N_PERMUTATIONS,
                random_seed=RANDOM_SEED,
                max_p=0.05,
            ).to_dict()
        out[name] = {m: float(report[name]["comparisons"][baseline][m]) for m in metrics}
    return out
