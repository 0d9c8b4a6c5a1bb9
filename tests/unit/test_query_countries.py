"""States named in a query (country scoping of the dense arm) and merging two rankings of one arm."""

from __future__ import annotations

import pytest

from corpus.countries import countries_named_in
from search_api.retrieval.dense import merge_ranked


@pytest.mark.parametrize(
    ("query", "states"),
    [
        (
            "which countries told the US to lift the Cuba embargo?",
            ["United States of America", "Cuba"],
        ),
        ("how has Slovenia answered Austria's UPR recommendations", ["Slovenia", "Austria"]),
        ("the Philippines’ drug war", ["Philippines"]),
        ("South Sudan and Sudan", ["South Sudan", "Sudan"]),  # the longest name first
        ("Saint Vincent and the Grenadines", ["Saint Vincent and the Grenadines"]),
        ("Democratic Republic of the Congo elections", ["Democratic Republic of the Congo"]),
        ("Türkiye, Cote d'Ivoire and Türkiye again", ["Türkiye", "Côte d'Ivoire"]),
        ("tell us about chad", []),  # lower case: not a proper noun
        ("what did states recommend about police violence?", []),
    ],
)
def test_countries_named_in(query: str, states: list[str]) -> None:
    assert countries_named_in(query) == states


def test_merge_ranked_keeps_each_id_once_with_its_best_score() -> None:
    a = [("x", 0.9), ("y", 0.5)]
    b = [("z", 0.7), ("y", 0.6), ("x", 0.1)]
    assert merge_ranked(a, b) == [("x", 0.9), ("z", 0.7), ("y", 0.6)]
    assert merge_ranked([], b) == sorted(b, key=lambda t: -t[1])
