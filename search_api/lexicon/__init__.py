"""Dictionary translation of Spanish, French, Portuguese and Arabic queries into the corpus's English.

The documents are in English; advocates ask in their own language. ``translate(text, "es")``
returns the English terms of the text, so that the English BM25 arm and the English embedding
model can work on it. The lexicon is data: ``es.tsv``, ``fr.tsv``, ``pt.tsv``, ``ar.tsv`` beside this file,
one ``foreign phrase<TAB>english term`` a line (several lines for one phrase when it has two
English terms). They are built from ``training/data/lexicon_src/`` by ``training.lexicon_build``;
the English side is the corpus vocabulary of ``training/data/lexicon_terms_en.tsv``.

Matching is greedy longest-match over normalised tokens: lower case, accents folded, punctuation
and apostrophes as separators (so French "l'abolition" is "l" + "abolition"). Where no phrase
matches as written, a light plural tolerance is tried (``_canon``: -s, -es, -x, -aux/-al,
-ões/-ão ...). Where neither matches, translation can fall back on the words'
Snowball stems (``_stem``, ``stems=True``; off by default: measured in docs/LINKING.md and not
adopted): the lexicon lists a word in a few forms, a question uses any
of dozens ("desaparecidas", "rechazó", "assassinées" against "desaparecido", "rechazar",
"assassiné"); a phrase matched by its stems is taken only where it is longer than what the
other two tables match. A word with no entry is kept as written (names, acronyms, numbers).
When a folded phrase has several entries, those spelt exactly as the text (accents included)
win: Portuguese "é" (is) and "e" (and) fold alike but are not the same word.

Arabic is matched on its letters alone: short vowels and other marks (tashkeel) and the tatweel
are dropped, hamza-carrying alefs read as a bare alef, ة as ه and ى as ي (``fold``), and the
tolerance that plays the part of the plural one strips the clitics written onto a word: the
article and the prepositions and conjunctions joined to it ("والتعذيب", "للأطفال"), so an entry
need not list "التعذيب", "والتعذيب" and "بالتعذيب" apart.

Each file is read once, on first use of its language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from hrsearch.errors import QueryError

MAX_CHARS = 20_000  # longer input is cut: a query, or a paragraph to link, is far shorter
_LANGUAGES = ("es", "fr", "pt", "ar")
_LATIN = ("es", "fr", "pt")  # the languages a query's vocabulary can reveal (Arabic shows by its script)
_TOKEN = re.compile(r"[^\W_]+")
_ARTICLES = {
    "es": frozenset(("el", "la", "los", "las", "lo")),
    "fr": frozenset(("le", "la", "les", "l")),
    "pt": frozenset(("o", "a", "os", "as")),
    "ar": frozenset(),  # the Arabic article is written onto its word (``_canon``)
}
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ة": "ه", "ى": "ي"})
# Arabic short vowels, shadda, sukun, the superscript alef and the tatweel: not letters, so a
# vocalised word would otherwise fall apart into pieces at the tokenizer
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")
# longest first: the article with a preposition or conjunction joined to it, then alone
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال")

Key = tuple[str, ...]
Entry = tuple[Key, str]  # (the phrase's lower-case tokens as written, the English term)


def languages() -> tuple[str, ...]:
    """The language codes ``translate`` accepts."""
    return _LANGUAGES


def tokens(text: str) -> list[str]:
    """The words of ``text``: runs of letters and digits (Arabic marks dropped first)."""
    return _TOKEN.findall(_ARABIC_MARKS.sub("", text))


def fold(word: str) -> str:
    """Lower case without accents: "Éducation" -> "education", "œuvre" -> "oeuvre"; Arabic
    "أطفال" -> "اطفال" (the hamza is a combining mark once decomposed), "حماية" -> "حمايه"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _canon(word: str, language: str) -> str:
    """A folded word without its plural (and a final -e): the key of the plural tolerance. An
    Arabic word without the clitics before it: "والتعذيب" -> "تعذيب", "للاطفال" -> "اطفال"."""
    if language == "ar":
        return _arabic_stem(word)
    if len(word) <= 3:
        return word
    if language == "fr":
        if word.endswith("aux"):
            word = word[:-3] + "al"
        elif word.endswith("x"):
            word = word[:-1]
    elif language == "pt":
        for plural, singular in (("oes", "ao"), ("aes", "ao"), ("ais", "al"), ("eis", "el"), ("ns", "m")):
            if word.endswith(plural):
                word = word[: -len(plural)] + singular
                break
    elif language == "es" and word.endswith("ces"):
        word = word[:-3] + "z"
    if word.endswith("s"):
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _arabic_stem(word: str) -> str:
    """``word`` without a leading article (and a preposition or conjunction joined to it), or
    without a leading "و" / "ف" (and), keeping at least three letters: a root letter that looks
    like a clitic ("وطني") is stripped alike from the entry and from the text, so they still meet."""
    if word[:1] in ("و", "ف") and len(word) >= 5 and not word.startswith(_ARABIC_PREFIXES):
        word = word[1:]
    # twice: "الإلغاء" folds to "الالغاء", whose second "ال" is the folded "إل" of "إلغاء"
    # (alone it folds to "الغاء" and loses it once), so both end as "غاء"
    for _ in range(2):
        prefix = next((p for p in _ARABIC_PREFIXES if word.startswith(p) and len(word) - len(p) >= 3), "")
        word = word[len(prefix) :]
    return word


