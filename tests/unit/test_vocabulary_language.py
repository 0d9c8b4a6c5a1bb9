"""Short queries with no function word are read in their language by their vocabulary.

An advocate types "matrimonio infantil" or "disparition forcée", not a sentence: function words
and accents (``corpus.language.query_language``) then say nothing, and a Spanish query read as
English misses the dictionary and the multilingual model. ``search_api.lexicon
.vocabulary_language`` reads such a query by the words only one lexicon explains; English
keyword queries, names and acronyms stay English.
"""

from __future__ import annotations

import pytest

from hrsearch.settings import Settings
from search_api.filters import Filters
from search_api.lexicon import vocabulary_language
from search_api.retrieval.params import RankingParams
from search_api.retrieval.query import parse

SPANISH = [
    "matrimonio infantil",
    "trata de personas",
    "tortura",
    "desaparición forzada",
    "violencia policial contra personas afrodescendientes",
    "mutilación genital femenina",
    "derechos humanos",
    "sanciones CPI",
    "pueblos indígenas tierras",
    "libertad de expresión periodistas",
]
FRENCH = [
    "mariage des enfants",
    "traite des êtres humains",
    "disparition forcée",
    "liberté de la presse",
    "peine de mort",
    "violences faites aux femmes",
]
PORTUGUESE = ["liberdade de imprensa", "casamento infantil", "trabalho escravo"]
ENGLISH = [
    "HIV - Aids",
    "Namibia",
    "death penalty Namibia",
    "police violence against people of African descent",
    "violence against women",
    "Guantanamo detention",
    "femicide",
    "racial discrimination",
    "LGBTI rights",
    "human rights defenders",
    "prison conditions",
    "solitary confinement",
    "impunity for torture",
    "indigenous peoples land rights",
    "CEDAW",
    "Roma children segregation",
    "juvenile justice",
    "migrants detention",
]


@pytest.mark.parametrize(
    ("text", "language"),
    [*((t, "es") for t in SPANISH), *((t, "fr") for t in FRENCH), *((t, "pt") for t in PORTUGUESE)],
)
def test_short_foreign_queries_are_read_in_their_language(text: str, language: str) -> None:
    assert vocabulary_language(text) == language
    assert parse(text, Filters(), RankingParams.for_search(Settings())).language == language


@pytest.mark.parametrize("text", ENGLISH)
def test_english_keywords_names_and_acronyms_stay_english(text: str) -> None:
    assert vocabulary_language(text) is None
    assert parse(text, Filters(), RankingParams.for_search(Settings())).language == "en"


def test_a_parsed_short_query_carries_its_translation() -> None:
    q = parse("matrimonio infantil", Filters(), RankingParams.for_search(Settings()))
    assert q.crosslingual and "child marriage" in q.english.lower()
