"""Recommendation tables (.csv, .tsv, .jsonl): one row is one recommendation, mapped to ``TableRow``.

Column names of the known sources map automatically (UPR Info export, OHCHR thematic lists parsed
to CSV, the UHRI JSON export, the US 3rd-cycle table); other tables name their columns in a
sidecar's ``[columns]`` table (hrsearch field = "column name").
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus.countries import normalise_country, resolve_states, split_states
from corpus.models import MECHANISMS, TableRow
from corpus.readers import Extracted
from corpus.readers.text import decode_text
from corpus.symbols import upr_cycle_for_session
from hrsearch.errors import CorpusError, EmptyDocument

FIELDS = (
    "rec_id",
    "text",
    "recommending_states",
    "state_under_review",
    "response",
    "themes",
    "session",
    "cycle",
    "symbol",
    "action_category",
)
# Column names (normalised: lower case, "_" for spaces) that map to each field, first match wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "rec_id": ("rec_id", "paragraph", "_id", "recommendation_id", "pledge_id", "id"),
    "text": ("text", "recommendation", "pledge_text"),
    "recommending_states": (
        "recommending_state",
        "recommending_states",
        "recommending_states_raw",
        "upr_recommending_country",
    ),
    "state_under_review": ("state_under_review", "country", "countries"),
    "response": ("position", "response"),
    "themes": ("themes", "issues"),
    "session": ("session",),
    "cycle": ("cycle", "upr_cycle"),
    "symbol": ("symbol",),
    "action_category": ("action_category",),
}
_RESPONSES = {
    "supported": "supported",
    "accepted": "supported",
    "supported noted": "supported_noted",
    "partially supported": "supported_noted",
    "partially accepted": "supported_noted",
    "supported partially": "supported_noted",
    "noted": "noted",
    "rejected": "noted",  # "rejected" was the UPR's word for "noted" in the first cycle
    "not accepted": "noted",
    "not supported": "noted",
}
_MAX_ROW_WARNINGS = 20
_FIELD_SIZE_LIMIT = 16 * 1024 * 1024


def normalise_response(raw: str) -> str | None:
    """``Accepted`` / ``Supported`` -> supported, ``Noted`` -> noted, partly both -> supported_noted."""
    key = re.sub(r"[^a-z]+", " ", raw.lower()).strip()
    return _RESPONSES.get(key)


def read_table(data: bytes, path: Path, columns: dict[str, str] | None = None) -> Extracted:
    """Rows of a CSV/TSV/JSONL table; ``columns`` (from a sidecar) maps hrsearch fields to column names."""
    if not data.strip():
        raise EmptyDocument(path, "empty table")
    suffix = path.suffix.lower()
    warnings: list[str] = []
    if suffix == ".jsonl":
        header, records = _jsonl_records(data, path, warnings)
    else:
        header, records = _csv_records(data, path, suffix, warnings)
    mapping, pledge = _map_columns(header, columns or {}, path)
    rows: list[TableRow] = []
    skipped: list[int] = []
    bodies: set[str] = set()
    for number, record in records:
        notes: list[str] = []
        row = _make_row(number, record, mapping, pledge, notes)
        if row is None:
            skipped.append(number)
            continue
        warnings.extend(
            f"row {number}: {note}" for note in notes[: max(0, _MAX_ROW_WARNINGS - len(warnings))]
        )
        if isinstance(record.get("body"), str) and record["body"]:
            bodies.add(record["body"])
        rows.append(row)
    for number in skipped[:_MAX_ROW_WARNINGS]:
        warnings.append(f"row {number}: empty recommendation text, skipped")
    if len(skipped) > _MAX_ROW_WARNINGS:
        warnings.append(f"... and {len(skipped) - _MAX_ROW_WARNINGS} more rows with empty text skipped")
    if not rows:
        raise EmptyDocument(path, "no row of the table has recommendation text")
    hints: dict[str, Any] = {}
    if len(bodies) == 1 and (body := bodies.pop()) in MECHANISMS:
        hints["mechanism"] = body
    return Extracted(rows=rows, warnings=warnings, hints=hints)


def _norm_column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _csv_records(
    data: bytes, path: Path, suffix: str, warnings: list[str]
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    text, decode_warnings = decode_text(data, path)
    warnings.extend(decode_warnings)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if suffix == ".tsv" else ","
    if delimiter == "," and "," not in first_line and ";" in first_line:
        delimiter = ";"  # spreadsheets in European locales export ";"-separated CSV
    # The csv module's default cell limit (128 KiB) is process-wide; raise it for long recommendations.
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_SIZE_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as e:
        raise CorpusError(path, f"no header row in the table ({e})") from e
    names = [_norm_column(h) for h in header]

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 0
        try:
            for values in reader:
                number += 1
                if not any(v.strip() for v in values):
                    continue
                yield number, dict(zip(names, values, strict=False))
        except csv.Error as e:
            raise CorpusError(path, f"malformed table after data row {number}: {e}") from e

    return names, records()


def _jsonl_records(
    data: bytes, path: Path, warnings: list[str]
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    text, decode_warnings = decode_text(data, path)
    warnings.extend(decode_warnings)
    parsed: list[tuple[int, dict[str, Any]]] = []
    names: dict[str, None] = {}
    bad = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            bad += 1
            if bad <= _MAX_ROW_WARNINGS:
                warnings.append(f"row {number}: not valid JSON ({e.msg}), skipped")
            continue
        if not isinstance(value, dict):
            bad += 1
            warnings.append(f"row {number}: a JSON {type(value).__name__}, not an object, skipped")
            continue
        record = {_norm_column(k): v for k, v in value.items()}
        names.update(dict.fromkeys(record))
        parsed.append((number, record))
    if not parsed:
        raise CorpusError(path, "not a JSON Lines table (no line holds a JSON object)")
    return list(names), iter(parsed)


def _map_columns(header: list[str], given: dict[str, str], path: Path) -> tuple[dict[str, str], bool]:
    """Field -> column; the sidecar's mapping first, then the known column names."""
    mapping: dict[str, str] = {}
    for field, column in given.items():
        if field not in FIELDS:
            raise CorpusError(
                path,
                f"the [columns] mapping names {field!r}, which is not a field; use one of {', '.join(FIELDS)}",
            )
        if _norm_column(column) not in header:
            raise CorpusError(
                path,
                f"the [columns] mapping maps {field} to column {column!r}, which the table does not have; its columns are: {', '.join(header)}",
            )
        mapping[field] = _norm_column(column)
    used = set(mapping.values())
    for field, aliases in ALIASES.items():
        if field in mapping:
            continue
        for alias in aliases:
            if alias in header and alias not in used:
                mapping[field] = alias
                used.add(alias)
                break
    if "text" not in mapping:
        raise CorpusError(
            path,
            f"no recommendation text column (looked for {', '.join(ALIASES['text'])}); its columns are: "
            f"{', '.join(header)}. Name the text column in a sidecar {path.name}.meta.toml: "
            '[columns] text = "<column>"',
        )
    return mapping, mapping["text"] == "pledge_text" and "text" not in given


