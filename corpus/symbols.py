"""UN document symbols: finding them in text and file names, and reading what they say.

A symbol such as ``A/HRC/WG.6/50/USA/3`` names the body (``A/HRC`` = Human Rights Council), the
UPR Working Group session (50), the state under review (USA) and the document (3 = summary of
stakeholders' submissions). ``CERD/C/USA/CO/10-12`` is a treaty body's concluding observations,
``CAT/C/GC/4`` a general comment, ``A/HRC/DEC/14/105`` a Council decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from corpus.countries import country_from_code

# Treaty bodies by the first part(s) of their symbols.
_TREATY_BODIES = {
    "E/C.12": "CESCR",
    "CCPR": "CCPR",
    "CERD": "CERD",
    "CAT": "CAT",
    "CEDAW": "CEDAW",
    "CRC": "CRC",
    "CRPD": "CRPD",
    "CED": "CED",
    "CMW": "CMW",
}
_BODY = r"(?:A/HRC|E/C\.12|E/CN\.4|CCPR|CERD|CEDAW|CAT|CRC|CRPD|CED|CMW|A)"
# One part after the body: "HRC", "WG.6", "50", "10-12", "USA", "Add.1", "L.9", "Corr.1".
_PART = r"(?:[A-Z][A-Za-z]{0,4}\.\d+|\d+(?:-\d+)?|[A-Z]{1,5})"
SYMBOL_RE = re.compile(rf"(?<![\w/.]){_BODY}(?:/{_PART})+(?![\w/])")

# Words before a symbol that make it a reference to another document, not the document's own symbol.
_REFERENCE_BEFORE = re.compile(
    r"(?:\(|\bsee|\bdocuments?|\bresolutions?|\bdecisions?|\bcontained in|\bsource of position:|\breport|\band|\bparas?\.?|;|,)\s*$",
    re.IGNORECASE,
)
_DRAFT_BEFORE = re.compile(r"previously\s+issued\s+(?:under|as)\b[^.]{0,40}$", re.IGNORECASE)


@dataclass(frozen=True)
class SymbolInfo:
    """What a symbol says about its document (None where it says nothing)."""

    symbol: str
    mechanism: str | None = None
    kind: str | None = None
    session: int | None = None  # UPR Working Group session
    country: str | None = None


def normalise_for_symbols(text: str) -> str:
    """Repair the ways PDF extraction breaks symbols ("A\\n/HRC/...", "CAT /C/GC/3", "WG,6", "7L.14").

    Only used to find symbols; the document text itself is not changed.
    """
    text = re.sub(r"(?<=[A-Z0-9.])[ \t]*\n?[ \t]*/[ \t]*(?=[A-Z0-9])", "/", text)
    text = re.sub(r"(?<=[A-Z0-9])\s*\n\s*/(?=[A-Z0-9])", "/", text)
    text = text.replace("WG,6", "WG.6")
    text = re.sub(r"(?<=/)(\d+)\./", r"\1/", text)  # "WG.6/8./L.8"
    return re.sub(r"(?<=/)(\d+)(L\.\d)", r"\1/\2", text)  # "WG.6/7L.14"


def find_symbols(text: str) -> list[str]:
    """Every symbol in ``text``, in order of appearance (duplicates kept)."""
    return [m.group(0) for m in SYMBOL_RE.finditer(normalise_for_symbols(text)) if _plausible(m.group(0))]


def own_symbol(head: str) -> tuple[str | None, str | None]:
    """The document's own symbol and its draft symbol ("previously issued as ..."), from its first page.

    Symbols cited as references (in brackets, after "see", "resolution", "document" ...) are skipped.
    """
    text = normalise_for_symbols(head)
    own: str | None = None
    draft: str | None = None
    for m in SYMBOL_RE.finditer(text):
        symbol = m.group(0)
        if not _plausible(symbol):
            continue
        before = text[max(0, m.start() - 80) : m.start()]
        if _DRAFT_BEFORE.search(before):
            draft = draft or symbol
        elif own is None and not _REFERENCE_BEFORE.search(before[-40:]):
            own = symbol
    return own, draft


def symbol_from_filename(stem: str) -> str | None:
    """A symbol written into a file name with "_" or "-" for "/" (``A_HRC_WG.6_50_USA_3``, ``..._A-HRC-16-11``).

    ``stem`` is the file name without its document suffix (``.txt``), since symbols contain dots.
    The separator that follows the body ("A_" or "A-") is the one the name uses for "/"; the
    symbol ends at the first part that cannot belong to a symbol ("cycle4", "report").
    """
    stem = stem.split("__")[0]  # "A_HRC_59_15_Add.1__cycle4__g2505828" -> the symbol comes first
    for m in re.finditer(r"(?<![A-Za-z0-9.])(A|E|CCPR|CERD|CEDAW|CAT|CRC|CRPD|CED|CMW)([_-])", stem):
        sep = m.group(2)
        pieces = re.split(r"([_-])", stem[m.end() :])
        parts = [m.group(1)]
        before = sep
        for i in range(0, len(pieces), 2):
            token = pieces[i]
            is_range = (
                before == "-"
                and token.isdigit()
                and parts[-1].isdigit()
                and (sep == "_" or parts[-2:-1] == ["CO"])  # "CO_10-12" or "CO-10-12"
            )
            if is_range:
                parts[-1] = f"{parts[-1]}-{token}"
            elif before != sep or not re.fullmatch(_PART, token):
                break
            else:
                parts.append(token)
            before = pieces[i + 1] if i + 1 < len(pieces) else ""
        symbol = "/".join(parts)
        if _plausible(symbol) and SYMBOL_RE.fullmatch(symbol):
            return symbol
    return None


def _plausible(symbol: str) -> bool:
    parts = symbol.split("/")
    if len(parts) < 3 or not any(ch.isdigit() for ch in symbol.split("/", 1)[1]):
        return False
    # "A/..." symbols are General Assembly documents: A/HRC/..., A/RES/..., A/53/44.
    return parts[0] != "A" or parts[1] in {"HRC", "RES"} or parts[1].isdigit()


def wg_session(symbol: str | None) -> int | None:
    """The UPR Working Group session named in a symbol (``A/HRC/WG.6/50/USA/3`` -> 50)."""
    if not symbol:
        return None
    m = re.search(r"/WG\.6/(\d+)(?:/|$)", symbol)
    return int(m.group(1)) if m else None


def parse_symbol(symbol: str) -> SymbolInfo:
    """Mechanism, kind, session and country that a symbol implies."""
    parts = symbol.split("/")
    mechanism: str | None = None
    kind: str | None = None
    country: str | None = None
    for prefix, body in _TREATY_BODIES.items():
        if symbol.startswith(prefix + "/"):
            mechanism = body
            break
    if symbol.startswith("CAT/OP/"):
        mechanism = "SPT"
    if "CO" in parts:
        kind = "concluding_observations"
    elif "GC" in parts:
        kind = "general_comment"
    session = wg_session(symbol)
    if session is not None:
        mechanism = "UPR"
        m = re.search(r"/WG\.6/\d+/(?:([A-Z]{3})/(\d+)|L\.\d+)", symbol)
        if m and m.group(1):
            # Session-1 drafts of WG reports were numbered /4 (A/HRC/WG.6/1/BRA/4).
            kind = {"1": "national_report", "2": "compilation", "3": "stakeholder_summary"}.get(
                m.group(2), "outcome_report"
            )
        elif m:
            kind = "outcome_report"  # a draft WG report, A/HRC/WG.6/<n>/L.<m>
    elif symbol.startswith("A/HRC/"):
        mechanism = "HRC"  # a Council report or decision; the text tells whether it is a UPR one
    for part in parts[1:]:
        if re.fullmatch(r"[A-Z]{3}", part):
            country = country_from_code(part) or country
    return SymbolInfo(symbol=symbol, mechanism=mechanism, kind=kind, session=session, country=country)


# First UPR Working Group session of each cycle: 1st 1-12 (2008-2011), 2nd 13-26 (2012-2016),
# 3rd 27-40 (2017-2022), 4th 41-54 (2022-2027). Later sessions are not scheduled yet.
_CYCLE_STARTS = ((41, 4), (27, 3), (13, 2), (1, 1))
_LAST_KNOWN_SESSION = 54


def upr_cycle_for_session(session: int | None) -> int | None:
    """The UPR cycle of a Working Group session (9 -> 1, 36 -> 3, 50 -> 4); None outside 1-54."""
    if session is None or not 1 <= session <= _LAST_KNOWN_SESSION:
        return None
    return next(cycle for first, cycle in _CYCLE_STARTS if session >= first)


def metadata_from_symbol(symbol: str) -> dict[str, Any]:
    """The DocumentMeta fields a symbol states for certain (for sidecars written at download time).

    ``A/HRC/46/15`` says nothing certain (an HRC report may or may not be a UPR report), so only
    the symbol-borne facts of WG.6 documents and treaty-body documents are returned.
    """
    info = parse_symbol(symbol)
    return {
        "kind": info.kind,
        "mechanism": info.mechanism if info.mechanism != "HRC" else None,
        "country": info.country,
        "session": info.session,
        "cycle": upr_cycle_for_session(info.session),
    }


UNDOCS = "https://undocs.org/"


def undocs_url(symbol: str | None) -> str | None:
    """The UN original of a document with a UN symbol (``https://undocs.org/A/HRC/46/15``), which
    the UN document system serves in the reader's language; None for no or no plausible symbol."""
    if not symbol:
        return None
    symbol = symbol.strip()
    if not (SYMBOL_RE.fullmatch(symbol) and _plausible(symbol)):
        return None
    return UNDOCS + symbol
