"""Invariants every segmentation must hold, checked on every real file the tests segment."""

from __future__ import annotations

import re

from corpus.models import Document
from hrsearch.settings import Settings
from indexer.models import PASSAGE_KINDS, Passage

POSITION = re.compile(
    r"^(?:rec:\d+(?:\.\w+)+|para:\d+(?:\.\w+)*(?:\+r?\d+)?|ask:[\w.+]+\.\d+|row:\d+)(?:-\d+)?(?:~\d+)?$"
)


def is_subsequence(text: str, source: str) -> bool:
    """Every non-blank character of ``text`` occurs in ``source``, in order."""
    chars = iter(source)
    return all(ch in chars for ch in text if not ch.isspace())


def check_passages(doc: Document, passages: list[Passage], settings: Settings) -> None:
    """Unique ids, word limit, kinds, positions, offsets that map back to the text, pages."""
    ids = [p.id for p in passages]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{doc.path}: duplicate ids {duplicates[:5]}"
    for p in passages:
        where = f"{doc.path} {p.position}"
        assert p.doc_id == doc.doc_id
        assert p.kind in PASSAGE_KINDS, where
        assert POSITION.match(p.position), where
        assert p.text.strip() and p.text == p.text.strip(), where
        words = len(p.text.split())
        assert words <= settings.max_passage_words, f"{where}: {words} words"
        assert (p.part is None) == (p.parts is None), where
        if doc.rows:
            assert p.row is not None and 0 <= p.start <= p.end, where
            continue
        assert 0 <= p.start < p.end <= len(doc.text), where
        source = doc.text[p.start : p.end]
        text = p.text[p.extra.get("lead_in_chars", 0) :]
        assert is_subsequence(text, source), f"{where}: text not found in its span"
        assert p.pages == doc.pages_for_span(p.start, p.end), where
