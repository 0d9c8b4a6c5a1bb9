"""Plain text: encoding detection (UTF-8, BOMs, a reported legacy fallback), binary refusal, line ends."""

from __future__ import annotations

import codecs
from pathlib import Path

from corpus.readers import Extracted, join_pages
from hrsearch.errors import CorpusError, EmptyDocument

# Share of control characters above which decoded "text" is taken for binary data.
_MAX_CONTROL_SHARE = 0.02
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Decode bytes to text with LF line ends; returns the text and warnings about the decoding.

    UTF-8, and UTF-8/16/32 with a byte-order mark, are read silently; anything else is read as
    cp1252 (or latin-1 where cp1252 has no character), which is reported as a warning.
    """
    warnings: list[str] = []
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise CorpusError(path, "binary data, not text (it contains NUL bytes)")
        warnings.append(f"decoded as {encoding.upper()} without a byte-order mark")
    if encoding is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                warnings.append("decoded as cp1252, not UTF-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                warnings.append("decoded as latin-1, not UTF-8")
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            raise CorpusError(
                path, f"not valid {encoding.upper()} although it starts with its byte-order mark ({e})"
            ) from e
    text = text.lstrip("\ufeff")
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ch < " " and ch not in _ALLOWED_CONTROLS) or "\x7f" <= ch <= "\x9f")
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise CorpusError(
            path, f"binary data, not text ({controls} control characters in the first {len(sample)})"
        )
    # A .docx whose raw zip bytes were saved as "text" starts with its first member's name.
    if data.startswith(b"PK\x03\x04") or text.lstrip().startswith("[Content_Types].xml"):
        raise CorpusError(
            path,
            "the bytes of a zip archive (a .docx?) saved as text, not its text; save the document as plain text",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the NUL bytes are the high bytes of UTF-16 code units (Latin
    script text saved as "Unicode" without a byte-order mark), else None (binary data)."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    guess = (
        "utf-16-le"
        if zeros_odd > 0.4 and zeros_even < 0.02
        else "utf-16-be"
        if zeros_even > 0.4 and zeros_odd < 0.02
        else None
    )
    if guess is None or len(data) % 2:
        return None
    try:
        data.decode(guess)
    except UnicodeDecodeError:
        return None
    return guess


def read_text(data: bytes, path: Path) -> Extracted:
    """A plain-text document; form feeds (page breaks of PDF-to-text tools) become page spans."""
    if not data:
        raise EmptyDocument(path, "empty file")
    text, warnings = decode_text(data, path)
    if not text.strip():
        raise EmptyDocument(path, "only whitespace, no text")
    if "\f" not in text:
        return Extracted(text=text, warnings=warnings)
    page_texts = text.split("\f")
    if page_texts[-1].strip() == "":
        # A trailing form feed ends the last page; it does not start a new one.
        tail = page_texts.pop()
        page_texts[-1] += "\f" + tail
    joined, pages = join_pages(page_texts, separator="\f")
    return Extracted(text=joined, pages=pages, warnings=warnings)
