"""Theme feedback: votes from the best candidates ("top"), from the ask itself as the theme tagger
reads it ("ask"), or the mean of the two ("both"); "ask-en" is "ask" when the pipeline gives the
ask's votes (an English ask) and "top" when it does not (an ask read through a translation)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from hrsearch.settings import Settings
from search_api.retrieval.adjust import ask_theme_votes, theme_feedback
from search_api.retrieval.params import RankingParams, ThemeSource

THEMES = {
    "a": ["Women's rights"],
    "b": ["Women's rights"],
    "c": ["Freedom of religion and belief"],
    "d": [],
}


def _snapshot() -> Any:
    ids = list(THEMES)
    return SimpleNamespace(
        records=[{"id": i, "themes": THEMES[i]} for i in ids], position={i: n for n, i in enumerate(ids)}
    )


def _params(source: ThemeSource) -> RankingParams:
    base = RankingParams.for_linking(Settings())
    return dataclasses.replace(base, theme_weight=1.0, theme_top=2, theme_source=source)


FUSED = [("a", 1.0), ("b", 0.9), ("c", 0.8), ("d", 0.1)]
COSINE = {"a": 0.5, "b": 0.45, "c": 0.44, "d": 0.2}
ASK = {"Freedom of religion and belief": 0.9, "Women's rights": 0.05}


def test_top_votes_come_from_the_best_candidates_and_ignore_the_ask() -> None:
    got, fb = theme_feedback(FUSED, COSINE, _snapshot(), _params("top"), ASK)
    assert fb.boost["a"] == fb.boost["b"] == pytest.approx(1.0) and fb.boost["c"] == 0.0
    assert fb.boost["d"] == pytest.approx(np.mean([1.0, 1.0, 0.0]))  # no theme: the mean, not 0
    assert [p for p, _ in got] == ["a", "b", "c", "d"]  # same order as given; the caller sorts


def test_ask_votes_come_from_the_asks_own_themes() -> None:
    got, fb = theme_feedback(FUSED, COSINE, _snapshot(), _params("ask"), ASK)
    assert fb.boost["c"] == pytest.approx(0.9) and fb.boost["a"] == pytest.approx(0.05)
    scores = dict(got)
    assert scores["c"] == pytest.approx(0.8 + 0.9) and scores["c"] > scores["a"]
    both = theme_feedback(FUSED, COSINE, _snapshot(), _params("both"), ASK)[1]
    assert both.boost["c"] == pytest.approx(0.45) and both.boost["a"] == pytest.approx((1.0 + 0.05) / 2)
    # Without the ask's votes (the tagger cannot read it), "ask" falls back to the top's.
    assert theme_feedback(FUSED, COSINE, _snapshot(), _params("ask"), None)[1].boost["c"] == 0.0
    english = theme_feedback(FUSED, COSINE, _snapshot(), _params("ask-en"), ASK)[1]
    assert english.boost == theme_feedback(FUSED, COSINE, _snapshot(), _params("ask"), ASK)[1].boost
    translated = theme_feedback(FUSED, COSINE, _snapshot(), _params("ask-en"), None)[1]
    assert translated.boost == theme_feedback(FUSED, COSINE, _snapshot(), _params("top"), ASK)[1].boost


@pytest.mark.model
def test_the_tagger_reads_an_asks_themes(embedder: Any) -> None:
    text = "repealing all apostasy and blasphemy laws"
    votes = ask_theme_votes(text, embedder.embed_queries([text])[0])
    assert votes is not None
    assert max(votes, key=lambda k: votes[k]) == "Freedom of religion and belief"
    assert ask_theme_votes(text, np.zeros(64, dtype=np.float32)) is None  # another model's vectors
