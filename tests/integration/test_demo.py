"""``hrsearch demo`` through the real entry point: first part indexed and answered, the rest
indexed in the background with its progress at ``/ready``, and a second demo with nothing to do."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.test_web_page import _free_port

pytestmark = [pytest.mark.model]


def _start(corpus: Path, first: Path, index_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "hrsearch.cli", "demo", str(corpus), "--first", str(first)]
    cmd += ["--index-dir", str(index_dir), "--port", str(port)]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(url + "/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the demo did not serve in time: " + log.read_text(errors="replace"))


def _background_report(path: Path, timeout: float = 120) -> dict[str, object]:
    """The background run's JSON report, once it has finished writing it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            time.sleep(0.5)
    raise AssertionError("the background index run wrote no report")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_demo_answers_first_then_indexes_the_rest_in_the_background(tmp_path: Path) -> None:
    from tests.conftest import SHARED_CORPUS

    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    corpus = tmp_path / "corpus"
    (corpus / "letters").mkdir(parents=True)
    (corpus / "treaties").mkdir()
    for f in (SHARED_CORPUS / "letters").glob("*.txt"):
        shutil.copy(f, corpus / "letters" / f.name)
    shutil.copy(SHARED_CORPUS / "recommendations" / "us_upr_cycle3_recommendations.csv", corpus)
    for name in ("CAT_C_GC_4.txt", "CEDAW_C_GC_35.txt"):
        shutil.copy(SHARED_CORPUS / "treaty_observations" / "general_comments" / name, corpus / "treaties")
    first = tmp_path / "first.txt"
    first.write_text("us_upr_cycle3_recommendations.csv\nletters/*.txt\nnot-there/*.pdf\n")
    index_dir, port = tmp_path / "index", _free_port()
    url, log = f"http://127.0.0.1:{port}", tmp_path / "demo.log"

    proc = _start(corpus, first, index_dir, port, log)
    try:
        _wait_ready(url, proc, log)
        out = log.read_text()
        assert "3 file(s) indexed" in out and "first answer" in out and "A/HRC/46/15, para. 26." in out
        hits = httpx.get(url + "/search", params={"q": "abolish the death penalty", "k": 3}).json()["hits"]
        assert "death penalty" in hits[0]["text"].lower()
        deadline, seen = time.time() + 240, []
        while time.time() < deadline:
            ready = httpx.get(url + "/ready", timeout=10).json()
            seen.append(ready["indexing"])
            # The first part's run is "done" too (3 of 3) until the background run, a new
            # interpreter loading the model, writes its own progress: wait for the whole corpus.
            if (
                ready["indexing"]
                and ready["indexing"]["state"] == "done"
                and ready["indexing"]["files_total"] == 5
            ):
                break
            time.sleep(1)
        final = seen[-1]
        assert final["state"] == "done" and not final["active"]
        assert final["files_done"] == final["files_total"] == 5
        assert final["passages"] > 400  # the two general comments joined the first part
        report = _background_report(index_dir / "background-index.json")
        assert report["files_indexed"] == 2 and report["files_unchanged"] == 3
        # The page's server takes the new documents in (its snapshot refreshes).
        deadline = time.time() + 60
        while time.time() < deadline:
            r = httpx.get(url + "/search", params={"q": "non-refoulement", "k": 3}).json()
            if r["hits"] and "refoulement" in r["hits"][0]["text"].lower():
                break
            time.sleep(2)
        else:
            raise AssertionError("the background run's documents never reached the answers")
    finally:
        _stop(proc)

    # A second demo: nothing changed, nothing to index, first or background.
    proc = _start(corpus, first, index_dir, port, log)
    try:
        _wait_ready(url, proc, log)
        assert "0 file(s) indexed, 3 unchanged" in log.read_text()
        report = _background_report(index_dir / "background-index.json")
        assert report["files_indexed"] == 0 and report["files_unchanged"] == 5
    finally:
        _stop(proc)
