"""Metadata of a document: inferred from its text, file name and rows, then overridden by the user.

Inference reads the first page (``HEAD_CHARS``) and the file name. What a user states
(``corpus.sidecars``: folder manifests, then the sidecar) wins over what is inferred. Stated
values also feed the inference of the rest: a sidecar giving only ``symbol`` also yields kind,
country, session and cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from corpus.countries import country_from_slug, find_country_prefix, normalise_country
from corpus.language import detect_language
from corpus.letters import letter_author, letter_title
from corpus.models import DocumentMeta, TableRow
from corpus.readers import Extracted
from corpus.symbols import (
    SymbolInfo,
    normalise_for_symbols,
    own_symbol,
    parse_symbol,
    symbol_from_filename,
    upr_cycle_for_session,
    wg_session,
)

HEAD_CHARS = 3000
UPR_KINDS = frozenset(
    {"outcome_report", "outcome_addendum", "stakeholder_summary", "compilation", "national_report"}
)
_MONTH = (
    "(?:january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_DATE_RES = (
    re.compile(rf"\b\d{{1,2}}\s*{_MONTH}\.?,?\s*((?:19|20)\d\d)\b", re.IGNORECASE),  # 28 August 2025
    re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}},?\s+((?:19|20)\d\d)\b", re.IGNORECASE),  # February 9, 2021
    re.compile(r"\b((?:19|20)\d\d)-[01]\d-[0-3]\d\b"),  # 2018-04-06
)
# Phrases (lower case, without spaces, since extraction often drops or adds them) that name a kind,
# and how far into the first page they count. The first match wins, so WG reports, which cite the
# "national report submitted in accordance with ...", are recognised before national reports.
_KIND_PHRASES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("outcome_addendum", ("viewsonconclusionsand/orrecommendations",), HEAD_CHARS),
    (
        "outcome_report",
        (
            "reportoftheworkinggroupontheuniversalperiodicreview",
            "summaryoftheproceedingsofthereviewprocess",
            "interactivedialogueandresponsesbythestateunderreview",
        ),
        HEAD_CHARS,
    ),
    ("stakeholder_summary", ("summaryofstakeholders", "summaryofotherstakeholders"), HEAD_CHARS),
    ("compilation", ("compilationofinformation", "compilationofuninformation", "compilationofunitednationsinformation"), HEAD_CHARS),
    ("national_report", ("nationalreportsubmittedinaccordance", "nationalreportsubmittedpursuant"), HEAD_CHARS),
    ("concluding_observations", ("concludingobservationsonthe", "concludingobservationsof"), HEAD_CHARS),
    ("general_comment", ("generalcommentno", "generalrecommendationno"), HEAD_CHARS),
    # An NGO submission says so in its title; further down "joint submission" is a citation.
    ("submission", ("jointsubmission", "stakeholdersubmission", "submissiontotheuniversalperiodicreview", "uprsubmission"), 600),
)  # fmt: skip
_TITLE_LINES = {
    "outcome_report": r"report of the working group on the universal ?periodic review",
    "outcome_addendum": r"views on conclusions and/or recommendations",
    "stakeholder_summary": r"summary of (?:other )?stakeholders",
    "compilation": r"compilation of",
    "national_report": r"national report",
    "concluding_observations": r"concluding observations",
    "general_comment": r"general (?:comment|recommendation) no",
}
_SALUTATION = re.compile(r"^\s*(?:Dear\s+\S.*|(?:Your\s+)?(?:Madam|Sir|Excellency)\s*[,:])\s*$", re.MULTILINE)
_COUNTRY_AFTER = re.compile(
    r"(?:submissions?\s+on|universal\s*periodic\s*review\s*:|review\s+of|information\s+on|situation\s+(?:of|in))\s+(.+)",
    re.IGNORECASE,
)


def document_stem(path: Path, suffix: str) -> str:
    """The file name without its document suffix; ``Path.stem`` would cut "A_HRC_59_15_Add.1" at the dot."""
    name = path.name
    return name[: -len(suffix)] if suffix and name.lower().endswith(suffix) else name


def infer_metadata(path: Path, suffix: str, extracted: Extracted, given: dict[str, Any]) -> DocumentMeta:
    """Metadata of a document: ``given`` (user-stated fields and ``extra``) plus what can be inferred."""
    stem = document_stem(path, suffix)
    head = extracted.text[:HEAD_CHARS]
    rows = extracted.rows
    squashed = re.sub(r"\s+", "", head.lower()).replace("’", "'")
    extra: dict[str, Any] = {}

    own, draft = own_symbol(head) if head else (None, None)
    symbol = (
        given.get("symbol") or own or symbol_from_filename(stem) or _common(r.symbol for r in rows) or draft
    )
    if draft and draft != symbol:
        extra["draft_symbol"] = draft
    info = parse_symbol(symbol) if symbol else SymbolInfo(symbol="")

    draft_kind = parse_symbol(draft).kind if draft else None
    kind = given.get("kind") or _kind(path, rows, info, squashed, head, own is not None, draft_kind)
    mechanism = given.get("mechanism") or _mechanism(kind, info, extracted, squashed, head, stem)
    country = (
        given.get("country")
        or info.country
        or _common(r.state_under_review for r in rows)
        or _country_from_name(stem)
        or _country_from_text(f"{extracted.title or ''}\n{head}")
    )
    session = (
        given.get("session")
        or info.session
        or wg_session(draft)
        or _common(r.session for r in rows)
        or (_session_from_name(stem) if mechanism == "UPR" else None)
    )
    if session is None and kind in ("outcome_report", "outcome_addendum"):
        # The WG report lists the documents "issued for the review": their symbols carry the session.
        refs = set(re.findall(r"A/HRC/WG\.6/(\d+)/[A-Z]{3}/[123]\b", normalise_for_symbols(head)))
        session = int(refs.pop()) if len(refs) == 1 else None
    year = given.get("year") or _year(head, stem)
    cycle = given.get("cycle")
    if cycle is None and mechanism == "UPR":
        cycle = upr_cycle_for_session(session)
    if cycle is None:
        m = re.search(r"cycle[_\- ]?([1-9])(?!\d)", stem, re.IGNORECASE)  # "..__cycle4__.."
        cycle = int(m.group(1)) if m else _common(r.cycle for r in rows)
    if cycle is None and mechanism == "UPR" and year is not None and kind != "recommendations_table":
        # Last resort: the cycle in which a document of that year most likely falls. Reports issued in
        # the first weeks after a cycle boundary (Jan 2012, Jan 2017) can be one cycle off.
        cycle = _cycle_for_year(year)
    language = given.get("language") or detect_language(extracted.text or _row_sample(rows))
    title = given.get("title") or extracted.title or _title(head, kind)
    author = given.get("author")
    if kind == "letter":
        # a letter is cited by its subject and its signatory, not by its file name
        title = title or letter_title(extracted.text)
        author = author or letter_author(extracted.text)
    extra.update(given.get("extra", {}))
    return DocumentMeta(
        symbol=symbol or None,
        kind=kind,
        country=country,
        mechanism=mechanism,
        cycle=cycle,
        session=session,
        year=year,
        language=language,
        title=title,
        author=author,
        extra=extra,
    )


def _common(values: Iterable[Any]) -> Any:
    """The single value shared by all non-empty ``values``, or None if there are none or several."""
    seen = {v for v in values if v not in (None, "")}
    return seen.pop() if len(seen) == 1 else None


def _kind(
    path: Path,
    rows: list[TableRow],
    info: SymbolInfo,
    squashed: str,
    head: str,
    symbol_in_text: bool,
    draft_kind: str | None,
) -> str:
    if rows:
        return "recommendations_table"
    if "letters" in (p.lower() for p in path.parent.parts[-3:]):
        return "letter"  # a "letters/" folder (up to two levels above the file)
    if info.kind:
        return info.kind
    if not symbol_in_text and _SALUTATION.search(head[:2500]):
        return "letter"  # "Dear Mr. Busby:", "Madam," near the top, and no UN document header
    if re.search(r"/Add\.\d+$", info.symbol) and "universalperiodicreview" in squashed:
        return "outcome_addendum"
    for kind, phrases, reach in _KIND_PHRASES:
        if any(p in squashed[:reach] for p in phrases):
            return kind
    if draft_kind == "outcome_report":
        return "outcome_report"  # "previously issued as A/HRC/WG.6/5/L.8": the WG's draft report
    return "other"


def _mechanism(
    kind: str, info: SymbolInfo, extracted: Extracted, squashed: str, head: str, stem: str
) -> str | None:
    if extracted.hints.get("mechanism"):
        return str(extracted.hints["mechanism"])
    if kind in UPR_KINDS or any(r.recommending_states for r in extracted.rows):
        return "UPR"
    mentions_upr = "universalperiodicreview" in squashed or re.search(r"\bUPR\b", head[:2500]) is not None
    if info.mechanism == "HRC" and mentions_upr:
        return "UPR"  # e.g. A/HRC/DEC/14/105, "Outcome of the universal periodic review: Slovenia"
    if info.mechanism:
        return info.mechanism
    if mentions_upr or "upr" in re.findall(r"[a-z]+", stem.lower()):
        return "UPR"
    return None


def _session_from_name(stem: str) -> int | None:
    """A UPR Working Group session written into a file name: ``UPR20_...``, ``UPR-wg48-...``, ``session48-...``."""
    m = re.search(r"(?:upr|wg|session)[-_ ]?(\d{1,2})(?!\d)", stem, re.IGNORECASE)
    return int(m.group(1)) if m else None


def _country_from_name(stem: str) -> str | None:
    """A country written into a file name: ``unitedstatesofamerica2011``, ``guinea-bissau2010``, ``..._Slovenia_...``."""
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", stem).lower())
    for size in range(min(len(words), 8), 0, -1):
        for i in range(len(words) - size + 1):
            hit = country_from_slug("".join(words[i : i + size]))
            if hit:
                return hit
    return None


def _country_from_text(head: str) -> str | None:
    """The country named on the title page: a line that is a country name, or "... submissions on X"."""
    for line in head[:2500].split("\n"):
        line = line.strip().strip("*").strip()
        if not line:
            continue
        m = _COUNTRY_AFTER.search(line)
        if m:
            hit = find_country_prefix(re.sub(r"^the\s+", "", m.group(1), flags=re.IGNORECASE))
            if hit:
                return hit
        if len(line) <= 70:
            hit = normalise_country(line)
            if hit:
                return hit
    return None


def _year(head: str, stem: str) -> int | None:
    distr = re.search(r"distr\b", head, re.IGNORECASE)
    if distr:
        # The issue date follows "Distr.: General" on UN documents.
        year = _first_date_year(head[distr.end() : distr.end() + 300])
        if year:
            return year
    m = re.search(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", stem)
    if m:
        return int(m.group(1))
    return _first_date_year(head)


def _first_date_year(text: str) -> int | None:
    best: tuple[int, int] | None = None
    for pattern in _DATE_RES:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), int(m.group(1)))
    return best[1] if best else None


def _cycle_for_year(year: int) -> int | None:
    if 2008 <= year <= 2011:
        return 1
    if 2012 <= year <= 2016:
        return 2
    if 2017 <= year <= 2021:
        return 3
    if 2023 <= year <= 2027:
        return 4
    return None  # 2022 holds the end of the 3rd cycle and the start of the 4th


def _title(head: str, kind: str) -> str | None:
    pattern = _TITLE_LINES.get(kind)
    if not pattern or not head:
        return None
    for line in head.split("\n"):
        if re.match(pattern, line.strip(" *\t"), re.IGNORECASE):
            title = " ".join(line.split()).strip("* ")
            return title[:200] or None
    return None


def _row_sample(rows: list[TableRow]) -> str:
    return " ".join(r.text for r in rows[:30])
