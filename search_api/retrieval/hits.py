"""Stage 7: hits, built for the page only.

Grouping and counting need only each candidate's position; a ``Hit`` (citation, metadata,
highlight, each arm's rank and score) is built for the hits of the page alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexer.fields import shown_metadata
from indexer.lexical import query_terms
from indexer.records import citation
from indexer.snapshot import Ranked, Snapshot
from search_api.highlight import highlight
from search_api.retrieval.fold import Candidate, field_value


@dataclass
class Hit:
    id: str
    text: str
    score: float
    kind: str
    citation: str
    metadata: dict[str, Any]
    arms: dict[str, dict[str, float | int | None]]
    highlight: str = ""
    highlight_sentence: str = ""
    also_made_by: list[dict[str, Any]] = field(default_factory=list)
    link: dict[str, Any] | None = None  # set by the linker: similarity, theme boost, match label


def arm_table(dense: Ranked, lexical: Ranked, shown: set[str]) -> dict[str, dict[str, Any]]:
    """Each shown hit's rank and score in each arm (only the page's hits: a table of every
    candidate cost a millisecond per request)."""
    table: dict[str, dict[str, Any]] = {}
    for name, ranked in (("dense", dense), ("lexical", lexical)):
        for rank, (pid, s) in enumerate(ranked, 1):
            if pid in shown:
                table.setdefault(pid, {})[name] = {"rank": rank, "score": round(float(s), 6)}
    return table


def same_recommendation(a: Any, b: Any) -> bool:
    """Whether two records with one text are one recommendation from two sources (a Working Group
    report and the UPR Info table): the same State recommending, to the same State, in the same
    review (session, else cycle, else year, whichever both records have). Not the same wording
    made again in another review, which is news to a reader."""
    if field_value(a, "recommending_state") is None or any(
        field_value(a, k) != field_value(b, k) for k in ("recommending_state", "country")
    ):
        return False
    for key in ("session", "cycle", "year"):
        va, vb = field_value(a, key), field_value(b, key)
        if va is not None and vb is not None:
            return bool(va == vb)
    return False


def also_made_by(pid: str, r: Any, lead: Any = None) -> dict[str, Any]:
    """A folded copy of a hit: who made it, to whom, the response, its citation, and whether it
    is the hit's own recommendation from another source (``same_recommendation``)."""
    return {
        "id": pid,
        "recommending_state": field_value(r, "recommending_state"),
        "country": field_value(r, "country"),
        "response": field_value(r, "response"),
        "citation": citation(r),
        "same_recommendation": lead is not None and same_recommendation(lead, r),
    }


def build_hits(
    shown: list[tuple[Candidate, list[tuple[str, int]]]],
    dense: Ranked,
    lexical: Ranked,
    highlight_query: str,
    snapshot: Snapshot,
) -> list[Hit]:
    """The page's hits, in order, each with its folded copies in ``also_made_by``."""
    arms = arm_table(dense, lexical, {lead[0] for lead, _ in shown})
    terms = query_terms(highlight_query)
    page = []
    for (pid, score, pos), folded in shown:
        r = snapshot.records[pos]
        h = Hit(
            id=pid,
            text=snapshot.texts[pos],
            score=round(float(score), 6),
            kind=r.get("kind", ""),
            citation=citation(r),
            metadata=shown_metadata(r),
            arms=arms.get(pid, {}),
        )
        h.also_made_by = [also_made_by(fpid, snapshot.records[fpos], r) for fpid, fpos in folded]
        h.highlight_sentence, h.highlight = highlight(h.text, highlight_query, terms)
        page.append(h)
    return page
