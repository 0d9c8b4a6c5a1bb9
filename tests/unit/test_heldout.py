"""Choose on one set, report on another (``evaluation.heldout``): the variant reported on a set is
the one best on the *other* sets, over all their languages; ties go to the earlier candidate; the
paired randomization test says whether the held-out figure differs from dense search's."""

from __future__ import annotations

import pytest

from evaluation.heldout import leave_one_set_out, markdown, paired_p


def _fig(v: float) -> dict[str, float]:
    return {"ndcg@10": v}


SCORES = {
    # "b" is best on a and c, "a" best on b: a set never gets the variant that is best on itself
    "a": {"linker": _fig(0.5), "linker-b": _fig(0.9), "dense": _fig(0.4)},
    "a[es]": {"linker": _fig(0.5), "linker-b": _fig(0.1), "dense": _fig(0.3)},
    "b": {"linker": _fig(0.6), "linker-b": _fig(0.2), "dense": _fig(0.5)},
    "c": {"linker": _fig(0.5), "linker-b": _fig(0.8), "dense": _fig(0.5)},
    "_meta": {},
}


def test_each_set_gets_the_variant_chosen_on_the_others_in_all_their_languages() -> None:
    h = leave_one_set_out(SCORES, ["linker", "linker-b"])
    # for a: on b and c, linker 0.55, linker-b 0.5
    assert h["a"]["chosen"] == "linker" and h["a"]["chosen_on"] == ["b", "c"]
    assert h["a"]["languages"]["en"] == {"held_out": 0.5, "dense": 0.4, "linker": 0.5}
    assert h["a"]["languages"]["es"]["held_out"] == 0.5
    # for b: a, a[es] and c: linker 0.5, linker-b 0.6
    assert h["b"]["chosen"] == "linker-b" and h["b"]["languages"]["en"]["held_out"] == 0.2
    # for c: a, a[es], b: linker 0.533, linker-b 0.4
    assert h["c"]["chosen"] == "linker"


def test_ties_go_to_the_earlier_candidate() -> None:
    tied = {
        "a": {"linker": _fig(0.5), "linker-b": _fig(0.5)},
        "b": {"linker": _fig(0.7), "linker-b": _fig(0.7)},
    }
    assert leave_one_set_out(tied, ["linker", "linker-b"])["a"]["chosen"] == "linker"
    assert leave_one_set_out(tied, ["linker-b", "linker"])["a"]["chosen"] == "linker-b"


def test_a_set_where_a_candidate_did_not_run_is_left_out() -> None:
    partial = {**SCORES, "d": {"linker": _fig(0.9), "dense": _fig(0.1)}}
    h = leave_one_set_out(partial, ["linker", "linker-b"])
    assert "d" not in h and "d" not in h["a"]["chosen_on"]


def test_paired_randomization_test() -> None:
    same = [0.1, 0.5, 0.9, 0.3]
    assert paired_p(same, same) == 1.0
    # 12 asks all better by 0.2: only the observed signs (and their mirror) are that far from 0
    better = [0.8] * 12
    worse = [0.6] * 12
    assert paired_p(better, worse) == pytest.approx(2 / 4096, abs=0.002)
    # one big gain among small losses: not significant
    assert paired_p([1.0, 0.4, 0.4, 0.4], [0.0, 0.5, 0.5, 0.5]) > 0.2
    assert paired_p(better, worse) == paired_p(better, worse)  # seeded


def test_p_values_come_from_the_per_query_figures_when_kept() -> None:
    per = {
        "a": {
            "linker": {"ndcg@10": {f"q{i}": 0.8 for i in range(12)}},
            "dense": {"ndcg@10": {f"q{i}": 0.6 for i in range(12)}},
        }
    }
    h = leave_one_set_out({**SCORES, "_per_query": per}, ["linker", "linker-b"])
    assert h["a"]["languages"]["en"]["p_vs_dense"] < 0.01
    assert "p_vs_dense" not in h["a"]["languages"]["es"]  # no per-query figures kept for it
    table = markdown(h)
    assert "p vs dense" in table.splitlines()[0] and "| a | en | linker | **0.500** |" in table
    assert "p_vs_dense" not in table


def test_every_held_out_ask_is_pooled_per_language_without_the_development_set() -> None:
    """``pooled``: the asks of every set but the development one, per language, the held-out
    system (the linker, or the variant chosen for each set) against dense search, paired."""
    from evaluation.heldout import pooled, pooled_markdown

    def per(values: dict[str, float]) -> dict[str, dict[str, float]]:
        return {"ndcg@10": values}

    scores = {
        "a": {"linker": _fig(0.8), "linker-b": _fig(0.2), "dense": _fig(0.6)},
        "a[es]": {"linker": _fig(0.7), "linker-b": _fig(0.2), "dense": _fig(0.5)},
        "b": {"linker": _fig(0.5), "linker-b": _fig(0.9), "dense": _fig(0.5)},
        "seed_asks_us_upr3": {"linker": _fig(1.0), "dense": _fig(0.0)},
        "_per_query": {
            "a": {
                "linker": per({"q1": 0.8, "q2": 0.8}),
                "linker-b": per({"q1": 0.2, "q2": 0.2}),
                "dense": per({"q1": 0.6, "q2": 0.6}),
            },
            "a[es]": {"linker": per({"q1": 0.7, "q2": 0.7}), "dense": per({"q1": 0.5, "q2": 0.5})},
            "b": {"linker": per({"q3": 0.5}), "linker-b": per({"q3": 0.9}), "dense": per({"q3": 0.5})},
            "seed_asks_us_upr3": {"linker": per({"s1": 1.0}), "dense": per({"s1": 0.0})},
        },
    }
    pool = pooled(scores)
    assert list(pool) == ["en", "es"]  # English first
    en = pool["en"]
    assert en["sets"] == ["a", "b"] and en["asks"] == 3  # the development set is left out
    assert en["system"] == 0.7 and en["dense"] == round((0.6 + 0.6 + 0.5) / 3, 4)
    assert en["difference"] == round(0.7 - (0.6 + 0.6 + 0.5) / 3, 4) and 0 < en["p"] <= 1
    assert pool["es"]["asks"] == 2 and pool["es"]["sets"] == ["a"]
    # with a selection, each set counts with the variant chosen for it
    chosen = {"b": {"chosen": "linker-b"}}
    assert pooled(scores, chosen)["en"]["system"] == round((0.8 + 0.8 + 0.9) / 3, 4)
    table = pooled_markdown(pool)
    assert table.splitlines()[2].startswith("| en | 2 | 3 | **0.700** |")
    assert table.endswith("|\n")  # the report puts the next heading after a blank line
    assert pooled({"a": scores["a"]}) == {}  # no per-query figures: nothing to pool
