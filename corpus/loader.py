"""Finding the documents under a set of paths and loading one file into a ``Document``.

``discover`` lists what can be indexed; ``load_document`` reads a file once, picks the reader by
suffix, infers metadata and applies the user's sidecar and folder manifests. Everything it raises
is a ``CorpusError`` naming the file (or the sidecar at fault) with a reason a person understands.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from corpus.metadata import infer_metadata
from corpus.models import Document
from corpus.readers import Extracted
from corpus.sidecars import MANIFEST_NAME, SIDECAR_SUFFIX, Overrides, load_overrides
from hrsearch.errors import CorpusError, FileTooLarge, UnsupportedFormat
from hrsearch.settings import Settings

TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl"})
SUPPORTED_SUFFIXES = frozenset({".pdf", ".txt", ".html", ".htm", ".docx"}) | TABLE_SUFFIXES
_FORMAT_NAMES = {
    ".pdf": "PDF",
    ".txt": "text file",
    ".html": "HTML page",
    ".htm": "HTML page",
    ".docx": ".docx",
}
_CHUNK = 1 << 20


def is_indexable(path: Path) -> bool:
    """A document file: supported suffix, not hidden, not a sidecar, manifest or Word lock file."""
    name = path.name
    if name.startswith((".", "~$")) or name == MANIFEST_NAME or name.lower().endswith(SIDECAR_SUFFIX):
        return False
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def discover(paths: list[Path]) -> list[Path]:
    """The indexable files among ``paths`` (``find_documents`` without what it refuses)."""
    return find_documents(paths)[0]


def find_documents(paths: list[Path]) -> tuple[list[Path], list[CorpusError]]:
    """The indexable files among ``paths``, folders expanded recursively, sorted and without
    duplicates; and the files that were asked for but cannot be indexed, each with its reason.

    Inside a given folder, hidden files and folders, sidecars ``*.meta.toml``, folder manifests
    ``hrsearch.toml`` and unsupported suffixes (``.md``, ``.json``, ``.py`` ...) are skipped, and a
    symbolic link named like a document that points at nothing is refused. A file named itself is
    indexed or refused (``index script.sh``: an unsupported file type), never skipped silently.
    A path that does not exist is a ``CorpusError``.
    """
    found: dict[Path, Path] = {}
    refused: list[CorpusError] = []
    for root in paths:
        if root.is_file():
            if is_indexable(root):
                found.setdefault(root.resolve(), root)
            else:
                refused.append(UnsupportedFormat(shown_path(root), _unsupported_reason(root)))
        elif root.is_dir():
            # os.walk does not follow symlinked folders, so a link loop cannot hang discovery.
            for folder, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in filenames:
                    path = Path(folder) / name
                    if not is_indexable(path):
                        continue
                    if path.is_file():
                        found.setdefault(path.resolve(), path)
                    elif path.is_symlink() and not path.exists():
                        target = shown_path(os.readlink(path))
                        refused.append(
                            CorpusError(
                                shown_path(path), f"a symbolic link to {target}, which does not exist"
                            )
                        )
        else:
            raise CorpusError(shown_path(root), "no such file or folder")
    return sorted(found.values()), sorted(refused, key=lambda e: e.path)


def shown_path(path: Path | str) -> str:
    """A path as text: the bytes of a name that are not UTF-8 shown as ``\\xff``."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def check_name(path: Path) -> None:
    """``CorpusError`` if ``path`` is not valid UTF-8: the index records paths as text (catalog,
    Chroma metadata, citations, JSON), and an alias in its place would name no file on disk."""
    shown = shown_path(path)
    if shown != str(path):
        raise CorpusError(
            shown,
            "the file name is not valid UTF-8, and the index records names as text; "
            "rename the file (for example with `convmv -f latin1 -t utf8`)",
        )


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes and of the metadata the user states for it (sidecar, manifests).

    Equal to ``load_document(path, ...).content_hash`` and cheap: the document is not parsed.
    """
    overrides = load_overrides(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    except OSError as e:
        raise CorpusError(path, f"cannot read the file: {e.strerror or e}") from e
    _add_fingerprint(digest, overrides)
    return digest.hexdigest()


def load_document(path: Path, settings: Settings) -> Document:
    """Read one file into a ``Document``: text and pages (or table rows), metadata and warnings."""
    suffix = path.suffix.lower()
    if not is_indexable(path):
        raise UnsupportedFormat(path, _unsupported_reason(path))
    data = _read(path, settings.max_file_bytes)
    overrides = load_overrides(path)
    digest = hashlib.sha256(data)
    _add_fingerprint(digest, overrides)
    try:
        extracted = _reader(suffix, settings, overrides)(data, path)
    except CorpusError:
        raise
    except Exception as e:  # a parser bug or an input no reader foresaw: still a per-file error
        what = _FORMAT_NAMES.get(suffix, "table")
        raise CorpusError(
            path, f"not a readable {what} (truncated or corrupt): {type(e).__name__}: {e}"
        ) from e
    meta = infer_metadata(path, suffix, extracted, overrides.meta)
    meta.extra = _json_safe(meta.extra)
    return Document(
        path=str(path),
        content_hash=digest.hexdigest(),
        meta=meta,
        text=extracted.text,
        pages=extracted.pages,
        rows=extracted.rows,
        warnings=overrides.warnings + extracted.warnings,
    )


def _reader(suffix: str, settings: Settings, overrides: Overrides) -> Callable[[bytes, Path], Extracted]:
    # Readers are imported when first needed: pypdf, python-docx and lxml are not free to import.
    if suffix == ".pdf":
        from corpus.readers.pdf import read_pdf

        return lambda data, path: read_pdf(data, path, settings.max_pdf_pages)
    if suffix == ".txt":
        from corpus.readers.text import read_text

        return read_text
    if suffix in (".html", ".htm"):
        from corpus.readers.html import read_html

        return read_html
    if suffix == ".docx":
        from corpus.readers.docx import read_docx

        return lambda data, path: read_docx(data, path, settings.max_file_bytes)
    from corpus.readers.table import read_table

    return lambda data, path: read_table(data, path, overrides.columns)


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLarge(path, _too_large(size, max_bytes))
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat()
    except FileNotFoundError as e:
        raise CorpusError(path, "no such file") from e
    except IsADirectoryError as e:
        raise CorpusError(path, "a folder, not a file") from e
    except OSError as e:
        raise CorpusError(path, f"cannot read the file: {e.strerror or e}") from e
    if len(data) > max_bytes:
        raise FileTooLarge(path, _too_large(len(data), max_bytes))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"{size:,} bytes, larger than the limit of {limit:,} bytes (setting HRSEARCH_MAX_FILE_BYTES)"


def _unsupported_reason(path: Path) -> str:
    name = path.name
    if name.lower().endswith(SIDECAR_SUFFIX) or name == MANIFEST_NAME:
        return "a metadata file (sidecar or folder manifest), not a document"
    if name.startswith("~$"):
        return "a Word lock file, not a document"
    if name.startswith("."):
        return "a hidden file; hidden files are not indexed"
    kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
    return f"unsupported file type {path.suffix or '(no suffix)'!r}; hrsearch reads {kinds}"


def _add_fingerprint(digest: Any, overrides: Overrides) -> None:
    # Without sidecar or manifest the hash is the plain SHA-256 of the file's bytes.
    if overrides.fingerprint:
        digest.update(b"\x00hrsearch-metadata\x00" + overrides.fingerprint)


def _json_safe(value: Any) -> Any:
    """TOML dates and times become ISO strings, so metadata stays JSON-serialisable."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
