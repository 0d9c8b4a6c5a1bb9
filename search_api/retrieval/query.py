"""Stage 1: the query as the arms see it.

What a user typed is kept for the response; the arms see it with human rights acronyms spelled
out (``search_api.glossary``), without quotation marks, and with its quoted phrases as a filter
(every hit must contain them). A query naming a State also yields a scope for the dense arm
(``country_scope``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from corpus.countries import countries_named_in
from corpus.language import query_language
from indexer.snapshot import Snapshot
from search_api.filters import Filters
from search_api.glossary import expand
from search_api.lexicon import languages, translate, vocabulary_language
from search_api.retrieval.params import RankingParams

_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”')


def phrases(q: str) -> list[str]:
    """Quoted phrases in a query (straight or curly quotes)."""
    return [a or b for a, b in _PHRASE.findall(q) if (a or b).strip()]


def unquoted(q: str) -> str:
    """The query with its quotation marks removed, phrases kept as words: what the arms score
    (the phrase itself is enforced as a filter, ``phrases``)."""
    return _PHRASE.sub(lambda m: m.group(1) or m.group(2), q)


def phrase_regex(phrase: str) -> str:
    """A case-insensitive pattern for a phrase, tolerant of the spacing PDF extraction adds
    around apostrophes and between words (``Court ’ s`` matches ``Court's``)."""
    words = re.findall(r"\w+|[^\w\s]", phrase)
    return "(?i)" + r"\s*".join(re.escape(w) for w in words)


@dataclass(frozen=True)
class Query:
    """A request's text, parsed once for every stage."""

    text: str  # as typed (stripped)
    expanded: str  # acronyms spelled out (what BM25 scores and the highlight marks)
    phrases: tuple[str, ...]  # quoted phrases every hit must contain
    filters: Filters  # the request's filters (the lexical arm's mask, the dense arm's where)
    language: str = "en"  # detected (``corpus.language.query_language``) when multilingual
    english: str = ""  # a query not in English: its dictionary translation (``search_api.lexicon``)

    @property
    def crosslingual(self) -> bool:
        """Whether the query takes the multilingual path (it is not in English)."""
        return self.language != "en"


def parse(text: str, filters: Filters, params: RankingParams) -> Query:
    q = text.strip()
    language = query_language(q) if params.multilingual else "en"
    if language == "en" and params.multilingual and params.dictionary:
        # A short query with no function word ("matrimonio infantil") is read by its vocabulary.
        language = vocabulary_language(q) or "en"
    english = ""
    if language in languages() and params.dictionary:
        english = translate(unquoted(q), language, stems=params.dictionary_stems)
        english = expand(english) if params.expand_acronyms else english
    return Query(
        text=q,
        expanded=expand(q) if params.expand_acronyms else q,
        phrases=tuple(phrases(q)) if params.enforce_phrases else (),
        filters=filters,
        language=language,
        english=english,
    )


def country_scope(query: Query, params: RankingParams) -> Filters | None:
    """The request's filters narrowed to the States the query names, when it names any and does
    not filter on the country itself.

    A recommendation's text is its wording alone, so its vector does not know the country it was
    made to: "Australia locking up asylum seekers" draws detention recommendations to any State.
    A second dense query inside the named countries' documents adds their best candidates (with
    their own cosine scores, comparable with the first query's); the lexical arm matches the
    name in the passages' context fields, and the country boost (``adjust``) uses the scope."""
    if not params.country_scoping or "country" in query.filters.values:
        return None
    named = countries_named_in(query.text)
    if query.english:  # "Estados Unidos", "Japón": the States a translated query names
        named = list(dict.fromkeys([*named, *countries_named_in(query.english)]))
    if not named:
        return None
    return dataclasses.replace(query.filters, values={**query.filters.values, "country": named})


def candidate_mask(query: Query, snapshot: Snapshot) -> np.ndarray | None:
    """Which positions the request's filters and phrases allow (None: all)."""
    mask = snapshot.filters.mask(query.filters)
    if query.phrases:
        pats = [re.compile(phrase_regex(p)) for p in query.phrases]
        texts = snapshot.texts
        ok = np.fromiter((all(p.search(t) for p in pats) for t in texts), dtype=bool, count=len(texts))
        mask = ok if mask is None else (mask & ok)
    return mask
