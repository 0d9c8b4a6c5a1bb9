"""UPR Working Group reports: one passage per numbered recommendation, the rest as paragraphs.

The recommendations sit in section "II. Conclusions and/or recommendations". Two numberings
exist: ``92.1`` / ``92.1.`` / ``140.1`` (the paragraph number and the item), and, in the reports
of 2008-2010, a paragraph ``60.`` followed by items ``1.``, ``2.``... (so ``rec_id`` is
``60.1``), where an item number may collide with the next paragraph number (``96.`` the 96th
item, then ``96.`` the next paragraph); the next number decides (a paragraph is followed by
item ``1.``). The recommending States in the closing parenthesis (and in inner ones: "Ratify
ICESCR (Ghana); Become a party to ICESCR (Australia)") become metadata and leave the text.
Reports of 2008-2009 also quote recommendations inside the paragraphs of the interactive
dialogue ("Chile recommended that Colombia (a) ...; (b) ..."): each item is a recommendation
``19.a`` too (``extra["source"] = "interactive dialogue"``), the number section II refers to.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from indexer.segment.common import Out
from indexer.segment.dialogue import dialogue_recommendations
from indexer.segment.numbered import PARA_GAP, Numbered, State
from indexer.segment.text import (
    Line,
    Mapped,
    footnote_markers,
    is_footnote_body,
    is_furniture,
    strip_footnotes,
)
from indexer.segment.wording import TAIL, cut_footnote_body, strip_states

REC_HEADING = re.compile(
    r"^(?:[IVX]{1,4}\.?\s*)?conclusions\s+and(?:\s*/\s*or)?\s+recommendations\b[\s*]*$", re.I
)
SECTION_END = re.compile(
    r"^(?:annex(?:es)?(?:\s+[IVX\d]+)?|composition\s+of\s+the\s+delegation|notes|endnotes)\s*$"
    r"|^(?:III|IV|V)\.\s*[A-Z]",
    re.I,
)
DOTTED = re.compile(r"^(\d{1,3})\.(\d{1,3})\.?(?=\s|$|[A-Z“\"(])")
PLAIN = re.compile(r"^(\d{1,3})\.(?=\s|$|[A-Z“\"(])")
# Several recommendations extracted onto one line: "... (Norway, Belgium); 83.10. Sign ..."
INLINE = re.compile(r"(?:(?<=[;)])\s*|(?<=\.)\s+)(?=\d{1,3}\.\d{1,3}\.?\s*[A-Z“\"])")
# "73 Take ..." (the dot lost): accepted only as the expected next item
NODOT = re.compile(r"^(\d{1,3})\s+(?=[A-Z])")
_LEAD_IN = re.compile(r"recommend\w*.*:\s*$|^\d+\.\s*all\s+conclusions", re.I)
_ENDS_WITH_GROUP = re.compile(r"\)\s*[;.,]?\s*$")
_NOTE_END = re.compile(r"[.!?][\"”’)]*$")


def find_section(lines: list[Line]) -> tuple[int, int] | None:
    """Line indexes of the recommendations heading and of the end of its section."""
    head = next((i for i, ln in enumerate(lines) if ln.text and REC_HEADING.match(ln.text)), None)
    if head is None:
        head = _dotted_start(lines)
        if head is None:
            return None
    end = next(
        (k for k in range(head + 1, len(lines)) if lines[k].text and SECTION_END.match(lines[k].text)),
        len(lines),
    )
    return head, end


def _dotted_start(lines: list[Line]) -> int | None:
    """Without a heading: the line that opens the first run of three ``P.N`` items (or their "P.")."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, ln in enumerate(lines):
        m = DOTTED.match(ln.text)
        if m and ln.text[m.end() :].strip()[:1].isupper():
            para = m.group(1)
            first.setdefault(para, i)
            counts[para] = counts.get(para, 0) + 1
            if counts[para] >= 3:
                k = first[para]
                lead_in = next(
                    (j for j in range(k - 1, max(-1, k - 6), -1) if PLAIN.match(lines[j].text)), None
                )
                if lead_in is not None and lines[lead_in].text.startswith(para + "."):
                    return lead_in
                return k
    return None


@dataclass
class _Unit:
    kind: str  # "rec" | "para" | "text"
    label: str
    start: int  # where the unit begins (its number)
    spans: list[tuple[int, int] | None] = field(default_factory=list)
    para: str | None = None


