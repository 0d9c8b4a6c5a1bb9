"""Answers while the index is written are as good as at rest.

An embedded Chroma store belongs to its writer while an index run or a delete works (readers
that loaded it then would break the writer); the dense arm then searches the snapshot's own
vectors exactly, and the snapshot a request sees stays one consistent generation. Issue 18,
item 4: before, dense results went missing (searches fell back to BM25 alone) and ``/link``
answered 500.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from hrsearch.settings import Settings
from indexer.index import Index
from indexer.pipeline import run_index
from indexer.writer import open_writer
from search_api.app import create_app
from search_api.retrieval import Linker, Searcher, SearchRequest
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import settings_for

QUERIES = ("abolish the death penalty", "rights of migrant children", "independence of the judiciary")


def _indexed(tmp_path: Path) -> Settings:
    docs = make_corpus(tmp_path / "docs", letters=3, paragraphs=4, table_rows=300)
    settings = settings_for(tmp_path / "index", "during")
    run_index([docs], settings, lambda: HashingEmbedder())
    return settings


def _answers(searcher: Searcher, linker: Linker) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for q in QUERIES:
        for mode in ("dense", "hybrid"):
            hits = searcher.search(SearchRequest(q=q, k=10, mode=mode, group_duplicates=False)).hits
            out[f"{mode}:{q}"] = [(h.id, h.score) for h in hits]
        out[f"link:{q}"] = [(h.id, h.score) for h in linker.link(q, k=10, group_duplicates=False).hits]
    return out


def test_dense_arm_and_linker_answer_as_at_rest_while_a_writer_holds_the_store(tmp_path: Path) -> None:
    settings = _indexed(tmp_path)
    searcher = Searcher(Index.open(settings), HashingEmbedder(), settings)
    linker = Linker(searcher, settings)
    at_rest = _answers(searcher, linker)
    assert all(at_rest.values())
    with open_writer(settings):  # holds write.lock and the Chroma store, as an index run does
        during = _answers(searcher, linker)
        snap = searcher.snapshot()
        qvec = HashingEmbedder().embed_queries([QUERIES[0]])[0]
        exact = searcher.index.exact_nearest(snap, qvec, 10, None)
        assert exact
        if not settings.chroma_url:  # embedded, the store is the writer's; a server keeps answering
            assert searcher.index.nearest(qvec, 10) is None
    # The dense store's search is approximate (HNSW), the fallback exact: the same answers up to
    # the store's own misses.
    for key, want in at_rest.items():
        got = during[key]
        assert len(got) == len(want), key
        assert len({p for p, _ in got} & {p for p, _ in want}) >= 8, (key, got, want)
    truth = snap.lexical.ids
    vecs = snap.vectors(truth)
    best = sorted((float(vecs[p] @ qvec) for p in truth), reverse=True)[:10]
    assert [round(s, 5) for _, s in exact] == [round(s, 5) for s in best]  # exact is exact
    searcher.index.close()


def test_link_and_search_answer_200_with_every_arm_while_an_index_run_commits(tmp_path: Path) -> None:
    """Requests during a real index run: no 5xx, every hit scored by both arms, the dense arm
    present (not silently empty)."""
    settings = _indexed(tmp_path)
    more = make_corpus(tmp_path / "more", letters=40, paragraphs=8, table_rows=2500, seed=11)
    done = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            run_index([more], settings, lambda: HashingEmbedder())
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            done.set()

    with TestClient(create_app(settings, embedder=HashingEmbedder())) as c:
        assert c.get("/search", params={"q": "warm up"}).status_code == 200
        writer = threading.Thread(target=write)
        writer.start()
        answered = during_write = 0
        while not done.is_set() or answered < 3:
            during_write += _writer_holds_lock(settings)
            r = c.post("/link", json={"text": QUERIES[answered % 3], "k": 10})
            assert r.status_code == 200, r.text
            hits = r.json()["hits"]
            assert hits and all("dense" in h["arms"] and "lexical" in h["arms"] for h in hits)
            r = c.get("/search", params={"q": QUERIES[answered % 3], "mode": "dense"})
            assert r.status_code == 200 and r.json()["hits"], r.text
            answered += 1
        writer.join()
    assert not errors, errors
    assert answered >= 3 and during_write >= 1, (answered, during_write)


def _writer_holds_lock(settings: Settings) -> bool:
    fd = os.open(settings.index_dir / "write.lock", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_facet_counts_read_the_generation_their_search_ranked(tmp_path: Path) -> None:
    """A query's facet counts (``GET /facets?q=``, the page's filter panel) read records at the
    positions its searches ranked. Before, they read them in whatever snapshot was current by
    then: when a writer's delete had shrunk the index in between, a position was past its end
    and ``/facets`` answered 500 (CI, the fuzzer during writes, issue 18)."""
    from indexer.deletion import delete_documents
    from search_api import service
    from search_api.filters import Filters

    settings = _indexed(tmp_path)
    searcher = Searcher(Index.open(settings), HashingEmbedder(), settings)
    req = SearchRequest(q=QUERIES[0], k=1, filters=Filters.parse({"kind": ["paragraph"]}))
    before = searcher.search(req)
    assert before.snapshot is searcher.snapshot() and before.results
    want = service.result_facets(searcher, req, base=before)
    assert want["country"] or want["kind"]

    letters = sorted(str(p) for p in (tmp_path / "docs").glob("*.txt"))
    delete_documents(settings, letters)  # the table stays: the index shrinks to fewer passages
    after = searcher.snapshot()
    assert after.generation > before.snapshot.generation
    moved = [p for p, _, i in before.results if i >= len(after.texts) or after.records[i]["id"] != p]
    assert moved  # the old positions name other passages now, or none
    got = service.result_facets(searcher, req, base=before)
    # Counted from the base's own results: the same. The field the request filters on is counted
    # by searching again without that filter, and the dense store is live (it lost the letters).
    assert {k: v for k, v in got.items() if k != "kind"} == {k: v for k, v in want.items() if k != "kind"}
    # Without a base, every search of the counts and every record read share one snapshot.
    fresh = service.result_facets(searcher, req)
    assert all(v["count"] >= 1 for values in fresh.values() for v in values)
    searcher.index.close()
