"""A recommendation's wording: the text without its recommending States and printed endnotes.

"Ratify ICESCR (Ghana); Become a party to ICESCR (Australia)" gives the wording without the
parentheses that name States (inner ones too, and one whose closing bracket was lost) and the
States in order of appearance; a parenthesis that names no State ("(CAT)") stays. Used by the
UPR report segmenter and by tables whose text still carries the States.
"""

from __future__ import annotations

import re

from indexer.segment.states import parse_states
from indexer.segment.text import Mapped

TAIL = " ;,.:"  # what is trimmed from both ends of a recommendation's wording
_AFTER_GROUP = re.compile(r"(\d{0,3})\s*(?:$|[;.,:(/]|and\b|or\b)")
_FOOTNOTE_BODY = re.compile(r"\)\s*(\d{1,2})\s*[;.,]?\s+(\1\s+[A-Z“\"].*)$")
_EXTRA_PUNCT = re.compile(r"(?<=[;,.:])\s*[;,]+")
_BRACKET = re.compile(r"[()]")


def _pairs(s: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Matched parentheses (start, end) sorted by start, and the positions of unmatched "("."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for m in _BRACKET.finditer(s):
        i = m.start()
        if m.group() == "(":
            stack.append(i)
        elif stack:
            pairs.append((stack.pop(), i + 1))
    pairs.sort()
    return pairs, stack


def strip_states(full: Mapped) -> tuple[Mapped, list[str]]:
    """The recommendation without its State parentheses, and the States in order of appearance."""
    s = full.s
    pairs, unmatched = _pairs(s)
    states: list[str] = []
    cuts: list[tuple[int, int]] = []
    for a, b in pairs:
        if cuts and a < cuts[-1][1]:
            continue  # inside a parenthesis already taken as a State list
        after = _AFTER_GROUP.match(s, b)
        if not after:
            continue
        final = not s[after.start() :].strip(TAIL + "0123456789")
        content = s[a + 1 : b - 1]
        if final and unmatched and unmatched[-1] < a and "(" not in s[unmatched[-1] + 1 : a]:
            # "(Iran (Islamic Republic of)" with its closing bracket lost
            u = unmatched[-1]
            if parse_states(s[u + 1 : b], lenient=False):
                a, content = u, s[u + 1 : b]
        names = parse_states(content, lenient=final)
        if names is None:
            continue
        for name in names:
            if name not in states:
                states.append(name)
        b += len(after.group(1))  # and the footnote number glued to it: "(Turkey)1"
        while a > 0 and s[a - 1] == " ":
            a -= 1
        cuts.append((a, b))
    if not cuts:
        return full, states
    text = full.delete(cuts).delete_matches(_EXTRA_PUNCT).squeeze()
    return text, states


def cut_footnote_body(full: Mapped) -> Mapped:
    """Drop an endnote printed inside the recommendation: "(China)1; 1 The recommendation as read ..."."""
    m = _FOOTNOTE_BODY.search(full.s)
    return full.slice(0, m.start(2)).squeeze() if m else full
