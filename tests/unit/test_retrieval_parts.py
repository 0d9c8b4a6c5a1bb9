"""Pure parts of retrieval: filters, fusion, highlighting, phrases, export, citations."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np
import pytest

from hrsearch.errors import QueryError
from indexer.records import citation
from search_api.export import hits_to_csv, spreadsheet_safe
from search_api.filters import Filters, MetadataIndex
from search_api.highlight import highlight
from search_api.retrieval import phrase_regex, phrases
from search_api.retrieval.fusion import fuse

RECORDS = [
    {
        "kind": "recommendation",
        "country": "United States of America",
        "recommending_states": ["Namibia"],
        "year": 2020,
        "cycle": 3,
        "response": "supported",
        "themes": ["Death penalty"],
    },
    {
        "kind": "recommendation",
        "country": "United States of America",
        "recommending_states": ["France", "Namibia"],
        "year": 2010,
        "cycle": 1,
        "response": "noted",
        "themes": [],
    },
    {"kind": "ask", "country": None, "recommending_states": [], "year": 2021, "themes": ["Death penalty"]},
    {
        "kind": "recommendation",
        "country": "Slovenia",
        "recommending_states": ["France"],
        "year": None,
        "cycle": 3,
        "response": "noted",
    },
]


def test_filters_or_within_and_across() -> None:
    f = Filters.parse({"recommending_state": ["Namibia", "France"], "response": ["Noted"]})
    assert f.values == {"recommending_state": ["Namibia", "France"], "response": ["noted"]}
    assert [f.matches(r) for r in RECORDS] == [False, True, False, True]
    assert f.to_where() == {
        "$and": [
            {
                "$or": [
                    {"recommending_states": {"$contains": "Namibia"}},
                    {"recommending_states": {"$contains": "France"}},
                ]
            },
            {"response": "noted"},
        ]
    }
    mask = MetadataIndex.build(RECORDS).mask(f)
    assert mask is not None and mask.tolist() == [False, True, False, True]


def test_year_range_and_types() -> None:
    f = Filters.parse({"year_from": ["2015"], "cycle": ["3"]})
    assert f.to_where() == {"$and": [{"cycle": 3}, {"year": {"$gte": 2015}}]}
    assert [f.matches(r) for r in RECORDS] == [True, False, False, False]
    m = MetadataIndex.build(RECORDS).mask(f)
    assert m is not None and m.tolist() == [True, False, False, False]
    with pytest.raises(QueryError, match="cycle"):
        Filters.parse({"cycle": ["three"]})
    with pytest.raises(QueryError, match="colour"):
        Filters.parse({"colour": ["red"]})
    with pytest.raises(QueryError, match="at most 2"):
        Filters.parse({"country": ["a", "b", "c"]}, max_values=2)
    with pytest.raises(QueryError, match="year_from"):
        Filters.parse({"year_from": ["2020"], "year_to": ["2010"]})
    assert not Filters.parse({"country": [""]})
    assert Filters.from_pairs(["country=Slovenia", "country=Chile"]).values == {
        "country": ["Slovenia", "Chile"]
    }


def test_facets_count_values() -> None:
    facets = MetadataIndex.build(RECORDS).facets()
    assert facets["recommending_state"][0] == {"value": "France", "count": 2} or facets["recommending_state"][
        0
    ] == {"value": "Namibia", "count": 2}
    assert {"value": "Death penalty", "count": 2} in facets["theme"]
    assert facets["year"] == [
        {"value": 2010, "count": 1},
        {"value": 2020, "count": 1},
        {"value": 2021, "count": 1},
    ]


def test_rrf_by_hand() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
    lexical = [("b", 12.0), ("d", 3.0)]
    fused = dict(fuse(dense, lexical, method="rrf", rrf_k=60, weight=0.5))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert [pid for pid, _ in fuse(dense, lexical, method="rrf")][:2] == ["b", "a"]


def test_minmax_and_zscore() -> None:
    dense = [("a", 0.9), ("b", 0.5)]
    lexical = [("b", 10.0), ("c", 0.0)]
    mm = dict(fuse(dense, lexical, method="minmax", weight=0.5))
    assert mm == {"a": pytest.approx(0.5), "b": pytest.approx(0.5), "c": pytest.approx(0.0)}
    z = fuse(dense, lexical, method="zscore", weight=0.7)
    assert z[0][0] == "a"
    with pytest.raises(ValueError):
        fuse(dense, lexical, method="nope")


def test_phrases_and_tolerant_pattern() -> None:
    assert phrases('close the "gunshow loophole" and “red flag” laws') == ["gunshow loophole", "red flag"]
    import re

    pat = re.compile(phrase_regex("Court's jurisdiction"))
    assert (
        pat.search("the International Criminal Court ’ s jurisdiction") is None
    )  # curly vs straight quote differ
    assert re.compile(phrase_regex("gunshow loophole")).search("close the “ Gunshow   loophole ”")


def test_highlight_marks_terms_and_escapes() -> None:
    text = "Ratify the Convention. Abolish the death penalty <b>now</b> in all states. Train police."
    best, marked = highlight(text, "abolishing capital punishment and the death penalty")
    assert best.startswith("Abolish the death penalty")
    assert "<mark>Abolish</mark>" in marked and "<mark>death</mark>" in marked
    assert "&lt;b&gt;" in marked and "<b>" not in marked


def test_spreadsheet_safe_csv() -> None:
    assert spreadsheet_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert spreadsheet_safe(["a", "b"]) == "a; b"
    assert spreadsheet_safe(-0.92) == -0.92 and spreadsheet_safe("-0.92") == "'-0.92"
    out = hits_to_csv(
        [
            {
                "id": "x",
                "score": -0.92,
                "citation": "c",
                "kind": "ask",
                "text": "@SUM(A1)",
                "metadata": {
                    "page": 3,
                    "country": "Côte d'Ivoire",
                    "file": "/srv/hrsearch/corpus/letters/a.txt",
                },
            }
        ]
    )
    # a byte order mark, so that Excel reads UTF-8 ("Côte d'Ivoire", not "CÃ´te")
    assert out.startswith("\ufeffrank,score,")
    row = next(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert row["text"] == "'@SUM(A1)" and row["page"] == "3" and row["rank"] == "1"
    assert row["score"] == "-0.92"  # a number, not the text '-0.92
    assert row["country"] == "Côte d'Ivoire"
    assert row["file"] == "a.txt"  # the file's name, not the server's path


def test_citations() -> None:
    rec = {
        "kind": "recommendation",
        "symbol": "A/HRC/46/15",
        "rec_id": "26.178",
        "recommending_state": "Namibia",
        "pages": [22],
    }
    assert citation(rec) == "A/HRC/46/15, para. 26.178 (Namibia), p. 22"
    row = {
        "kind": "recommendation",
        "rec_id": "UPRINFO-000001",
        "recommending_state": "Austria",
        "country": "Afghanistan",
        "session": 5,
        "file": "/x/upr.csv",
    }
    assert citation(row) == "upr.csv, recommendation UPRINFO-000001 by Austria to Afghanistan, UPR session 5"
    para = {"kind": "paragraph", "symbol": "CAT/C/GC/4", "paragraph": "12.a", "pages": [3, 4]}
    assert citation(para) == "CAT/C/GC/4, para. 12(a), pp. 3-4"
    letter = {"kind": "ask", "title": None, "file": "/d/letters/000.txt", "paragraph": "4"}
    assert citation(letter) == "000.txt, para. 4"
    # A report whose symbol the text lost: its generic title is one of hundreds; State and year say which.
    report = {
        "kind": "recommendation",
        "title": "Report of the Working Group on the Universal Periodic Review",
        "country": "Portugal",
        "year": 2014,
        "rec_id": "127.24",
        "recommending_state": "Uzbekistan",
    }
    assert citation(report) == (
        "Report of the Working Group on the Universal Periodic Review: Portugal, 2014, para. 127.24 (Uzbekistan)"
    )
    named = {
        "kind": "paragraph",
        "title": "Slovenia 2019 national report",
        "country": "Slovenia",
        "year": 2019,
    }
    assert citation(named) == "Slovenia 2019 national report"


def test_metadata_index_empty_mask_is_none() -> None:
    assert MetadataIndex.build(RECORDS).mask(Filters()) is None
    assert np.asarray(MetadataIndex.build([]).facets()["year"]).size == 0


def test_dense_query_is_the_mean_direction_of_the_typed_and_the_expanded_query() -> None:
    from search_api.glossary import expand
    from search_api.retrieval import RankingParams
    from search_api.retrieval.dense import query_vector
    from search_api.retrieval.query import parse
    from tests.doubles import HashingEmbedder

    emb = HashingEmbedder()
    params = RankingParams()
    typed = 'is 50/50 parity required under "CEDAW"?'
    expanded = expand(typed)
    assert expanded != typed
    calls = emb.calls
    v = query_vector(parse(typed, Filters(), params), emb, params)
    assert emb.calls == calls + 1  # one batch of two texts
    a, b = emb.embed_queries(
        ["is 50/50 parity required under CEDAW?", expand("is 50/50 parity required under CEDAW?")]
    )
    want = (a + b) / np.linalg.norm(a + b)
    np.testing.assert_allclose(v, want, rtol=1e-5, atol=1e-6)
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5
    # Both halves count: the mean is closer to each than they are to each other.
    assert float(v @ a) > float(a @ b) and float(v @ b) > float(a @ b)
    # Nothing to expand: the typed query's own vector, embedded once.
    plain = "death penalty in Japan"
    np.testing.assert_allclose(
        query_vector(parse(plain, Filters(), params), emb, params), emb.embed_queries([plain])[0], rtol=1e-6
    )


def test_a_query_in_a_language_without_dictionary_takes_the_mapped_vector_alone() -> None:
    """A language with no dictionary (none that the detector names has none since Arabic got one
    in session 13; a caller may set any): the English model's vector of another script is noise,
    so the query is its multilingual vector alone (docs/LINKING.md, session 12); a Spanish or an
    Arabic query mixes the mapped vector with the English model's vector of its translation."""
    from search_api.retrieval import RankingParams
    from search_api.retrieval.dense import query_vector, unit
    from search_api.retrieval.query import Query, parse
    from tests.doubles import HashingEmbedder

    class Mapped(HashingEmbedder):  # another space than the index model's: rolled features
        def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
            return np.roll(np.asarray(super().embed_queries(texts)), 7, axis=1)

    own, mapped = HashingEmbedder(), Mapped(name="mapped-e5")
    params = RankingParams(crosslingual_weight=0.5)
    russian = Query(
        text="отменить смертную казнь",
        expanded="отменить смертную казнь",
        phrases=(),
        filters=Filters(),
        language="ru",
    )
    v = query_vector(russian, own, params, crosslingual=mapped)
    np.testing.assert_allclose(v, unit(mapped.embed_queries([russian.expanded])[0], v), rtol=1e-6)
    for text, language in (("إلغاء عقوبة الإعدام", "ar"), ("abolir la pena de muerte", "es")):
        query = parse(text, Filters(), params)
        assert query.language == language and "death penalty" in query.english
        m = mapped.embed_queries([query.expanded])[0]
        o = own.embed_queries([query.english])[0]
        np.testing.assert_allclose(
            query_vector(query, own, params, crosslingual=mapped),
            unit(0.5 * m + 0.5 * o, o),
            rtol=1e-5,
            atol=1e-6,
        )