_SNOWBALL = {"es": "spanish", "fr": "french", "pt": "portuguese", "ar": "arabic"}
MIN_STEMMED = 5  # shorter words are matched as written or by their plural only ("mar", "sexo")


@cache
def _stemmer(language: str) -> Any:
    import Stemmer  # PyStemmer, which the BM25 arm already uses

    return Stemmer.Stemmer(_SNOWBALL[language])


def _stem(word: str, language: str) -> str:
    """A folded word's Snowball stem (words shorter than ``MIN_STEMMED`` stay as they are): the
    key of the morphological fallback. A stem is marked ("~sol" for "sólido"), so that a short
    word kept as written ("sol") never meets the stem of a longer one."""
    if len(word) < MIN_STEMMED or word.isdigit():
        return word
    return "~" + str(_stemmer(language).stemWord(word))


@dataclass
class _Table:
    """Phrases by their folded tokens, and the prefixes that can still grow into one."""

    entries: dict[Key, list[Entry]] = field(default_factory=dict)
    prefixes: set[Key] = field(default_factory=set)

    def add(self, key: Key, entry: Entry) -> None:
        bucket = self.entries.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
        self.prefixes.update(key[:i] for i in range(1, len(key)))

    def longest(self, words: list[str], start: int) -> tuple[int, list[Entry]]:
        """The end and entries of the longest phrase at ``start`` (end == start: none)."""
        best_end, best = start, []
        for end in range(start + 1, len(words) + 1):
            key = tuple(words[start:end])
            if key in self.entries:
                best_end, best = end, self.entries[key]
            if key not in self.prefixes:
                break
        return best_end, best


@dataclass
class Lexicon:
    """One language's lexicon: the phrases as folded, and as folded without plurals."""

    language: str
    exact: _Table = field(default_factory=_Table)
    plural: _Table = field(default_factory=_Table)
    added: list[tuple[Key, Entry]] = field(default_factory=list)  # (folded phrase, entry), in file order
    _stems: _Table | None = None  # built from ``added`` on first use (``stem_table``)

    def add(self, phrase: str, english: str) -> None:
        written = tuple(t.lower() for t in tokens(phrase))
        # "la pena de muerte" is stored as "pena de muerte": the text's article is then its own
        # word ("the"), and cannot swallow the start of a longer phrase ("à educação inclusiva").
        while len(written) > 1 and fold(written[0]) in _ARTICLES[self.language]:
            written = written[1:]
        if not written:
            return
        folded = tuple(fold(t) for t in written)
        self.exact.add(folded, (written, english))
        self.plural.add(tuple(_canon(t, self.language) for t in folded), (written, english))
        self.added.append((folded, (written, english)))
        self._stems = None

    def stem_table(self) -> _Table:
        """The phrases by their words' stems: built once, on the first translation that asks for
        the fallback, so the default path neither stems the lexicon nor loads the stemmer."""
        if self._stems is None:
            table = _Table()
            for folded, entry in self.added:
                table.add(tuple(_stem(t, self.language) for t in folded), entry)
            self._stems = table
        return self._stems

    def matches(self, words: list[str], stems: bool = False) -> Iterator[tuple[int, int, list[Entry]]]:
        """Greedy longest matches over ``words``, left to right: (start, end, entries), with
        end == start + 1 and no entries for a token no phrase covers. ``stems``: also match by
        the words' stems where that is longer (translation; language detection does not, since
        a stem is weak evidence of a language)."""
        folded = [fold(t) for t in words]
        canon = [_canon(t, self.language) for t in folded]
        stemmed = [_stem(t, self.language) for t in folded] if stems else []
        i = 0
        while i < len(words):
            end, entries = self.exact.longest(folded, i)
            end_p, entries_p = self.plural.longest(canon, i)
            if end_p > end:
                end, entries = end_p, entries_p
            if stems:
                end_s, entries_s = self.stem_table().longest(stemmed, i)
                if end_s > end:
                    end, entries = end_s, entries_s
            if end == i:
                yield i, i + 1, []
                i += 1
                continue
            yield i, end, entries
            i = end

    def translate(self, text: str, stems: bool = False) -> str:
        words = tokens(text)
        written = [t.lower() for t in words]
        out: list[str] = []
        for start, end, entries in self.matches(words, stems=stems):
            if not entries:
                out.append(words[start])
                continue
            span = tuple(written[start:end])
            chosen = [e for e in entries if e[0] == span] or entries
            out.extend(dict.fromkeys(english for _, english in chosen))
        return " ".join(out)


