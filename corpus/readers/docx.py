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
from hrsearch.errors import CorpusError, EmptyDocument, FileTooLarge


def read_docx(data: bytes, path: Path, max_bytes: int | None = None) -> Extracted:
    """Paragraphs separated by blank lines; a table row is one line of cells joined by " | ".

    A .docx that would unzip to more than ``max_bytes`` (a zip bomb) is refused before anything
    is unzipped: Python's zipfile never returns more than a member's declared size.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorpusError(
            path, "not a readable .docx (it is not a zip archive; an old binary .doc saved as .docx?)"
        )
    if max_bytes is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                expanded = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, ValueError) as e:
            raise CorpusError(path, f"not a readable .docx (corrupt zip archive): {e}") from e
        if expanded > max_bytes:
            raise FileTooLarge(
                path,
                f"unzips to {expanded:,} bytes, more than the limit of {max_bytes:,} bytes "
                "(setting HRSEARCH_MAX_FILE_BYTES); a zip bomb?",
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
