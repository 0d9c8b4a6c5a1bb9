"""Fixtures shared by every test: a clean environment, the shared corpus, the real embedder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
SHARED_EVAL = SHARED / "eval"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No HRSEARCH_* setting leaks in from the developer's shell; no test touches ~/.local."""
    for key in list(os.environ):
        if key.startswith("HRSEARCH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HRSEARCH_INDEX_DIR", str(tmp_path / "default-index"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    yield


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(
            f"../shared/corpus is absent (looked in {SHARED_CORPUS}); tests on real documents skipped"
        )
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    if not SHARED_EVAL.is_dir():
        pytest.skip(f"../shared/eval is absent (looked in {SHARED_EVAL}); evaluation tests skipped")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real bundled all-MiniLM-L6-v2 on the default backend, loaded once per test session."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder

    return load_embedder(Settings())
