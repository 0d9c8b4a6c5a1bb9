"""CSV and JSON Lines export of search hits, safe to open in a spreadsheet.

- The CSV starts with a UTF-8 byte order mark: without it Excel reads UTF-8 as the legacy code
  page and shows "CÃ´te d'Ivoire".
- Numbers stay numbers (a negative score is ``-0.92``, not text).
- Document text is untrusted: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return would be run as a formula by spreadsheet programs, so it is prefixed with ``'``.
- The ``file`` column holds the file's name, never the server's path to it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from indexer.fields import EXPORTED

BOM = "\ufeff"
# rank, score, citation, kind and text, then the passage record's exported fields, then the id.
CSV_COLUMNS = ("rank", "score", "citation", "kind", "text", *EXPORTED, "id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str | int | float:
    """A cell value: numbers as they are, text with a leading formula character neutralised."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = "" if value is None else "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def file_name(path: Any) -> str | None:
    """A file without the folders it sits in on the server: a path already made public (from its
    root's name, ``search_api.paths``: ``corpus/letters/x.txt``) as it is, an absolute one by its
    name."""
    if not path:
        return None
    p = PurePath(str(path))
    return p.name if p.is_absolute() else str(p)


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """A spreadsheet-safe CSV (with the byte order mark) of ``rows`` under ``columns``."""
    buf = io.StringIO()
    buf.write(BOM)
    w = csv.writer(buf)
    w.writerow(columns)
    for row in rows:
        w.writerow([spreadsheet_safe(row.get(c)) for c in columns])
    return buf.getvalue()


def hits_to_csv(hits: Iterable[dict[str, Any]], offset: int = 0) -> str:
    def rows() -> Iterable[dict[str, Any]]:
        for rank, h in enumerate(hits, offset + 1):
            m = h.get("metadata", {})
            yield {
                **{c: m.get(c) for c in EXPORTED},
                "file": file_name(m.get("file")),
                "rank": rank,
                "score": h["score"],
                "citation": h["citation"],
                "kind": h["kind"],
                "text": h["text"],
                "id": h["id"],
            }

    return csv_text(CSV_COLUMNS, rows())


def hits_to_jsonl(hits: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(h, ensure_ascii=False) + "\n" for h in hits)
