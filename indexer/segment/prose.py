"""Letters and other plain prose: paragraphs, headings, list items, and their asks.

Paragraphs are blank-line separated blocks (hard-wrapped lines joined; a block cut in two by a
page break, the second starting in lower case, is joined back). Blocks that are not sentences:
one or two short lines followed by prose are headings, any other run of them (names, an address,
a list of participants) is one paragraph. Bullet lines are list items (``para:4.2``); imperative
items under a lead-in that asks are asks. Everything after the closing ("Sincerely,") is one
"Signatories" passage.
"""

from __future__ import annotations

import re

from indexer.segment.asks import emit_asks, is_ask
from indexer.segment.common import Out, _garbled
from indexer.segment.numbered import headingish
from indexer.segment.text import Line, Mapped, count_words, is_furniture, split_lines

BULLET = re.compile(r"^(?:[•·▪◦‣●\-–—*]|o(?=\s)|\d{1,2}[.)]|\(?[a-z]\))\s+")
CLOSING = re.compile(
    r"^(?:sincerely|yours\s+(?:sincerely|faithfully|truly)|respectfully(?:\s+yours|\s+submitted)?"
    r"|(?:best|kind|warm)\s+regards|regards)\b[\s,.]*",
    re.I,
)
MD_HEADING = re.compile(r"^#{1,6}\s+")
MARKDOWN = re.compile(
    r"\[(?=[^\]\n]*\]\()|\]\([^)\s]*\)|(?<![\w*])\*{1,2}(?=\S)|(?<=\S)\*{1,2}(?![\w*])"
    r"|(?<![\w_])_{1,2}(?=[^\s_])|(?<=[^\s_])_{1,2}(?![\w_])|^#{1,6}\s+"
)
_ENDS = re.compile(r"[.!?:;\"”)]\s*$")
_SENTENCE_END = re.compile(r"[.!?:;][\"”’)]?\s*$")
MIN_WORDS = 4
PROSE_WORDS = 25


def _blocks(lines: list[Line]) -> list[list[Line]]:
    blocks: list[list[Line]] = [[]]
    for ln in lines:
        if not ln.text:
            if blocks[-1]:
                blocks.append([])
        elif not is_furniture(ln.text, un_document=False):
            blocks[-1].append(ln)
    blocks = [piece for b in blocks if b for piece in _rescue(b)]
    merged: list[list[Line]] = []
    for b in blocks:
        if merged and not _ENDS.search(merged[-1][-1].text) and b[0].text[:1].islower():
            merged[-1].extend(b)  # a paragraph cut by a page break
        else:
            merged.append(b)
    return merged


_FIELD_CODE = re.compile(r"\\\*\s*MERGEFORMAT|^\s*(?:PAGE|NUMPAGES|HYPERLINK|TOC)\s+\\")
_TAIL_RUN = 3  # this many noise lines in a row start a binary tail: the rest is not text


def _noise(text: str) -> bool:
    """A line of a Word file's binary parts: noise, a field code, or one or two odd tokens."""
    t = text.strip()
    if _garbled(t) or _FIELD_CODE.search(t):
        return True
    words = t.split()
    return len(words) <= 2 and not t.isupper() and not any(ch in t for ch in ".?!")


def _rescue(b: list[Line]) -> list[list[Line]]:
    """A block of several lines that reads as binary noise as a whole (a Word file's text with
    its binary parts, saved without blank lines) is taken line by line: noise lines are dropped,
    and from the first run of them on (the binary tail) everything is. Any other block stays whole."""
    if len(b) < 2 or not _garbled(" ".join(ln.text for ln in b)):
        return [b]
    noisy = [_noise(ln.text) for ln in b]
    end = next((i for i in range(len(b)) if all(noisy[i : i + _TAIL_RUN])), len(b))
    return [[ln] for ln, bad in zip(b[:end], noisy[:end], strict=True) if not bad]


