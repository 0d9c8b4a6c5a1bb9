"""One reader per file format; each turns a file's bytes into an ``Extracted`` (text, pages or rows).

Readers do no metadata inference and no file I/O: ``corpus.loader`` reads the bytes once, picks
the reader by suffix and passes them in. Readers raise ``CorpusError`` subclasses only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus.models import Page, TableRow


@dataclass
class Extracted:
    """What a reader got out of a file, before metadata is inferred."""

    text: str = ""
    pages: list[Page] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str | None = None
    # Facts about the whole document that the format states outright (a table's "body" column).
    hints: dict[str, Any] = field(default_factory=dict)


def join_pages(page_texts: list[str], separator: str = "\n\n") -> tuple[str, list[Page]]:
    """Join page texts into one text and record each page's character span in it."""
    pages: list[Page] = []
    parts: list[str] = []
    pos = 0
    for number, page_text in enumerate(page_texts, start=1):
        if number > 1:
            parts.append(separator)
            pos += len(separator)
        parts.append(page_text)
        pages.append(Page(number=number, start=pos, end=pos + len(page_text)))
        pos += len(page_text)
    return "".join(parts), pages
