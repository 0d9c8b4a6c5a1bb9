"""The lexical arm: a BM25 index (bm25s, Snowball English stemming) over the catalog's passages.

It is a projection of the catalog: built from the same passage ids and texts, saved with the
catalog generation it was built from (``stamp.json``), so a reader can tell when it is stale.
Saving writes a new folder and swaps it in with a rename, so a crash never leaves a half-written
index in place; folders a killed save left behind are removed by the next save (saves happen
under the index's write lock). A reader loading while a save swaps folders may see the old
folder, the new one or none for a moment: it checks the stamp before and after reading and
retries, so it never mixes the files of two generations.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

LEXICAL_DIR = "lexical"
# What a BM25 document is made of (``lexical_document``); a saved index of another version is
# rebuilt from the catalog, by the next index run and meanwhile in memory by readers.
LEXICAL_VERSION = "3"


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _quiet_bm25s() -> None:
    # bm25s sets its own logger to DEBUG; its progress messages are not ours to print. Once per
    # process: ``setLevel`` clears every logger's cache, which a query should not pay for.
    logging.getLogger("bm25s").setLevel(logging.WARNING)


# bm25s.tokenize's defaults (scikit-learn's CountVectorizer pattern), for the one-text path below.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


# British and American spellings of one word ("organise"/"organize", "labour"/"labor",
# "defence"/"defense") are different words to the Snowball stemmer, so a user who writes one
# never matches a document written in the other: UN documents use British spelling, advocates
# and US documents often do not. Every token is mapped to one spelling before stemming, in
# passages and queries alike, so the mapping only has to be consistent, not always a real word
# ("promise" becomes "promize" everywhere). Word-ending rules need three letters before the
# ending, which keeps short words ("rise", "raise", "four", "hour") as they are.
_SPELLING_RULES = (
    (re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$"), r"\1iz\2"),  # organise
    (re.compile(r"^(\w{3,})ys(e|es|ed|ing|er|ers)$"), r"\1yz\2"),  # analyse
    (re.compile(r"^(\w{3,})our(s|ed|ing|able|ably|ite|ites|er|ers|ful)?$"), r"\1or\2"),  # labour
    (re.compile(r"^(\w{3,})tre(s|d)?$"), r"\1ter\2"),  # centre
)
_SPELLING_WORDS = {
    "programme": "program",
    "programmes": "programs",
    "programmed": "programed",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "licence": "license",
    "licences": "licenses",
    "pretence": "pretense",
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "ageing": "aging",
    "enrolment": "enrollment",
    "enrol": "enroll",
    "enrols": "enrolls",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "fulfilment": "fulfillment",
    "foetus": "fetus",
    "foetal": "fetal",
    "paediatric": "pediatric",
    "gynaecological": "gynecological",
    "manoeuvre": "maneuver",
    "travelled": "traveled",
    "travelling": "traveling",
    "counselling": "counseling",
    "labelling": "labeling",
    "modelling": "modeling",
    "signalling": "signaling",
    "cancelled": "canceled",
}


def american_spelling(word: str) -> str:
    """One spelling for a lower-cased word spelled the British or the American way."""
    w = _SPELLING_WORDS.get(word)
    if w is not None:
        return w
    for rule, repl in _SPELLING_RULES:
        if rule.match(word):
            return rule.sub(repl, word)
    return word


_TERMS: dict[str, str | None] = {}
_TERMS_MAX = 1_000_000  # distinct words remembered; a real corpus has a few hundred thousand


def _term(word: str) -> str | None:
    """The index term of one lower-cased token: None for a stop word, else its stemmed spelling."""
    t = _TERMS.get(word, "")
    if t != "":
        return t
    term = None if word in _stopwords() else str(_stemmer().stemWord(american_spelling(word)))
    if len(_TERMS) < _TERMS_MAX:
        _TERMS[word] = term
    return term


def query_terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, spelling-normalised, stemmed tokens of one text.

    Tokens are those of bm25s's default pattern (scikit-learn's: two or more word characters);
    passages (``tokenize``) and queries go through this one function, so they always agree.
    """
    out = []
    for w in _TOKEN.findall(text.lower()):
        t = _term(w)
        if t is not None:
            out.append(t)
    return out


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """``query_terms`` of every text: what the BM25 index is built from."""
    return [query_terms(t) for t in texts]


_CONTEXT_FIELDS = ("country", "recommending_states", "labels", "heading_path")

