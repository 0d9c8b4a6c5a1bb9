"""Builds the lexicon files ``search_api/lexicon/{es,fr,pt,ar}.tsv`` from their translation sources.

The sources, ``training/data/lexicon_src/*.tsv``, hold one English term a line with its Spanish,
French, Portuguese and Arabic renderings side by side, so a reviewer sees the languages of a term
together::

    death penalty<TAB>pena de muerte|pena capital<TAB>peine de mort|peine capitale<TAB>pena de morte<TAB>عقوبة الإعدام

Variants are separated by ``|``; an empty cell or ``-`` means no entry in that language; lines
starting with ``#`` are comments. Each product file gets one ``foreign phrase<TAB>english term``
line per variant, sorted, without duplicates. ``python -m training.lexicon_build`` rewrites them;
``tests/unit/test_lexicon.py`` checks that the committed files are what the sources build.
"""

from __future__ import annotations

import argparse
from pathlib import Path

LANGUAGES = ("es", "fr", "pt", "ar")
SOURCES = Path(__file__).parent / "data" / "lexicon_src"
TARGET = Path(__file__).parent.parent / "search_api" / "lexicon"
HEADER = "# foreign phrase<TAB>english term; built by training.lexicon_build from training/data/lexicon_src"


class SourceError(ValueError):
    """A malformed source line (names the file and line)."""


def read_sources(folder: Path = SOURCES) -> list[tuple[str, dict[str, list[str]]]]:
    """(English term, {language: variants}) of every source line, in file and line order."""
    out: list[tuple[str, dict[str, list[str]]]] = []
    for path in sorted(folder.glob("*.tsv")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != 1 + len(LANGUAGES) or not cells[0].strip():
                raise SourceError(f"{path.name}:{n}: want 5 tab-separated cells, an English term first")
            variants = {
                lang: [v.strip() for v in cell.split("|") if v.strip() and v.strip() != "-"]
                for lang, cell in zip(LANGUAGES, cells[1:], strict=True)
            }
            out.append((" ".join(cells[0].split()), variants))
    return out


def inflection_of(term: str, base: str) -> bool:
    """Whether the English ``term`` is ``base`` with one word in an -s, -ed or -ing form
    ("ensuring", "ensure"; "abolishing the death penalty", "abolish the death penalty")."""
    words, bases = term.split(), base.split()
    if len(words) != len(bases) or words == bases:
        return False
    differ = [(w, b) for w, b in zip(words, bases, strict=True) if w != b]
    return all(_inflected(w, b) for w, b in differ)


def redundant(term: str, other: str) -> bool:
    """Whether ``term`` adds nothing to ``other`` for one foreign phrase: an inflection of it, a
    gerund beside a noun of the same stem ("ratifying" beside "ratification"), or the same words
    without the hyphen ("awareness raising" beside "awareness-raising")."""
    if term == other:
        return False
    if inflection_of(term, other):
        return True
    single = " " not in term and " " not in other
    gerund = term.endswith("ing") and not other.endswith("ing")
    if single and gerund and len(other) >= 5 and term[:5] == other[:5]:
        return True
    return "-" in other and "-" not in term and term == other.replace("-", " ")


def _inflected(word: str, base: str) -> bool:
    stem = base[:-1] if base.endswith("e") else base
    forms = {base + "s", base + "es", base + "d", base + "ed", stem + "ing", base + "ing"}
    forms |= {base + base[-1] + "ing", base + base[-1] + "ed"}
    if base.endswith("y"):
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    return word in forms


def build_lines(language: str, folder: Path = SOURCES) -> list[str]:
    """The sorted, distinct ``foreign<TAB>english`` lines of ``language``.

    A foreign phrase given for both an English word and its inflection ("garantizar" for "ensure"
    and "ensuring") keeps the base only, and so on (``redundant``): the translation would
    otherwise say the word twice.
    """
    by_phrase: dict[str, set[str]] = {}
    for english, variants in read_sources(folder):
        for v in variants[language]:
            by_phrase.setdefault(" ".join(v.split()), set()).add(english)
    lines = set()
    for phrase, terms in by_phrase.items():
        for english in terms:
            if not any(redundant(english, other) for other in terms):
                lines.add(f"{phrase}\t{english}")
    return sorted(lines)


def write(target: Path = TARGET, folder: Path = SOURCES) -> dict[str, int]:
    """Write the language files; the number of lines of each."""
    counts = {}
    for lang in LANGUAGES:
        lines = build_lines(lang, folder)
        (target / f"{lang}.tsv").write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        counts[lang] = len(lines)
    return counts


def main() -> None:  # pragma: no cover - a developer's tool
    p = argparse.ArgumentParser(description="build search_api/lexicon/*.tsv from training/data/lexicon_src")
    p.parse_args()
    for lang, n in write().items():
        print(f"{lang}: {n} lines")  # noqa: T201 - the tool's report


if __name__ == "__main__":
    main()
