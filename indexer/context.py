"""Context keys: a one-line header of where a passage stands, embedded once per distinct header.

A recommendation's text is its wording alone ("Review its mandatory detention regime of
asylum-seekers"); the country it was made to, the review, the body and the document are in the
record, not in the words. A question names them ("Australia ... at the 2011 UPR"), so the
passage's vector cannot tell Australia's recommendation from the same wording made to Ireland,
nor a delegation's reply from a stakeholder's complaint. The naive baseline's chunks of raw text
carry that context in their words; hrsearch's passages carry it in their records.

So each passage has a *context key* (``context_key``): "Australia, UPR 2011, recommendation",
"Slovenia, UPR Working Group report 2019, Interactive dialogue and responses by the State under
review", "CED general comment ... 2023, Non-refoulement and the prohibition of pushbacks". The
index embeds each distinct key once (about 3,100 for the whole corpus of 110,000 passages,
stored in the catalog's ``contexts`` table) and the dense arm adds ``context_weight`` times the
query's cosine to a candidate's key to its cosine to the passage
(``search_api.retrieval.Searcher._with_context``). The passage vectors stay the text's own, so
the tagger and the linker's calibrated similarities are untouched. Measured in EVALUATION.md.

``context_header`` with ``who=True`` also names the recommending States and the response; it is
not embedded (that would make one key per table row) but documents what a reader sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Recorded in the catalog's meta (``contexts``) once every passage's key is stored
# (``indexer.pipeline.refresh_contexts``); change it to have the next index run look again.
CONTEXT_VERSION = "1"

# The year each UPR Working Group session was held (sessions 1-50, 2008-2025). UPR Info rows
# carry a session and no year; a question says "the 2011 review".
UPR_SESSION_YEAR: dict[int, int] = {
    **dict.fromkeys((1, 2, 3), 2008),
    **dict.fromkeys((4, 5, 6), 2009),
    **dict.fromkeys((7, 8, 9), 2010),
    **dict.fromkeys((10, 11, 12), 2011),
    **dict.fromkeys((13, 14), 2012),
    **dict.fromkeys((15, 16, 17), 2013),
    **dict.fromkeys((18, 19, 20), 2014),
    **dict.fromkeys((21, 22, 23), 2015),
    **dict.fromkeys((24, 25, 26), 2016),
    **dict.fromkeys((27, 28), 2017),
    **dict.fromkeys((29, 30, 31), 2018),
    **dict.fromkeys((32, 33, 34), 2019),
    **dict.fromkeys((35, 36), 2020),
    **dict.fromkeys((37, 38, 39), 2021),
    **dict.fromkeys((40, 41), 2022),
    **dict.fromkeys((42, 43, 44), 2023),
    **dict.fromkeys((45, 46, 47), 2024),
    **dict.fromkeys((48, 49, 50), 2025),
}

_DOC_KIND = {
    "outcome_report": "Working Group report",
    "outcome_addendum": "addendum: the State's responses",
    "stakeholder_summary": "summary of stakeholders' submissions",
    "compilation": "compilation of UN information",
    "national_report": "national report",
    "general_comment": "general comment",
    "concluding_observations": "concluding observations",
    "letter": "civil society letter",
}
_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+|[A-Z]|\d+(?:\.\d+)*)[.)]\s+")
_MAX_PART = 90  # characters of a title or heading kept in the header
_MAX_STATES = 3


def upr_year(record: Mapping[str, Any]) -> int | None:
    """The record's year, or for a UPR row with only a session, the year of that session."""
    year = record.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    session = record.get("session")
    if record.get("mechanism") == "UPR" and isinstance(session, int):
        return UPR_SESSION_YEAR.get(session)
    return None


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_PART else text[: _MAX_PART - 1].rsplit(" ", 1)[0] + "…"


def _heading(record: Mapping[str, Any]) -> str | None:
    path = record.get("heading_path") or []
    if not isinstance(path, list | tuple) or not path:
        return None
    head = _NUMBERING.sub("", str(path[-1])).strip()
    if head.isupper():
        head = head.capitalize()
    return _clip(head) if head else None


def context_header(record: Mapping[str, Any], *, who: bool = True) -> str:
    """One line naming where a passage stands: country, body, document, year, section, and for a
    recommendation (with ``who``) the State(s) that made it and the response ("" when the record
    says nothing)."""
    parts: list[str] = []
    country = record.get("country")
    if isinstance(country, str) and country:
        parts.append(country)
    mechanism = str(record.get("mechanism") or "")
    doc_kind = str(record.get("doc_kind") or "")
    body = [mechanism] if mechanism else []
    if doc_kind in _DOC_KIND:
        body.append(_DOC_KIND[doc_kind])
    title = record.get("title")
    if (
        doc_kind in ("general_comment", "concluding_observations", "other")
        and isinstance(title, str)
        and title
    ):
        body.append(_clip(title))
    year = upr_year(record)
    if year is not None:
        body.append(str(year))
    if body:
        parts.append(" ".join(body))
    kind = record.get("kind")
    if kind == "recommendation" and not who:
        parts.append("recommendation")
    elif kind == "recommendation":
        states = record.get("recommending_states") or (
            [record["recommending_state"]] if record.get("recommending_state") else []
        )
        by = ", ".join(str(s) for s in list(states)[:_MAX_STATES])
        parts.append(f"recommendation by {by}" if by else "recommendation")
        response = record.get("response")
        if isinstance(response, str) and response:
            parts.append(response)
    else:
        heading = _heading(record)
        if heading:
            parts.append(heading)
    return ", ".join(parts)


def context_key(record: Mapping[str, Any]) -> str:
    """The header the search embeds once and compares with the query: without the recommending
    States and the response, so that a whole table shares a few thousand of them (country,
    review, document, section), and those are the words a question names."""
    return context_header(record, who=False)
