"""Exceptions raised by the core of hrsearch.

The tree::

    HrsearchError                 base of everything the core raises on purpose
    ├── CorpusError               a file cannot be read as a document (names the file)
    │   ├── UnsupportedFormat     no reader for this kind of file
    │   ├── EncryptedDocument     a PDF that needs a password
    │   ├── EmptyDocument         a file with no usable text (empty, scanned without text layer)
    │   └── FileTooLarge          a file over the size limit
    ├── FetchError                a UN document could not be downloaded
    ├── IndexError_               the index cannot be used as asked
    │   ├── IndexMissing          no index at the configured place
    │   ├── IndexMismatch         the index was built with another model or segmentation
    │   ├── IndexLocked           another process is writing the index
    │   └── IndexUnusable         the folder is not an index (a file, another program's files,
    │                             a foreign or damaged catalog) or cannot be made one
    ├── QueryError                a query or filter is invalid (names the field)
    │   └── NotFound              a passage or document id the index does not hold
    └── AccessDenied              a write without the right API key, or with writes disabled

Only ``search_api`` turns these into HTTP responses; the CLI turns them into exit codes.
"""

from __future__ import annotations

from pathlib import Path


class HrsearchError(Exception):
    """Base class of the errors hrsearch raises on purpose."""


class CorpusError(HrsearchError):
    """A file could not be read as a document; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsupportedFormat(CorpusError):
    """No reader handles this file type."""


class EncryptedDocument(CorpusError):
    """The PDF is encrypted with a password we do not have."""


class EmptyDocument(CorpusError):
    """The file holds no usable text."""


class FileTooLarge(CorpusError):
    """The file is larger than the configured limit."""


class FetchError(HrsearchError):
    """A document could not be downloaded."""


class IndexError_(HrsearchError):  # noqa: N801 - avoid shadowing the builtin IndexError
    """The index cannot be used as asked."""


class IndexMissing(IndexError_):
    """There is no index at the configured place."""


class IndexMismatch(IndexError_):
    """The index was built with settings (model, segmentation) other than the configured ones."""


class IndexLocked(IndexError_):
    """Another process holds the index's write lock."""


class IndexUnusable(IndexError_):
    """The index folder is not an hrsearch index and is left untouched: a file, a folder of another
    program's files, a catalog that is not ours or not SQLite, or a place no folder can be made."""


class QueryError(HrsearchError):
    """A query or one of its filters is invalid."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class NotFound(QueryError):
    """A passage or document id that the index does not hold."""


class AccessDenied(HrsearchError):
    """A request that needs an API key it did not bring (or writes are disabled)."""
