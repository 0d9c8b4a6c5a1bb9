"""Country names: the 193 UN member states plus the two observer states, with ISO 3166 alpha-3 codes.

The canonical name is the UN's English short name ("Venezuela (Bolivarian Republic of)",
"Türkiye", "Netherlands (Kingdom of the)"). ``normalise_country`` maps the many spellings found in
UPR documents and databases ("Bolivarian Republic of Venezuela", "Macedonia", "Cote d'Ivoire",
"Libyan Arab Jamahiriya", "Democratic People ’ s Republic of Korea") to it; unknown names give None.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# (canonical UN name, ISO3, other spellings). Order follows the UN list of member states.
_COUNTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Afghanistan", "AFG", ("Islamic Republic of Afghanistan",)),
    ("Albania", "ALB", ()),
    ("Algeria", "DZA", ()),
    ("Andorra", "AND", ()),
    ("Angola", "AGO", ()),
    ("Antigua and Barbuda", "ATG", ()),
    ("Argentina", "ARG", ()),
    ("Armenia", "ARM", ()),
    ("Australia", "AUS", ()),
    ("Austria", "AUT", ()),
    ("Azerbaijan", "AZE", ()),
    ("Bahamas", "BHS", ()),
    ("Bahrain", "BHR", ()),
    ("Bangladesh", "BGD", ()),
    ("Barbados", "BRB", ()),
    ("Belarus", "BLR", ()),
    ("Belgium", "BEL", ()),
    ("Belize", "BLZ", ()),
    ("Benin", "BEN", ()),
    ("Bhutan", "BTN", ()),
    (
        "Bolivia (Plurinational State of)",
        "BOL",
        ("Bolivia", "Plurinational State of Bolivia", "Bolivia, Plurinational State of"),
    ),
    ("Bosnia and Herzegovina", "BIH", ("Bosnia-Herzegovina",)),
    ("Botswana", "BWA", ()),
    ("Brazil", "BRA", ()),
    ("Brunei Darussalam", "BRN", ("Brunei",)),
    ("Bulgaria", "BGR", ()),
    ("Burkina Faso", "BFA", ()),
    ("Burundi", "BDI", ()),
    ("Cabo Verde", "CPV", ("Cape Verde",)),
    ("Cambodia", "KHM", ()),
    ("Cameroon", "CMR", ()),
    ("Canada", "CAN", ()),
    ("Central African Republic", "CAF", ()),
    ("Chad", "TCD", ()),
    ("Chile", "CHL", ()),
    ("China", "CHN", ("People's Republic of China",)),
    ("Colombia", "COL", ()),
    ("Comoros", "COM", ()),
    ("Congo", "COG", ("Republic of the Congo", "Republic of Congo", "Congo-Brazzaville")),
    ("Costa Rica", "CRI", ()),
    ("Côte d'Ivoire", "CIV", ("Ivory Coast",)),
    ("Croatia", "HRV", ()),
    ("Cuba", "CUB", ()),
    ("Cyprus", "CYP", ()),
    ("Czechia", "CZE", ("Czech Republic",)),
    (
        "Democratic People's Republic of Korea",
        "PRK",
        (
            "North Korea",
            "DPRK",
            "DPR Korea",
            "Korea (Democratic People's Republic of)",
            "Korea, Democratic People's Republic of",
        ),
    ),
    (
        "Democratic Republic of the Congo",
        "COD",
        (
            "DR Congo",
            "DRC",
            "Democratic Republic of Congo",
            "Congo (Democratic Republic of the)",
            "Congo, Democratic Republic of the",
        ),
    ),
    ("Denmark", "DNK", ()),
    ("Djibouti", "DJI", ()),
    ("Dominica", "DMA", ()),
    ("Dominican Republic", "DOM", ()),
    ("Ecuador", "ECU", ()),
    ("Egypt", "EGY", ()),
    ("El Salvador", "SLV", ()),
    ("Equatorial Guinea", "GNQ", ()),
    ("Eritrea", "ERI", ()),
    ("Estonia", "EST", ()),
    ("Eswatini", "SWZ", ("Swaziland", "Kingdom of Eswatini")),
    ("Ethiopia", "ETH", ()),
    ("Fiji", "FJI", ()),
    ("Finland", "FIN", ()),
    ("France", "FRA", ()),
    ("Gabon", "GAB", ()),
    ("Gambia", "GMB", ("Gambia (Republic of The)",)),
    ("Georgia", "GEO", ()),
    ("Germany", "DEU", ()),
    ("Ghana", "GHA", ()),
    ("Greece", "GRC", ()),
    ("Grenada", "GRD", ()),
    ("Guatemala", "GTM", ()),
    ("Guinea", "GIN", ()),
    ("Guinea-Bissau", "GNB", ()),
    ("Guyana", "GUY", ()),
    ("Haiti", "HTI", ()),
    ("Honduras", "HND", ()),
    ("Hungary", "HUN", ()),
    ("Iceland", "ISL", ()),
    ("India", "IND", ()),
    ("Indonesia", "IDN", ()),
    ("Iran (Islamic Republic of)", "IRN", ("Iran", "Islamic Republic of Iran", "Iran, Islamic Republic of")),
    ("Iraq", "IRQ", ()),
    ("Ireland", "IRL", ()),
    ("Israel", "ISR", ()),
    ("Italy", "ITA", ()),
    ("Jamaica", "JAM", ()),
    ("Japan", "JPN", ()),
    ("Jordan", "JOR", ()),
    ("Kazakhstan", "KAZ", ()),
    ("Kenya", "KEN", ()),
    ("Kiribati", "KIR", ()),
    ("Kuwait", "KWT", ()),
    ("Kyrgyzstan", "KGZ", ("Kyrgyz Republic",)),
    ("Lao People's Democratic Republic", "LAO", ("Laos", "Lao PDR")),
    ("Latvia", "LVA", ()),
    ("Lebanon", "LBN", ()),
    ("Lesotho", "LSO", ()),
    ("Liberia", "LBR", ()),
    ("Libya", "LBY", ("Libyan Arab Jamahiriya",)),
    ("Liechtenstein", "LIE", ()),
    ("Lithuania", "LTU", ()),
    ("Luxembourg", "LUX", ()),
    ("Madagascar", "MDG", ()),
    ("Malawi", "MWI", ()),
    ("Malaysia", "MYS", ()),
    ("Maldives", "MDV", ()),
    ("Mali", "MLI", ()),
    ("Malta", "MLT", ()),
    ("Marshall Islands", "MHL", ()),
    ("Mauritania", "MRT", ()),
    ("Mauritius", "MUS", ()),
    ("Mexico", "MEX", ()),
    (
        "Micronesia (Federated States of)",
        "FSM",
        ("Micronesia", "Federated States of Micronesia", "Micronesia, Federated States of"),
    ),
    ("Monaco", "MCO", ()),
    ("Mongolia", "MNG", ()),
    ("Montenegro", "MNE", ()),
    ("Morocco", "MAR", ()),
    ("Mozambique", "MOZ", ()),
    ("Myanmar", "MMR", ("Burma",)),
    ("Namibia", "NAM", ()),
    ("Nauru", "NRU", ()),
    ("Nepal", "NPL", ()),
    ("Netherlands (Kingdom of the)", "NLD", ("Netherlands", "Kingdom of the Netherlands", "Holland")),
    ("New Zealand", "NZL", ()),
    ("Nicaragua", "NIC", ()),
    ("Niger", "NER", ()),
    ("Nigeria", "NGA", ()),
    (
        "North Macedonia",
        "MKD",
        (
            "Macedonia",
            "The former Yugoslav Republic of Macedonia",
            "Former Yugoslav Republic of Macedonia",
            "FYROM",
            "Macedonia FYR",
            "Republic of North Macedonia",
        ),
    ),
    ("Norway", "NOR", ()),
    ("Oman", "OMN", ()),
    ("Pakistan", "PAK", ()),
    ("Palau", "PLW", ()),
    ("Panama", "PAN", ()),
    ("Papua New Guinea", "PNG", ()),
    ("Paraguay", "PRY", ()),
    ("Peru", "PER", ()),
    ("Philippines", "PHL", ()),
    ("Poland", "POL", ()),
    ("Portugal", "PRT", ()),
    ("Qatar", "QAT", ()),
    ("Republic of Korea", "KOR", ("South Korea", "Korea, Republic of", "Korea (Republic of)")),
    ("Republic of Moldova", "MDA", ("Moldova", "Moldova, Republic of")),
    ("Romania", "ROU", ()),
    ("Russian Federation", "RUS", ("Russia",)),
    ("Rwanda", "RWA", ()),
    ("Saint Kitts and Nevis", "KNA", ()),
    ("Saint Lucia", "LCA", ()),
    ("Saint Vincent and the Grenadines", "VCT", ()),
    ("Samoa", "WSM", ()),
    ("San Marino", "SMR", ()),
    ("Sao Tome and Principe", "STP", ()),
    ("Saudi Arabia", "SAU", ()),
    ("Senegal", "SEN", ()),
    ("Serbia", "SRB", ()),
    ("Seychelles", "SYC", ()),
    ("Sierra Leone", "SLE", ()),
    ("Singapore", "SGP", ()),
    ("Slovakia", "SVK", ("Slovak Republic",)),
    ("Slovenia", "SVN", ("Republic of Slovenia",)),
    ("Solomon Islands", "SLB", ()),
    ("Somalia", "SOM", ()),
    ("South Africa", "ZAF", ()),
    ("South Sudan", "SSD", ()),
    ("Spain", "ESP", ()),
    ("Sri Lanka", "LKA", ()),
    ("Sudan", "SDN", ()),
    ("Suriname", "SUR", ()),
    ("Sweden", "SWE", ()),
    ("Switzerland", "CHE", ()),
    ("Syrian Arab Republic", "SYR", ("Syria",)),
    ("Tajikistan", "TJK", ()),
    ("Thailand", "THA", ()),
    ("Timor-Leste", "TLS", ("East Timor",)),
    ("Togo", "TGO", ()),
    ("Tonga", "TON", ()),
    ("Trinidad and Tobago", "TTO", ()),
    ("Tunisia", "TUN", ()),
    ("Türkiye", "TUR", ("Turkey",)),
    ("Turkmenistan", "TKM", ()),
    ("Tuvalu", "TUV", ()),
    ("Uganda", "UGA", ()),
    ("Ukraine", "UKR", ()),
    ("United Arab Emirates", "ARE", ("UAE",)),
    (
        "United Kingdom of Great Britain and Northern Ireland",
        "GBR",
        ("United Kingdom", "UK", "Great Britain", "Britain"),
    ),
    ("United Republic of Tanzania", "TZA", ("Tanzania",)),
    ("United States of America", "USA", ("United States", "USA", "US", "U.S.", "U.S.A.")),
    ("Uruguay", "URY", ()),
    ("Uzbekistan", "UZB", ()),
    ("Vanuatu", "VUT", ()),
    (
        "Venezuela (Bolivarian Republic of)",
        "VEN",
        ("Venezuela", "Bolivarian Republic of Venezuela", "Venezuela, Bolivarian Republic of"),
    ),
    ("Viet Nam", "VNM", ("Vietnam",)),
    ("Yemen", "YEM", ()),
    ("Zambia", "ZMB", ()),
    ("Zimbabwe", "ZWE", ()),
    # Non-member observer states.
    ("Holy See", "VAT", ("Vatican", "Vatican City")),
    ("State of Palestine", "PSE", ("Palestine",)),
)

COUNTRIES: tuple[str, ...] = tuple(name for name, _, _ in _COUNTRIES)
BY_ISO3: dict[str, str] = {iso3: name for name, iso3, _ in _COUNTRIES}
ISO3: dict[str, str] = {name: iso3 for name, iso3, _ in _COUNTRIES}

# Codes found in UN document symbols that are not (or no longer) the ISO code of the state.
_SYMBOL_CODE_ALIASES = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "TSL": "TLS", "ZAB": "ZMB"}


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
    for name, _, variants in _COUNTRIES:
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


def country_from_code(code: str) -> str | None:
    """The country of an ISO3 code as used in UN document symbols (``USA``, ``SVN``, ``ROM``)."""
    code = code.upper()
    return BY_ISO3.get(_SYMBOL_CODE_ALIASES.get(code, code))


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
