"""Recommendation tables (UPR Info exports, OHCHR thematic lists, UHRI records): one passage a row."""

from __future__ import annotations

import re
from typing import Any

from corpus.countries import resolve_states
from corpus.models import TableRow
from indexer.segment.common import Out
from indexer.segment.text import Mapped
from indexer.segment.wording import strip_states

TREATY_BODIES = frozenset({"CERD", "CCPR", "CESCR", "CAT", "CEDAW", "CRC", "CRPD", "CED", "CMW", "SPT"})
_TAIL = " ;,.:"
_ENDS_WITH_GROUP = re.compile(r"\)[\s;,.]*$")
_REPORT_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*$")
_ROW_HEADING = re.compile(r"^([^\n.;:]{3,120})\n(\d{1,3})\.\s+(?=\S)")


def _row_kind(row: TableRow, mechanism: str | None) -> str:
    if row.extra.get("row_kind") == "pledge":
        return "paragraph"
    if (mechanism or "").upper() in TREATY_BODIES:
        return "observation"
    return "recommendation"


def segment_table(out: Out) -> None:
    doc = out.doc
    mechanism = doc.meta.mechanism
    for row in doc.rows:
        raw = row.text or ""
        m = Mapped.from_spans(raw, [(0, len(raw))])
        states = list(row.recommending_states)
        kind = _row_kind(row, row.extra.get("mechanism") or mechanism)
        if kind == "recommendation" and _ENDS_WITH_GROUP.search(m.s):
            # "... (Portugal, Slovakia);" in the OHCHR thematic lists: the States are metadata. A
            # closing parenthesis that names no State of the row stays text: "... and Venezuela
            # (Bolivarian Republic of)", "... Transparency Group (ACT Group)".
            stripped, found = strip_states(m)
            named, strays = resolve_states(found)
            if named and not strays:
                m = stripped
                states = states or named
        m = m.strip_chars(_TAIL) if kind == "recommendation" else m
        heading_path: list[str] = []
        paragraph = row.rec_id if row.rec_id and _REPORT_NUMBER.match(row.rec_id) else None
        head = _ROW_HEADING.match(raw)
        if head:
            # UHRI records: "Domestic application of the Covenant\n7. Reiterating ..."
            heading_path = [" ".join(head.group(1).split())]
            paragraph = head.group(2)
            m = m.slice(len(" ".join(raw[: head.end()].split())) + 1, len(m.s)) if m.s else m
        if not m:
            continue
        extra: dict[str, Any] = dict(row.extra)
        for key in ("state_under_review", "session", "cycle", "symbol", "response_raw"):
            value = getattr(row, key)
            if value is not None:
                extra[key] = value
        out.emit(
            m,
            f"row:{row.row_number}",
            kind,
            span=(0, len(raw)),
            rec_id=row.rec_id,
            paragraph=paragraph,
            heading_path=heading_path,
            section=heading_path[0] if heading_path else None,
            recommending_states=states,
            response=row.response,
            themes=list(row.themes),
            action_category=row.action_category,
            row=row.row_number,
            extra=extra,
        )
