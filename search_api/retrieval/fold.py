"""Stage 6: folding duplicate recommendations.

A recommendation whose text (case, punctuation and spacing aside) an earlier one has is folded
into it (the same text made by another State, shown as ``also_made_by``), unless it is the same
recommendation again (another copy of the document, PDF and text), which is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from indexer.snapshot import Snapshot

Candidate = tuple[str, float, int]  # (id, score, snapshot position)
_NON_WORD = re.compile(r"\W+")


@lru_cache(maxsize=65536)
def norm_text(t: str) -> str:
    """The text two copies of one recommendation share (case, punctuation and spacing aside).
    Cached: the same candidates come back query after query, and a text's hash is computed once."""
    return _NON_WORD.sub(" ", t.lower()).strip()


def field_value(r: Mapping[str, Any], key: str) -> Any:
    """A record's value as a hit's ``metadata`` shows it (empty values absent, so None)."""
    v = r.get(key)
    return None if v in (None, [], "") else v


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _same_record(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("rec_id", "recommending_state", "country")
    return all(field_value(a, k) == field_value(b, k) for k in keys) and field_value(a, "rec_id") is not None


def fold(cands: list[Candidate], snapshot: Snapshot) -> list[tuple[Candidate, list[tuple[str, int]]]]:
    """Candidates in rank order, grouped: each group is its best-ranked candidate and the
    (id, position) of the copies folded into it."""
    groups: list[tuple[Candidate, list[tuple[str, int]]]] = []
    first: dict[str, int] = {}
    seen_recs: set[tuple[Any, ...]] = set()
    texts, records, is_rec = snapshot.texts, snapshot.records, snapshot.is_rec
    for cand in cands:
        pid, _, pos = cand
        if is_rec[pos]:
            key = norm_text(texts[pos])
            at = first.get(key)
            if at is not None:
                r = records[pos]
                rec_key = tuple(
                    _hashable(field_value(r, k)) for k in ("country", "rec_id", "recommending_state")
                )
                if rec_key in seen_recs or _same_record(records[groups[at][0][2]], r):
                    continue
                seen_recs.add(rec_key)
                groups[at][1].append((pid, pos))
                continue
            first[key] = len(groups)
        groups.append((cand, []))
    return groups


def unfolded(cands: list[Candidate]) -> list[tuple[Candidate, list[tuple[str, int]]]]:
    return [(c, []) for c in cands]
