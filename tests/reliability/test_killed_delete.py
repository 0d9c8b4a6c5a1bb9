"""A killed ``hrsearch delete`` is finished by the next command (issue 18, item 2).

``hrsearch delete`` promises that a withdrawn letter's text is gone from every file of the index.
Its purge (Chroma's log written over, SQLite files vacuumed) takes a second or two; SIGKILLed
meanwhile, it used to leave the text in ``chroma.sqlite3`` (``embeddings_queue``) for good: the
re-run answered "not in the index" (exit 4) and purged nothing. The deletion now records its
pending purge in the catalog in the same transaction that removes the passages, and every writer
(the next ``delete``, ``index``) finishes it when it opens the index.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import letter_text, make_corpus
from tests.reliability.helpers import PYTHON, REPO, cli_env, index_state, run_index_cli, settings_for

SECRET = "The Quillwort Coalition names its informant Ysolde Varga-Tremaine at the Northgate checkpoint"
NEEDLES = [SECRET.encode("utf-8"), b"Varga-Tremaine", "Varga-Tremaine".encode("utf-16-le")]
MAX_TRIES = 8


def files_holding(root: Path) -> list[str]:
    """Every file under ``root`` holding the letter's words (what ``grep -rl`` would list)."""
    return [
        str(f.relative_to(root))
        for f in sorted(root.rglob("*"))
        if f.is_file() and any(n in f.read_bytes() for n in NEEDLES)
    ]


def build(tmp_path: Path, name: str) -> tuple[Settings, Path, Path]:
    docs = make_corpus(tmp_path / f"docs-{name}", letters=6, paragraphs=8, table_rows=300)
    withdrawn = docs / "withdrawn.txt"
    withdrawn.write_text(letter_text(random.Random(5), 6, marker=SECRET + "."), encoding="utf-8")
    settings = settings_for(tmp_path / f"index-{name}", f"kill-{name}")
    run_index([docs], settings, lambda: HashingEmbedder())
    assert files_holding(settings.index_dir)
    return settings, docs, withdrawn


def cli(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-m", "hrsearch.cli", *args, "--json"],
        cwd=REPO,
        env=cli_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def file_row_gone(settings: Settings, path: Path) -> bool:
    con = sqlite3.connect(f"file:{settings.index_dir / 'catalog.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT 1 FROM files WHERE path=?", (str(path.resolve()),)).fetchone() is None
    except sqlite3.OperationalError:  # locked for a moment by the writer
        return False
    finally:
        con.close()


def kill_delete_mid_purge(settings: Settings, withdrawn: Path, delay: float | None) -> bool:
    """Start ``hrsearch delete``, SIGKILL it once its removal is committed (or after ``delay`` s);
    True if it died after committing the removal, with the letter's words still in some file of
    the index (a kill before the commit deleted nothing: the next delete simply does it)."""
    proc = cli(settings, "delete", str(withdrawn))
    t0 = time.monotonic()
    while proc.poll() is None:
        if (delay is None and file_row_gone(settings, withdrawn)) or (
            delay is not None and time.monotonic() - t0 >= delay
        ):
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.communicate(timeout=120)
    killed = proc.returncode == -signal.SIGKILL
    return killed and file_row_gone(settings, withdrawn) and bool(files_holding(settings.index_dir))


@pytest.mark.parametrize("next_command", ["delete", "index"])
def test_a_killed_delete_is_finished_by_the_next_command(tmp_path: Path, next_command: str) -> None:
    rng = random.Random(int(os.environ.get("CRASH_TEST_SEED") or time.time()))
    landed = 0
    for attempt in range(MAX_TRIES):
        settings, docs, withdrawn = build(tmp_path, f"{next_command}{attempt}")
        # Kill at the moment the removal is committed, or at a random point of the purge.
        delay = None if attempt % 2 == 0 else rng.uniform(0.3, 2.5)
        if not kill_delete_mid_purge(settings, withdrawn, delay):
            continue
        landed += 1
        if next_command == "delete":  # the user runs the same command again
            proc = cli(settings, "delete", str(withdrawn))
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, (out, err)
            report = json.loads(out)
            assert not report["not_found"] and report["finished"], report
        else:  # or indexes the folder, the letter moved out of it
            withdrawn.unlink()
            code, report, err = run_index_cli(settings, str(docs), "--prune")
            assert code == 0, err
        assert files_holding(settings.index_dir) == [], (attempt, delay)
        state = index_state(settings)  # catalog, Chroma and BM25 agree
        assert not any(SECRET in text for text, _ in state.passages.values())
        if landed >= 2:
            break
    assert landed >= 2, f"only {landed} of {MAX_TRIES} kills landed during the purge"
