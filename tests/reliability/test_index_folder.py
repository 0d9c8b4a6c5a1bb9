"""``--index-dir`` pointed somewhere it should not be (issue 18, item 8, and the CLI's smaller
items): another program's folder is refused without a byte of it touched, a foreign or damaged
``catalog.sqlite`` is a clear error with exit code 3, a file, a path under a file or under /proc
is the same, never a traceback; ``index --json`` says so in JSON; a search during a first build
says the index is being built; ``align --out`` to a place it cannot write is refused before the
work; ``serve`` refuses a port that is not one and says when a port is taken."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from indexer.pipeline import run_index
from indexer.writer import open_writer
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import PYTHON, REPO, cli_env, settings_for

EXIT_USAGE, EXIT_INDEX = 2, 3


def hrsearch(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The real entry point; the index folder comes from ``--index-dir`` in ``args``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("HRSEARCH_")}
    return subprocess.run(
        [PYTHON, "-m", "hrsearch.cli", *args],
        cwd=REPO, env={**base, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def snapshot(folder: Path) -> dict[str, tuple[str, float]]:
    """Every file under ``folder`` with its hash and modification time."""
    return {
        str(f.relative_to(folder)): (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime)
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def proc_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    return dict(json.loads(proc.stdout))


def assert_refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == EXIT_INDEX, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "docs", letters=2, paragraphs=3)


def test_a_folder_of_another_programs_files_is_refused_untouched(tmp_path: Path, docs: Path) -> None:
    other = tmp_path / "other"
    (other / "lexical").mkdir(parents=True)
    (other / "lexical" / "data.txt").write_text("another program's data\n")
    (other / "notes.txt").write_text("my notes\n")
    before = snapshot(other)
    for args in (
        ("index", str(docs)),
        ("index", str(docs), "--rebuild"),
        ("search", "torture"),
        ("link", "end torture"),
        ("delete", "x.txt"),
    ):
        assert_refused(hrsearch(*args, "--index-dir", str(other)), "not an hrsearch index")
    assert snapshot(other) == before
    assert sorted(p.name for p in other.iterdir()) == ["lexical", "notes.txt"]  # no write.lock either


def test_what_a_killed_rebuild_leaves_without_a_catalog_is_taken_as_ours(tmp_path: Path, docs: Path) -> None:
    """A rebuild of an earlier version, killed just after it removed the catalog, left the run's
    progress and a killed BM25 save's folder: the next run builds the index there."""
    folder = tmp_path / "index"
    (folder / "lexical.tmp-4242").mkdir(parents=True)
    (folder / "lexical.tmp-4242" / "ids.json").write_text("[]")
    (folder / "progress.json").write_text('{"state": "indexing"}')
    (folder / "progress.tmp4242").write_text("{")
    (folder / "write.lock").touch()
    proc = hrsearch("index", str(docs), "--index-dir", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert (folder / "catalog.sqlite").exists()
    assert proc_json(hrsearch("search", "torture", "--index-dir", str(folder), "--json"))["hits"]


@pytest.mark.parametrize("kind", ["foreign", "garbage", "empty-schema"])
def test_a_catalog_that_is_not_ours_is_a_clear_error_and_left_as_it_was(
    tmp_path: Path, docs: Path, kind: str
) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    catalog = folder / "catalog.sqlite"
    if kind == "garbage":
        catalog.write_bytes(os.urandom(8192))
    else:
        con = sqlite3.connect(catalog)
        if kind == "foreign":
            con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            con.execute("INSERT INTO notes(body) VALUES ('keep me')")
        else:  # a SQLite file with a table of our name but not our columns
            con.execute("CREATE TABLE meta (k TEXT, v TEXT)")
        con.commit()
        con.close()
    before = snapshot(folder)
    for args in (("index", str(docs)), ("search", "torture"), ("delete", "x.txt")):
        assert_refused(hrsearch(*args, "--index-dir", str(folder)), "catalog.sqlite")
    assert snapshot(folder) == before  # not switched to WAL, no table added
    if kind != "garbage":
        con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        con.close()


def test_an_index_dir_on_a_file_under_a_file_or_under_proc_is_a_clear_error(
    tmp_path: Path, docs: Path
) -> None:
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder\n")
    for place in (a_file, a_file / "sub", Path("/proc/hrsearch-test/index"), Path("/sys/hrsearch-test")):
        for args in (("index", str(docs)), ("search", "torture"), ("delete", "x.txt")):
            proc = hrsearch(*args, "--index-dir", str(place))
            assert proc.returncode == EXIT_INDEX, (place, args, proc.stderr)
            assert "Traceback" not in proc.stderr and str(place) in proc.stderr, proc.stderr


def test_index_json_prints_the_error_as_json(tmp_path: Path, docs: Path) -> None:
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder\n")
    proc = hrsearch("index", str(docs), "--index-dir", str(a_file), "--json")
    assert proc.returncode == EXIT_INDEX
    error = json.loads(proc.stdout)["error"]
    assert error["exit_code"] == EXIT_INDEX and "not a folder" in error["message"]
    proc = hrsearch("index", str(tmp_path / "missing"), "--index-dir", str(tmp_path / "i"), "--json")
    assert proc.returncode == EXIT_USAGE and json.loads(proc.stdout)["error"]["exit_code"] == EXIT_USAGE


def test_search_during_a_first_build_says_the_index_is_being_built(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "index", "first")
    with open_writer(settings):  # a first build has begun: the lock is held, nothing written yet
        proc = hrsearch("search", "torture", "--index-dir", str(settings.index_dir), env=cli_env(settings))
        assert proc.returncode == EXIT_INDEX and "being built" in proc.stderr, (proc.stdout, proc.stderr)
    docs = make_corpus(tmp_path / "docs", letters=1, paragraphs=3)
    run_index([docs], settings, lambda: HashingEmbedder())
    with open_writer(settings):  # a later run: the index is built, searches answer
        proc = hrsearch(
            "search", "death penalty", "--mode", "lexical", "--index-dir", str(settings.index_dir),
            env=cli_env(settings),
        )  # fmt: skip
        assert "being built" not in proc.stderr and proc.returncode == 0, proc.stderr


def test_align_out_that_cannot_be_written_is_refused_before_the_work(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Sir,\n\nWe urge the Government to end torture.\n")
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    for out in (
        tmp_path,
        tmp_path / "missing" / "report.csv",
        a_file / "report.csv",
        Path("/proc/report.csv"),
    ):
        proc = hrsearch(
            "align", "--asks", str(letter), "--country", "Freedonia", "--out", str(out),
            "--index-dir", str(tmp_path / "no-index"),
        )  # fmt: skip
        # Refused for the --out path (exit 2) before the index is even opened (it does not exist: 3).
        assert proc.returncode == EXIT_USAGE and "--out" in proc.stderr, (out, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_serve_refuses_a_port_that_is_not_one_and_says_when_it_is_taken(tmp_path: Path) -> None:
    proc = hrsearch("serve", "--port", "99999", "--index-dir", str(tmp_path))
    assert proc.returncode == EXIT_USAGE and "99999" in proc.stderr, proc.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = hrsearch("serve", "--port", str(port), "--index-dir", str(tmp_path), timeout=120)
    assert proc.returncode == 5, (proc.returncode, proc.stderr[-2000:])
    assert f"port {port}" in proc.stderr and "in use" in proc.stderr and "Traceback" not in proc.stderr
