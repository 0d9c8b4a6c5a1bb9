"""ranx's metrics checked once against values computed by hand from their definitions."""

from __future__ import annotations

import math

import pytest

from evaluation.metrics import score, significance

QRELS = {"q1": {"a": 2, "b": 1, "c": 1, "z": 0}, "q2": {"d": 1}}
RUN = {
    "q1": ["x", "a", "b", "y", "c"],
    "q2": ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10", "d"],  # d at rank 11
}


def _dcg(gains: list[int]) -> float:
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, 1))


def test_ndcg_recall_mrr_match_hand_computed_values() -> None:
    s = score(QRELS, RUN, ["q1", "q2"])
    # q1: gains by rank 0, 2, 1, 0, 1; ideal 2, 1, 1 (the grade-0 judgment is not relevant).
    ndcg_q1 = (2 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(6)) / (2 + 1 / math.log2(3) + 1 / 2)
    assert ndcg_q1 == pytest.approx(0.6862857, abs=1e-7)
    assert ndcg_q1 == pytest.approx(_dcg([0, 2, 1, 0, 1]) / _dcg([2, 1, 1]))
    assert s.per_query["ndcg@10"]["q1"] == pytest.approx(ndcg_q1)
    assert s.per_query["ndcg@10"]["q2"] == 0.0  # the relevant ref is at rank 11
    assert s.mean["ndcg@10"] == pytest.approx(ndcg_q1 / 2)
    assert s.per_query["recall@10"] == {"q1": 1.0, "q2": 0.0}
    assert s.per_query["recall@100"] == {"q1": 1.0, "q2": 1.0}
    assert s.per_query["mrr@10"] == pytest.approx({"q1": 0.5, "q2": 0.0})
    assert s.mean["mrr@10"] == pytest.approx(0.25)


def test_empty_ranking_scores_zero_and_order_is_kept() -> None:
    s = score({"q": {"b": 1}}, {"q": []}, ["q"])
    assert s.mean["ndcg@10"] == 0.0
    # Refs keep the given order even when their ids sort the other way.
    s = score({"q": {"a": 1}}, {"q": ["z", "a"]}, ["q"])
    assert s.per_query["mrr@10"]["q"] == pytest.approx(0.5)


def test_significance_is_low_for_a_clearly_better_system_and_one_for_identical() -> None:
    qids = [f"q{i}" for i in range(20)]
    qrels = {q: {"rel": 1} for q in qids}
    good = {q: ["rel", "x"] for q in qids}
    bad = {q: ["x", "y", "z", "w", "v", "u", "t", "s", "r", "p", "o", "rel"] for q in qids}
    p = significance(qrels, {"naive": bad, "good": good, "same": bad}, qids, baseline="naive")
    assert set(p) == {"good", "same"}
    assert p["good"]["ndcg@10"] < 0.01
    assert p["same"]["ndcg@10"] == pytest.approx(1.0)