def test_english_e5_weight_mixes_the_mapped_vector_into_english_queries_only_when_set() -> None:
    """``english_e5_weight`` (an evaluation variant): an English query's vector becomes
    ``unit(w x mapped e5 + (1 - w) x own)``; at 0 (the default) it is the index model's own even
    when the cross-lingual encoder is at hand; a Spanish query keeps ``crosslingual_weight``."""
    from search_api.retrieval import RankingParams
    from search_api.retrieval.dense import query_vector, unit
    from search_api.retrieval.query import parse
    from tests.doubles import HashingEmbedder

    class Mapped(HashingEmbedder):
        def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
            return np.roll(np.asarray(super().embed_queries(texts)), 7, axis=1)

    own, mapped = HashingEmbedder(), Mapped(name="mapped-e5")
    text = "abolish the death penalty"
    plain = RankingParams(query_vector="expanded")
    q = parse(text, Filters(), plain)
    assert not q.crosslingual
    o = own.embed_queries([q.expanded])[0]
    m = mapped.embed_queries([q.expanded])[0]
    np.testing.assert_allclose(query_vector(q, own, plain, crosslingual=mapped), o, rtol=1e-6)
    mixed = RankingParams(query_vector="expanded", english_e5_weight=0.25)
    np.testing.assert_allclose(
        query_vector(q, own, mixed, crosslingual=mapped), unit(0.25 * m + 0.75 * o, o), rtol=1e-5, atol=1e-6
    )
    es = parse("abolir la pena de muerte", Filters(), mixed)
    me = mapped.embed_queries([es.expanded])[0]
    oe = own.embed_queries([es.english])[0]
    np.testing.assert_allclose(
        query_vector(es, own, mixed, crosslingual=mapped), unit(0.5 * me + 0.5 * oe, oe), rtol=1e-5, atol=1e-6
    )