# The body a passage comes from, in the words people use for it. A question says "UPR
# recommendations", "CEDAW" or "the Committee against Torture"; without these words in the
# passages that are what it asks for, BM25 gives those query words to passages *about* the UPR
# ("follow up the recommendations of the universal periodic review") instead. In every passage
# of a mechanism, the words also become common, so BM25 weighs them little where the whole
# corpus is of that mechanism.
_MECHANISM_WORDS = {
    "UPR": "UPR universal periodic review",
    "CAT": "CAT Committee against Torture",
    "CEDAW": "CEDAW Committee on the Elimination of Discrimination against Women",
    "CERD": "CERD Committee on the Elimination of Racial Discrimination",
    "CESCR": "CESCR Committee on Economic, Social and Cultural Rights",
    "CCPR": "CCPR Human Rights Committee",
    "CRC": "CRC Committee on the Rights of the Child",
    "CRPD": "CRPD Committee on the Rights of Persons with Disabilities",
    "CED": "CED Committee on Enforced Disappearances",
    "CMW": "CMW Committee on Migrant Workers",
    "SPT": "SPT Subcommittee on Prevention of Torture",
}
# Passage kinds and document kinds worth a word (a plain "paragraph" or "other" is not).
_KIND_WORDS = {"recommendation": "recommendation", "observation": "observation", "ask": "ask"}
_DOC_KIND_SKIP = {"other", "recommendations_table"}


def _context_words(record: Mapping[str, Any]) -> list[str]:
    """The record's context as words: fields, year, mechanism, passage and document kind."""
    parts: list[str] = []
    for key in _CONTEXT_FIELDS:
        v = record.get(key)
        if isinstance(v, str) and v:
            parts.append(v)
        elif isinstance(v, list | tuple):
            parts.extend(str(x) for x in v if x)
    if not record.get("recommending_states") and record.get("recommending_state"):
        parts.append(str(record["recommending_state"]))
    year = record.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        parts.append(str(year))
    mechanism = record.get("mechanism")
    if isinstance(mechanism, str) and mechanism:
        parts.append(_MECHANISM_WORDS.get(mechanism, mechanism))
    kind = _KIND_WORDS.get(str(record.get("kind") or ""))
    if kind:
        parts.append(kind)
    doc_kind = record.get("doc_kind")
    if isinstance(doc_kind, str) and doc_kind and doc_kind not in _DOC_KIND_SKIP:
        parts.append(doc_kind.replace("_", " "))
    return parts


def lexical_document(text: str, record: Mapping[str, Any]) -> str:
    """What BM25 indexes for a passage: its text and the context its record gives it.

    The country under review, the recommending States, the themes the data itself labels the
    passage with (a table's ``themes`` column; never the tagger's guesses), the headings it
    sits under, its year, the mechanism it comes from (spelled out) and its kind. A
    recommendation's text is its wording alone ("Abolish the death penalty"), so without these
    a question naming the country, the review or the theme ("what did states recommend to Canada
    at its 2013 UPR on violence against Indigenous women") finds nothing to match them in; a
    search engine indexes a record's fields, not only its body. The dense arm embeds the text
    alone.
    """
    return "\n".join([text, *_context_words(record)])


def stem_word(word: str) -> str | None:
    """The index term of one word, or None for a stop word (the rule ``tokenize`` applies)."""
    w = word.lower()
    return None if len(w) < 2 else _term(w)


