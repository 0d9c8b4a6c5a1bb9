"""SIGKILL of ``hrsearch index`` at evenly spaced write events, then run again.

``test_crash`` kills at random moments, which finds the kill points that last (embedding,
Chroma's writes) and misses the ones that last microseconds. This test counts the run's write
events (each write statement of the catalog's SQLite connection, each file operation:
``tests.kill_entry``) and kills at every ``STRIDE``-th one, from a random offset (printed, and
fixed by ``KILL_SWEEP_SEED``), in three runs: a first build, an update with changed, withdrawn
and new files (``--prune``), and a ``--rebuild``. After each kill, ``index --prune`` runs to its
end and the index must equal a clean build of the same folder.

CI kills at ``POINTS_PER_RUN`` events of each run, a different sample each time;
``KILL_SWEEP_POINTS=0`` kills at every event (RELIABILITY.md gives the last full sweep).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_versions, put
from tests.reliability.helpers import (
    IndexState,
    assert_same_index,
    index_state,
    kill_trace,
    run_index_cli,
    run_killed,
    settings_for,
)

# Kill points per run; KILL_SWEEP_POINTS=0 kills at every event (a few minutes per run).
POINTS_PER_RUN = int(os.environ.get("KILL_SWEEP_POINTS", "4"))
# (name, the version indexed before the killed run or None, the version it indexes, its arguments)
RUNS = [
    ("first", None, "v1", []),
    ("update", "v1", "v2", ["--prune"]),
    ("rebuild", "v1", "v2", ["--rebuild"]),
]


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], dict[str, IndexState]]:
    """The folder every run indexes (its path is part of the index), the two versions put there,
    and a clean build of each."""
    root = tmp_path_factory.mktemp("kill-sweep")
    versions = make_versions(root)
    docs = root / "docs"
    want = {}
    for name, src in versions.items():
        put(src, docs)
        ref = settings_for(root / f"ref-{name}", f"sweep-ref-{name}")
        run_index([docs], ref, lambda: HashingEmbedder())
        want[name] = index_state(ref)
    return docs, versions, want


@pytest.mark.parametrize(("name", "before", "version", "args"), RUNS, ids=[r[0] for r in RUNS])
def test_kill_at_write_events_then_rerun_equals_clean_build(
    tmp_path: Path,
    versions: tuple[Path, dict[str, Path], dict[str, IndexState]],
    name: str,
    before: str | None,
    version: str,
    args: list[str],
) -> None:
    docs, sources, want = versions
    seed = int(os.environ.get("KILL_SWEEP_SEED") or time.time())

    def start(tag: str) -> Settings:
        """A new index holding ``before``'s build, and the folder holding ``version``."""
        settings = settings_for(tmp_path / f"index-{tag}", f"sweep-{name}-{tag}")
        if before is not None:
            put(sources[before], docs)
            run_index([docs], settings, lambda: HashingEmbedder())
        put(sources[version], docs)
        return settings

    counted = start("count")
    proc = run_killed(counted, "count", str(docs), *args)
    assert proc.returncode == 0, proc.stderr
    events = int(kill_trace(counted).read_text())
    stride = max(1, events // POINTS_PER_RUN) if POINTS_PER_RUN > 0 else 1
    offset = random.Random(seed).randrange(stride)
    points = list(range(1 + offset, events + 1, stride))
    log: list[str] = []
    for k in points:
        work = start(f"k{k}")
        killed = run_killed(work, f"event:{k}", str(docs), *args)
        if killed.returncode == 0:
            # Progress is written at most once a second, so a run's count varies by a few events:
            # this one finished before its k-th.
            log.append(f"{k} (finished first)")
        else:
            assert killed.returncode == -signal.SIGKILL, (seed, k, killed.returncode, killed.stderr[-2000:])
            log.append(kill_trace(work).read_text().strip())
        code, report, err = run_index_cli(work, str(docs), "--prune")
        assert code == 0, (seed, log, err[-2000:])
        assert report is not None and not report["files_failed"], (seed, log)
        assert_same_index(index_state(work), want[version])
    landed = sum("finished first" not in line for line in log)
    print(
        f"{name}: {events} write events, killed at {landed} of {len(points)} (seed {seed}): {'; '.join(log)}"
    )
    assert landed >= len(points) - 1, (seed, log)  # only the last point can lie past a run's end
