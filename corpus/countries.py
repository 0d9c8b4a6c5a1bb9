"""Country names: the 193 UN member states plus the two observer states, with ISO 3166 alpha-3 codes.

The canonical name is the UN's English short name ("Venezuela (Bolivarian Republic of)",
"Türkiye", "Netherlands (Kingdom of the)"). ``normalise_country`` maps the many spellings found in
UPR documents and databases ("Bolivarian Republic of Venezuela", "Macedonia", "Cote d'Ivoire",
"Libyan Arab Jamahiriya", "Democratic People ’ s Republic of Korea") to it; unknown names give None.
``resolve_state`` also repairs what typing and PDF extraction did to a name ("Holly See", "United
Sates", "Islamic Republic Iran", "Democratic People.s Republic of Korea", "Bolivia (Plurinational
Republic of)"), and still gives None for what is no State ("ACT Group", "Bolivarian Republic of",
"Northern Ireland", "None").
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from corpus.country_names import STATES, SYMBOL_CODE_ALIASES

COUNTRIES: tuple[str, ...] = tuple(name for name, _, _ in STATES)
BY_ISO3: dict[str, str] = {iso3: name for name, iso3, _ in STATES}
ISO3: dict[str, str] = {name: iso3 for name, iso3, _ in STATES}


def _fold(name: str) -> str:
    """Lowercase, strip accents and punctuation, drop a leading "the", spell out "St."."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # "People ’ s" and "People's" both become "peoples"; "Trinidad & Tobago" reads "and".
    text = re.sub(r"\s*[’‘`´ʼ']\s*", "", text.lower()).replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return re.sub(r"^st ", "saint ", text)


def _slug(name: str) -> str:
    return _fold(name).replace(" ", "")


def _build_index() -> tuple[dict[str, str], dict[str, str]]:
    by_fold: dict[str, str] = {}
    by_slug: dict[str, str] = {}
    for name, _, variants in STATES:
        for spelling in (name, *variants):
            by_fold[_fold(spelling)] = name
            # Two-letter abbreviations ("US", "UK") are too ambiguous inside file names.
            if len(_slug(spelling)) > 3:
                by_slug[_slug(spelling)] = name
    return by_fold, by_slug


_BY_FOLD, _BY_SLUG = _build_index()


@lru_cache(maxsize=4096)
def normalise_country(name: str) -> str | None:
    """The UN short name of a country given in any common spelling, or None if not a known state."""
    if not name:
        return None
    folded = _fold(name.strip().rstrip("*").strip())
    if not folded:
        return None
    return _BY_FOLD.get(folded)


# Words a State's name may gain or lose without becoming another State's ("Islamic Republic Iran",
# "United Kingdom of the Great Britain and Northern Ireland").
_FILLER = frozenset({"of", "the", "and"})
_POSSESSIVE_S = re.compile(r"(?<=[A-Za-z])\s*[.’'`´]\s*s\b")  # "People.s", "Lao.s", "People ’ s"
_TRAILING_GROUP = re.compile(r"^(.*?\S)\s*\([^()]*\)$")  # "Bolivia (Plurinational Republic of)"


def _core(folded: str) -> str:
    return " ".join(w for w in folded.split() if w not in _FILLER)


def _build_core_index() -> tuple[dict[str, str | None], dict[str, str]]:
    """Spellings without filler words (a key two States share maps to None: ambiguous), and the
    folded spellings of more than three letters, which typos are measured against."""
    core: dict[str, str | None] = {}
    near: dict[str, str] = {}
    for name, _, variants in STATES:
        for spelling in (name, *variants):
            key = _core(_fold(spelling))
            if len(key) > 3:
                core[key] = name if core.get(key, name) == name else None
                near[key] = name
            if len(_fold(spelling)) > 3:
                near[_fold(spelling)] = name
    return core, near


_BY_CORE, _NEAR = _build_core_index()


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _nearest(*keys: str) -> str | None:
    """The one State with a spelling within a typo of one of ``keys`` (one edit from five letters,
    two from ten); None when there is none or two States are equally near."""
    best: dict[str, int] = {}
    for key in keys:
        limit = 2 if len(key) >= 10 else 1 if len(key) >= 5 else 0
        if not limit:
            continue
        for spelling, name in _NEAR.items():
            if spelling[:1] != key[:1]:
                continue
            d = _edits(key, spelling, limit)
            if d <= limit and d < best.get(name, limit + 1):
                best[name] = d
    if not best:
        return None
    low = min(best.values())
    winners = [n for n, d in best.items() if d == low]
    return winners[0] if len(winners) == 1 else None


