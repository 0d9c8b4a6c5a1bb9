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
LEXICAL_VERSION = "2"


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


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed tokens (the same for passages and queries)."""
    import bm25s

    _quiet_bm25s()
    out = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return [list(t) for t in out]


def query_terms(text: str) -> list[str]:
    """The tokens ``tokenize`` gives one text, without its per-call overhead (progress bars,
    vocabulary building): a query is tokenised on every request. ``test_lexical`` checks that both
    give the same tokens on real passages."""
    stop = _stopwords()
    stem = _stemmer().stemWord
    return [str(stem(t)) for t in _TOKEN.findall(text.lower()) if t not in stop]


_CONTEXT_FIELDS = ("country", "recommending_states", "labels", "heading_path")


def lexical_document(text: str, record: Mapping[str, Any]) -> str:
    """What BM25 indexes for a passage: its text and the context its record gives it.

    The country under review, the recommending States, the themes the data itself labels the
    passage with (a table's ``themes`` column; never the tagger's guesses) and the headings it
    sits under. A recommendation's text is its wording alone ("Abolish the death penalty"), so
    without these a question naming the country or the theme ("what did states recommend to
    Canada on violence against Indigenous women") finds nothing to match them in; a search
    engine indexes a record's fields, not only its body. The dense arm embeds the text alone.
    """
    parts = [text]
    for key in _CONTEXT_FIELDS:
        v = record.get(key)
        if isinstance(v, str) and v:
            parts.append(v)
        elif isinstance(v, list | tuple):
            parts.extend(str(x) for x in v if x)
    if not record.get("recommending_states") and record.get("recommending_state"):
        parts.append(str(record["recommending_state"]))
    return "\n".join(parts)


def stem_word(word: str) -> str | None:
    """The index term of one word, or None for a stop word (the rule ``tokenize`` applies)."""
    w = word.lower()
    if len(w) < 2 or w in _stopwords():
        return None
    return str(_stemmer().stemWord(w))


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

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top ``k`` passages with a positive score, best first; ``mask`` (bool) limits the candidates."""
        s = self.scores(query)
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
