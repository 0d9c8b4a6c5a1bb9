"""Recognising the recommending States in the parenthesis that closes a UPR recommendation.

``(Portugal, Slovakia)``, ``(Chile and Uruguay)``, ``(Algeria) (Cabo Verde)``, ``(Mexico; Egypt)``
and ``(Cuba, Venezuela (Bolivarian Republic of))`` are State lists; ``(ICCPR)`` or ``(on freedom of
association)`` are not. A built-in list of State names (UN Members, observers and the spellings
used in UPR reports since 2008) decides; the last parenthesis of a recommendation may also hold a
name that is not in the list but looks like one (a misspelling such as "Kyrgysztan").
"""

from __future__ import annotations

import re

from corpus.countries import resolve_state

# UN Member States and observers, with the variants found in UPR reports 2008-2025. Commas inside
# a name ("Korea, Republic of") are not used by UPR reports and are not supported.
_NAMES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria
Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan
Bolivia|Plurinational State of Bolivia|Bolivia (Plurinational State of)|Bosnia and Herzegovina
Bosnia & Herzegovina|Botswana|Brazil|Brunei Darussalam|Brunei|Bulgaria|Burkina Faso|Burundi
Cabo Verde|Cape Verde|Cambodia|Cameroon|Canada|Central African Republic|Chad|Chile|China
Colombia|Comoros|Congo|Republic of the Congo|Republic of Congo|Costa Rica|Côte d'Ivoire
Cote d'Ivoire|Croatia|Cuba|Cyprus|Czechia|Czech Republic|Democratic People's Republic of Korea
DPR Korea|Democratic Republic of the Congo|Democratic Republic of Congo|Denmark|Djibouti|Dominica
Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini
Swaziland|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada
Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran
Islamic Republic of Iran|Iran (Islamic Republic of)|Iraq|Ireland|Israel|Italy|Jamaica|Japan
Jordan|Kazakhstan|Kenya|Kiribati|Kuwait|Kyrgyzstan|Lao People's Democratic Republic|Laos
Latvia|Lebanon|Lesotho|Liberia|Libya|Libyan Arab Jamahiriya|Liechtenstein|Lithuania|Luxembourg
Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|Mauritius|Mexico
Micronesia|Federated States of Micronesia|Micronesia (Federated States of)|Monaco|Mongolia
Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nauru|Nepal|Netherlands|Kingdom of the Netherlands
Netherlands (Kingdom of the)|New Zealand|Nicaragua|Niger|Nigeria|North Macedonia|Macedonia
The former Yugoslav Republic of Macedonia|Former Yugoslav Republic of Macedonia|Norway|Oman
Pakistan|Palau|Panama|Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Qatar
Republic of Korea|Korea|Republic of Moldova|Moldova|Romania|Russian Federation|Russia|Rwanda
Saint Kitts and Nevis|Saint Lucia|Saint Vincent and the Grenadines|Samoa|San Marino
Sao Tome and Principe|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia
Slovenia|Solomon Islands|Somalia|South Africa|South Sudan|Spain|Sri Lanka|Sudan|Suriname
Sweden|Switzerland|Syrian Arab Republic|Syria|Tajikistan|Thailand|Timor-Leste|Togo|Tonga
Trinidad and Tobago|Tunisia|Türkiye|Turkey|Turkmenistan|Tuvalu|Uganda|Ukraine
United Arab Emirates|United Kingdom|United Kingdom of Great Britain and Northern Ireland
United Republic of Tanzania|Tanzania|United States|United States of America|Uruguay|Uzbekistan
Vanuatu|Venezuela|Bolivarian Republic of Venezuela|Venezuela (Bolivarian Republic of)|Viet Nam
Vietnam|Yemen|Zambia|Zimbabwe|Holy See|State of Palestine|Palestine|Serbia and Montenegro
UK|USA|US|DRC|DPRK|UAE|ROK|Lao PDR|Côte d’Ivoire|Cote d’Ivoire
"""

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """A State name as written, with straight apostrophes and single spaces."""
    name = _SPACES.sub(" ", name.translate(_APOSTROPHES)).strip()
    name = re.sub(r"\s*'\s*", "'", name)  # "People ’ s" (PDF spacing) -> "People's"
    return name


def _key(name: str) -> str:
    key = normalise_name(name).lower()
    return key[4:] if key.startswith("the ") else key


KNOWN: frozenset[str] = frozenset(_key(n) for line in _NAMES.split("\n") for n in line.split("|") if n)


def _known(name: str) -> bool:
    """A State's name as listed, or one ``corpus.countries.resolve_state`` recognises in spite of a
    typo or a word lost ("Holly See", "United Kingdom of the Great Britain and Northern Ireland")."""
    return _key(name) in KNOWN or resolve_state(name) is not None


_SEPARATORS = re.compile(r"\s*[,;]\s*")
_AND = re.compile(r"\s+(?:and|&)\s+")
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-Ý][\w'’.\-]*|[a-z]{1,3}|d'\w+|\(|\))$")


def _looks_like_name(chunk: str) -> bool:
    """Capitalised words, at most six, no digits, not a single all-capitals acronym ("ICCPR")."""
    words = chunk.replace("(", " ( ").replace(")", " ) ").split()
    if not words or len(words) > 6 or any(ch.isdigit() for ch in chunk):
        return False
    if len(words) == 1 and words[0].isupper():
        return False
    return words[0][:1].isupper() and all(_NAME_WORD.match(w) for w in words)


def _display(name: str) -> str:
    """Drop a leading "the" ("the Netherlands"), but not before a lower-case word ("the former ...")."""
    if name[:4].lower() == "the " and name[4:5].isupper():
        return name[4:]
    return name


def _rejoin(chunk: str) -> str | None:
    """A known name that PDF extraction cut inside a word: "Qat ar", "Bolivar ian Republic of Venezuela"."""
    words = chunk.split(" ")
    for i in range(len(words) - 1):
        candidate = " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
        if _key(candidate) in KNOWN:
            return candidate
    return None


def _known_run(chunk: str) -> list[str] | None:
    """A chunk of known names with a comma lost between them: "United Kingdom France"."""
    words = chunk.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + 8), i, -1):
            candidate = " ".join(words[i:j])
            if _key(candidate) in KNOWN:
                out.append(candidate)
                i = j
                break
        else:
            return None
    return out if len(out) > 1 else None


def _split_chunk(chunk: str, lenient: bool) -> list[str] | None:
    """One comma-free chunk as one State or several joined by "and" ("Chile and Uruguay")."""
    if _known(chunk):
        return [chunk]
    repaired = _rejoin(chunk)
    if repaired is not None:
        return [repaired]
    run = _known_run(chunk)
    if run is not None:
        return run
    parts = _AND.split(chunk)
    if len(parts) > 1:
        # "Trinidad and Tobago and Chile": join greedily, longest known prefix first.
        out: list[str] = []
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                candidate = " and ".join(parts[i:j])
                if _known(candidate):
                    out.append(candidate)
                    i = j
                    break
            else:
                if lenient and _looks_like_name(parts[i]):
                    out.append(parts[i])
                    i += 1
                else:
                    return None
        return out
    if lenient and _looks_like_name(chunk):
        return [chunk]
    return None


def _chunks(content: str) -> list[str]:
    """Split on commas and semicolons that are not inside a nested parenthesis."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(content):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in ",;/" and depth == 0:
            out.append(content[start:i])
            start = i + 1
    out.append(content[start:])
    return _rejoin_inverted([c.strip() for c in out])