@lru_cache(maxsize=8192)
def resolve_state(name: str) -> str | None:
    """The UN short name of a State written in any spelling met in UPR documents, typos and PDF
    damage included; None for anything that is not one State.

    Tried in order: the known spellings (``normalise_country``); a possessive cut by extraction
    ("People.s"); the spelling without "of", "the", "and"; a name followed by a parenthesis that
    only qualifies it ("Bolivia (Plurinational Republic of)"); one or two typing errors.
    """
    if not name or not name.strip():
        return None
    hit = normalise_country(name)
    if hit:
        return hit
    repaired = _POSSESSIVE_S.sub("s", name)
    hit = normalise_country(repaired)
    if hit:
        return hit
    folded = _fold(repaired.strip().rstrip("*").strip())
    key = _core(folded)
    if not key:
        return None
    hit = _BY_CORE.get(key)
    if hit:
        return hit
    group = _TRAILING_GROUP.match(repaired.strip())
    if group and not normalise_country(group.group(0)[len(group.group(1)) :].strip(" ()")):
        head = normalise_country(group.group(1))
        if head:
            return head
    return _nearest(key, folded)


def resolve_states(names: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the UN names of the States among ``names``, in order and once each; the names that are
    no State)."""
    states: list[str] = []
    rest: list[str] = []
    for raw in names:
        hit = resolve_state(raw)
        if hit is None:
            rest.append(raw)
        elif hit not in states:
            states.append(hit)
    return states, rest


def country_from_code(code: str) -> str | None:
    """The country of an ISO3 code as used in UN document symbols (``USA``, ``SVN``, ``ROM``)."""
    code = code.upper()
    return BY_ISO3.get(SYMBOL_CODE_ALIASES.get(code, code))


def country_from_slug(slug: str) -> str | None:
    """The country whose name written without spaces or punctuation is ``slug`` (``bosniaandherzegovina``)."""
    return _BY_SLUG.get(slug.lower())


def find_country_prefix(text: str) -> str | None:
    """The country named by the longest run of leading words of ``text`` ("the United States of America, held ...")."""
    words = text.split()
    for n in range(min(len(words), 9), 0, -1):
        candidate = " ".join(words[:n]).rstrip("*.,;:)")
        hit = normalise_country(candidate)
        if hit:
            return hit
    return None


def split_states(raw: str) -> list[str]:
    """Split a list of states separated by ";", ", " or " and " without cutting names like "Trinidad and Tobago".

    Known names are normalised to their UN short name; anything else ("ACT Group", "European Union")
    is kept as written.
    """
    if "&" in raw:
        raw = html.unescape(raw)  # UPR Info writes "(Unknown)" as "&#40;Unknown&#41;"
    raw = raw.strip().strip(".;,")
    if not raw:
        return []
    parts = [p for p in re.split(r"\s*;\s*", raw) if p] if ";" in raw else _split_commas(raw)
    states: list[str] = []
    for part in parts:
        for piece in _split_and(part.strip()):
            piece = piece.strip().strip(".,;").strip()
            if piece and _fold(piece) != "unknown":  # UPR Info's "(Unknown)" names no state
                states.append(normalise_country(piece) or piece)
    return states


def _split_commas(raw: str) -> list[str]:
    # "Iran, Islamic Republic of" style names contain a comma: re-join such pairs.
    pieces = [p.strip() for p in raw.split(",")]
    out: list[str] = []
    i = 0
    while i < len(pieces):
        if (
            i + 1 < len(pieces)
            and normalise_country(f"{pieces[i]}, {pieces[i + 1]}")
            and not normalise_country(pieces[i + 1])
        ):
            out.append(f"{pieces[i]}, {pieces[i + 1]}")
            i += 2
        else:
            out.append(pieces[i])
            i += 1
    return [p for p in out if p]


def _split_and(part: str) -> list[str]:
    if " and " not in part or normalise_country(part):
        return [part]
    words = part.split(" and ")
    out: list[str] = []
    i = 0
    while i < len(words):
        # Take the longest run of " and "-joined words that is a known state name.
        for j in range(len(words), i, -1):
            candidate = " and ".join(words[i:j])
            if j == i + 1 or normalise_country(candidate):
                out.append(candidate)
                i = j
                break
    return out


_WORD_RUN = re.compile(r"[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'’.&-]*")
_POSSESSIVE = re.compile(r"['’]s$")
_MAX_NAME_WORDS = 7  # "Saint Vincent and the Grenadines", "Democratic Republic of the Congo"


def countries_named_in(text: str) -> list[str]:
    """The states a query names, in order ("Cuba embargo ... the US" -> Cuba, United States of America).

    A name must be written as a proper noun (its first word capitalised), so "us" or "chad" in
    running lower-case text is not a state; the longest name wins ("South Sudan", not "Sudan").
    """
    words = [(m.group(0), m.start()) for m in _WORD_RUN.finditer(text)]
    found: list[str] = []
    i = 0
    while i < len(words):
        hit = None
        if words[i][0][:1].isupper():
            for n in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
                start, end = words[i][1], words[i + n - 1][1] + len(words[i + n - 1][0])
                name = normalise_country(_POSSESSIVE.sub("", text[start:end]).rstrip(".’'"))
                if name:
                    hit = (name, n)
                    break
        if hit:
            if hit[0] not in found:
                found.append(hit[0])
            i += hit[1]
        else:
            i += 1
    return found