def _make_row(
    number: int, record: dict[str, Any], mapping: dict[str, str], pledge: bool, notes: list[str]
) -> TableRow | None:
    """The row of a record (None when it has no text); what was repaired or left out goes to ``notes``."""
    text = _as_text(record.get(mapping["text"]))
    if not text:
        return None
    row = TableRow(row_number=number, text=text)
    for field, column in mapping.items():
        value = record.get(column)
        if field == "text" or value is None or value == "" or value == []:
            continue
        if field == "recommending_states":
            row.recommending_states = _recommending_states(_states(value), row, notes)
        elif field == "state_under_review":
            countries = _states(_maybe_json_list(value))
            if countries:
                row.state_under_review = countries[0]
                if len(countries) > 1:
                    row.extra["countries"] = countries
        elif field == "response":
            row.response_raw = _as_text(value)
            row.response = normalise_response(row.response_raw)
        elif field == "themes":
            row.themes = _themes(value, comma_separated=column == "issues")
        elif field in ("session", "cycle", "action_category"):
            setattr(row, field, _as_int(value))
        else:  # rec_id, symbol
            setattr(row, field, _as_text(value) or None)
    if row.cycle is None and row.session is not None and row.recommending_states:
        # A row with recommending states is a UPR recommendation, so its session is a UPR WG session.
        row.cycle = upr_cycle_for_session(row.session)
    mapped = set(mapping.values())
    for column, value in record.items():
        if column not in mapped and value not in (None, "", [], {}):
            row.extra[column] = value
    if pledge:
        row.extra["row_kind"] = "pledge"
    return row


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_as_text(v) for v in value if v not in (None, ""))
    return str(value).strip()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    m = re.search(r"\d+", _as_text(value))
    return int(m.group(0)) if m else None


def _maybe_json_list(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _states(value: Any) -> list[str]:
    value = _maybe_json_list(value)
    if isinstance(value, list):
        names = [_as_text(v) for v in value]
        return [normalise_country(n) or n for n in names if n]
    return split_states(_as_text(value))


def _recommending_states(names: list[str], row: TableRow, notes: list[str]) -> list[str]:
    """The States of a row under their UN names; what was no State is noted in ``notes``.

    A parser that took a text's closing parentheses for States leaves the first ones in the
    States column: "ACT Group; Liechtenstein" for a text that ended "... Group (ACT Group)
    (Liechtenstein)" (the US 2020 table). Such a name before the first State is put back at the
    end of the text; any other name that is no State is left out.
    """
    states, strays = resolve_states(names)
    if not strays:
        return states
    first_state = next((i for i, n in enumerate(names) if n not in strays), len(names))
    for i, name in enumerate(names):
        if name not in strays:
            continue
        if i < first_state and states and f"({name})" not in row.text:
            row.text = f"{row.text.rstrip()} ({name})"
            notes.append(
                f"{name!r} among the recommending States is no State; put back at the end of the text"
            )
        else:
            notes.append(f"{name!r} among the recommending States is no State; left out")
    return states


def _themes(value: Any, comma_separated: bool) -> list[str]:
    value = _maybe_json_list(value)
    if isinstance(value, list):
        return [t for t in (_as_text(v) for v in value) if t]
    text = _as_text(value)
    # UPR Info issue names contain no commas; OHCHR theme names do ("... (including crimes against
    # humanity, war crimes, genocide)"), so OHCHR lists are split on " | " or ";" only.
    if comma_separated:
        parts = text.split(",")
    elif " | " in text:
        parts = text.split(" | ")
    else:
        # "Children: definition; general principles; protection" is one OHCHR theme: a ";" starts
        # a new theme only before a capital letter.
        parts = re.split(r";\s*(?=[A-Z])", text)
    return [p.strip() for p in parts if p.strip()]
