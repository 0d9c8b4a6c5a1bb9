"""The one theme vocabulary: UPR Info's 54 issues, and every other label mapped onto them.

A passage's ``themes`` (the Theme filter, facets, hits) hold only these 54 names, so the same
subject shows once ("NHRI", never also "National Human Rights Institution (NHRI)"); the data's
own labels stay in the record's ``labels``. UPR Info's issues are the vocabulary because 41,066 of
the corpus's labelled recommendations carry them, the theme tagger predicts them, the
``uprinfo_issues`` evaluation set is judged on them, and at 54 they fit a filter panel (the UHRI
themes of the other tables are finer, coded differently in cycle 2, and on a few hundred rows).

The mapping of the other labels (OHCHR/UHRI themes of the US 2020 table, the Slovenia thematic
lists and UHRI records) is hand-written (``tagger_model/theme_map.json``, next to the tagger's
model); keys are compared after ``normalise_theme``, and a key ending in ``*`` matches every name
it starts. A label that maps to nothing stays in ``labels`` only.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "tagger_model"
THEME_MAP_FILE = "theme_map.json"
# UPR Info tags that carry no theme. UPR Info rows carry these besides the taxonomy: a record
# with any of them is fully labelled. The tagger does not predict them.
EXCLUDED = frozenset({"Other", "General"})
# UPR Info's issues (the export's 54 tags), the vocabulary of ``themes``.
VOCABULARY: tuple[str, ...] = (
    "Asylum-seekers - refugees",
    "CP rights - general",
    "Civil society",
    "Corruption",
    "Counter-terrorism",
    "Death penalty",
    "Detention",
    "Development",
    "Disabilities",
    "ESC rights - general",
    "Elections",
    "Enforced disappearances",
    "Environment",
    "Extrajudicial executions",
    "Freedom of association and peaceful assembly",
    "Freedom of movement",
    "Freedom of opinion and expression",
    "Freedom of religion and belief",
    "Freedom of the press",
    "General",
    "HIV - Aids",
    "Human rights defenders",
    "Human rights education and training",
    "Human rights violations by state agents",
    "Impunity",
    "Indigenous peoples",
    "Internally displaced persons",
    "International humanitarian law",
    "International instruments",
    "Justice",
    "Labour",
    "Migrants",
    "Minorities",
    "NHRI",
    "National plan of action",
    "Other",
    "Poverty",
    "Public security",
    "Racial discrimination",
    "Right to education",
    "Right to food",
    "Right to health",
    "Right to housing",
    "Right to land",
    "Right to water",
    "Rights of the Child",
    "Sexual Orientation and Gender Identity",
    "Special procedures",
    "Technical assistance and cooperation",
    "Torture and other CID treatment",
    "Trafficking",
    "Treaty bodies",
    "UPR process",
    "Women's rights",
)
_IN_VOCABULARY = frozenset(VOCABULARY)


def normalise_theme(name: str) -> str:
    """Lower case, '&' as 'and', no OHCHR code prefix ("B32 "), only letters, digits and spaces."""
    s = re.sub(r"^[A-Z]\d{1,3}\s+", "", name.strip())
    s = s.lower().replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


@functools.cache
def load_theme_map(path: Path = MODEL_DIR / THEME_MAP_FILE) -> dict[str, list[str]]:
    """The hand-written OHCHR-theme -> UPR Info tag mapping (normalised keys)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        normalise_theme(k) + ("*" if k.endswith("*") else ""): v
        for k, v in raw.items()
        if not k.startswith("_")
    }


def vocabulary_themes(name: str) -> list[str]:
    """The vocabulary's names for one label of the data: itself if it is one, else its mapping."""
    name = name.strip()
    if name in _IN_VOCABULARY:
        return [name]
    return [t for t in map_theme(name) if t in _IN_VOCABULARY]


def map_theme(name: str, theme_map: dict[str, list[str]] | None = None) -> list[str]:
    """The taxonomy tags a theme name stands for: itself if it is one, else its mapping, else none."""
    m = load_theme_map() if theme_map is None else theme_map
    key = normalise_theme(name)
    if not key:
        return []
    if key in m:
        return list(m[key])
    for k, v in m.items():
        if k.endswith("*") and key.startswith(k[:-1]):
            return list(v)
    return []
