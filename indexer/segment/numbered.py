"""UN documents made of numbered paragraphs: reports, compilations, summaries, general comments.

Paragraph ``12.`` is one passage (``para:12``); its lettered sub-items ``(a)``, ``(b)``... are
passages of their own (``para:12.a``). Headings (Roman-numeral, capital-letter and arabic
headings out of the paragraph sequence, and short unnumbered lines followed by a paragraph) make
the ``heading_path``. Works on lines whose text may be one paragraph per line (plain text
extraction) or hard-wrapped (layout extraction, PDF).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.segment.common import Out
from indexer.segment.text import (
    Line,
    Mapped,
    count_words,
    footnote_markers,
    is_footnote_body,
    is_furniture,
    strip_footnotes,
)

PARA = re.compile(r"^(\d{1,3})\.(?!\d)\s*(.*)$")
ROMAN = re.compile(r"^((?:X{0,2})(?:IX|IV|V?I{0,3}))\.\s*(?![A-Z]\.)([A-Z“\"].*)$")
LETTER = re.compile(r"^([A-Z])\.\s*(?![A-Z]\.)([A-Z“\"].*)$")
ITEM = re.compile(r"^\(([a-z]{1,2})\)\s*(.*)$")
NOTES = re.compile(r"^(?:Notes|Endnotes|Footnotes)$", re.I)
ANNEX = re.compile(r"^Annex(?:es)?(?:\s+[IVX\d]+)?$", re.I)
_ENDS_SENTENCE = re.compile(r"[.:;!?][\"”’)]?\d{0,3}$")
_TRAILING_DIGITS = re.compile(r"\d+$")
# a heading line that cannot end there: "... accredited in full compliance with the"
_OPEN_END = re.compile(r"\b(?:of|the|and|or|with|in|for|to|on|a|an|by|from|at|including|against)$", re.I)
# cover-page lines that are neither headings nor text
COVER = re.compile(
    r"^(?:Distr\.?:?\s*(?:General|GENERAL|Restricted|Limited)\b.*|Original:\s*\w+|General Assembly|United Nations"
    r"|Advance unedited version|Please recycle.*)$"
)
_MARKER_SPACE = re.compile(r"^([IVX]{1,5}|[A-Z]|\d{1,2})\.\s*")  # "I.Introduction" -> "I. Introduction"

LEAD_IN_MAX_WORDS = 40  # a sub-item carries its paragraph's lead-in when the lead-in is this short
MIN_WORDS_UNNUMBERED = 5  # shorter unnumbered text between paragraphs is not a passage
MIN_WORDS_FRONT = 40  # unnumbered text before the first heading or paragraph (cover page)
_PROSE = re.compile(r"[a-z]{2}[.!?][\"”’]?\s+[A-Z]")
PARA_GAP = 10  # a paragraph number may skip at most this many numbers (lost in extraction)


def headingish(text: str, max_words: int = 25) -> bool:
    """Short, starts with a capital, and does not end like a sentence."""
    if not text or count_words(text) > max_words:
        return False
    first = text.lstrip("“\"'(")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    tail = _TRAILING_DIGITS.sub("", text.rstrip("*")).rstrip()
    return bool(tail) and tail[-1] not in ".,;:!?"


def next_label(label: str) -> str:
    """a -> b, z -> aa, aa -> bb."""
    if len(label) == 1:
        return "aa" if label == "z" else chr(ord(label) + 1)
    return label[0] * len(label) if label[0] == "z" else chr(ord(label[0]) + 1) * len(label)


@dataclass
class Unit:
    """A paragraph (or sub-item, or unnumbered block) being gathered."""

    label: str | None  # "12", "12.a", or None for unnumbered text
    start: int
    spans: list[tuple[int, int]] = field(default_factory=list)
    heading_path: list[str] = field(default_factory=list)
    item: str | None = None


@dataclass
class State:
    """Where the walk through a document stands; shared with the UPR report segmenter."""

    kind: str
    footnotes: bool = True
    # more passages drawn from each paragraph: asks (letters, submissions), the recommendations
    # quoted in the interactive dialogue of a UPR report; called with (out, text, label, headings)
    derive: Callable[[Out, Mapped, str, list[str]], None] | None = None
    last_para: int = 0
    seen_structure: bool = False
    headings: list[tuple[int, str]] = field(default_factory=list)
    unnumbered: int = 0

    def path(self) -> list[str]:
        return [t for _, t in self.headings]

    def push_heading(self, level: int, title: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        self.seen_structure = self.seen_structure or level < 4


class Numbered:
    """Walks lines ``lo:hi`` and emits paragraph and sub-item passages."""

    def __init__(self, out: Out, lines: list[Line], state: State) -> None:
        self.out = out
        self.lines = lines
        self.st = state
        self.unit: Unit | None = None
        self.lead: Mapped | None = None  # lead-in of the current paragraph when it has items
        self.lead_used = False
        self.lead_unit: Unit | None = None
        self.para_label: str | None = None
        self.skip: dict[int, bool] = {}
        self.markers = footnote_markers(out.doc.text) if state.footnotes else frozenset()

    # --- line classes ---------------------------------------------------------------------
    def _content(self, i: int, hi: int) -> int:
        """Index of the next line at or after ``i`` that is not blank or furniture, else ``hi``."""
        skip = self.skip
        while i < hi:
            s = skip.get(i)
            if s is None:
                t = self.lines[i].text
                s = skip[i] = not t or is_furniture(t)
            if not s:
                break
            i += 1
        return i

    @staticmethod
    def _structural(text: str) -> bool:
        if PARA.match(text) or LETTER.match(text) or ITEM.match(text):
            return True
        m = ROMAN.match(text)
        return bool(m and m.group(1))

    def _is_para(self, n: int, rest: str, nxt: str | None) -> bool:
        st = self.st
        if n <= st.last_para:
            return False
        if st.last_para and n > st.last_para + PARA_GAP:
            return False
        if rest and headingish(rest, 20) and nxt is not None:
            # "1. Equality and non-discrimination" followed by paragraph "12." is a heading
            m = PARA.match(nxt)
            if m and int(m.group(1)) > st.last_para and (n != st.last_para + 1 or int(m.group(1)) == n):
                return False
        return True

    # --- walking --------------------------------------------------------------------------
    def run(self, lo: int, hi: int) -> None:
        lines = self.lines
        i = self._content(lo, hi)
        prev_text = ""
        prev_heading = False
        prev_index = -1
        while i < hi:
            line = lines[i]
            t = line.text
            gap = prev_index >= 0 and i > prev_index + 1  # blank or furniture lines in between
            prev_index = i
            j = self._content(i + 1, hi)
            nxt = lines[j].text if j < hi else None
            if NOTES.match(t):
                break
            if COVER.match(t):
                i = j
                continue
            if self.st.footnotes and is_footnote_body(
                t, self.markers, after_blank=not lines[i - 1].text if i else False
            ):
                # a footnote at the foot of the page: skip it up to the blank line that ends the page
                k = i + 1
                ended = _ENDS_SENTENCE.search(t) is not None
                while not ended and k < hi and lines[k].text and not self._structural(lines[k].text):
                    ended = _ENDS_SENTENCE.search(lines[k].text) is not None
                    k += 1
                i = self._content(k, hi)
                continue
            m_para = PARA.match(t)
            m_roman = ROMAN.match(t) if not m_para else None
            m_letter = LETTER.match(t) if not (m_para or m_roman) else None
            m_item = ITEM.match(t)
            if ANNEX.match(t) and self.st.last_para == 0:
                i = j  # "Annex" in the table of contents
            elif ANNEX.match(t):
                self.st.headings = []
                i = self._heading(1, t, i, j, hi)
                prev_heading = True
            elif m_roman and m_roman.group(1) and headingish(m_roman.group(2)):
                i = self._heading(1, t, i, j, hi)
                prev_heading = True
            elif m_letter and headingish(m_letter.group(2), 20):
                i = self._heading(2, t, i, j, hi)
                prev_heading = True
            elif m_para and self._is_para(int(m_para.group(1)), m_para.group(2), nxt):
                self._open_para(m_para.group(1), line, len(t) - len(m_para.group(2)))
                prev_heading = False
                i = j
            elif m_para and headingish(m_para.group(2), 20):
                i = self._heading(3, t, i, j, hi)
                prev_heading = True
            elif m_item and self._is_item(m_item.group(1)):
                self._open_item(m_item.group(1), line, len(t) - len(m_item.group(2)))
                prev_heading = False
                i = j
            elif self._unnumbered_heading(t, prev_text, prev_heading or gap, nxt, j, hi):
                i = self._heading(4, t, i, j, hi)
                prev_heading = True
            else:
                if self.unit is None:
                    self._open_unnumbered(line)
                else:
                    self.unit.spans.append((line.start, line.end))
                prev_heading = False
                i = j
            prev_text = t
        self._close()

    def _unnumbered_heading(
        self, t: str, prev: str, prev_heading: bool, nxt: str | None, j: int, hi: int
    ) -> bool:
        if not headingish(t, 12) or t.startswith(("(", "•")):
            return False
        if not (prev_heading or not prev or _ENDS_SENTENCE.search(prev) or self.unit is None):
            return False
        if nxt is None:
            return False
        if self._structural(nxt):
            return True
        if prev_heading and headingish(t, 8) and not nxt[:1].islower() and not headingish(nxt, 12):
            return True  # "Annex" / "Composition of the delegation" / prose
        # two stacked unnumbered headings ("C. ..." / "1. ..." / "Equality and non-discrimination")
        k = self._content(j + 1, hi)
        return headingish(nxt, 12) and k < hi and self._structural(self.lines[k].text)

    def _heading(self, level: int, t: str, i: int, j: int, hi: int) -> int:
        """Record a heading (joining its lower-case continuation lines); return the next index."""
        self._close()
        title = [t]
        while j < hi:
            nt = self.lines[j].text
            wrapped = _OPEN_END.search(title[-1]) is not None and headingish(nt, 12)
            if not (nt[:1].islower() or wrapped) or self._structural(nt):
                break
            title.append(nt)
            j = self._content(j + 1, hi)
        self.st.push_heading(level, _MARKER_SPACE.sub(r"\1. ", " ".join(" ".join(title).split()), count=1))
        return j

    def _open_para(self, number: str, line: Line, cut: int) -> None:
        self._close()
        self.st.last_para = int(number)
        self.st.unnumbered = 0
        self.st.seen_structure = True
        self.para_label = number
        self.unit = Unit(number, line.start, [(line.start + cut, line.end)], self.st.path())

    def _is_item(self, label: str) -> bool:
        if self.para_label is None or self.unit is None:
            return False
        expected = "a" if self.unit.item is None else next_label(self.unit.item)
        # out of sequence ("(i)", "(ii)" inside item (c): its own enumeration) = text of the item
        return label == expected

    def _open_item(self, label: str, line: Line, cut: int) -> None:
        assert self.unit is not None and self.para_label is not None
        if self.unit.item is None:
            # the paragraph's text so far is the lead-in of its items
            self.lead = self._text(self.unit)
            self.lead_used = bool(self.lead) and count_words(self.lead.s) <= LEAD_IN_MAX_WORDS
            self.lead_unit = self.unit if self.lead_used else None
            if self.lead and not self.lead_used:
                self._emit(self.unit, self.lead)
        else:
            self._emit_item(self.unit)
        self.unit = Unit(
            f"{self.para_label}.{label}",
            line.start,
            [(line.start + cut, line.end)],
            self.st.path(),
            item=label,
        )

    def _open_unnumbered(self, line: Line) -> None:
        self.st.unnumbered += 1
        self.para_label = None
        self.unit = Unit(None, line.start, [(line.start, line.end)], self.st.path())

    def _text(self, unit: Unit) -> Mapped:
        m = Mapped.from_spans(self.out.doc.text, unit.spans)
        return strip_footnotes(m) if self.st.footnotes else m

    def _close(self) -> None:
        unit = self.unit
        self.unit = None
        if unit is None:
            return
        if unit.item is not None:
            self._emit_item(unit)
        else:
            m = self._text(unit)
            if unit.label is None:
                if self.st.seen_structure:
                    if count_words(m.s) < MIN_WORDS_UNNUMBERED:
                        return
                elif (
                    count_words(m.s) < MIN_WORDS_FRONT
                    or count_words(m.s) < 8 * len(unit.spans)
                    or len(_PROSE.findall(m.s)) < 2
                ):
                    return  # cover page (symbol, distribution, session, title): short lines
            self._emit(unit, m)
        self.lead = None

    def _emit(self, unit: Unit, m: Mapped) -> None:
        if unit.label is None:
            position = f"para:{self.st.last_para}+{self.st.unnumbered}"
        else:
            position = f"para:{unit.label}"
        span = (unit.start, m.span()[1]) if m else None
        self.out.emit(
            m,
            position,
            self.st.kind,
            span=span,
            paragraph=unit.label,
            heading_path=unit.heading_path,
            section=unit.heading_path[0] if unit.heading_path else None,
        )
        if self.st.derive is not None:
            self.st.derive(self.out, m, position.split(":", 1)[1], unit.heading_path)

    def _emit_item(self, unit: Unit) -> None:
        m = self._text(unit)
        if not m:
            return
        span = (unit.start, m.span()[1])
        skip = 0
        lead = self.lead if self.lead_used else None
        if lead is not None and count_words(lead.s) + count_words(m.s) > self.out.settings.max_passage_words:
            # too long to carry the lead-in: the lead-in becomes a passage of its own, once
            if self.lead_unit is not None:
                self._emit(self.lead_unit, lead)
                self.lead_unit = None
            lead = None
        if lead is not None:
            joined = Mapped(lead.s + " " + m.s, lead.o + lead.o[-1:] + m.o)
            skip = len(lead.s) + 1
            m_out = joined
        else:
            m_out = m
        passages = self.out.emit(
            m_out,
            f"para:{unit.label}",
            self.st.kind,
            span=span,
            skip=skip,
            paragraph=self.para_label,
            heading_path=unit.heading_path,
            section=unit.heading_path[0] if unit.heading_path else None,
        )
        if skip and passages:
            # the first characters of the text are the paragraph's lead-in, outside [start, end)
            passages[0].extra["lead_in_chars"] = skip
        if self.st.derive is not None:
            self.st.derive(self.out, m, str(unit.label), unit.heading_path)
