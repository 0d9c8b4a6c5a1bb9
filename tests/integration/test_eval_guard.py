"""Regression guard: a fast evaluation with the real model must stay above measured floors.

Two small indexes of real documents: the US 2020 recommendations table alone (for
seed_asks_us_upr3, judged over that table) and the two letters among ten Working Group reports
(for letters_qa). The floors sit a little under the values measured when this test was written
(given in the comments), so a change that breaks retrieval fails here, while a small move from
a model or segmentation update does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.runner import EvalResult, run_evaluation
from hrsearch.settings import Settings
from indexer.pipeline import run_index

pytestmark = [pytest.mark.model, pytest.mark.shared, pytest.mark.store_independent]

SYSTEMS = [
    "naive",
    "lexical",
    "dense",
    "hybrid-rrf60",
    "hybrid-zscore-w0.5",
    "hybrid-zscore-w0.3",
    "hybrid-minmax-w0.5",
]
WG_REPORTS = [  # the US 2011 report (close to the letters' topics) and nine of the shortest
    "unitedstatesofamerica2011.txt",
    "ecuador2008.txt",
    "morocco2008.txt",
    "algeria2008.txt",
    "gabon2008.txt",
    "bahrain2008.txt",
    "belize2009.txt",
    "iceland2011.txt",
    "czechrepublic2008.txt",
    "ghana2008.txt",
]

# Measured when this test was written (all-MiniLM-L6-v2, segmenter 1.0; about 110 s of CPU time for
# the whole module, i.e. under two minutes on two idle cores):
#
#   seed_asks_us_upr3   nDCG@10  R@10   MRR@10      letters_qa   nDCG@10  R@10   MRR@10
#   naive                0.838   0.435  1.000                     0.871   1.000  0.826
#   lexical              0.893   0.516  0.900                     0.795   0.867  0.772
#   dense                0.909   0.502  1.000                     0.726   0.867  0.682
#   hybrid-rrf60         0.912   0.510  0.962                     0.844   0.933  0.819
#   hybrid-zscore-w0.5   0.931   0.524  0.962                     0.808   0.933  0.772
#
# With BM25 documents v2 (context fields, session 2), same indexes:
#   lexical              0.905   0.528  0.910                     0.820   0.867  0.807
#   hybrid-rrf60         0.933   0.526  0.962                     0.835   0.933  0.802
#   hybrid-zscore-w0.5   0.937   0.526  0.962                     0.829   0.933  0.794
#   hybrid-zscore-w0.3   0.940   0.534  0.962                     0.850   0.933  0.825  (the default)
#
# Session 3 (BM25 documents v3, context vectors, country boost, one rank per unit), same indexes:
#   naive                0.838   0.435  1.000                     0.871   1.000  0.826
#   lexical              0.893   0.519  0.904                     0.829   0.867  0.817
#   dense                0.909   0.502  1.000                     0.742   0.867  0.700
#   hybrid-rrf60         0.938   0.522  1.000                     0.851   0.933  0.822
#   hybrid-zscore-w0.5   0.947   0.526  1.000                     0.857   0.933  0.833
#   hybrid-zscore-w0.3   0.939   0.532  1.000                     0.852   0.933  0.828
#   hybrid-minmax-w0.5   0.949   0.526  1.000                     0.857   0.933  0.833  (the default)
#
# Session 4 (the dense query as the mean of the typed and the acronym-expanded query; complete
# scores in min-max and z-score fusion; the lead-in penalty, which moved none of these), same
# indexes:
#   naive                0.838   0.435  1.000                     0.871   1.000  0.826
#   lexical              0.893   0.519  0.904                     0.829   0.867  0.817
#   dense                0.893   0.482  1.000                     0.742   0.867  0.700
#   hybrid-rrf60         0.937   0.522  1.000                     0.851   0.933  0.822
#   hybrid-zscore-w0.5   0.948   0.528  1.000                     0.859   0.933  0.836
#   hybrid-zscore-w0.3   0.929   0.532  0.942                     0.850   0.933  0.825
#   hybrid-minmax-w0.5   0.952   0.531  1.000                     0.859   0.933  0.836  (the default)
#
# (hybrid-zscore-w0.3 was the default until session 3, when hybrid-minmax-w0.5 became it; both are
# guarded. Earlier note: zscore-w0.3 was best or tied best on the three development sets over the
# whole corpus, EVALUATION.md.)
#
# Floors sit about 0.05 under (more for the 15 letters_qa queries, where one query moves a mean by
# up to 0.067).
FLOORS: dict[str, dict[str, dict[str, float]]] = {
    "seed_asks_us_upr3": {
        "naive": {"ndcg@10": 0.78, "recall@10": 0.40, "mrr@10": 0.90},
        "lexical": {"ndcg@10": 0.83, "recall@10": 0.46, "mrr@10": 0.80},
        "dense": {"ndcg@10": 0.85, "recall@10": 0.45, "mrr@10": 0.90},
        "hybrid-rrf60": {"ndcg@10": 0.85, "recall@10": 0.45, "mrr@10": 0.88},
        "hybrid-zscore-w0.5": {"ndcg@10": 0.88, "recall@10": 0.47, "mrr@10": 0.90},
        "hybrid-zscore-w0.3": {"ndcg@10": 0.89, "recall@10": 0.48, "mrr@10": 0.90},
        "hybrid-minmax-w0.5": {"ndcg@10": 0.90, "recall@10": 0.47, "mrr@10": 0.92},
    },
    "letters_qa": {
        "naive": {"ndcg@10": 0.80, "recall@10": 0.93, "mrr@10": 0.75},
        "lexical": {"ndcg@10": 0.72, "recall@10": 0.80, "mrr@10": 0.70},
        "dense": {"ndcg@10": 0.65, "recall@10": 0.80, "mrr@10": 0.60},
        "hybrid-rrf60": {"ndcg@10": 0.78, "recall@10": 0.86, "mrr@10": 0.75},
        "hybrid-zscore-w0.5": {"ndcg@10": 0.75, "recall@10": 0.86, "mrr@10": 0.70},
        "hybrid-zscore-w0.3": {"ndcg@10": 0.78, "recall@10": 0.86, "mrr@10": 0.75},
        "hybrid-minmax-w0.5": {"ndcg@10": 0.79, "recall@10": 0.86, "mrr@10": 0.76},
    },
}


@pytest.fixture(scope="module")
def guard_results(
    tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path, shared_eval: Path, embedder
) -> dict[str, EvalResult]:  # type: ignore[no-untyped-def]
    plans = {
        "seed_asks_us_upr3": [shared_corpus / "recommendations" / "us_upr_cycle3_recommendations.csv"],
        "letters_qa": [
            shared_corpus / "letters",
            *(shared_corpus / "outcome_reports" / "upr_wg_reports_2008_2014" / f for f in WG_REPORTS),
        ],
    }
    out: dict[str, EvalResult] = {}
    for name, paths in plans.items():
        settings = Settings(index_dir=tmp_path_factory.mktemp(f"index-{name}"))
        report = run_index(paths, settings, lambda: embedder)
        assert not report.files_failed, report.files_failed
        out[name] = run_evaluation(
            [shared_eval / name],
            settings,
            lambda: embedder,
            systems=SYSTEMS,
            cache_dir=tmp_path_factory.mktemp("naive-cache"),
            languages=("en",),  # the floors are English figures; other languages: test_languages_api
        )
    return out


@pytest.mark.parametrize("set_name", list(FLOORS))
def test_figures_stay_above_their_floors(guard_results: dict[str, EvalResult], set_name: str) -> None:
    (r,) = guard_results[set_name].sets
    measured = {s: {m: round(v, 3) for m, v in r.scores[s].mean.items()} for s in r.scores}
    below = [
        f"{system} {metric} = {measured[system][metric]} < {floor}"
        for system, floors in FLOORS[set_name].items()
        for metric, floor in floors.items()
        if measured[system][metric] < floor
    ]
    assert not below, f"{set_name}: retrieval got worse: {'; '.join(below)} (all figures: {measured})"


def test_letters_are_searched_among_the_reports_and_seed_asks_in_their_table(
    guard_results: dict[str, EvalResult],
) -> None:
    (letters,) = guard_results["letters_qa"].sets
    assert letters.scope.doc_ids is None and len(letters.scope.files) == 2 + len(WG_REPORTS)
    assert not letters.warnings
    (seed,) = guard_results["seed_asks_us_upr3"].sets
    assert seed.scope.doc_ids is not None and len(seed.scope.files) == 1
    # Every judged answer and row can be held by one unit, in hrsearch's passages and naive chunks.
    for r in (letters, seed):
        for units, reach in r.reachable.items():
            assert reach["reachable"] == reach["relevant_refs"], (r.name, units, reach["missing"])
