"""Word (.docx): paragraphs and table rows in document order (python-docx)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from corpus.readers import Extracted
from hrsearch.errors import CorpusError, EmptyDocument


def read_docx(data: bytes, path: Path) -> Extracted:
    """Paragraphs separated by blank lines; a table row is one line of cells joined by " | "."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorpusError(
            path, "not a readable .docx (it is not a zip archive; an old binary .doc saved as .docx?)"
        )
    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx raises KeyError, ValueError, PackageNotFoundError ... on broken files.
    except Exception as e:
        raise CorpusError(path, f"not a readable .docx (corrupt or not a Word document): {e}") from e
    blocks: list[str] = []
    title: str | None = None
    for item in _iter_blocks(document):
        if isinstance(item, Paragraph):
            text = " ".join(item.text.split())
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if title is None and (style == "Title" or style.startswith("Heading")):
                title = text
            blocks.append(text)
        else:
            blocks.extend(_table_lines(item))
    core_title = (document.core_properties.title or "").strip()
    text = "\n\n".join(blocks)
    if not text:
        raise EmptyDocument(path, "no text in the Word document")
    return Extracted(text=text, title=core_title or title)


def _iter_blocks(document: DocxDocument) -> list[Paragraph | Table]:
    return list(document.iter_inner_content())


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines
