"""Queries not in English: the language is read right, and the mapped multilingual-e5 vector of a
Spanish or French text lands near MiniLM's vector of the same text in English."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.language import query_language
from indexer.crosslingual import CrossLingualEncoder, available

PAIRS = [  # written for this test (not from any evaluation set)
    ("prohibit child marriage and set the minimum age of marriage at 18",
     "prohibir el matrimonio infantil y fijar la edad mínima para contraer matrimonio en 18 años",
     "interdire le mariage des enfants et fixer l'âge minimum du mariage à 18 ans"),
    ("guarantee the independence of the judiciary",
     "garantizar la independencia del poder judicial",
     "garantir l'indépendance du pouvoir judiciaire"),
    ("stop the forced eviction of informal settlements",
     "detener los desalojos forzosos de los asentamientos informales",
     "mettre fin aux expulsions forcées des quartiers informels"),
]  # fmt: skip


def test_query_language() -> None:
    for en, es, fr in PAIRS:
        assert (query_language(en), query_language(es), query_language(fr)) == ("en", "es", "fr")
    assert query_language("death penalty") == "en"  # short English stays English
    assert query_language("Environment") == "en"
    assert query_language("حرية التعبير") == "ar"
    assert query_language("") == "en"
    assert query_language("ratificar a Convenção sobre os Direitos das Pessoas com Deficiência") == "pt"


@pytest.mark.model
def test_mapped_spanish_and_french_land_near_the_english_meaning(embedder) -> None:  # type: ignore[no-untyped-def]
    if not available(embedder.name):
        pytest.skip(f"no cross-lingual map for {embedder.name}")
    enc = CrossLingualEncoder(embedder.name)
    en = np.asarray(embedder.embed_queries([p[0] for p in PAIRS]))
    for col in (1, 2):
        foreign = [p[col] for p in PAIRS]
        mapped = enc.embed_queries(foreign)
        own = np.asarray(embedder.embed_queries(foreign))
        sims = mapped @ en.T
        # each mapped text is nearest to its own English meaning, and nearer than MiniLM's own
        # vector of the foreign text is
        assert list(sims.argmax(axis=1)) == list(range(len(PAIRS)))
        assert np.all(np.diag(sims) > np.sum(own * en, axis=1))
        assert np.allclose(np.linalg.norm(mapped, axis=1), 1.0, atol=1e-5)
    # Only the start of a very long text is embedded (bounded model time).
    assert enc.embed_queries(["derechos " * 20000]).shape == (1, enc.dimension)
