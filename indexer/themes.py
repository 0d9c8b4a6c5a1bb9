"""The theme taxonomy: the UPR Info issue tags, and OHCHR theme names mapped onto them.

The mapping is hand-written (``tagger_model/theme_map.json``, next to the tagger's model); keys
are compared after ``normalise_theme``, and a key ending in ``*`` matches every name it starts.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "tagger_model"
THEME_MAP_FILE = "theme_map.json"
# UPR Info tags that carry no theme. UPR Info rows carry these besides the taxonomy: a record
# with any of them is fully labelled.
EXCLUDED = frozenset({"Other", "General"})


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