def _is_heading_block(b: list[Line]) -> bool:
    if len(b) != 1:
        return False
    t = MD_HEADING.sub("", b[0].text)
    return (MD_HEADING.match(b[0].text) is not None or headingish(t, 12)) and not BULLET.match(t)


def _is_prose(b: list[Line]) -> bool:
    """Sentences or a bulleted list, not a line of a list of names, an address, a title."""
    if any(BULLET.match(ln.text) for ln in b):
        return True
    text = " ".join(ln.text for ln in b)
    return bool(_SENTENCE_END.search(text)) or count_words(text) >= PROSE_WORDS


class Prose:
    def __init__(self, out: Out, asks: bool) -> None:
        self.out = out
        self.asks = asks
        self.para = 0
        self.items = 0
        self.path: list[str] = []
        self.lead_asks = False

    def _mapped(self, spans: list[tuple[int, int]]) -> Mapped:
        return Mapped.from_spans(self.out.doc.text, spans).delete_matches(MARKDOWN).squeeze()

    def run(self, lines: list[Line]) -> None:
        blocks = _blocks(lines)
        k = 0
        while k < len(blocks):
            b = blocks[k]
            if CLOSING.match(b[0].text):
                self._paragraph([ln for bb in blocks[k:] for ln in bb], ["Signatories"], asks=False)
                return
            if not _is_prose(b):
                # headings (followed by prose), or a run of short lines (names, an address)
                run_end = k
                while run_end < len(blocks) and not _is_prose(blocks[run_end]):
                    if CLOSING.match(blocks[run_end][0].text):
                        break
                    run_end += 1
                followed = run_end < len(blocks) and not CLOSING.match(blocks[run_end][0].text)
                run = blocks[k:run_end]
                if len(run) <= 2 and followed and all(_is_heading_block(bb) for bb in run):
                    self.path = [" ".join(MD_HEADING.sub("", bb[0].text).split()) for bb in run]
                else:
                    self._paragraph([ln for bb in run for ln in bb], self.path, asks=False)
                k = run_end
                continue
            self._block(b)
            k += 1

    def _block(self, b: list[Line]) -> None:
        lead: list[Line] = []
        items: list[list[Line]] = []
        for ln in b:
            if BULLET.match(ln.text):
                items.append([ln])
            elif items:
                items[-1].append(ln)
            else:
                lead.append(ln)
        if lead:
            m = self._paragraph(lead, self.path, asks=self.asks)
            self.lead_asks = m is not None and (m.s.rstrip().endswith(":") or is_ask(m.s))
        for item in items:
            self._item(item)

    def _paragraph(self, lines: list[Line], path: list[str], asks: bool) -> Mapped | None:
        m = self._mapped([(ln.start, ln.end) for ln in lines])
        if count_words(m.s) < MIN_WORDS:
            return None
        self.para += 1
        self.items = 0
        label = str(self.para)
        self.out.emit(
            m,
            f"para:{label}",
            "paragraph",
            paragraph=label,
            heading_path=list(path),
            section=path[0] if path else None,
        )
        if asks:
            emit_asks(self.out, m, label, path)
        return m

    def _item(self, lines: list[Line]) -> None:
        first = lines[0]
        cut = BULLET.match(first.text)
        offset = cut.end() if cut else 0
        spans = [(first.start + offset, first.end)] + [(ln.start, ln.end) for ln in lines[1:]]
        m = self._mapped(spans)
        if not m:
            return
        self.items += 1
        label = f"{self.para}.{self.items}"
        self.out.emit(
            m,
            f"para:{label}",
            "paragraph",
            span=(first.start, m.span()[1]),
            paragraph=label,
            heading_path=list(self.path),
            section=self.path[0] if self.path else None,
        )
        if self.asks:
            emit_asks(self.out, m, label, self.path, list_item=self.lead_asks)


def segment_prose(out: Out, text: str, asks: bool) -> None:
    Prose(out, asks).run(split_lines(text))