def test_a_passage_that_only_introduces_a_list_is_recognised() -> None:
    from search_api.retrieval import introduces_list

    assert introduces_list("The recommendations below did not enjoy the support of Tanzania:")
    assert introduces_list(
        "In the course of the discussion, the following recommendations were made to Serbia:  \n"
    )
    # A recommendation, a paragraph with content, and a long paragraph that ends in a list.
    assert not introduces_list("Abolish the death penalty (Namibia);")
    assert not introduces_list(
        "Recommendations: the Committee recommends that the State party repeal the law."
    )
    assert not introduces_list(
        "The Committee notes with concern " + "that the State party " * 20 + "including:"
    )


def test_z_mixing_of_no_candidates_is_empty_and_quiet() -> None:
    """A link whose filters match nothing mixes two empty arms: an empty answer, not numpy's
    "degrees of freedom" warnings (seen in CI's fuzz run) from the standard deviation of nothing."""
    import warnings

    from search_api.retrieval.fusion import zmix

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert zmix([], [], [], weight=0.7).size == 0


def test_gated_zmix_scales_only_bm25s_lift_by_the_cosines_normal_cdf() -> None:
    """``zmix(gate=True)``: a candidate's positive BM25 z is multiplied by Phi(z(cosine)), so a
    lexical match far from the ask's meaning lifts it less than one the embedding finds close;
    a below-average BM25 z is untouched; without the gate the mix is the linker's as before."""
    import math

    from search_api.retrieval.fusion import zmix

    arrival = ["close", "far", "mid"]
    dense = [("close", 0.9), ("mid", 0.6), ("far", 0.3)]
    lexical = [("far", 12.0), ("close", 10.0), ("mid", 2.0)]
    cos = np.array([0.9, 0.3, 0.6])
    bm = np.array([10.0, 12.0, 2.0], dtype=np.float32)
    zc = (cos - cos.mean()) / cos.std()
    zl = ((bm - bm.mean()) / bm.std()).astype(np.float64)
    phi = [0.5 * (1 + math.erf(v / math.sqrt(2))) for v in zc]
    plain = zmix(dense, lexical, arrival, weight=0.7)
    gated = zmix(dense, lexical, arrival, weight=0.7, gate=True)
    assert np.allclose(plain, 0.7 * zc + 0.3 * zl, atol=1e-6)
    expected = [0.7 * zc[i] + 0.3 * (zl[i] * phi[i] if zl[i] > 0 else zl[i]) for i in range(3)]
    assert np.allclose(gated, expected, atol=1e-6)
    assert zl[2] < 0 and math.isclose(gated[2], plain[2], abs_tol=1e-6)  # no lift: unchanged
    # "far" has BM25's best score but the lowest cosine: its lift shrinks to Phi(-1.22) ~ 0.11
    assert gated[1] < plain[1] and (plain[1] - gated[1]) > (plain[0] - gated[0])


