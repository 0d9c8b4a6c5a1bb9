"""The passage: the unit that is embedded, stored, retrieved and cited."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASSAGE_KINDS = ("recommendation", "paragraph", "ask", "observation")


@dataclass
class Passage:
    """One retrievable unit of a document.

    ``text`` is exactly what is embedded and indexed lexically (for a recommendation: its wording
    alone, without number and states). ``start``/``end`` are character offsets into the
    document's text (for table rows: 0/len of the row text, and ``row`` is set).
    ``position`` is the structural address inside the document (``rec:26.178``, ``para:12.a``,
    ``ask:4.2``, ``row:17``, with ``~2`` appended for the second part of a split paragraph); the
    id is ``<doc_id>:<position>``, so it is stable for a given file content.
    """

    doc_id: str
    position: str
    text: str
    kind: str
    start: int = 0
    end: int = 0
    pages: list[int] = field(default_factory=list)
    rec_id: str | None = None
    paragraph: str | None = None
    recommending_states: list[str] = field(default_factory=list)
    section: str | None = None
    heading_path: list[str] = field(default_factory=list)
    response: str | None = None
    themes: list[str] = field(default_factory=list)
    action_category: int | None = None
    context: str | None = None
    part: int | None = None  # 1-based part number when a long paragraph was split
    parts: int | None = None
    row: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.doc_id}:{self.position}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["id"] = self.id
        return d