def _virtual_lines(lines: list[Line], lo: int, hi: int) -> list[Line | None]:
    """Content lines of the section (None for a blank line), split at inline recommendation numbers."""
    out: list[Line | None] = []
    for ln in lines[lo:hi]:
        if not ln.text:
            out.append(None)
            continue
        if is_furniture(ln.text):
            continue
        cuts = [m.end() for m in INLINE.finditer(ln.text)]
        if not cuts:
            out.append(ln)
            continue
        bounds = [0, *cuts, len(ln.text)]
        for a, b in itertools.pairwise(bounds):
            piece = ln.text[a:b]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                out.append(Line(ln.start + a + lead, ln.start + a + lead + len(piece), piece))
    return out


class RecSection:
    """Walks the recommendations section and emits recommendation and paragraph passages."""

    def __init__(self, out: Out, state: State, title: str | None) -> None:
        self.out = out
        self.st = state
        self.title = title
        self.units: list[_Unit] = []

    def run(self, vlines: list[Line | None]) -> None:
        plain_numbers = [
            (k, int(m.group(1)))
            for k, ln in enumerate(vlines)
            if ln is not None and not DOTTED.match(ln.text) and (m := PLAIN.match(ln.text))
        ]
        next_plain = {
            k: (plain_numbers[x + 1][1] if x + 1 < len(plain_numbers) else None)
            for x, (k, _) in enumerate(plain_numbers)
        }
        cur_para = self.st.last_para
        last_item: int | None = None
        list_para: int | None = None
        unit: _Unit | None = None
        markers = footnote_markers(self.out.doc.text)
        in_note = False
        for k, ln in enumerate(vlines):
            if ln is None:
                in_note = False
                if unit is not None:
                    unit.spans.append(None)
                continue
            t = ln.text
            d = DOTTED.match(t)
            p = None if d else PLAIN.match(t)
            if in_note and not (d or p):
                in_note = not _NOTE_END.search(t)
                continue
            in_note = False
            if d and (cur_para == 0 or cur_para - 1 <= int(d.group(1)) <= cur_para + 3):
                para, n = int(d.group(1)), int(d.group(2))
                if para > cur_para:
                    cur_para, list_para = para, para
                elif last_item is not None and n != last_item + 1 and str(last_item + 1).endswith(d.group(2)):
                    n = last_item + 1  # "118.09" printed for 118.109
                if para < cur_para and list_para is not None and last_item is not None and n == last_item + 1:
                    para = list_para  # "146.18" printed among the 147.x
                list_para, last_item = para, n
                unit = self._open("rec", f"{para}.{n}", ln, d.end(), str(para))
            elif p:
                n = int(p.group(1))
                exact_item = last_item is not None and n == last_item + 1
                exact_para = n == cur_para + 1
                near_item = last_item is not None and last_item < n <= last_item + 3
                # (no numbered paragraph before the section: any number opens one)
                near_para = cur_para < n <= cur_para + PARA_GAP or (cur_para == 0 and last_item is None)
                if (exact_item and exact_para) or (
                    not exact_item and not exact_para and near_item and near_para
                ):
                    is_item = next_plain.get(k) != 1 and not _LEAD_IN.search(t)
                else:
                    is_item = exact_item or (near_item and not exact_para)
                if is_item and list_para is not None:
                    last_item = n
                    unit = self._open("rec", f"{list_para}.{n}", ln, p.end(), str(list_para))
                elif near_para:
                    cur_para = n
                    list_para, last_item = n, 0
                    unit = self._open("para", str(n), ln, p.end(), str(n))
                elif unit is not None:
                    unit.spans.append((ln.start, ln.end))
                else:
                    unit = self._open("text", "", ln, 0, None)
            elif (
                (nd := NODOT.match(t))
                and last_item  # inside a list: "1 The text of ..." after a paragraph is an endnote
                and list_para is not None
                and int(nd.group(1)) == last_item + 1
            ):
                last_item = int(nd.group(1))
                unit = self._open("rec", f"{list_para}.{last_item}", ln, nd.end(), str(list_para))
            elif is_footnote_body(t, markers, after_blank=k > 0 and vlines[k - 1] is None):
                # until its last sentence ends (or the blank line that ends the page, or a number)
                in_note = not _NOTE_END.search(t)
            elif unit is not None:
                unit.spans.append((ln.start, ln.end))
            else:
                unit = self._open("text", "", ln, 0, None)
        self.st.last_para = max(self.st.last_para, cur_para)
        self._emit_all()

    def _open(self, kind: str, label: str, ln: Line, cut: int, para: str | None) -> _Unit:
        unit = _Unit(kind, label, ln.start, [(ln.start + cut, ln.end)], para)
        self.units.append(unit)
        return unit

    def _emit_all(self) -> None:
        text = self.out.doc.text
        units: list[_Unit] = []
        for x, u in enumerate(self.units):
            units.append(u)
            if u.kind == "rec":
                tail = _split_trailing(u, self.units[x + 1] if x + 1 < len(self.units) else None, text)
                if tail is not None:
                    units.append(tail)
        recs: dict[int, tuple[Mapped, Mapped, list[str]]] = {}
        with_states: set[str | None] = set()
        for x, u in enumerate(units):
            if u.kind == "rec":
                full = cut_footnote_body(Mapped.from_spans(text, [s for s in u.spans if s]))
                wording, states = strip_states(full)
                recs[x] = (full, strip_footnotes(wording).strip_chars(TAIL), states)
                if states:
                    with_states.add(u.para)
        path = [self.title] if self.title else []
        para_no = self.st.last_para
        unnumbered = 0
        for x, u in enumerate(units):
            if u.kind == "para":
                para_no = int(u.label)
                unnumbered = 0
            if u.kind == "rec" and u.para in with_states:
                full, wording, states = recs[x]
                self.out.emit(
                    wording,
                    f"rec:{u.label}",
                    "recommendation",
                    span=(u.start, full.span()[1]),
                    rec_id=u.label,
                    paragraph=u.para,
                    recommending_states=states,
                    section=self.title,
                    heading_path=list(path),
                )
                continue
            # numbered paragraphs, unnumbered text, and numbered items that name no State
            # (2008: "61. With regard to the other recommendations, the State ... comments: 1. ...")
            m = strip_footnotes(Mapped.from_spans(text, [s for s in u.spans if s]))
            if not m:
                continue
            if u.kind == "text":
                unnumbered += 1
                position = f"para:{para_no}+r{unnumbered}"
            else:
                position = f"para:{u.label}"
            self.out.emit(
                m,
                position,
                "paragraph",
                span=(u.start, m.span()[1]),
                paragraph=u.para if u.kind == "rec" else (u.label or None),
                section=self.title,
                heading_path=list(path),
            )


