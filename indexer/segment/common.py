"""What every segmenter shares: the output list, and the split of passages over the word limit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpus.models import Document
from hrsearch.settings import Settings
from indexer.models import Passage
from indexer.segment.text import Mapped, count_words

# Sentence-ish boundaries first, then clauses, then words; the separator stays with the left part.
SPLIT_SEPARATORS = [". ", "? ", "! ", "; ", ": ", ", ", " ", ""]
_BAD_CHARS = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f]")
# characters that do not occur in prose; more than a fifth of the words holding one = binary noise
_ODD = re.compile(r"[^\w\s.,;:()'\"“”‘’\-–—/&%§°+«»?!\[\]*•·…@=]")


def make_splitter(settings: Settings) -> RecursiveCharacterTextSplitter:
    overlap = min(settings.split_overlap_words, settings.max_passage_words // 2)
    return RecursiveCharacterTextSplitter(
        separators=SPLIT_SEPARATORS,
        keep_separator="end",
        chunk_size=settings.max_passage_words,
        chunk_overlap=overlap,
        length_function=count_words,
        strip_whitespace=True,
    )


@dataclass
class Out:
    """The passages of one document being built, and what building them needs."""

    doc: Document
    settings: Settings
    splitter: RecursiveCharacterTextSplitter
    passages: list[Passage] = field(default_factory=list)

    def emit(
        self,
        m: Mapped,
        position: str,
        kind: str,
        *,
        span: tuple[int, int] | None = None,
        skip: int = 0,
        **fields: Any,
    ) -> list[Passage]:
        """Add the passage(s) of text ``m``; split it when it is over the word limit.

        ``span`` is the document span the passage stands for (default: that of ``m``); ``skip``
        is the length of a prefix of ``m`` that lies outside ``span`` (a sub-item's lead-in), so
        the parts' spans are clamped into ``span``.
        """
        if not m.s.strip() or _garbled(m.s):
            return []
        start, end = span if span is not None else m.span()
        base = Passage(
            doc_id=self.doc.doc_id, position=position, text=m.s, kind=kind, start=start, end=end, **fields
        )
        limit = self.settings.max_passage_words
        if count_words(m.s) <= limit:
            base.pages = self.doc.pages_for_span(start, end)
            self.passages.append(base)
            return [base]
        chunks = _split(self, m.s)
        out: list[Passage] = []
        cursor = 0
        for n, chunk in enumerate(chunks, 1):
            i = m.s.find(chunk, cursor)
            if i < 0:  # the splitter only strips, so this does not happen; stay safe anyway
                i = cursor
            j = i + len(chunk)
            cursor = i + 1
            a, b = m.span(max(i, skip), max(j, skip + 1))
            a, b = max(a, start), min(max(b, a), end)
            if n == 1:
                a = start  # the first part starts where the paragraph does (its number)
            if n == len(chunks):
                b = end
            part = replace(
                base,
                position=f"{position}~{n}",
                text=chunk,
                start=a,
                end=b,
                part=n,
                parts=len(chunks),
                pages=self.doc.pages_for_span(a, b),
                extra=dict(base.extra),
                recommending_states=list(base.recommending_states),
                heading_path=list(base.heading_path),
                themes=list(base.themes),
            )
            out.append(part)
        self.passages.extend(out)
        return out


def _garbled(text: str) -> bool:
    """Binary noise decoded as text (a .doc or .docx read as text): odd characters, few words."""
    if len(_BAD_CHARS.findall(text)) * 20 > len(text):
        return True
    if not _ODD.search(text):
        return False
    tokens = text.split()
    return len(tokens) >= 8 and sum(1 for t in tokens if _ODD.search(t)) * 5 > len(tokens)


def _split(out: Out, text: str) -> list[str]:
    """Split ``text`` with the word-based splitter; cut any piece still over the limit by words."""
    limit = out.settings.max_passage_words
    chunks: list[str] = []
    for chunk in out.splitter.split_text(text):
        words = chunk.split(" ")
        if count_words(chunk) <= limit:
            chunks.append(chunk)
            continue
        step = max(1, limit - min(out.settings.split_overlap_words, limit // 2))
        for k in range(0, len(words), step):
            chunks.append(" ".join(words[k : k + limit]))
            if k + limit >= len(words):
                break
    return [c for c in chunks if c.strip()]


def dedupe_positions(passages: list[Passage]) -> None:
    """Make positions unique within the document (a malformed source can repeat a number)."""
    seen: dict[str, int] = {}
    for p in passages:
        n = seen.get(p.position, 0) + 1
        seen[p.position] = n
        if n > 1:
            base, sep, part = p.position.partition("~")
            p.position = f"{base}-{n}{sep}{part}"
            seen[p.position] = 1
