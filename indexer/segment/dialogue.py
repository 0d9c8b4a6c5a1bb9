"""Recommendations quoted in the interactive dialogue of UPR Working Group reports of 2008-2009.

"19. Chile ... recommended that Colombia (a) ensure that ...; (b) prevent ...": each lettered
item becomes a recommendation ``19.a`` of the State that made it, the number by which section II
of the report refers to it (``extra["source"] = "interactive dialogue"``).
"""

from __future__ import annotations

import re

from indexer.segment.common import Out
from indexer.segment.states import first_state, state_at_start, state_before
from indexer.segment.text import Mapped

_RECOMMENDED = re.compile(r"\brecommend(?:ed|s)?\b")
_LETTER_ITEM = re.compile(r"\(([a-z])\)\s")
_FULL_STOP = re.compile(r"\.\s+(?=[A-Z])")
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])|\.?\s*$")
_ITEM_TAIL = re.compile(r"(?:[\s;,.]|\band\b|\bor\b)+$")


def dialogue_recommendations(out: Out, m: Mapped, label: str, heading_path: list[str]) -> None:
    """Recommendations quoted in a paragraph of the interactive dialogue (reports of 2008-2009).

    "19. Chile ... Chile recommended that Colombia (a) ensure that ...; (b) prevent ...": each
    lettered item is a recommendation ``19.a`` of Chile, the number by which section II refers
    to it ("recommendations noted in paragraphs 19(a), 19(b) ... did not enjoy the support").
    """
    if not label.isdigit():
        return
    s = m.s
    found = None
    for r in _RECOMMENDED.finditer(s):
        # "(a)" in the same sentence as "recommended", soon after it ("asked about (a) ..." is not)
        first = s.find("(a) ", r.end(), r.end() + 200)
        if first >= 0 and not _FULL_STOP.search(s, r.end(), first):
            found = r
            break
    if found is None:
        return
    items: list[tuple[str, int, int]] = []  # letter, marker start, text start
    expected = "a"
    for x in _LETTER_ITEM.finditer(s, found.end()):
        if x.group(1) != expected:
            break
        if items:
            # a new sentence must recommend again: "It also recommended (c) ..."
            stops = [st.end() for st in _FULL_STOP.finditer(s, items[-1][1], x.start())]
            if stops and not _RECOMMENDED.search(s, stops[-1], x.start()):
                break
        items.append((x.group(1), x.start(), x.end()))
        expected = chr(ord(expected) + 1)
    if len(items) < 2:
        return
    sentence_start = max(s.rfind(". ", 0, found.start()) + 2, 0)
    # "Noting ..., Algeria recommended", "Chile also recommended", "It recommended" (the paragraph's State)
    states = (
        state_before(s[sentence_start : found.start()])
        or state_at_start(s[sentence_start:])
        or first_state(s, exclude=out.doc.meta.country)
    )
    for k, (letter, marker, begin) in enumerate(items):
        stop = items[k + 1][1] if k + 1 < len(items) else len(s)
        end = _SENTENCE_END.search(s, begin)
        stop = min(stop, end.start() if end else stop)
        tail = _ITEM_TAIL.search(s, begin, stop)
        text = m.slice(begin, tail.start() if tail else stop)
        if not text:
            continue
        out.emit(
            text,
            f"rec:{label}.{letter}",
            "recommendation",
            span=(m.o[marker], text.span()[1]),
            rec_id=f"{label}.{letter}",
            paragraph=label,
            recommending_states=states,
            section=heading_path[0] if heading_path else None,
            heading_path=list(heading_path),
            extra={"source": "interactive dialogue"},
        )
