"""Cleaned text that remembers where each character came from, and the line-level filters.

Every segmenter works on lines of ``doc.text`` and builds passage texts as ``Mapped`` strings:
whitespace collapsed, page furniture dropped, and yet each character still knows its offset in
the document, so a passage's ``start``/``end`` (and those of each part of a split) are exact.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

_IRREGULAR_SPACE = re.compile(r"[^\S ]\s*| {2,}\s*")
# Spaces that the join of lines or the removal of a parenthesis leaves where none belongs.
# (Mapped strings only ever hold plain spaces, so the pattern can start with a literal one.)
_BAD_SPACE = re.compile(r" (?:(?=[,;:.!?)\] ])|(?<=[(\[] ))")


def count_words(text: str) -> int:
    return len(text.split())


class Mapped:
    """A string ``s`` and, for each of its characters, its offset ``o[i]`` in the document text."""

    __slots__ = ("o", "s")

    def __init__(self, s: str, o: array[int]) -> None:
        self.s = s
        self.o = o

    @classmethod
    def from_spans(cls, text: str, spans: Iterable[tuple[int, int]]) -> Mapped:
        """The words of ``text`` inside ``spans``, joined by single spaces."""
        parts: list[str] = []
        o: array[int] = array("q")
        for a, b in spans:
            if parts:
                parts.append(" ")
                o.append(a)
            pos = a
            # runs of text separated by single spaces map one to one; only other blanks change
            for m in _IRREGULAR_SPACE.finditer(text, a, b):
                parts.append(text[pos : m.start()])
                o.extend(range(pos, m.start()))
                parts.append(" ")
                o.append(m.start())
                pos = m.end()
            parts.append(text[pos:b])
            o.extend(range(pos, b))
        return cls("".join(parts), o).squeeze()

    def __bool__(self) -> bool:
        return bool(self.s)

    def __len__(self) -> int:
        return len(self.s)

    def slice(self, i: int, j: int) -> Mapped:
        return Mapped(self.s[i:j], self.o[i:j])

    def span(self, i: int = 0, j: int | None = None) -> tuple[int, int]:
        """The document span of characters ``i`` to ``j`` of this string."""
        j = len(self.s) if j is None else j
        if j <= i:
            return (self.o[i], self.o[i]) if i < len(self.o) else (0, 0)
        return self.o[i], self.o[j - 1] + 1

    def delete(self, spans: Iterable[tuple[int, int]]) -> Mapped:
        """This string without the given (sorted, non-overlapping) character ranges."""
        keep_s: list[str] = []
        keep_o: array[int] = array("q")
        pos = 0
        for a, b in spans:
            if a > pos:
                keep_s.append(self.s[pos:a])
                keep_o.extend(self.o[pos:a])
            pos = max(pos, b)
        keep_s.append(self.s[pos:])
        keep_o.extend(self.o[pos:])
        return Mapped("".join(keep_s), keep_o)

    def delete_matches(self, pattern: re.Pattern[str]) -> Mapped:
        spans = [m.span() for m in pattern.finditer(self.s) if m.end() > m.start()]
        return self.delete(spans) if spans else self

    def squeeze(self) -> Mapped:
        """Drop doubled, leading and trailing spaces and spaces before punctuation."""
        m = self.delete_matches(_BAD_SPACE)
        s = m.s
        if s[:1].isspace() or s[-1:].isspace():
            i = len(s) - len(s.lstrip())
            m = m.slice(i, i + len(s.strip()))
        return m

    def strip_chars(self, chars: str) -> Mapped:
        """Strip ``chars`` and whitespace at both ends."""
        i, j = 0, len(self.s)
        while i < j and (self.s[i] in chars or self.s[i].isspace()):
            i += 1
        while j > i and (self.s[j - 1] in chars or self.s[j - 1].isspace()):
            j -= 1
        return self.slice(i, j)


# --- footnote numbers glued to words ("treaties,5", "Cuba2 (Cuba)") ---------------------------
# Only 1-3 digits right after two lower-case letters, or after a lower-case letter or a closing
# mark and a punctuation mark, and followed by a blank or punctuation: "CO2", "G20",
# "ICCPR-OP2", "No.111", "para.5", "2010.5" are left alone.
_DIGITS = re.compile(r"\d{1,3}(?!\d)(?=[\s,.;:)]|$)")
_NOT_AFTER = ("No.", "no.", "para.", "art.", " p.", "paras.")


def footnote_spans(s: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _DIGITS.finditer(s):
        i = m.start()
        if i < 2 or s[i - 1].isdigit():
            continue
        p1, p2 = s[i - 1], s[i - 2]
        after_word = p1.islower() and p2.islower()
        after_mark = (
            p1 in ".,;:" and (p2.islower() or p2 in ')”’"') and not s[max(0, i - 6) : i].endswith(_NOT_AFTER)
        )
        if after_word or after_mark:
            out.append(m.span())
    return out


_FOOTNOTE_BODY = re.compile(r"^(\d{1,3})\s+[A-Z“\"]")


def footnote_markers(text: str) -> frozenset[str]:
    """The footnote numbers glued to words anywhere in ``text`` ("Cuba2", "treaties,5")."""
    return frozenset(text[a:b] for a, b in footnote_spans(text))


def is_footnote_body(line: str, markers: frozenset[str], after_blank: bool = False) -> bool:
    """A footnote printed at the foot of a page: "2 The original recommendation as read ...".

    Its number is glued to a word somewhere ("States3"), or it follows a blank line (the rule
    above the footnotes, in PDF text).
    """
    m = _FOOTNOTE_BODY.match(line)
    return bool(m and (after_blank or m.group(1) in markers))


def strip_footnotes(m: Mapped) -> Mapped:
    spans = footnote_spans(m.s)
    return m.delete(spans).squeeze() if spans else m


# --- lines ------------------------------------------------------------------------------------
@dataclass(slots=True)
class Line:
    """One line of the document: the span of its content without surrounding blanks."""

    start: int
    end: int
    text: str


# A job number glued to the paragraph number that follows it: "GE.08-402623. The obligation ..."
_GLUED_JOB = re.compile(r"^GE\.\d{2}-\d{5}(?=\d{1,3}\.)")


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        glued = _GLUED_JOB.match(stripped)
        if glued:
            stripped = stripped[glued.end() :]
        if stripped:
            lead = len(raw) - len(raw.lstrip()) + (glued.end() if glued else 0)
            lines.append(Line(pos + lead, pos + lead + len(stripped), stripped))
        else:
            lines.append(Line(pos, pos, ""))
        pos += len(raw) + 1
    return lines


# Page furniture that PDF extraction leaves between lines: page numbers, the document symbol
# repeated as page header, the "GE.11-10042" job number line, barcodes, "Please recycle".
_FURNITURE = re.compile(
    r"""^(?:
        \d{1,3}
      | (?:page|Page|PAGE)\s+\d{1,3}
      | \d{0,3}\s*GE\.\d{2}-\d{5}(?:\s*\(E\))?(?:\s+\d{6}){0,2}(?:\s+\d{1,3})?
      | [A-Z][A-Z0-9]{0,5}\s?(?:/\s?[A-Za-z0-9.\-]+){2,}(?:\s+\d{1,3})?
      | \d{1,3}\s+[A-Z][A-Z0-9]{0,5}(?:/[A-Za-z0-9.\-]+){2,}
      | \*\d{5,}\*
      | Please\s+recycle.*
    )$""",
    re.X,
)
# Document footnotes such as "* Previously issued as ..." or "** not edited" (UN documents only).
_STAR_NOTE = re.compile(r"^\*{1,3}\s*[A-Z]")
# Table-of-contents lines: dot leaders.
_LEADERS = re.compile(r"(?:\.\s?){5,}|…{2,}|\.{3,}\s*\d+\s*[–-]\s*\d+")


def is_furniture(line: str, un_document: bool = True) -> bool:
    if _FURNITURE.match(line):
        return True
    if not un_document:
        return False
    if _STAR_NOTE.match(line):
        return True
    return ("..." in line or "…" in line or ". . ." in line) and bool(_LEADERS.search(line))
