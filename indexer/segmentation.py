"""Segmentation: a document becomes passages along its own structure, never by blind size.

``segment(doc, settings)`` is a pure, deterministic function. Which segmenter runs:

- table rows (``doc.rows``): one passage per row (``indexer.segment.table``);
- UPR Working Group reports (kind ``outcome_report``, or a UN document with a "Conclusions and/or
  recommendations" section): one passage per numbered recommendation, the rest as numbered
  paragraphs (``indexer.segment.upr``);
- letters, submissions and other prose: paragraphs plus ``ask`` passages (``indexer.segment.prose``),
  or numbered paragraphs plus asks when the text is numbered;
- every other UN document: numbered paragraphs and lettered sub-items (``indexer.segment.numbered``).

Passages over ``max_passage_words`` are split along sentences with langchain's
RecursiveCharacterTextSplitter (``~1``, ``~2`` positions). ``segmentation_config`` lists what changes
the output; the index records it so a changed segmenter is noticed.
"""

from __future__ import annotations

import re
from typing import Any

from corpus.models import Document
from hrsearch.settings import Settings
from indexer.models import Passage
from indexer.segment.asks import emit_asks
from indexer.segment.common import SPLIT_SEPARATORS, Out, dedupe_positions, make_splitter
from indexer.segment.numbered import LEAD_IN_MAX_WORDS, Numbered, State
from indexer.segment.prose import segment_prose
from indexer.segment.table import segment_table
from indexer.segment.text import split_lines
from indexer.segment.upr import segment_report

# 1.1: recommending States under their UN names (non-States left out, joint lists split right),
# themes in one vocabulary (UPR Info's issues; the data's labels in ``labels``), words split by
# PDF extraction joined, ``source_url``, ``strength`` and ``strength_source`` on every record;
# ``region`` (the recommending State's group) and ``author`` (a letter's signatory), letters
# named by their subject line, no closing pleasantry as an ask.
SEGMENTER_VERSION = "1.1"

__all__ = ["SEGMENTER_VERSION", "segment", "segmentation_config"]

PROSE_KINDS = frozenset({"letter", "submission", "other"})
_NUMBERED_LINE = re.compile(r"^[ \t]*(\d{1,3})\.(?!\d)", re.M)
# Other kinds of documents count as UPR reports only with the UPR heading ("and/or"): special
# rapporteurs' "Conclusions and recommendations" sections are numbered paragraphs with sub-items.
_UPR_HEADING = re.compile(
    r"^[ \t]*(?:[IVX]{1,4}\.?\s*)?conclusions\s+and\s*/\s*or\s+recommendations\b[ \t*]*$", re.I | re.M
)


def segmentation_config(settings: Settings) -> dict[str, Any]:
    """The parameters that change the passages; recorded in the index."""
    return {
        "segmenter_version": SEGMENTER_VERSION,
        "max_passage_words": settings.max_passage_words,
        "split_overlap_words": settings.split_overlap_words,
        "ask_context_chars": settings.ask_context_chars,
        "lead_in_max_words": LEAD_IN_MAX_WORDS,
        "split_separators": list(SPLIT_SEPARATORS),
    }


def _is_numbered(text: str) -> bool:
    """At least five paragraphs numbered 1., 2., 3. ... in increasing order."""
    last = 0
    hits = 0
    for m in _NUMBERED_LINE.finditer(text):
        n = int(m.group(1))
        if last < n <= last + 3:
            hits += 1
            last = n
            if hits >= 5:
                return True
    return False


def segment(doc: Document, settings: Settings) -> list[Passage]:
    """The passages of ``doc`` in document order (derived asks and quoted recommendations right
    after their paragraph), with unique positions."""
    out = Out(doc, settings, make_splitter(settings))
    kind = doc.meta.kind
    if doc.rows:
        segment_table(out)
    elif doc.text.strip():
        lines = split_lines(doc.text)
        para_kind = "observation" if kind == "concluding_observations" else "paragraph"
        is_report = kind == "outcome_report" or (_UPR_HEADING.search(doc.text) is not None)
        if not (is_report and segment_report(out, lines, para_kind)):
            if kind in PROSE_KINDS and not _is_numbered(doc.text):
                segment_prose(out, doc.text, asks=True)
            else:
                derive = emit_asks if kind in PROSE_KINDS else None
                Numbered(out, lines, State(kind=para_kind, derive=derive)).run(0, len(lines))
    dedupe_positions(out.passages)
    return out.passages