def _rejoin_inverted(chunks: list[str]) -> list[str]:
    """Names written the database way, "Venezuela, Bolivarian Republic of", are one State, not
    "Venezuela" and a fragment."""
    out: list[str] = []
    i = 0
    while i < len(chunks):
        if (
            i + 1 < len(chunks)
            and not _known(chunks[i + 1])
            and resolve_state(f"{chunks[i]}, {chunks[i + 1]}") is not None
        ):
            out.append(f"{chunks[i]}, {chunks[i + 1]}")
            i += 2
        else:
            out.append(chunks[i])
            i += 1
    return out


def parse_states(content: str, lenient: bool = False) -> list[str] | None:
    """The States listed in a parenthesis (without its brackets), or None if it is not a State list.

    ``lenient`` also accepts unknown name-like chunks; it is meant for the last parenthesis of
    a recommendation, where UPR reports always put the recommending States.
    """
    content = normalise_name(content)
    if not content:
        return None
    states: list[str] = []
    for chunk in _chunks(content):
        chunk = re.sub(r"^(?:and|&)\s+", "", chunk)
        if not chunk:
            continue
        names = _split_chunk(chunk, lenient)
        if names is None:
            return None
        states.extend(_display(n) for n in names)
    if not states:
        return None
    return states


def state_at_start(text: str) -> list[str]:
    """The State that a sentence starts with ("Chile recommended ...", "The Netherlands noted ...")."""
    words = text.split(" ", 8)[:7]
    for n in range(min(6, len(words)), 0, -1):
        candidate = " ".join(words[:n]).rstrip(",;:")
        if _key(candidate) in KNOWN:
            return [_display(normalise_name(candidate))]
    return []


_ADVERB = re.compile(r"(?:\s+(?:also|further|strongly|therefore|then|finally))+$", re.I)


def state_before(text: str) -> list[str]:
    """The State right before a verb: "Noting the commitment ..., Algeria (also) [recommended]"."""
    words = _ADVERB.sub("", text.rstrip()).split(" ")[-6:]
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[-n:]).strip(",;: ")
        if candidate and _key(candidate) in KNOWN:
            return [_display(normalise_name(candidate))]
    return []


_WORD_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def first_state(text: str, exclude: str | None = None) -> list[str]:
    """The first State named in ``text`` (other than ``exclude``, the State under review)."""
    words = [_WORD_EDGE.sub("", w) for w in text.split()]
    skip = _key(exclude) if exclude else None
    for i, word in enumerate(words):
        if not word[:1].isupper():
            continue
        for n in range(min(8, len(words) - i), 0, -1):
            candidate = " ".join(words[i : i + n])
            key = _key(candidate)
            if key in KNOWN and key != skip:
                return [_display(normalise_name(candidate))]
    return []
