"""The page's words in English, Spanish, French, Portuguese and Arabic; the documents stay as they are.

A message is its English text (``_("Search")``, with ``{name}`` placeholders filled by keyword);
``locales/<lang>.json`` maps it to the other languages. A message missing from a catalogue is
shown in English (``tests/unit/test_i18n.py`` checks that every message of the templates and of
this package's pages is in every catalogue). The language is the ``?lang=`` of the request (kept
in a cookie), else the cookie, else the best of the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "pt": "Português",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT = "en"
COOKIE = "hrsearch_lang"
LOCALES = Path(__file__).parent / "locales"

Translate = Callable[..., str]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """English message -> message in ``lang`` (empty for English)."""
    path = LOCALES / f"{lang}.json"
    if lang == DEFAULT or not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def direction(lang: str) -> str:
    """The page's writing direction in ``lang`` (the ``dir`` of its ``<html>``): an Arabic page
    reads right to left; the English documents on it keep their own direction (style.css)."""
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def translator(lang: str) -> Translate:
    """``_(message, **values)`` in ``lang``."""
    table = catalogue(lang)

    def _(message: str, **values: Any) -> str:
        text = table.get(message) or message
        return text.format(**values) if values else text

    return _


def from_accept_language(header: str | None) -> str | None:
    """The supported language the browser prefers most (``es-MX,es;q=0.9,en;q=0.8`` -> es)."""
    best: tuple[float, int, str] | None = None
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        if lang not in LANGUAGES:
            continue
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, lang)
    return best[2] if best else None


def choose_language(query: Mapping[str, str], cookies: Mapping[str, str], accept_language: str | None) -> str:
    """The language of a page: ``?lang=``, then the cookie, then ``Accept-Language``, then English."""
    for lang in (query.get("lang"), cookies.get(COOKIE)):
        if lang in LANGUAGES:
            return str(lang)
    return from_accept_language(accept_language) or DEFAULT
