"""An index run killed while it creates or removes the catalog is finished by the next run.

``test_crash`` kills the indexer at random moments; once in many runs a kill landed between two
of the catalog's ``CREATE TABLE`` statements, and the next run refused the folder for good ("not
an hrsearch catalog: no hrsearch table passages"). These tests put the kill exactly there: the
indexing process (the CLI entry of ``tests.crash_entry``) SIGKILLs itself at a chosen statement
of the catalog's schema, or just before a chosen file of the catalog is unlinked by ``--rebuild``.
The next run must finish and leave the index a clean build would.

The kill is armed inside the child (``tests.kill_entry``: a SQLite authorizer on the catalog's
connection, wrappers of the file operations): the only way to stop a process at one exact
statement.
"""

from __future__ import annotations

import signal
import subprocess
import textwrap
from pathlib import Path

import pytest

from indexer.config import CATALOG_FILE
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import (
    PYTHON,
    IndexState,
    assert_same_index,
    index_state,
    run_index_cli,
    run_killed,
    settings_for,
)

SCHEMA_TABLES = ["files", "documents", "passages", "contexts", "purge_files"]
CATALOG_FILES = [CATALOG_FILE, CATALOG_FILE + "-wal", CATALOG_FILE + "-shm"]
# Kill points of a rebuild: just before each file of the catalog is removed, and just after the
# catalog itself is (before the new one exists).
REMOVAL_POINTS = [f"unlink:{n}" for n in CATALOG_FILES] + [f"unlinked:{CATALOG_FILE}"]


def leave_wal(catalog: Path) -> None:
    """Leave ``catalog`` as a process killed after a commit does: the commit in its WAL, not yet
    copied into the database file."""
    subprocess.run(
        [PYTHON, "-c", textwrap.dedent(
            """
            import os, sqlite3, sys
            con = sqlite3.connect(sys.argv[1], isolation_level=None)
            con.execute("PRAGMA wal_autocheckpoint=0")
            con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('left-by-a-killed-run', '1')")
            os._exit(0)
            """
        ), str(catalog)],
        check=True, timeout=60,
    )  # fmt: skip
    assert (catalog.parent / (CATALOG_FILE + "-wal")).stat().st_size > 0


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(
        tmp_path_factory.mktemp("killed-create") / "docs", letters=3, paragraphs=4, table_rows=40
    )


@pytest.fixture(scope="module")
def clean(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> IndexState:
    ref = settings_for(tmp_path_factory.mktemp("killed-create-ref") / "index", "killed-create-ref")
    run_index([docs], ref, lambda: HashingEmbedder())
    return index_state(ref)


@pytest.mark.parametrize("table", SCHEMA_TABLES)
def test_first_run_killed_while_creating_the_catalog(
    tmp_path: Path, docs: Path, clean: IndexState, table: str
) -> None:
    work = settings_for(tmp_path / "index", f"killed-create-{table}")
    killed = run_killed(work, f"create:{table}", str(docs))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    code, report, err = run_index_cli(work, str(docs), "--prune")
    assert code == 0, err
    assert report is not None and not report["files_failed"]
    assert_same_index(index_state(work), clean)


@pytest.mark.parametrize("point", REMOVAL_POINTS)
def test_rebuild_killed_while_removing_the_catalog(
    tmp_path: Path, docs: Path, clean: IndexState, point: str
) -> None:
    work = settings_for(tmp_path / "index", f"killed-remove-{point.replace('.', '-').replace(':', '-')}")
    # An earlier run killed in its last write leaves the catalog with its WAL and shared memory.
    killed = run_killed(work, "count", str(docs))
    assert killed.returncode == 0, killed.stderr
    leave_wal(work.index_dir / CATALOG_FILE)
    (work.index_dir / "progress.tmp123").write_text("{")  # and a progress write it cut short
    killed = run_killed(work, point, str(docs), "--rebuild")
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    code, report, err = run_index_cli(work, str(docs), "--prune")
    assert code == 0, err
    assert report is not None and not report["files_failed"]
    assert_same_index(index_state(work), clean)
