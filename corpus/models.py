"""What a document is once read: its text (with page boundaries), or its table rows, and metadata.

Readers (``corpus.readers``) produce a ``Document``; segmenters (``indexer.segmentation``) turn
it into passages. Everything here is plain data, so it can be tested and serialised freely.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = (
    "letter",
    "submission",
    "outcome_report",
    "outcome_addendum",
    "stakeholder_summary",
    "compilation",
    "national_report",
    "concluding_observations",
    "general_comment",
    "recommendations_table",
    "other",
)

MECHANISMS = ("UPR", "CERD", "CCPR", "CESCR", "CAT", "CEDAW", "CRC", "CRPD", "CED", "CMW", "SPT", "HRC")


@dataclass
class DocumentMeta:
    """Metadata of a document; inferred by ``corpus.metadata`` and overridable by a sidecar."""

    symbol: str | None = None
    kind: str = "other"
    country: str | None = None  # country under review (English short name)
    mechanism: str | None = None
    cycle: int | None = None
    session: int | None = None
    year: int | None = None
    language: str | None = None
    title: str | None = None
    author: str | None = None  # who wrote or signed it (letters and submissions)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Page:
    """A page of a document: its number (1-based) and the character span it covers in ``text``."""

    number: int
    start: int
    end: int


@dataclass
class TableRow:
    """One row of a recommendations table, already mapped to hrsearch's field names."""

    row_number: int  # 1-based, header excluded
    text: str
    rec_id: str | None = None
    recommending_states: list[str] = field(default_factory=list)
    state_under_review: str | None = None
    response: str | None = None  # normalised: supported | noted | supported_noted | None
    response_raw: str | None = None
    themes: list[str] = field(default_factory=list)
    session: int | None = None
    cycle: int | None = None
    symbol: str | None = None
    action_category: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """A file read into memory: text with page spans, or table rows, plus metadata.

    ``content_hash`` is the SHA-256 of the file's bytes: it keys incremental indexing and is the
    root of every passage id of this document.
    """

    path: str
    content_hash: str
    meta: DocumentMeta
    text: str = ""
    pages: list[Page] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        """Stable id of this version of the document (first 16 hex digits of its hash)."""
        return self.content_hash[:16]

    @property
    def is_table(self) -> bool:
        return bool(self.rows)

    def pages_for_span(self, start: int, end: int) -> list[int]:
        """Page numbers that the character span [start, end) touches (empty when unknown)."""
        return [p.number for p in self.pages if p.start < max(end, start + 1) and p.end > start]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
