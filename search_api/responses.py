"""One way from a result to what a client asked for: JSON, CSV or JSON Lines.

The hits of a search or a link are made into dicts once (``service.hit_dict``); JSON is
validated against the route's response model by FastAPI, CSV and JSON Lines are written from
the same dicts (``search_api.export``).
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import PlainTextResponse, Response

from search_api.export import hits_to_csv, hits_to_jsonl


def render(out: dict[str, Any], fmt: str, name: str) -> dict[str, Any] | Response:
    """``out`` (a result dict with ``hits`` and ``offset``) as ``fmt``; a dict is JSON."""
    if fmt == "csv":
        return PlainTextResponse(
            hits_to_csv(out["hits"], out.get("offset", 0)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "jsonl":
        return PlainTextResponse(
            hits_to_jsonl(out["hits"]),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="{name}.jsonl"'},
        )
    return out
