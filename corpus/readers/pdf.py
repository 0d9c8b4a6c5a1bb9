"""PDF: the text layer of each page (pypdf), with page spans; encrypted, corrupt and scanned PDFs refused.

Words that extraction split ("deat h") are joined again (``corpus.readers.pdf_words``).
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import LimitReachedError

from corpus.readers import Extracted, join_pages
from corpus.readers.pdf_words import rejoin_pages
from hrsearch.errors import CorpusError, EmptyDocument, EncryptedDocument, FileTooLarge


def read_pdf(data: bytes, path: Path, max_pages: int) -> Extracted:
    """Extract the text of every page; pages are joined by a blank line and recorded as spans."""
    if b"%PDF-" not in data[:1024]:
        raise CorpusError(path, "not a PDF (the file does not start with %PDF)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            # Many UN PDFs carry an owner password only (printing rights); those open with "".
            raise EncryptedDocument(path, "encrypted with a password; decrypt it first")
        n_pages = len(reader.pages)
    except CorpusError:
        raise
    # pypdf raises many types for broken files (PdfReadError, KeyError, ValueError, RecursionError ...).
    except Exception as e:
        raise CorpusError(path, f"not a readable PDF (truncated or corrupt): {e}") from e
    if n_pages > max_pages:
        raise FileTooLarge(
            path, f"{n_pages} pages, more than the limit of {max_pages} (setting HRSEARCH_MAX_PDF_PAGES)"
        )
    warnings: list[str] = []
    page_texts: list[str] = []
    failures: list[Exception] = []
    for number in range(1, n_pages + 1):
        try:
            page_text = reader.pages[number - 1].extract_text()
        except Exception as e:  # one unreadable page should not cost the whole document
            warnings.append(f"page {number}: text could not be extracted ({_why(e)})")
            failures.append(e)
            page_text = ""
        page_texts.append(page_text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    if not any(t.strip() for t in page_texts):
        if failures:
            # Not a scan: the text is there but could not be read (a corrupt or hostile stream).
            raise CorpusError(path, f"no page's text could be extracted: {_why(failures[0])}")
        raise EmptyDocument(path, "no text layer (scanned PDF?); OCR it first")
    empty = [str(i) for i, t in enumerate(page_texts, start=1) if not t.strip()]
    if empty:
        warnings.append(f"{len(empty)} of {n_pages} pages have no text layer (pages {', '.join(empty[:20])})")
    page_texts, repairs = rejoin_pages(page_texts)
    if repairs.joined:
        shown = ", ".join(f"{a!r} -> {b!r}" for a, b in repairs.joined[:3])
        warnings.append(f"{len(repairs)} words split by PDF text extraction joined again ({shown}, ...)")
    text, pages = join_pages(page_texts)
    return Extracted(text=text, pages=pages, warnings=warnings, title=_title(reader))


def _why(e: Exception) -> str:
    if isinstance(e, LimitReachedError):
        return f"a compressed stream expands beyond pypdf's limit (a decompression bomb?): {e}"
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


_GENERIC_TITLES = frozenset({"united nations", "untitled", "document", "title", "ohchr"})


def _title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # a broken info dictionary is not worth failing the document for
        return None
    if not title or not isinstance(title, str):
        return None
    title = " ".join(title.split())
    # Word-generated titles ("Microsoft Word - g1100069.doc"), job numbers ("GE.11-10069") and the
    # UN's generic "United Nations" say nothing about the document.
    low = title.lower()
    if low.startswith(("microsoft word", "ge.")) or low.endswith((".doc", ".docx")) or low in _GENERIC_TITLES:
        return None
    return title
