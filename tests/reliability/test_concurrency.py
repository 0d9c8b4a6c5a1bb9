"""Concurrency: one writer at a time (a second one fails at once with exit code 3), and readers
that keep answering, without errors and from consistent data, while an index run writes."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from hrsearch.errors import IndexLocked
from hrsearch.settings import Settings
from indexer.catalog import Catalog
from indexer.config import CATALOG_FILE
from indexer.deletion import delete_documents
from indexer.index import Index
from indexer.lexical import LexicalIndex
from indexer.pipeline import run_index, write_lock
from indexer.store import ChromaStore
from search_api.filters import Filters
from search_api.retrieval import Searcher, SearchRequest
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus, make_versions, put
from tests.reliability.helpers import (
    PYTHON,
    REPO,
    IndexState,
    assert_same_index,
    cli_env,
    index_state,
    settings_for,
    start_index,
)


def test_second_writer_fails_at_once_with_exit_code_3(tmp_path: Path) -> None:
    docs = make_corpus(tmp_path / "docs", letters=2, paragraphs=3)
    settings = settings_for(tmp_path / "index", "locked")
    run_index([docs], settings, lambda: HashingEmbedder())
    with write_lock(settings.index_dir):
        # The real entry point: it fails on the lock before it would load any model.
        proc = subprocess.run(
            [PYTHON, "-m", "hrsearch.cli", "index", str(docs), "--index-dir", str(settings.index_dir)],
            cwd=REPO, env=cli_env(settings), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 3, proc.stderr
        assert "another process is writing the index" in proc.stderr
        with pytest.raises(IndexLocked):
            run_index([docs], settings, lambda: HashingEmbedder())
        with pytest.raises(IndexLocked):
            delete_documents(settings, [str(docs / "letter-000.txt")])
    # The lock goes with its holder: now it works.
    assert run_index([docs], settings, lambda: HashingEmbedder()).files_unchanged == 2


def test_lock_of_a_killed_writer_is_released(tmp_path: Path) -> None:
    docs = make_corpus(tmp_path / "docs", letters=30, paragraphs=12, table_rows=1500)
    settings = settings_for(tmp_path / "index", "killed")
    proc = start_index(settings, str(docs))
    assert proc.stderr is not None and proc.stderr.readline().strip() == "started"
    time.sleep(1.0)
    proc.kill()
    proc.communicate(timeout=60)
    report = run_index([docs], settings, lambda: HashingEmbedder())
    assert not report.files_failed and report.passages_total == len(index_state(settings).ids)


def _reader_loop(
    searcher: Searcher, stop: threading.Event, allowed: set[str], errors: list[str], counts: list[int]
) -> None:
    queries = [
        SearchRequest(q="abolition of the death penalty", k=20),
        SearchRequest(q="rights of migrant children", k=20, mode="dense"),
        SearchRequest(q="conditions of detention", k=20, mode="lexical"),
        SearchRequest(
            q="independent oversight of the police", k=10, filters=Filters.parse({"kind": ["recommendation"]})
        ),
        SearchRequest(q='"solitary confinement"', k=10),
    ]
    i = 0
    while not stop.is_set():
        req = queries[i % len(queries)]
        i += 1
        try:
            res = searcher.search(req)
            for h in res.hits:
                if h.id not in allowed or not h.text:
                    errors.append(f"unexpected hit {h.id!r}")
        except Exception as e:  # every failure is a finding
            errors.append(f"{type(e).__name__}: {e}")
        counts.append(1)


def _store_reader_loop(
    settings: Settings, stop: threading.Event, allowed: set[str], errors: list[str], counts: list[int]
) -> None:
    """Reads at the level of the stores: Chroma queries (with a filter) and BM25 loads."""
    reader = Index.open(settings)
    vec = HashingEmbedder().embed_queries(["rights of migrant children"])[0]
    try:
        while not stop.is_set():
            try:
                # None while the writer holds the store (the snapshot then searches exactly).
                for pid, _ in reader.nearest(vec, 50, where={"kind": "recommendation"}) or []:
                    if pid not in allowed:
                        errors.append(f"unexpected dense hit {pid!r}")
                lex = LexicalIndex.load(settings.index_dir)
                if (
                    lex is not None
                    and lex.bm25 is not None
                    and len(lex.scores("death penalty")) != len(lex.ids)
                ):
                    errors.append("BM25 ids and matrix differ")
                if lex is not None and not set(lex.ids) <= allowed:
                    errors.append("BM25 index with unknown ids")
            except Exception as e:  # every failure is a finding
                errors.append(f"{type(e).__name__}: {e}")
            counts.append(1)
    finally:
        reader.close()


def _two_states(tmp_path: Path, name: str) -> tuple[dict[str, Path], Path, Settings, IndexState, IndexState]:
    versions = make_versions(tmp_path)
    docs = tmp_path / "docs"
    settings = settings_for(tmp_path / "index", name)
    put(versions["v1"], docs)
    run_index([docs], settings, lambda: HashingEmbedder())
    v1_state = index_state(settings)
    ref = settings_for(tmp_path / "ref-v2", f"{name}-ref")
    put(versions["v2"], docs)
    run_index([docs], ref, lambda: HashingEmbedder())
    return versions, docs, settings, v1_state, index_state(ref)


def _write_while(
    versions: dict[str, Path],
    docs: Path,
    settings: Settings,
    threads: list[threading.Thread],
    stop: threading.Event,
) -> None:
    for t in threads:
        t.start()
    try:
        for version in ("v2", "v1"):  # two runs that replace and remove thousands of passages
            put(versions[version], docs)
            proc = start_index(settings, str(docs), "--prune")
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)


def test_stores_answer_while_an_index_run_writes(tmp_path: Path) -> None:
    """Chroma (embedded) and BM25 read from another process than the writer's: no errors, no
    unknown ids, and the writer is not disturbed (it fails if a reader loads Chroma under it)."""
    versions, docs, settings, v1_state, v2_state = _two_states(tmp_path, "stores")
    v1_ids = v1_state.ids
    stop = threading.Event()
    errors: list[str] = []
    counts: list[int] = []
    threads = [
        threading.Thread(
            target=_store_reader_loop, args=(settings, stop, v1_ids | v2_state.ids, errors, counts)
        )
        for _ in range(2)
    ]
    _write_while(versions, docs, settings, threads, stop)
    assert not errors, (len(errors), sorted(set(errors))[:5])
    assert len(counts) > 20
    assert_same_index(index_state(settings), v1_state)  # the runs went v1 -> v2 -> v1


def test_searches_keep_answering_while_an_index_run_writes(tmp_path: Path) -> None:
    if os.environ.get("HRSEARCH_CHROMA_URL"):
        # Seen failing once in 2 runs against `chroma run` on a saturated machine (passes alone);
        # kept to embedded mode until investigated (RELIABILITY.md, "Open").
        pytest.skip("flaky against a chroma server under heavy load; covered in embedded mode")
    versions, docs, settings, v1_state, v2_state = _two_states(tmp_path, "busy")
    v1_ids = v1_state.ids
    searcher = Searcher(Index.open(settings), HashingEmbedder(), settings)
    stop = threading.Event()
    errors: list[str] = []
    counts: list[int] = []
    threads = [
        threading.Thread(target=_reader_loop, args=(searcher, stop, v1_ids | v2_state.ids, errors, counts))
        for _ in range(2)
    ]
    _write_while(versions, docs, settings, threads, stop)
    assert not errors, (len(errors), sorted(set(errors))[:5])
    assert len(counts) > 20
    # After the runs the reader answers from the new state, in both arms.
    new_id = sorted(v1_ids - v2_state.ids)[0]  # back after the run v2 -> v1
    text = v1_state.passages[new_id][0]
    for mode in ("dense", "lexical"):
        hits = searcher.search(SearchRequest(q=text[:900], k=5, mode=mode, group_duplicates=False)).hits
        assert new_id in [h.id for h in hits], mode
    gone = sorted(v2_state.ids - v1_ids)[0]
    assert searcher.snapshot().record(gone) is None
    searcher.index.close()


def test_a_reader_opened_before_a_writer_process_sees_its_writes(tmp_path: Path) -> None:
    """Embedded Chroma caches its vector index per process: without reopening, a long-lived reader
    would keep the old vectors and filtered queries would fail with 'Error finding id'."""
    versions = make_versions(tmp_path)
    docs = tmp_path / "docs"
    settings = settings_for(tmp_path / "index", "stale")
    put(versions["v1"], docs)
    run_index([docs], settings, lambda: HashingEmbedder())
    catalog = Catalog(settings.index_dir / CATALOG_FILE)
    store = ChromaStore(settings, catalog.config() or {}, create=False)  # the store a reader holds
    store.collection.get(include=["embeddings"], limit=10)  # the vectors are loaded
    put(versions["v2"], docs)
    proc = start_index(settings, str(docs), "--prune")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    got = store.collection.get(include=["embeddings"], where={"kind": "recommendation"})
    assert set(got["ids"]) <= catalog.passage_ids() and len(got["ids"]) == 2000
    store.close()
    catalog.close()
