"""The per-request shortcuts of the query path give what the general code gives.

``query_terms`` must tokenise exactly as ``tokenize`` (which the index was built with) and as
bm25s's own tokeniser apart from the one-spelling rule; folding works on snapshot positions
without building hits.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from indexer.lexical import LexicalIndex, query_terms, tokenize
from indexer.snapshot import Records, Snapshot
from search_api.retrieval.fold import fold

EDGE_CASES = [
    "",
    "a",
    "The the THE",
    "Abolish the death penalty; ratify the Second Optional Protocol (ICCPR-OP2).",
    "Court ’ s decisions, états membres, naïve façade, İstanbul, ﬁnancing, Straße",
    "A/HRC/46/15 para. 26.178 (Namibia); 1,000 persons; 2020-2024",
    "don't won't can't it's women’s rights",
    "x" * 300 + " data-driven e-mail 3rd",
    "\u00a0non-breaking\u2009thin space\ttab\nnewline",
    "ΑΒΓ русский 中文 العربية",
]


def test_query_terms_equal_tokenize_on_edge_cases() -> None:
    for text in EDGE_CASES:
        assert query_terms(text) == tokenize([text])[0], text


def test_tokens_are_bm25s_tokens_but_for_the_spelling_rule(shared_corpus: Path) -> None:
    """Same pattern, stop words and stemmer as bm25s.tokenize: only words the spelling rule
    rewrites may differ."""
    import bm25s

    from indexer.lexical import _stemmer, american_spelling

    files = sorted((shared_corpus / "outcome_reports").rglob("*.txt"))[:2]
    lines = [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()][:400]
    theirs = bm25s.tokenize(lines, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)
    rewritten = 0
    for line, want in zip(lines, theirs, strict=True):
        got = query_terms(line)
        assert len(got) == len(want), line
        for g, w in zip(got, want, strict=True):
            if g != w:
                rewritten += 1
                assert any(american_spelling(t) != t for t in re.findall(r"\w\w+", line.lower())), line
    assert rewritten < sum(len(t) for t in theirs) * 0.02


def test_british_and_american_spellings_are_one_term() -> None:
    pairs = [
        ("organise", "organize"),
        ("Organisations", "organizations"),
        ("decriminalise", "decriminalize"),
        ("criminalised", "criminalized"),
        ("labour", "labor"),
        ("behaviour", "behavior"),
        ("defence", "defense"),
        ("offences", "offenses"),
        ("programme", "program"),
        ("centres", "centers"),
        ("analysed", "analyzed"),
        ("judgement", "judgment"),
    ]
    for uk, us in pairs:
        assert query_terms(uk) == query_terms(us) != [], (uk, us)
    # Short words keep their spelling: the endings need three letters before them.
    assert query_terms("rise four hour") == ["rise", "four", "hour"]
    assert query_terms("raise") != query_terms("raize")


def test_query_terms_equal_tokenize_on_real_text(shared_corpus: Path) -> None:
    files = sorted((shared_corpus / "letters").glob("*.txt"))[:2]
    files += sorted((shared_corpus / "outcome_reports").rglob("*.txt"))[:3]
    lines = [
        ln for f in files for ln in f.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()
    ]
    assert len(lines) > 100
    expected = tokenize(lines)
    for line, want in zip(lines, expected, strict=True):
        assert query_terms(line) == want, line


def _snapshot(rows: list[tuple[str, dict[str, Any]]]) -> Snapshot:
    """A snapshot of these (text, record) rows, with no stores behind it."""
    ids = [f"p{i}" for i in range(len(rows))]
    records = Records([json.dumps(r) for _, r in rows])
    return Snapshot(0, {}, LexicalIndex(ids, None, 0), [t for t, _ in rows], records, {}, live=None)  # type: ignore[arg-type]


def _rec(
    state: str, rec_id: str | None, country: str = "United States of America", **kw: Any
) -> dict[str, Any]:
    return {"kind": "recommendation", "recommending_state": state, "rec_id": rec_id, "country": country, **kw}


def test_fold_groups_copies_and_same_texts() -> None:
    same = "Abolish the death penalty."
    rows = [
        (same, _rec("Namibia", "26.1")),
        ("abolish the DEATH penalty", _rec("France", "26.2")),  # same text, another state: folded
        (same, _rec("Namibia", "26.1", file="copy.pdf")),  # the same recommendation from a copy: dropped
        ("Ratify the Rome Statute.", _rec("Chile", "26.3")),
        (same, {"kind": "paragraph", "paragraph": "12"}),  # not a recommendation: never folded
        (same, _rec("Spain", "", response="noted")),  # empty rec_id: folded, not a copy
        (same, _rec("Spain", None, response="noted")),  # the same (country, rec_id, state) again: dropped
    ]
    snap = _snapshot(rows)
    cands = [(f"p{i}", 1.0 - i / 10, i) for i in range(len(rows))]
    got = [(lead[0], [pid for pid, _ in folded]) for lead, folded in fold(cands, snap)]
    assert got == [("p0", ["p1", "p5"]), ("p3", []), ("p4", [])]


def test_lexical_document_adds_the_context_fields_not_the_model_tags() -> None:
    from indexer.lexical import lexical_document

    rec = {
        "country": "Canada",
        "recommending_states": ["Norway", "Azerbaijan"],
        "labels": ["Indigenous peoples"],
        "tags": ["Women's rights"],  # the tagger's guess: not indexed
        "themes": ["Indigenous peoples", "Women's rights"],
        "heading_path": ["II. Conclusions and/or recommendations"],
    }
    doc = lexical_document("Elaborate a national action plan", rec)
    assert doc.split("\n") == [
        "Elaborate a national action plan",
        "Canada",
        "Norway",
        "Azerbaijan",
        "Indigenous peoples",
        "II. Conclusions and/or recommendations",
    ]
    assert lexical_document("text", {"recommending_state": "Namibia"}) == "text\nNamibia"
    assert lexical_document(
        "Abolish the death penalty",
        {"year": 2011, "mechanism": "UPR", "kind": "recommendation", "doc_kind": "outcome_report"},
    ).split("\n") == [
        "Abolish the death penalty",
        "2011",
        "UPR universal periodic review",
        "recommendation",
        "outcome report",
    ]
    # A treaty body is spelled out; a plain paragraph of a table or an unknown kind adds nothing.
    doc = lexical_document("text", {"mechanism": "CAT", "kind": "paragraph", "doc_kind": "other"})
    assert doc == "text\nCAT Committee against Torture"
    assert lexical_document("text", {}) == "text"


def test_coverage_is_the_share_of_the_query_idf_a_passage_contains() -> None:
    """By hand: 4 passages; "repeal" in 2 of them, "blasphemy" in 1, "apostasy" in none."""
    import math

    texts = ["repeal the law", "repeal blasphemy", "education for girls", "health care"]
    lex = LexicalIndex.build([f"p{i}" for i in range(4)], texts, generation=1)

    def idf(df: int) -> float:
        return math.log1p((4 - df + 0.5) / (df + 0.5))

    query = "repealing apostasy and blasphemy laws"  # terms: repeal, apostasi, blasphemi, law
    total = idf(2) + idf(0) + idf(1) + idf(1)
    got = lex.coverage(query, np.array([0, 1, 2, 3]))
    want = [(idf(2) + idf(1)) / total, (idf(2) + idf(1)) / total, 0.0, 0.0]
    assert np.allclose(got, want)
    assert np.allclose(lex.coverage("repeal blasphemy", np.array([1, 0])), [1.0, idf(2) / (idf(2) + idf(1))])
    assert lex.coverage("the and of", np.array([0, 1])).tolist() == [0.0, 0.0]  # stop words only
    assert lex.coverage(query, np.array([], dtype=np.int64)).size == 0
