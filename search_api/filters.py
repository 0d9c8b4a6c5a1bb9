"""Search filters, applied inside both arms before fusion.

Several values of one filter are OR-ed; different filters are AND-ed. The same ``Filters``
becomes a Chroma ``where`` clause for the dense arm and a boolean mask over the passages for
the lexical arm, so both arms see exactly the same candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hrsearch.errors import QueryError
from indexer.fields import FILTER_CHOICES, FILTERS, RANGE_FILTERS
from indexer.postings import MetadataIndex
from search_api.text_input import check_text

__all__ = ["FILTER_FIELDS", "RANGE_FIELDS", "Filters", "MetadataIndex"]

# filter name -> (record field, value type, is the field a list): from the passage record's fields.
FILTER_FIELDS = FILTERS
RANGE_FIELDS = RANGE_FILTERS


@dataclass
class Filters:
    """Values per filter name (OR within, AND across) and an optional year range."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    exclude_doc_ids: list[str] = field(
        default_factory=list
    )  # set by code (links to other documents), not by users

    @classmethod
    def parse(cls, raw: Mapping[str, Iterable[Any]], *, max_values: int = 20) -> Filters:
        """Validate filter names and values; raise QueryError naming the offending field."""
        out = cls()
        for name, vals in raw.items():
            values = [v for v in vals if v is not None and str(v).strip() != ""]
            if not values:
                continue
            if name in RANGE_FIELDS:
                if len(values) != 1:
                    raise QueryError(name, "takes one year")
                setattr(out, name, _coerce(name, values[0], int))
                continue
            if name == "year":
                ys = [_coerce(name, v, int) for v in values]
                out.year_from, out.year_to = min(ys), max(ys)
                continue
            if name not in FILTER_FIELDS:
                known = ", ".join(sorted([*FILTER_FIELDS, *RANGE_FIELDS]))
                raise QueryError(name, f"unknown filter; known filters: {known}")
            if len(values) > max_values:
                raise QueryError(name, f"at most {max_values} values per filter")
            typ = FILTER_FIELDS[name][1]
            out.values[name] = list(dict.fromkeys(_coerce(name, v, typ) for v in values))
            choices = FILTER_CHOICES.get(name)
            for v in out.values[name]:
                if choices is not None and v not in choices:
                    raise QueryError(name, f"{v!r} is not one of {', '.join(map(str, choices))}")
        if out.year_from is not None and out.year_to is not None and out.year_from > out.year_to:
            raise QueryError("year_from", "must not be after year_to")
        return out

    @classmethod
    def from_pairs(cls, pairs: Sequence[str], *, max_values: int = 20) -> Filters:
        """From CLI ``FIELD=VALUE`` strings (a field may repeat)."""
        raw: dict[str, list[str]] = {}
        for pair in pairs:
            check_text("filter", pair)
            name, sep, value = pair.partition("=")
            if not sep:
                raise QueryError("filter", f"{pair!r} is not FIELD=VALUE")
            raw.setdefault(name.strip(), []).append(value.strip())
        return cls.parse(raw, max_values=max_values)

    def __bool__(self) -> bool:
        return (
            bool(self.values)
            or self.year_from is not None
            or self.year_to is not None
            or bool(self.exclude_doc_ids)
        )

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause, or None for no filter."""
        clauses: list[dict[str, Any]] = []
        for name, vals in self.values.items():
            fld, _, is_list = FILTER_FIELDS[name]
            if is_list:
                ors = [{fld: {"$contains": v}} for v in vals]
                clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
            else:
                clauses.append({fld: vals[0]} if len(vals) == 1 else {fld: {"$in": vals}})
        for name, (fld, op) in RANGE_FIELDS.items():
            v = getattr(self, name)
            if v is not None:
                clauses.append({fld: {op: v}})
        if self.exclude_doc_ids:
            clauses.append({"doc_id": {"$nin": list(self.exclude_doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether one passage record passes (the same semantics as ``to_where``)."""
        for name, vals in self.values.items():
            fld, _, is_list = FILTER_FIELDS[name]
            have = record.get(fld)
            if is_list:
                if not set(have or []) & set(vals):
                    return False
            elif have not in vals:
                return False
        if record.get("doc_id") in self.exclude_doc_ids:
            return False
        year = record.get("year")
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        return not (self.year_to is not None and (year is None or year > self.year_to))

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: list(v) for k, v in self.values.items()}
        if self.year_from is not None:
            d["year_from"] = self.year_from
        if self.year_to is not None:
            d["year_to"] = self.year_to
        return d


def _coerce(name: str, value: Any, typ: type) -> Any:
    if isinstance(value, str):
        check_text(name, value)
    if typ is int:
        try:
            number = int(str(value).strip())
        except ValueError as e:
            raise QueryError(name, f"{value!r} is not a whole number") from e
        if not -(2**31) <= number < 2**31:
            raise QueryError(name, f"{value!r} is out of range")
        return number
    text = str(value).strip()
    if name == "response":
        text = text.lower()
        text = {"accepted": "supported", "rejected": "noted"}.get(text, text)
    return text
