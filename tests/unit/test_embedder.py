"""The embedding backends: the real model, and the ONNX backend against torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hrsearch.settings import Settings
from indexer.embedder import SentenceTransformerEmbedder, load_embedder
from indexer.embedder_onnx import OnnxEmbedder

pytestmark = [pytest.mark.model]

TEXTS = [
    "Continue the efforts towards the abolition of the death penalty",
    "Lift the sanctions currently in force against the staff of the International Criminal Court",
    "Ratify the Convention on the Rights of the Child",
    "We urge the Administration to hold a meaningful consultation with civil society before March.",
    "short",
]


def test_onnx_backend_gives_the_torch_vectors(tmp_path: Path) -> None:
    torch_e = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    onnx_e = OnnxEmbedder("all-MiniLM-L6-v2", cache_dir=tmp_path)
    a, b = torch_e.embed_passages(TEXTS), onnx_e.embed_passages(TEXTS)
    assert a.shape == b.shape == (5, 384) and onnx_e.dimension == 384
    assert np.abs(a - b).max() < 1e-4
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    # The export is cached: a second embedder reuses the file.
    assert len(list(tmp_path.glob("*.onnx"))) == 1
    OnnxEmbedder("all-MiniLM-L6-v2", cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.onnx"))) == 1


def test_meaning(embedder) -> None:  # type: ignore[no-untyped-def]
    q = embedder.embed_queries(["abolish capital punishment"])[0]
    p = embedder.embed_passages(TEXTS)
    assert int(np.argmax(p @ q)) == 0


def test_settings_choose_the_backend(tmp_path: Path) -> None:
    assert isinstance(load_embedder(Settings(cache_dir=tmp_path)), OnnxEmbedder)
    assert isinstance(load_embedder(Settings(embed_backend="torch")), SentenceTransformerEmbedder)