@cache
def lexicon(language: str) -> Lexicon:
    """The lexicon of ``language``, read from its file on first use."""
    if language not in _LANGUAGES:
        raise QueryError("language", f"no lexicon for {language!r}; one of {', '.join(_LANGUAGES)}")
    lex = Lexicon(language)
    text = resources.files(__name__).joinpath(f"{language}.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            phrase, _, english = line.partition("\t")
            if english.strip():
                lex.add(phrase, english.strip())
    return lex


def translate(text: str, language: str, max_chars: int = MAX_CHARS, stems: bool = False) -> str:
    """The English terms of ``text`` (in ``language``), in order, joined by spaces.

    Words with no entry are kept as written; ``stems=True`` adds the fallback on stems.
    Only the first ``max_chars`` characters are read, so the time is bounded whatever the input.
    """
    return lexicon(language).translate(text[:max_chars], stems=stems)


SNIFF_CHARS = 2_000  # a query's language is read from its start


def foreign_evidence(text: str, language: str, max_chars: int = SNIFF_CHARS) -> tuple[int, set[str]]:
    """How many words of ``text`` only ``language`` explains: words of three letters or more
    inside a phrase of its lexicon, translated to something else, and not English words
    themselves ("violencia", "afrodescendientes"; not "violence", not "Namibia"); and the
    (folded) words inside its phrases."""
    from corpus.readers.pdf_words import english_words, frequency

    english = english_words()
    words = tokens(text[:max_chars])
    hits = 0
    covered: set[str] = set()
    for start, end, entries in lexicon(language).matches(words):
        if not entries:
            continue
        translations = {fold(e) for _, e in entries}
        for token in words[start:end]:
            word = fold(token)
            covered.add(word)
            if token.isupper():  # an acronym (HIV, CPI) reads the same in every language
                continue
            if len(word) >= 3 and word not in translations and not frequency(word, english):
                hits += 1
    return hits, covered


def vocabulary_language(text: str) -> str | None:
    """The language of a short query that names no function word ("matrimonio infantil",
    "violencia policial contra personas afrodescendientes"), by its vocabulary: the lexicon
    language that explains the most of its words, when that is at least half of its words of
    three letters or more and more than the English words among them; else None."""
    from corpus.readers.pdf_words import english_words, frequency

    words = [fold(t) for t in _TOKEN.findall(text[:SNIFF_CHARS]) if len(t) >= 3 and not t.isdigit()]
    if not words:
        return None
    english = english_words()
    evidence = {lang: foreign_evidence(text, lang) for lang in _LATIN}
    best = max(hits for hits, _ in evidence.values())
    if best == 0 or 2 * best < len(words):
        return None
    lang = next(code for code in _LATIN if evidence[code][0] == best)
    # English words that the language's phrases do not explain ("personas" is in the English
    # list, and inside "trata de personas")
    known = sum(1 for w in words if w not in evidence[lang][1] and frequency(w, english))
    return lang if best > known else None
