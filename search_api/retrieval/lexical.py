"""Stage 2': the lexical arm, BM25 over the snapshot's passages.

BM25 scores every passage of the snapshot for the expanded query (the passages' text plus their
context as words, ``indexer.lexical``); the request's filters and phrases mask the candidates.
The full score array is kept: score completion reads the BM25 score of candidates only the
dense arm found.

BM25 matches words, so it only helps where query and passage share a language. A query that is
not in English scores the passages written in its own language with its own words, and the
English passages with its translation into English (``search_api.lexicon``, a dictionary of
human rights terms); across languages its own words would only match names, numbers and noise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.language import QUERY_FUNCTION_WORDS
from indexer.snapshot import Ranked, Snapshot
from search_api.retrieval.query import Query, candidate_mask, unquoted


@dataclass(frozen=True)
class LexicalResult:
    ranked: Ranked  # the top candidates with a positive score, best first
    scores: np.ndarray  # every passage's score, by snapshot position


def lexical_scores(query: Query, snapshot: Snapshot, native_share: float = 1.0) -> np.ndarray:
    """Every passage's BM25 score for ``query``, each scored in its own language.

    The passages in the query's own language are few in an English collection, and a min-max or
    z-score fusion would give the best of a handful of French paragraphs the weight of the best
    English match: their scores are scaled by ``native_share``, the share of the query's language
    among the dense arm's candidates (what the meaning of the query finds)."""
    lex = snapshot.lexical
    text = unquoted(query.expanded)
    scores = lex.scores(text)
    if not query.crosslingual or scores.size == 0:
        return scores
    own = np.zeros(len(snapshot), dtype=bool)
    own[snapshot.filters.positions("language", query.language)] = True
    # The index's stop words are English: the query's own function words ("la", "de", "en")
    # would match any text of its language, so they go before it is scored there.
    content = _content(query, text)
    native = lex.scores(content) * native_share if content.strip() else 0.0
    scores = np.where(own, native, 0.0).astype(np.float32)
    english = query.english
    if english.strip():
        in_english = np.zeros(len(snapshot), dtype=bool)
        in_english[snapshot.filters.positions("language", "en")] = True
        scores = np.where(in_english, lex.scores(english), scores).astype(np.float32)
    return scores


def _content(query: Query, text: str) -> str:
    return " ".join(
        w for w in re.findall(r"\w+", text) if w.lower() not in QUERY_FUNCTION_WORDS.get(query.language, ())
    )


def best_coverage(query: Query, ids: Sequence[str], snapshot: Snapshot) -> float:
    """The largest share of the query's term weight (``LexicalIndex.coverage``) that any of the
    passages ``ids`` contains, each read with the words it was scored with (``lexical_scores``:
    an English passage with a foreign query's translation, one in the query's language with its
    own words). 1 when the ask's distinctive words are all in some candidate; low when BM25 can
    only match its generic ones. Read by the evaluation variant ``linker-cov`` (measured, not
    adopted: partial matches proved to be evidence on most sets; docs/LINKING.md, session 17)."""
    pos = np.array([snapshot.position[pid] for pid in ids], dtype=np.int64)
    if pos.size == 0:
        return 0.0
    lex = snapshot.lexical
    text = unquoted(query.expanded)
    if not query.crosslingual:
        return float(lex.coverage(text, pos).max())
    share = np.zeros(pos.size, dtype=np.float64)
    for language, words in ((query.language, _content(query, text)), ("en", query.english)):
        mask = np.isin(pos, snapshot.filters.positions("language", language))
        if mask.any() and words.strip():
            share[mask] = lex.coverage(words, pos[mask])
    return float(share.max())


def lexical_arm(query: Query, depth: int, snapshot: Snapshot, native_share: float = 1.0) -> LexicalResult:
    scores = lexical_scores(query, snapshot, native_share)
    return LexicalResult(snapshot.lexical.top(scores, depth, candidate_mask(query, snapshot)), scores)
