"""Indexing real documents into a temporary index with the real model and real Chroma."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hrsearch.cli import main
from hrsearch.errors import IndexMismatch
from hrsearch.settings import Settings
from indexer.catalog import Catalog
from indexer.index import Index
from indexer.lexical import LexicalIndex
from indexer.pipeline import CATALOG_FILE, run_index
from indexer.store import ChromaStore
from tests.doubles import HashingEmbedder

pytestmark = [pytest.mark.model]


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(index_dir=tmp_path / "index", **kw)  # type: ignore[arg-type]


def _consistent(settings: Settings) -> int:
    """Catalog, Chroma and BM25 hold exactly the same passage ids; returns their number."""
    catalog = Catalog(settings.index_dir / CATALOG_FILE)
    store = ChromaStore(settings, catalog.config() or {}, create=False)
    try:
        cat_ids = catalog.passage_ids()
        assert store.all_ids() == cat_ids
        lex = LexicalIndex.load(settings.index_dir)
        assert lex is not None and lex.generation == catalog.generation
        assert set(lex.ids) == cat_ids and len(lex.ids) == len(cat_ids)
        return len(cat_ids)
    finally:
        store.close()
        catalog.close()


@pytest.fixture
def small_corpus(tmp_path: Path, shared_corpus: Path) -> Path:
    """A folder with the two letters, the US 2020 recommendations and the US 2010 WG report."""
    d = tmp_path / "docs"
    (d / "letters").mkdir(parents=True)
    for f in (shared_corpus / "letters").glob("*.txt"):
        shutil.copy(f, d / "letters" / f.name)
    shutil.copy(shared_corpus / "recommendations" / "us_upr_cycle3_recommendations.csv", d)
    shutil.copy(
        shared_corpus / "outcome_reports" / "upr_wg_reports_2008_2014" / "unitedstatesofamerica2011.txt", d
    )
    return d


def test_us_2020_table_gives_347_recommendations(tmp_path: Path, shared_corpus: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path)
    report = run_index(
        [shared_corpus / "recommendations" / "us_upr_cycle3_recommendations.csv"], settings, lambda: embedder
    )
    assert report.files_indexed == 1 and not report.files_failed
    assert report.passages_total == 347
    cat = Catalog(settings.index_dir / CATALOG_FILE)
    recs = [p.data for p, _ in cat.iter_passages()]
    assert all(r["kind"] == "recommendation" and r["rec_id"] and r["recommending_states"] for r in recs)
    by_id = {r["rec_id"]: r for r in recs}
    assert by_id["26.178"]["recommending_states"] == ["Romania"]
    assert by_id["26.47"]["recommending_states"] == ["Rwanda", "Bahamas", "Namibia", "Morocco"]
    assert by_id["26.1"]["country"] == "United States of America"
    assert by_id["26.1"]["symbol"] == "A/HRC/46/15"
    assert _consistent(settings) == 347


def test_second_run_embeds_nothing_and_change_reembeds_one_file(
    tmp_path: Path, small_corpus: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path)
    first = run_index([small_corpus], settings, lambda: embedder)
    assert first.files_seen == 4 and first.files_indexed == 4 and not first.files_failed
    assert first.passages_embedded > 347
    n = _consistent(settings)

    second = run_index([small_corpus], settings, lambda: embedder)
    assert (second.files_unchanged, second.files_indexed, second.passages_embedded) == (4, 0, 0)
    assert second.passages_added == 0 and second.passages_removed == 0
    assert _consistent(settings) == n

    letter = sorted((small_corpus / "letters").glob("*.txt"))[0]
    text = letter.read_text(encoding="utf-8")
    cut = text.index("\n\n", text.index("Dear"))  # after the salutation line
    new = "\n\nSolitary confinement harms people. We urge the Administration to end solitary confinement in federal prisons."
    letter.write_text(text[:cut] + new + text[cut:], encoding="utf-8")
    third = run_index([small_corpus], settings, lambda: embedder)
    assert third.files_indexed == 1 and third.files_unchanged == 3
    # Only the new paragraph and its ask are new text; the rest of the letter reuses stored vectors.
    assert third.passages_embedded == 2
    assert (
        third.passages_removed > 0
        and third.passages_added == third.passages_removed + third.passages_embedded
    )
    assert _consistent(settings) == n + third.passages_embedded


def test_prune_removes_deleted_file(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path)
    emb = HashingEmbedder()
    run_index([small_corpus], settings, lambda: emb)
    csv = small_corpus / "us_upr_cycle3_recommendations.csv"
    csv.unlink()
    kept = run_index([small_corpus], settings, lambda: emb)
    assert kept.files_removed == 0 and kept.passages_total >= 347  # without --prune nothing is removed
    pruned = run_index([small_corpus], settings, lambda: emb, prune=True)
    assert pruned.files_removed == 1 and pruned.passages_removed == 347
    assert _consistent(settings) == pruned.passages_total
    snap = Index.open(settings).snapshot()
    assert not any(r.get("rec_id") == "26.178" for r in snap.records)


def test_model_mismatch_is_refused(tmp_path: Path, small_corpus: Path) -> None:
    settings = _settings(tmp_path)
    run_index([small_corpus / "letters"], settings, lambda: HashingEmbedder())
    other = _settings(tmp_path, model="intfloat/multilingual-e5-small")
    with pytest.raises(IndexMismatch, match="multilingual-e5-small"):
        Index.open(other)
    with pytest.raises(IndexMismatch):
        run_index([small_corpus / "letters"], other, lambda: HashingEmbedder())


def test_usa_2011_pdf_gives_every_numbered_recommendation(tmp_path: Path, shared_corpus: Path) -> None:
    settings = _settings(tmp_path)
    report = run_index(
        [shared_corpus / "pdf" / "UPR_WG_report_USA_2011_A-HRC-16-11.pdf"],
        settings,
        lambda: HashingEmbedder(),
    )
    assert not report.files_failed
    cat = Catalog(settings.index_dir / CATALOG_FILE)
    recs = [p.data for p, _ in cat.iter_passages() if p.data["kind"] == "recommendation"]
    assert sorted(int(r["rec_id"].split(".")[1]) for r in recs) == list(range(1, 229))
    assert all(r["rec_id"].startswith("92.") and r["recommending_states"] and r["pages"] for r in recs)
    last = next(r for r in recs if r["rec_id"] == "92.228")
    assert last["recommending_states"] == ["Norway"]
    assert last["symbol"] == "A/HRC/16/11"


def _bad_folder(tmp_path: Path, shared_corpus: Path) -> Path:
    from pypdf import PdfWriter

    d = tmp_path / "bad"
    d.mkdir()
    pdf = (shared_corpus / "pdf" / "UPR_WG_report_USA_2011_A-HRC-16-11.pdf").read_bytes()
    (d / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret")
    with open(d / "encrypted.pdf", "wb") as fh:
        w.write(fh)
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 40)
    shutil.copy(sorted((shared_corpus / "letters").glob("*.txt"))[0], d / "letter.txt")
    return d


def test_bad_files_fail_alone_and_the_letter_is_indexed(tmp_path: Path, shared_corpus: Path) -> None:
    settings = _settings(tmp_path)
    report = run_index([_bad_folder(tmp_path, shared_corpus)], settings, lambda: HashingEmbedder())
    assert report.files_seen == 5 and report.files_indexed == 1
    failed = {Path(f["path"]).name: f["error"] for f in report.files_failed}
    assert set(failed) == {"truncated.pdf", "encrypted.pdf", "empty.txt", "binary.txt"}
    assert "password" in failed["encrypted.pdf"]
    assert "empty" in failed["empty.txt"].lower()
    assert "binary" in failed["binary.txt"].lower()
    assert "pdf" in failed["truncated.pdf"].lower()
    assert report.passages_total > 10


def test_cli_index_json_and_exit_codes(
    tmp_path: Path, shared_corpus: Path, capsys: pytest.CaptureFixture[str], embedder
) -> None:  # type: ignore[no-untyped-def]
    bad = _bad_folder(tmp_path, shared_corpus)
    code = main(["index", str(bad), "--index-dir", str(tmp_path / "idx"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # some files failed, the rest was indexed
    for key in (
        "files_seen",
        "files_indexed",
        "files_unchanged",
        "files_failed",
        "passages_added",
        "passages_removed",
        "passages_embedded",
        "seconds",
    ):
        assert key in out
    assert len(out["files_failed"]) == 4 and all(set(f) == {"path", "error"} for f in out["files_failed"])

    code = main(["index", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "idx")])
    assert code == 2

    code = main(
        [
            "search",
            "consultation with civil society before the adoption of the outcome report",
            "--index-dir",
            str(tmp_path / "idx"),
            "--json",
            "-k",
            "3",
        ]
    )
    res = json.loads(capsys.readouterr().out)
    assert code == 0 and len(res["hits"]) == 3
    hit = res["hits"][0]
    for key in ("id", "text", "score", "kind", "citation", "metadata"):
        assert key in hit
    assert "consult" in hit["text"].lower()
    assert hit["metadata"]["file"].endswith("letter.txt")

    code = main(["search", "x", "--filter", "nonsense=1", "--index-dir", str(tmp_path / "idx")])
    assert code == 2


def test_context_vectors_are_stored_once_per_key_and_added_to_dense_scores(
    tmp_path: Path, small_corpus: Path
) -> None:
    import numpy as np

    from indexer.context import context_key
    from search_api.filters import Filters
    from search_api.retrieval import Searcher
    from search_api.retrieval.dense import nearest, with_context
    from search_api.retrieval.query import parse

    settings = _settings(tmp_path)
    emb = HashingEmbedder()
    first = run_index([small_corpus], settings, lambda: emb)
    cat = Catalog(settings.index_dir / CATALOG_FILE)
    keys = {context_key(p.data) for p, _ in cat.iter_passages()} - {""}
    stored = cat.all_contexts()
    cat.close()
    assert set(stored) == keys and first.contexts_embedded == len(keys)
    assert any(k.startswith("United States of America, UPR 2020, recommendation") for k in keys)
    assert run_index([small_corpus], settings, lambda: emb).contexts_embedded == 0

    searcher = Searcher(Index.open(settings), emb, settings)
    try:
        snap = searcher.snapshot()
        qvec = emb.embed_queries(["death penalty recommendations to the United States in 2020"])[0]
        query = parse("death penalty", Filters(), searcher.params)
        dense = nearest(qvec, 50, Filters(), query, snap)
        rescored = dict(with_context(qvec, dense, snap, searcher.params, searcher.contexts))
        for pid, cos in dense:
            key = context_key(snap.records[snap.position[pid]])
            want = cos + settings.context_weight * float(np.asarray(stored[key]) @ qvec)
            assert abs(rescored[pid] - want) < 1e-5
        assert not searcher.contexts.extra  # every key came from the index
    finally:
        searcher.index.close()


@pytest.fixture
def small_searcher(tmp_path: Path, small_corpus: Path) -> Iterator[Any]:
    """A Searcher over the small corpus indexed with the hashing embedder."""
    from search_api.retrieval import Searcher

    settings = _settings(tmp_path)
    emb = HashingEmbedder()
    run_index([small_corpus], settings, lambda: emb)
    searcher = Searcher(Index.open(settings), emb, settings)
    try:
        yield searcher
    finally:
        searcher.index.close()


def _results_by_setting(
    searcher: Any, q: str, name: str, values: Sequence[float], k: int
) -> dict[float, Any]:
    """``{value: SearchResult}``: the hybrid search of ``q`` (``k`` hits a page, duplicates not
    grouped) under each value of one ranking parameter."""
    import dataclasses

    from search_api.retrieval import SearchRequest

    return {
        v: searcher.search(
            SearchRequest(q=q, k=k, group_duplicates=False), dataclasses.replace(searcher.params, **{name: v})
        )
        for v in values
    }


def test_country_boost_adds_to_the_fused_score_of_the_named_state_only(small_searcher: Any) -> None:
    q = "what did Namibia recommend on the death penalty"  # a recommending State here
    results = _results_by_setting(small_searcher, q, "country_boost", (0.0, 1.0), k=200)
    runs = {v: {h.id: h for h in r.hits} for v, r in results.items()}
    both = runs[0.0].keys() & runs[1.0].keys()  # the boost may move a few across the cut
    assert len(both) > 100
    state = "Namibia"
    boosted = 0
    for pid in both:
        hit = runs[1.0][pid]
        meta = hit.metadata
        named = meta.get("country") == state or state in (meta.get("recommending_states") or [])
        assert abs(hit.score - runs[0.0][pid].score - (1.0 if named else 0.0)) < 1e-5, pid
        boosted += named
    assert 0 < boosted < len(both)


def test_complete_scores_give_every_candidate_its_real_score_in_both_arms(small_searcher: Any) -> None:
    """A passage only one arm found gets the other arm's real score (cosine from its stored
    vector plus context; BM25 from the full score array), not that arm's minimum."""
    import dataclasses

    import numpy as np

    from indexer.context import context_key
    from search_api.filters import Filters
    from search_api.retrieval.complete import complete
    from search_api.retrieval.dense import nearest, query_vector, with_context
    from search_api.retrieval.query import parse

    searcher = small_searcher
    snap = searcher.snapshot()
    p = dataclasses.replace(searcher.params, expand_acronyms=False)
    q = "abolish the death penalty and establish a moratorium on executions"
    query = parse(q, Filters(), p)
    qvec = query_vector(query, searcher.embedder, p)
    dense = with_context(qvec, nearest(qvec, 15, Filters(), query, snap), snap, p, searcher.contexts)
    lex_scores = snap.lexical.scores(q)
    lexical = snap.lexical.top(lex_scores, 15)
    only_lex = {p for p, _ in lexical} - {p for p, _ in dense}
    only_dense = {p for p, _ in dense} - {p for p, _ in lexical}
    assert only_lex and only_dense  # the arms disagree, or there is nothing to complete
    full_dense, full_lex = complete(qvec, dense, lexical, lex_scores, snap, p, searcher.contexts)
    ids = {p for p, _ in dense} | {p for p, _ in lexical}
    assert {p for p, _ in full_dense} == ids == {p for p, _ in full_lex}
    vecs = snap.vectors(list(ids))
    keys = snap.contexts
    weight = p.context_weight
    for pid, score in full_dense:
        key = context_key(snap.records[snap.position[pid]])
        want = float(vecs[pid] @ qvec) + weight * float(np.asarray(keys[key]) @ qvec)
        assert abs(score - want) < 1e-5, pid
    for pid, score in full_lex:
        assert abs(score - float(lex_scores[snap.position[pid]])) < 1e-4, pid
    # Turned off, fusion sees the arms' own lists (the results differ on this query).
    on, off = _results_by_setting(searcher, q, "complete_scores", (True, False), k=30).values()
    assert [h.id for h in on.hits] != [h.id for h in off.hits]


