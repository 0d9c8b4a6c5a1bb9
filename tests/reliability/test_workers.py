"""Several API workers over one index: ``hrsearch serve --workers 2`` against a real ``chroma run``.

Each worker is its own process with its own model and in-memory views; they share the Chroma
server and the index folder (catalog and BM25 files). Embedded Chroma belongs to one process, so
``--workers`` above 1 without a server is refused with a usage error.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hrsearch.cli import main
from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.server_mode import _free_port, start_chroma_server

pytestmark = [pytest.mark.model, pytest.mark.shared]


def test_workers_without_a_chroma_server_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HRSEARCH_CHROMA_URL", raising=False)
    assert main(["serve", "--workers", "2", "--index-dir", str(tmp_path)]) == 2
    assert "needs a Chroma server" in capsys.readouterr().err


@pytest.fixture(scope="module")
def two_workers(
    tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path, embedder
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("workers")
    chroma, chroma_url = start_chroma_server(root / "chroma-data", root / "chroma.log")
    env = {
        **os.environ,
        "HRSEARCH_CHROMA_URL": chroma_url,
        "HRSEARCH_COLLECTION": "workers-test",
        "HRSEARCH_INDEX_DIR": str(root / "index"),
    }
    settings = Settings(index_dir=root / "index", chroma_url=chroma_url, collection="workers-test")
    report = run_index([shared_corpus / "letters"], settings, lambda: embedder)
    assert report.passages_total >= 40 and not report.files_failed
    port = _free_port()
    log = (root / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "hrsearch.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert serve.poll() is None, (root / "serve.log").read_text(errors="replace")[-3000:]
            try:
                if httpx.get(url + "/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(
                "the workers did not become ready in 180 s: " + (root / "serve.log").read_text()[-3000:]
            )
        yield url, serve
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        log.close()
        chroma.terminate()
        chroma.wait(timeout=30)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(x) for x in out.split()]


def test_two_workers_answer_the_same(two_workers: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, serve = two_workers
    workers = _children(serve.pid)  # uvicorn's supervisor spawns the workers as its children
    assert len(workers) >= 2, f"expected two worker processes under {serve.pid}, found {workers}"
    params = {"q": "consultation with civil society before the review", "k": 5}
    answers = set()
    with httpx.Client(timeout=60) as client:
        for _ in range(12):  # uvicorn spreads connections over the workers
            r = client.get(url + "/search", params=params, headers={"Connection": "close"})
            assert r.status_code == 200, r.text
            answers.add(tuple(h["id"] for h in r.json()["hits"]))
    assert len(answers) == 1  # whichever worker answered, the same hits
    assert len(next(iter(answers))) == 5