class LexicalIndex:
    """BM25 scores over passages, addressed by passage id."""

    def __init__(self, ids: list[str], bm25: Any, generation: int) -> None:
        self.ids = ids
        self.bm25 = bm25
        self.generation = generation
        self.position = {pid: i for i, pid in enumerate(ids)}

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], generation: int) -> LexicalIndex:
        import bm25s

        _quiet_bm25s()
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        tokens = tokenize(texts) if texts else []
        # bm25s cannot index an empty corpus; an index of nothing answers nothing.
        if tokens:
            bm25.index(tokens, show_progress=False)
        return cls(list(ids), bm25 if tokens else None, generation)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (zeros where no term matches)."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self.bm25.vocab_dict
        terms = [t for t in query_terms(query) if t in vocab]
        if not terms:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)

    def coverage(self, query: str, positions: np.ndarray) -> np.ndarray:
        """For each passage at ``positions``, the share of ``query``'s term weight it contains:
        the summed IDF of the distinct query terms the passage has, over that of all of them.

        A term no passage has counts with the IDF of a term in none (the rarest): an ask whose
        distinctive words ("apostasy", "blasphemy") occur nowhere is matched word for word only by
        its generic ones ("repeal", "laws"), and its share says so. IDF as bm25s's default
        (Lucene's): log(1 + (N - df + 0.5) / (df + 0.5)).
        """
        positions = np.asarray(positions, dtype=np.int64)
        terms = list(dict.fromkeys(query_terms(query)))
        if self.bm25 is None or not terms or positions.size == 0:
            return np.zeros(positions.size, dtype=np.float64)
        vocab = self.bm25.vocab_dict
        indptr, indices = self.bm25.scores["indptr"], self.bm25.scores["indices"]
        n = float(len(self.ids))
        have = np.zeros(positions.size, dtype=np.float64)
        total = 0.0
        for t in terms:
            tid = vocab.get(t)
            docs = indices[indptr[tid] : indptr[tid + 1]] if tid is not None else indices[:0]
            idf = float(np.log1p((n - docs.size + 0.5) / (docs.size + 0.5)))
            total += idf
            if docs.size:
                have += idf * np.isin(positions, docs)
        return have / total if total > 0 else have

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top ``k`` passages with a positive score, best first; ``mask`` (bool) limits the candidates."""
        return self.top(self.scores(query), k, mask)

    def top(self, s: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top ``k`` of the scores ``s`` (as ``scores`` returns them) that are positive, best first."""
        if s.size == 0:
            return []
        if mask is not None:
            s = np.where(mask, s, 0.0)
        positive = int(np.count_nonzero(s > 0))
        k = min(k, positive)
        if k <= 0:
            return []
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        return [(self.ids[i], float(s[i])) for i in top]

    # --- persistence -----------------------------------------------------------------------
    def save(self, index_dir: Path) -> None:
        """Write the index and swap it in; the caller holds the index's write lock."""
        final = index_dir / LEXICAL_DIR
        for stale in index_dir.glob(f"{LEXICAL_DIR}.*-*"):  # left by a killed save
            shutil.rmtree(stale, ignore_errors=True)
        tmp = index_dir / f"{LEXICAL_DIR}.tmp-{os.getpid()}"
        tmp.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(self.ids))
        (tmp / "stamp.json").write_text(
            json.dumps({"generation": self.generation, "passages": len(self.ids), "version": LEXICAL_VERSION})
        )
        old = index_dir / f"{LEXICAL_DIR}.old-{os.getpid()}"
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, index_dir: Path, mmap: bool = False) -> LexicalIndex | None:
        """The saved index, or None when there is none (or a save kept swapping it away)."""
        for attempt in range(_LOAD_ATTEMPTS):
            if not (index_dir / LEXICAL_DIR).exists() and not any(index_dir.glob(f"{LEXICAL_DIR}.tmp-*")):
                return None  # none saved, and no save under way
            try:
                return cls._load_once(index_dir, mmap)
            except (OSError, ValueError, KeyError):  # a folder swapped away while it was read
                time.sleep(0.02 * (attempt + 1))
        return None

    @classmethod
    def _load_once(cls, index_dir: Path, mmap: bool) -> LexicalIndex | None:
        import bm25s

        folder = index_dir / LEXICAL_DIR
        before = _read_stamp(folder)
        if before is None:
            raise FileNotFoundError(f"no {folder / 'stamp.json'}")
        if before.get("version") != LEXICAL_VERSION:
            return None  # built from documents made another way: the reader rebuilds it
        ids = json.loads((folder / "ids.json").read_text())
        bm25 = (
            bm25s.BM25.load(str(folder / "bm25"), mmap=mmap, show_progress=False)
            if (folder / "bm25").exists()
            else None
        )
        if _read_stamp(folder) != before or len(ids) != before.get("passages", len(ids)):
            raise ValueError("the BM25 folder changed while it was read")
        return cls(ids, bm25, int(before["generation"]))

    @staticmethod
    def saved_generation(index_dir: Path) -> int | None:
        stamp = _read_stamp(index_dir / LEXICAL_DIR)
        if stamp is None or stamp.get("version") != LEXICAL_VERSION:
            return None  # none, or documents made another way: not this generation's index
        return int(stamp["generation"])


_LOAD_ATTEMPTS = 5


def _read_stamp(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / "stamp.json").read_text()))
    except (OSError, ValueError):
        return None