def test_a_passage_that_only_introduces_a_list_loses_the_lead_in_penalty(small_searcher: Any) -> None:
    from search_api.retrieval import introduces_list

    q = "in the course of the discussion the following recommendations were made to the United States"
    results = _results_by_setting(small_searcher, q, "lead_in_penalty", (0.0, 1.0), k=1000)
    assert all(r.total < 1000 for r in results.values())  # every candidate is on the page
    runs = {v: {h.id: h for h in r.hits} for v, r in results.items()}
    both = runs[0.0].keys() & runs[1.0].keys()
    lead_ins = [pid for pid in both if introduces_list(runs[0.0][pid].text)]
    assert lead_ins and len(lead_ins) < len(both)
    for pid in both:
        want = runs[0.0][pid].score - (1.0 if pid in lead_ins else 0.0)
        assert abs(runs[1.0][pid].score - want) < 1e-5, pid
    top = list(runs[0.0])[:10]
    assert any(pid in lead_ins for pid in top)  # what the penalty is for
    assert not any(introduces_list(h.text) for h in list(runs[1.0].values())[:10])


def test_an_index_without_context_vectors_is_searched_and_backfilled(
    tmp_path: Path, small_corpus: Path
) -> None:
    """An index written before context vectors existed: search embeds the keys it needs on the
    fly (same scores), and the next index run stores them all."""
    from search_api.retrieval import Searcher, SearchRequest

    settings = _settings(tmp_path)
    emb = HashingEmbedder()
    run_index([small_corpus], settings, lambda: emb)
    q = SearchRequest(q="death penalty recommendations to the United States", k=20)
    searcher = Searcher(Index.open(settings), emb, settings)
    want = [(h.id, h.score) for h in searcher.search(q).hits]
    searcher.index.close()

    cat = Catalog(settings.index_dir / CATALOG_FILE)
    n_keys = len(cat.all_contexts())
    cat.conn.execute("DELETE FROM contexts")
    cat.conn.execute("DELETE FROM meta WHERE key = 'contexts'")
    cat.close()

    searcher = Searcher(Index.open(settings), emb, settings)
    got = [(h.id, h.score) for h in searcher.search(q).hits]
    assert searcher.contexts.extra  # embedded on the fly
    assert [i for i, _ in got] == [i for i, _ in want]
    assert all(abs(a - b) < 1e-5 for (_, a), (_, b) in zip(got, want, strict=True))
    searcher.index.close()

    again = run_index([small_corpus], settings, lambda: emb)
    assert again.files_indexed == 0 and again.contexts_embedded == n_keys
