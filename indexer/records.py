"""A passage as stored and served: one flat record with its document's metadata, and its citation."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corpus.countries import resolve_states
from corpus.language import passage_language
from corpus.models import Document
from corpus.symbols import undocs_url
from indexer.models import Passage


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passage_record(p: Passage, doc: Document, file: str) -> dict[str, Any]:
    """The flat record of a passage: its own fields, then its document's metadata.

    Row-level values of a recommendations table (state under review, session, symbol, ...)
    override the table's document-level values.
    """
    m = doc.meta
    extra = dict(p.extra)
    country = extra.pop("state_under_review", None) or m.country
    # Every spelling under the UN's name; what names no State ("(None)", a fragment) is left out.
    states, _ = resolve_states(p.recommending_states)
    symbol = extra.pop("symbol", None) or m.symbol
    rec: dict[str, Any] = {
        "id": p.id,
        "doc_id": p.doc_id,
        "position": p.position,
        "kind": p.kind,
        "text": p.text,
        "start": p.start,
        "end": p.end,
        "pages": list(p.pages),
        "page": p.pages[0] if p.pages else None,
        "rec_id": p.rec_id,
        "paragraph": p.paragraph,
        "recommending_states": states,
        "recommending_state": "; ".join(states) or None,
        "section": p.section,
        "heading_path": list(p.heading_path),
        "response": p.response,
        "themes": list(p.themes),
        "action_category": p.action_category,
        # UPR Info's tables give the recommending State's regional group
        "region": extra.pop("rs_region", None),
        # The data's category; the strength model fills in the others at indexing (indexer.strength).
        "strength": p.action_category,
        "strength_source": "data" if p.action_category else None,
        "context": p.context,
        "part": p.part,
        "parts": p.parts,
        "row": p.row,
        "symbol": symbol,
        "source_url": undocs_url(symbol),
        "doc_kind": m.kind,
        "country": country,
        "mechanism": extra.pop("mechanism", None) or m.mechanism,
        "cycle": extra.pop("cycle", None) or m.cycle,
        "session": extra.pop("session", None) or m.session,
        "year": extra.pop("year", None) or m.year,
        "language": extra.pop("language", None) or passage_language(p.text, m.language) or m.language,
        "title": m.title,
        "author": m.author,
        "file": file,
    }
    if extra:
        rec["extra"] = extra
    return rec


TITLE_IN_CITATION = 90  # characters of a letter's subject kept in its citation


def doc_label(r: Mapping[str, Any]) -> str:
    """How a citation names the document: its symbol; a letter by its signatory and subject
    ("US Human Rights Network UPR Task Force, “U.S. participation in ...”, 2021"); else its title
    with the State and year it does not already name ("Report of the Working Group on the
    Universal Periodic Review: Portugal, 2014"), else its file name."""
    if r.get("symbol"):
        return str(r["symbol"])
    title = str(r.get("title") or "")
    if r.get("author"):
        if len(title) > TITLE_IN_CITATION:
            title = title[: TITLE_IN_CITATION - 1].rsplit(" ", 1)[0] + "…"
        parts = [
            str(r["author"]),
            f"“{title}”" if title else "letter",
            str(r["year"]) if r.get("year") else "",
        ]
        return ", ".join(p for p in parts if p)
    if title:
        # A title alone ("Report of the Working Group on the Universal Periodic Review") names
        # one of hundreds of documents: without a symbol, the State and year say which.
        extra = [str(v) for v in (r.get("country"), r.get("year")) if isinstance(v, (str, int)) and v]
        extra = [v for v in extra if v not in title]
        return f"{title}: {', '.join(extra)}" if extra else title
    return Path(str(r.get("file") or r.get("doc_id"))).name


def citation(r: Mapping[str, Any]) -> str:
    """A ready-to-paste citation: ``A/HRC/46/15, para. 26.178 (Namibia), p. 22``."""
    parts = [doc_label(r)]
    states = r.get("recommending_state")
    if r.get("kind") == "recommendation" and r.get("rec_id"):
        rec_id = str(r["rec_id"])
        if r.get("symbol") or rec_id[:1].isdigit():
            parts.append(f"para. {rec_id}" + (f" ({states})" if states else ""))
        else:
            # Database rows (UPR Info) have ids, not paragraph numbers.
            who = f" by {states}" if states else ""
            to = f" to {r['country']}" if r.get("country") else ""
            sess = f", UPR session {r['session']}" if r.get("session") else ""
            parts.append(f"recommendation {rec_id}{who}{to}{sess}")
    elif r.get("paragraph"):
        para = str(r["paragraph"])
        if "." in para and not para.replace(".", "").isdigit():
            num, _, sub = para.partition(".")
            para = f"{num}({sub})"
        parts.append(f"para. {para}")
    elif r.get("row"):
        parts.append(f"row {r['row']}")
    pages = r.get("pages") or []
    if pages:
        parts.append(f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}-{pages[-1]}")
    return ", ".join(parts)
