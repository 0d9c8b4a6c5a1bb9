"""CSV and JSON Lines export of search hits, safe to open in a spreadsheet.

Document text is untrusted: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return would be run as a formula by spreadsheet programs, so it is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from indexer.fields import EXPORTED

# rank, score, citation, kind and text, then the passage record's exported fields, then the id.
CSV_COLUMNS = ("rank", "score", "citation", "kind", "text", *EXPORTED, "id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def hits_to_csv(hits: Iterable[dict[str, Any]], offset: int = 0) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for rank, h in enumerate(hits, offset + 1):
        m = h.get("metadata", {})
        row = {
            "rank": rank,
            "score": h["score"],
            "citation": h["citation"],
            "kind": h["kind"],
            "text": h["text"],
            "id": h["id"],
        }
        w.writerow([spreadsheet_safe(row.get(c, m.get(c))) for c in CSV_COLUMNS])
    return buf.getvalue()


def hits_to_jsonl(hits: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(h, ensure_ascii=False) + "\n" for h in hits)
