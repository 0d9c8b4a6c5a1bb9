"""The page's words in English, Spanish, French and Portuguese: every message has a translation in
every catalogue, with the same placeholders, and the language is chosen as the README says."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from indexer.fields import FILTER_CHOICES, PAGE_FILTERS
from search_api import errors, pages, search_page
from search_api.i18n import LANGUAGES, LOCALES, catalogue, choose_language, from_accept_language, translator
from search_api.verdicts import SIMILARITY_WORDS

SEARCH_API = Path(pages.__file__).parent
_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def messages() -> set[str]:
    """Every message a page can show: the literal ``_("...")`` of the templates and of the pages'
    modules, and the words chosen by a value (filter labels, vocabularies, error titles)."""
    found: set[str] = set()
    files = [*SEARCH_API.glob("templates/*.html"), *SEARCH_API.glob("*.py")]
    for f in files:
        for m in _CALL.finditer(f.read_text(encoding="utf-8")):
            found.add(m.group(1) if m.group(1) is not None else m.group(2))
    found |= {label for _, label in PAGE_FILTERS}
    found |= set(search_page.ACTION_CATEGORIES.values()) | set(search_page.DOC_KINDS.values())
    found |= set(SIMILARITY_WORDS.values())
    found |= (
        set(pages.MODE_LABELS.values()) | set(pages.VERDICT_WORDS.values()) | set(pages.GLANCE_WORDS.values())
    )
    found |= {str(k) for k in FILTER_CHOICES["kind"]} | {"supported", "noted", "supported / noted"}
    for title, message in [*errors.PAGE_ERRORS.values(), errors.DEFAULT_PAGE_ERROR]:
        found |= {title, message}
    return found


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


TRANSLATED = [code for code in LANGUAGES if code != "en"]


def test_every_interface_language_has_a_catalogue_and_every_catalogue_a_language() -> None:
    assert TRANSLATED == ["es", "fr", "pt", "ar"]
    assert sorted(f.stem for f in LOCALES.glob("*.json")) == sorted(TRANSLATED)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalogue_has_the_messages_of_the_spanish_one_in_its_order(lang: str) -> None:
    assert list(catalogue(lang)) == list(catalogue("es")), f"{lang}.json: keys differ from es.json"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    table = catalogue(lang)
    missing = sorted(m for m in messages() if not table.get(m))
    assert not missing, f"{lang}: {len(missing)} messages without a translation: {missing[:10]}"
    wrong = [m for m in messages() if _fields(table[m]) != _fields(m)]
    assert not wrong, f"{lang}: placeholders differ in {wrong[:5]}"


def test_translations_are_used_and_english_is_the_fallback() -> None:
    assert translator("es")("Search") == "Buscar"
    assert translator("fr")("{n} results", n=3) == "3 résultats"
    assert translator("pt")("Search") == "Pesquisar"
    assert translator("pt")("{n} results", n=3) == "3 resultados"
    assert translator("pt")("UPR cycle") == "Ciclo da RPU"
    assert translator("ar")("Search") == "بحث"
    assert translator("ar")("{n} results", n=3) == "3 من النتائج"
    assert translator("en")("{n} results", n=3) == "3 results"
    assert translator("es")("a message nobody translated") == "a message nobody translated"


def test_only_arabic_reads_right_to_left() -> None:
    from search_api.i18n import direction

    assert [direction(code) for code in LANGUAGES] == ["ltr", "ltr", "ltr", "ltr", "rtl"]


def test_the_language_is_the_choice_then_the_cookie_then_the_browser() -> None:
    assert from_accept_language("es-MX,es;q=0.9,en;q=0.8") == "es"
    assert from_accept_language("de-DE,fr;q=0.7,en;q=0.9") == "en"
    assert from_accept_language("de, it") is None
    assert from_accept_language("pt-BR,pt;q=0.9") == "pt"
    assert from_accept_language("pt-PT,en;q=0.5") == "pt"
    assert from_accept_language("ar-EG,ar;q=0.9,en;q=0.8") == "ar"
    assert choose_language({}, {}, "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7") == "pt"
    assert choose_language({"lang": "pt"}, {"hrsearch_lang": "fr"}, "es") == "pt"
    assert choose_language({}, {}, "fr-CA") == "fr"
    assert choose_language({}, {"hrsearch_lang": "es"}, "fr-CA") == "es"
    assert choose_language({"lang": "en"}, {"hrsearch_lang": "es"}, "fr-CA") == "en"
    assert choose_language({"lang": "xx"}, {}, None) == "en"
