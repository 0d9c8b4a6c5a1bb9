"""The filter index of one snapshot: per filterable field, the passage positions holding each value.

Built once per index generation from the records (``indexer.snapshot``); it gives the lexical
arm the boolean mask of a request's filters, the web page its facet counts, and the ranking
stages which positions are recommendations or of a given State, without decoding a record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from indexer.fields import FILTERS


class FilterLike(Protocol):
    """What a mask is computed from (``search_api.filters.Filters``): values per filter name
    (OR within a filter, AND across), a year range and documents to leave out."""

    @property
    def values(self) -> Mapping[str, Sequence[Any]]: ...
    @property
    def year_from(self) -> int | None: ...
    @property
    def year_to(self) -> int | None: ...
    @property
    def exclude_doc_ids(self) -> Sequence[str]: ...
    def __bool__(self) -> bool: ...


class MetadataIndex:
    """Per filter field, the passage positions holding each value: masks and facet counts."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.postings: dict[str, dict[Any, np.ndarray]] = {}
        self.years = np.full(n, -1, dtype=np.int32)

    @classmethod
    def build(cls, records: Sequence[Mapping[str, Any]]) -> MetadataIndex:
        idx = cls(len(records))
        lists: dict[str, dict[Any, list[int]]] = {name: {} for name in FILTERS}
        for i, r in enumerate(records):
            for name, (fld, _, is_list) in FILTERS.items():
                v = r.get(fld)
                if v is None or v == "":
                    continue
                for item in v if is_list else [v]:
                    lists[name].setdefault(item, []).append(i)
            if r.get("year") is not None:
                idx.years[i] = int(r["year"])
        idx.postings = {
            name: {v: np.asarray(pos, dtype=np.int32) for v, pos in d.items()} for name, d in lists.items()
        }
        return idx

    def positions(self, name: str, value: Any) -> np.ndarray:
        """Positions whose field ``name`` holds ``value`` (empty when none)."""
        return self.postings.get(name, {}).get(value, _NONE)

    def mask(self, filters: FilterLike) -> np.ndarray | None:
        """Boolean mask of the passages that pass ``filters`` (None when there is no filter)."""
        if not filters:
            return None
        mask = np.ones(self.n, dtype=bool)
        for name, vals in filters.values.items():
            m = np.zeros(self.n, dtype=bool)
            for v in vals:
                pos = self.postings.get(name, {}).get(v)
                if pos is not None:
                    m[pos] = True
            mask &= m
        for doc_id in filters.exclude_doc_ids:
            pos = self.postings.get("doc_id", {}).get(doc_id)
            if pos is not None:
                mask[pos] = False
        if filters.year_from is not None:
            mask &= self.years >= filters.year_from
        if filters.year_to is not None:
            mask &= (self.years <= filters.year_to) & (self.years >= 0)
        return mask

    def of_values(self, names: Sequence[str], values: Sequence[Any]) -> np.ndarray:
        """Which positions hold one of ``values`` in one of the fields ``names``."""
        mask = np.zeros(self.n, dtype=bool)
        for name in names:
            postings = self.postings.get(name, {})
            for v in values:
                mask[postings.get(v, _NONE)] = True
        return mask

    def facets(self, mask: np.ndarray | None = None, limit: int = 50) -> dict[str, list[dict[str, Any]]]:
        """Value counts per filter field (within ``mask`` when given), most frequent first."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name, d in self.postings.items():
            counts = []
            for v, pos in d.items():
                c = int(mask[pos].sum()) if mask is not None else len(pos)
                if c:
                    counts.append({"value": v, "count": c})
            counts.sort(key=lambda x: (-x["count"], str(x["value"])))
            out[name] = counts[:limit]
        years = self.years if mask is None else self.years[mask]
        ys, cs = np.unique(years[years >= 0], return_counts=True)
        out["year"] = [{"value": int(y), "count": int(c)} for y, c in zip(ys, cs, strict=True)]
        return out


_NONE = np.zeros(0, dtype=np.int32)
