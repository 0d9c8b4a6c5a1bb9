"""Words that PDF text extraction cut in two ("e liminate", "deat h", "mo ratoria on execution s")
joined again.

pypdf places a space wherever two glyphs of a line stand a little apart, and some UN PDFs space
letters for justification, so a word comes out as two or three pieces. Pieces are joined when

- the joined word is a word: it occurs unsplit elsewhere in the same document, or it is in the
  English word list (the frequency list that the ``pyspellchecker`` package ships); and
- at least one piece is no word on its own ("liminate", "h", "nsider"), so that two real words
  ("any one", "in to", "health care") are never joined; a piece that is in no list at all, or a
  single letter other than "a" and "I", counts as proof; a piece that is a rare entry of the list
  ("ed", "ing", "mi") counts only when the joined word occurs unsplit in the document.

The second piece must be lower case (or the whole word capitals: "UNIT ED"): a capital starts a
new word. Only ASCII and Latin letters are considered; digits, punctuation and line breaks
between pieces are never crossed.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]+")
# Under this frequency an entry of the list may be noise ("fr", "h" and "s" stand at the floor, 50).
WORD_FREQUENCY = 100
# A piece of up to three letters this rare is a word's tail ("Unit ed", "insult ing", "Protect ion",
# "mi grant") when the joined word occurs unsplit in the same document; "an", "be", "in", "en",
# "re" and "de" are commoner and stay words.
SHORT_PIECE_FREQUENCY = 10_000
_ONE_LETTER_WORDS = frozenset({"a", "i"})
MAX_PIECES = 3
# A piece right after one of these belongs to the token before it: "Obama’s and" is not "sand".
_GLUED = frozenset("’'`´_/@0123456789")


@functools.cache
def english_words() -> Mapping[str, int]:
    """Lower-case English words and their frequencies (pyspellchecker's ``en.json.gz``, MIT)."""
    data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    words: dict[str, int] = json.loads(gzip.decompress(data))
    return words


# British spellings, which the (American) list lacks, looked up as their American twins.
_BRITISH = (
    (re.compile(r"our(s|ed|ing|ite|ites|able|hood)?$"), r"or\1"),  # labour, favourable, neighbourhood
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # recognise, organisation
    (re.compile(r"tre(s|d)?$"), r"ter\1"),  # centre, centres
    (re.compile(r"mme(s|d)?$"), r"m\1"),  # programme
    (re.compile(r"ence(s)?$"), r"ense\1"),  # defence, offences
    (re.compile(r"ll(ing|ed|or|ors)$"), r"l\1"),  # counselling, travelled
    (re.compile(r"ae"), "e"),  # paediatric
)


def frequency(word: str, english: Mapping[str, int]) -> int:
    """The list's frequency of ``word`` (lower case) or of its American spelling; 0 if absent."""
    hit = english.get(word, 0)
    if hit:
        return hit
    for pattern, american in _BRITISH:
        twin = pattern.sub(american, word)
        if twin != word and (hit := english.get(twin, 0)):
            return hit
    return 0


@functools.cache
def _onsets(english_id: int) -> frozenset[str]:
    """The first two letters of the common words of the list (cached per list object)."""
    english = _LISTS[english_id]
    return frozenset(w[:2] for w, f in english.items() if f >= 1000 and len(w) > 2)


_LISTS: dict[int, Mapping[str, int]] = {}


@dataclass
class Repairs:
    """What ``rejoin_pages`` did: each repair as (pieces as extracted, the word) in text order."""

    joined: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.joined)


def _is_word(piece: str, english: Mapping[str, int], *, strict_short: bool = False) -> bool:
    low = piece.lower()
    if len(low) == 1:
        return low in _ONE_LETTER_WORDS
    floor = SHORT_PIECE_FREQUENCY if strict_short and len(low) <= 3 else WORD_FREQUENCY
    return frequency(low, english) >= floor


def _no_onset(piece: str, english: Mapping[str, int]) -> bool:
    """No common English word starts like ``piece`` ("pplicability", "rms"): it must be a tail."""
    _LISTS.setdefault(id(english), english)
    return len(piece) > 1 and piece[:2].lower() not in _onsets(id(english))


def _score(
    pieces: Sequence[str], doc_words: Counter[str], english: Mapping[str, int]
) -> tuple[int, int, int] | None:
    """How sure the join of ``pieces`` is (occurs unsplit in the document, fragments it mends, the
    word's frequency), or None when they must not be joined."""
    rest = "".join(pieces[1:])
    word = "".join(pieces)
    if not (rest.islower() or word.isupper()):
        return None
    low = word.lower()
    in_doc = doc_words[low] > 0
    freq = frequency(low, english)
    if not in_doc and not freq:
        return None
    fragments = [p for p in pieces if not _is_word(p, english, strict_short=in_doc)]
    # Three pieces only when two are fragments: "health car e" is "health care".
    if len(fragments) < len(pieces) - 1:
        return None
    if not in_doc:
        # Known from the list only: a piece must be no word at all, and a real one-letter word
        # ("a priori") only joins a piece no English word starts like ("a pplicability").
        proof = any(len(p) == 1 or not frequency(p.lower(), english) for p in fragments)
        if not proof:
            return None
        if any(p.lower() in _ONE_LETTER_WORDS for p in pieces) and not any(
            _no_onset(p, english) for p in fragments
        ):
            return None
    return int(in_doc), len(fragments), freq


def rejoin(text: str, doc_words: Counter[str], english: Mapping[str, int], repairs: Repairs) -> str:
    """``text`` with its split words joined (see the module docstring); repairs are appended.

    Every run of two or three pieces is scored, and the surest joins win: in "to e liminate" the
    "e" goes to "eliminate" (a word of the document), not to "toe".
    """
    words = list(_WORD.finditer(text))
    candidates: list[tuple[tuple[int, int, int], int, int]] = []
    for i in range(len(words)):
        before = text[words[i].start() - 1] if words[i].start() else " "
        if before in _GLUED:
            continue  # "Obama’s and": the "s" belongs to the word before the apostrophe
        for n in range(2, min(MAX_PIECES, len(words) - i) + 1):
            run = words[i : i + n]
            if any(text[a.end() : b.start()] != " " for a, b in itertools.pairwise(run)):
                break
            if text[run[-1].end() : run[-1].end() + 1].isdigit():
                continue  # "ates2": a footnote number glued to the piece
            score = _score([m.group() for m in run], doc_words, english)
            if score is not None:
                candidates.append((score, i, n))
    taken = [False] * len(words)
    chosen: list[tuple[int, int]] = []
    for _, i, n in sorted(candidates, key=lambda c: (-c[0][0], -c[0][1], -c[0][2], c[1])):
        if not any(taken[i : i + n]):
            taken[i : i + n] = [True] * n
            chosen.append((i, n))
    out: list[str] = []
    pos = 0
    for i, n in sorted(chosen):
        run = words[i : i + n]
        pieces = [m.group() for m in run]
        out.append(text[pos : run[0].start()])
        out.append("".join(pieces))
        pos = run[-1].end()
        repairs.joined.append((" ".join(pieces), "".join(pieces)))
    out.append(text[pos:])
    return "".join(out)


def rejoin_pages(pages: Sequence[str], english: Mapping[str, int] | None = None) -> tuple[list[str], Repairs]:
    """The pages of one document with split words joined, judged by the words of all its pages."""
    english = english_words() if english is None else english
    doc_words: Counter[str] = Counter(m.group().lower() for page in pages for m in _WORD.finditer(page))
    repairs = Repairs()
    return [rejoin(page, doc_words, english, repairs) for page in pages], repairs
