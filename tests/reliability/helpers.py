"""What the reliability tests share: the state of an index as plain data, and running the indexer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hrsearch.settings import Settings
from indexer.catalog import Catalog
from indexer.config import CATALOG_FILE
from indexer.lexical import LexicalIndex
from indexer.store import ChromaStore

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


@dataclass
class IndexState:
    """Everything two builds of the same folder must agree on (generations and timestamps aside)."""

    files: dict[str, str]  # path -> content hash
    documents: dict[str, str]  # doc_id -> path
    passages: dict[str, tuple[str, str]]  # id -> (text, data_json)
    chroma: dict[str, str]  # id -> text held by Chroma
    lexical_ids: list[str]

    @property
    def ids(self) -> set[str]:
        return set(self.passages)


def index_state(settings: Settings) -> IndexState:
    """Read an index and check it is consistent with itself: catalog, Chroma and BM25 hold the same
    passages, no id twice, the same text and vector in the catalog and in Chroma, BM25 stamped with
    the catalog's generation, and the dirty flag cleared."""
    cat = Catalog(settings.index_dir / CATALOG_FILE)
    try:
        assert cat.get_meta("dirty") == "0", "the last run did not finish cleanly"
        files = cat.file_hashes()
        documents = {d["doc_id"]: d["path"] for d in cat.documents()}
        rows = cat.conn.execute("SELECT id, doc_id, text, data_json, embedding FROM passages").fetchall()
        passages = {r[0]: (r[2], r[3]) for r in rows}
        vectors = {r[0]: np.frombuffer(r[4], dtype=np.float32) for r in rows}
        assert len(passages) == len(rows), "a passage id twice in the catalog"
        assert {r[1] for r in rows} == set(documents), "passages of a document the catalog does not list"
        assert {h[:16] for h in files.values()} == set(documents), "files and documents differ"
        generation = cat.generation
        config = cat.config()
    finally:
        cat.close()
    store = ChromaStore(settings, config or {}, create=False)
    got = store.collection.get(include=["documents", "embeddings"])
    chroma = dict(zip(got["ids"], got["documents"], strict=True))
    assert len(chroma) == len(got["ids"]), "an id twice in Chroma"
    for pid, vec in zip(got["ids"], got["embeddings"], strict=True):
        if pid in vectors:
            assert np.allclose(np.asarray(vec, dtype=np.float32), vectors[pid], atol=1e-6), pid
    lex = LexicalIndex.load(settings.index_dir)
    assert lex is not None, "no BM25 index saved"
    assert lex.generation == generation, "BM25 index stamped with another generation than the catalog's"
    assert len(lex.ids) == len(set(lex.ids)), "an id twice in the BM25 index"
    state = IndexState(files, documents, passages, chroma, list(lex.ids))
    assert set(chroma) == state.ids, f"Chroma and catalog differ: {len(set(chroma) ^ state.ids)} ids"
    assert set(state.lexical_ids) == state.ids, "BM25 and catalog differ"
    assert all(chroma[i] == passages[i][0] for i in chroma), "Chroma holds other text than the catalog"
    return state


def assert_same_index(got: IndexState, want: IndexState) -> None:
    """``got`` (a build that was interrupted and resumed) equals ``want`` (a clean build)."""
    assert got.files == want.files
    assert got.documents.keys() == want.documents.keys()
    assert len(got.passages) == len(want.passages)
    assert got.ids == want.ids
    assert got.passages == want.passages
    assert sorted(got.lexical_ids) == sorted(want.lexical_ids)


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of an indexing subprocess: the test's own, with the index's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRSEARCH_")}
    env["HRSEARCH_INDEX_DIR"] = str(settings.index_dir)
    if settings.chroma_url:
        env["HRSEARCH_CHROMA_URL"] = settings.chroma_url
    env["HRSEARCH_COLLECTION"] = settings.collection
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def start_index(settings: Settings, *args: str, entry: str = "tests.crash_entry") -> subprocess.Popen[str]:
    """Start ``python -m ENTRY index ARGS... --json`` on ``settings``'s index."""
    return subprocess.Popen(
        [PYTHON, "-m", entry, "index", *args, "--json"],
        cwd=REPO,
        env=cli_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_index_cli(
    settings: Settings, *args: str, entry: str = "tests.crash_entry", timeout: float = 300
) -> tuple[int, dict[str, Any] | None, str]:
    """Run the indexer to its end; returns (exit code, JSON report or None, stderr)."""
    proc = start_index(settings, *args, entry=entry)
    out, err = proc.communicate(timeout=timeout)
    report = json.loads(out) if out.strip() else None
    return proc.returncode, report, err


def kill_trace(settings: Settings) -> Path:
    """Where ``run_killed`` leaves what the kill stopped (or, for ``count``, the number of events)."""
    return settings.index_dir.parent / "kill-point.txt"


def run_killed(settings: Settings, point: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``hrsearch index ARGS`` (``tests.kill_entry``) with a SIGKILL armed at ``point``."""
    return subprocess.run(
        [PYTHON, "-m", "tests.kill_entry", point, str(kill_trace(settings)), "index", *args, "--json"],
        cwd=REPO, env=cli_env(settings), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def settings_for(index_dir: Path, name: str, **kw: Any) -> Settings:
    """Settings of one index of a test. Its Chroma collection is named after ``name`` too, so that
    several indexes of one test can share a ``chroma run`` server (server mode)."""
    base = Settings()
    return Settings(index_dir=index_dir, collection=f"{base.collection}-{name}", **kw)