def _split_trailing(u: _Unit, nxt: _Unit | None, text: str) -> _Unit | None:
    """Split off what follows the closing State parenthesis after a blank line.

    Either the text is not a recommendation (2008: "... (Nigeria).\n\nWith respect to special
    procedures, Algeria will ...": a paragraph), or it is a recommendation whose number was lost
    (india2008 has no "4."), which shows as the next number being two ahead; otherwise (a
    recommendation made of several sentences, each with its States) it stays.
    """
    blocks: list[list[tuple[int, int]]] = [[]]
    for s in u.spans:
        if s is None:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(s)
    blocks = [b for b in blocks if b]
    for k in range(1, len(blocks)):
        a, z = blocks[k - 1][-1]
        if not _ENDS_WITH_GROUP.search(text, a, z):
            continue
        start = blocks[k][0][0]
        if not text[start : blocks[k][0][1]][:1].isupper():
            continue
        a, z = blocks[-1][-1]
        tail_is_rec = bool(_ENDS_WITH_GROUP.search(text, a, z))
        para, _, n = u.label.rpartition(".")
        lost = f"{para}.{int(n) + 1}" if n.isdigit() else None
        if tail_is_rec and not (
            nxt is not None and nxt.kind == "rec" and nxt.label == f"{para}.{int(n) + 2}"
        ):
            return None
        tail_spans: list[tuple[int, int] | None] = [s for b in blocks[k:] for s in b]
        u.spans = [s for b in blocks[:k] for s in b]
        if tail_is_rec and lost:
            return _Unit("rec", lost, start, tail_spans, u.para)
        return _Unit("text", "", start, tail_spans, None)
    return None


def segment_report(out: Out, lines: list[Line], kind: str) -> bool:
    """Segment a UPR Working Group report; False when it has no recommendations section."""
    found = find_section(lines)
    if found is None:
        return False
    head, end = found
    st = State(kind=kind, derive=dialogue_recommendations)
    Numbered(out, lines, st).run(0, head)
    st.derive = None
    title_line = lines[head].text
    title = " ".join(title_line.rstrip("*").split()) if REC_HEADING.match(title_line) else None
    section = RecSection(out, st, title)
    start = head + 1 if title else head
    section.run(_virtual_lines(lines, start, end))
    if end < len(lines):
        st.headings = []
        Numbered(out, lines, st).run(end, len(lines))
    return True
