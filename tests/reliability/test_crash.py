"""Crash safety: ``hrsearch index`` killed with SIGKILL at random points, then run again.

Each round puts one version of a folder in place (v1 and v2 differ in changed, deleted and added
letters and a rewritten table), starts the real indexing entry point as a subprocess (with the
HashingEmbedder, see ``tests/crash_entry.py``), kills it with SIGKILL after a random delay, runs it
again to the end and checks that the index equals a clean build of the same folder: same files,
documents, passage ids, texts and metadata, no duplicates, and Chroma and BM25 in agreement with
the catalog. Rounds alternate versions with ``--prune`` (incremental replace and removal), some
use ``--rebuild``, and some kill the recovery run as well.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_versions, put
from tests.reliability.helpers import assert_same_index, index_state, run_index_cli, settings_for, start_index

MIN_KILLS = 10
MAX_ROUNDS = 16
# (folder version, extra arguments of the killed run, kills before the run that completes)
ROUNDS = [
    ("v1", [], 1),
    ("v2", ["--prune"], 1),
    ("v1", ["--prune"], 1),
    ("v2", ["--prune"], 2),
    ("v1", ["--rebuild"], 1),
    ("v2", ["--prune"], 1),
    ("v1", ["--prune"], 2),
    ("v2", ["--rebuild"], 1),
]


def _kill_after(settings: Settings, args: list[str], delay: float) -> bool:
    """Start the indexer, SIGKILL it ``delay`` s after its start-up; True if it was still running."""
    proc = start_index(settings, *args)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.strip() == "started", line
    time.sleep(delay)
    landed = proc.poll() is None
    if landed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=120)
    if landed:
        assert proc.returncode == -signal.SIGKILL
    return landed


def test_sigkill_at_random_points_then_rerun_equals_clean_build(tmp_path: Path) -> None:
    seed = int(os.environ.get("CRASH_TEST_SEED") or time.time())
    rng = random.Random(seed)
    versions = make_versions(tmp_path)
    docs = tmp_path / "docs"
    want = {}
    durations: list[float] = []
    for name, src in versions.items():
        put(src, docs)
        ref = settings_for(tmp_path / f"ref-{name}", f"ref-{name}")
        t0 = time.perf_counter()
        run_index([docs], ref, lambda: HashingEmbedder())
        durations.append(time.perf_counter() - t0)
        want[name] = index_state(ref)
    assert want["v1"].ids != want["v2"].ids and len(want["v1"].ids) > 2048  # more than one flush

    work = settings_for(tmp_path / "index", "work")
    window = max(durations)
    kills, log = 0, list[str]()
    rounds = list(ROUNDS)
    while rounds and len(log) < MAX_ROUNDS:
        version, args, n_kills = rounds.pop(0)
        put(versions[version], docs)
        for _ in range(n_kills):
            delay = rng.uniform(0.0, window)
            landed = _kill_after(work, [str(docs), *args], delay)
            kills += landed
            log.append(
                f"{version} {' '.join(args)} kill at {delay:.2f}s{'' if landed else ' (finished first)'}"
            )
        code, report, err = run_index_cli(work, str(docs), "--prune")
        assert code == 0, (seed, log, err)
        assert report is not None and not report["files_failed"]
        assert_same_index(index_state(work), want[version])
        if not rounds and kills < MIN_KILLS:
            rounds.append(("v2" if version == "v1" else "v1", ["--prune"], 1))
    assert kills >= MIN_KILLS, (seed, log)