class _Vectors:
    """What ``prf.rocchio`` reads of a snapshot: the stored vectors of passages."""

    def __init__(self, vecs: dict[str, np.ndarray]) -> None:
        self.vecs = vecs

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        return {i: self.vecs[i] for i in ids if i in self.vecs}


def test_dense_feedback_moves_the_query_towards_its_best_candidates() -> None:
    """Rocchio feedback: with the best candidate's vector added to the query, a candidate near
    that one rises above one that was nearer the query alone; off (weight 0) it changes nothing;
    a candidate whose vector is gone keeps its score; a context share (score - cosine) is kept."""
    from search_api.retrieval.params import RankingParams
    from search_api.retrieval.prf import rocchio

    def unit(*xs: float) -> np.ndarray:
        v = np.asarray(xs, dtype=np.float32)
        return v / np.linalg.norm(v)

    q = unit(1, 0, 0)
    vecs = {"top": unit(1, 1, 0), "near_q": unit(1, 0, 1), "near_top": unit(0.6, 1, 0)}
    dense = sorted(((pid, float(v @ q)) for pid, v in vecs.items()), key=lambda x: -x[1])
    dense.append(("gone", 0.1))
    snap = _Vectors(vecs)
    assert [p for p, _ in dense] == ["top", "near_q", "near_top", "gone"]

    assert rocchio(q, dense, snap, RankingParams()) is dense  # off by default
    moved = rocchio(q, dense, snap, RankingParams(prf_weight=1.0, prf_top=1))
    assert [p for p, _ in moved[:3]] == ["top", "near_top", "near_q"]
    assert dict(moved)["gone"] == 0.1
    with_context = [(p, s + 0.2) for p, s in dense]
    shifted = dict(rocchio(q, with_context, snap, RankingParams(prf_weight=1.0, prf_top=1)))
    assert all(abs(shifted[p] - (s + 0.2)) < 1e-6 for p, s in moved)
