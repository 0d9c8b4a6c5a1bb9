"""Highlighting: the passage's best sentence for a query, with the query's terms marked.

The returned marked string is HTML-safe: the passage text is escaped and only the ``<mark>``
tags are added, so a client may insert it into a page as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection

from indexer.lexical import query_terms, stem_word

_SENT = re.compile(r"(?<=[.;!?])\s+(?=[\"“(A-Z0-9])")
_WORD = re.compile(r"\w+")


def sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENT.split(text) if s.strip()]
    return parts or [text.strip()]


def highlight(text: str, query: str, terms: Collection[str] | None = None) -> tuple[str, str]:
    """(best sentence, the same sentence HTML-escaped with matching terms in ``<mark>``).

    ``terms`` are the query's index terms when the caller has them already (one request
    highlights every hit of its page with the same query)."""
    q_terms = set(query_terms(query) if terms is None else terms)
    best, best_score = "", -1.0
    for s in sentences(text):
        toks = [t for t in (stem_word(w) for w in _WORD.findall(s)) if t]
        score = len(q_terms & set(toks)) + 0.001 * min(len(toks), 40)
        if score > best_score:
            best, best_score = s, score
    return best, mark_terms(best, q_terms)


def mark_terms(sentence: str, stems: set[str]) -> str:
    out: list[str] = []
    last = 0
    for m in _WORD.finditer(sentence):
        word = m.group(0)
        if stem_word(word) in stems:
            out.append(html.escape(sentence[last : m.start()]))
            out.append(f"<mark>{html.escape(word)}</mark>")
            last = m.end()
    out.append(html.escape(sentence[last:]))
    return "".join(out)
