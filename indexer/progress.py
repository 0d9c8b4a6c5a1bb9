"""How far an index run has got, for anyone else who looks at the index folder.

``run_index`` writes ``INDEX_DIR/progress.json`` (atomically, at most about once a second) while
it works: files done of the files to look at, passages in the index, and an estimate of the time
left. The serving process reads it for ``/ready`` and the web page's banner while a background
``hrsearch index`` fills the index (``make demo``). The estimate counts bytes, not files: one
file of the corpus (a table of 41,000 recommendations) holds a third of its passages, and bytes
follow passages much more closely than files do.

A file left by a run that died says ``indexing`` while nobody holds the write lock: readers then
take it as not running (``read_progress``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from indexer.config import LOCK_FILE

PROGRESS_FILE = "progress.json"
WRITE_EVERY_S = 1.0


def writer_active(index_dir: Path) -> bool:
    """Whether some process (this one included) holds the index's write lock."""
    try:
        fd = os.open(index_dir / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken
    return False


class Progress:
    """The progress of one index run, written to the index folder as it moves."""

    def __init__(self, index_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = index_dir / PROGRESS_FILE
        self._clock = clock
        self.started_at = clock()
        self._written_at = 0.0
        self.files_total = 0
        self.files_done = 0
        self.bytes_total = 0
        self.bytes_done = 0
        self.bytes_pending = 0  # bytes of files read but not yet written (embedding in progress)
        self.pending_fraction = 0.0  # share of their texts embedded so far
        self.passages_total = 0
        self.passages_embedded = 0
        self.state = "indexing"

    def plan(self, files_total: int, bytes_total: int, passages_total: int) -> None:
        """What this run has to look at (files unchanged since the last run cost nothing)."""
        self.files_total, self.bytes_total, self.passages_total = files_total, bytes_total, passages_total
        self.write(force=True)

    def skipped(self, nbytes: int = 0) -> None:
        """A file that needed no work (failed files too: their bytes are done with)."""
        self.files_done += 1
        self.bytes_done += nbytes
        self.write()

    def reading(self, nbytes: int) -> None:
        """A file was read and segmented; it is written with the next batch."""
        self.bytes_pending += nbytes

    def embedded(self, done: int, of: int, texts: int) -> None:
        """``done`` of the ``of`` texts of the current batch have vectors (``texts`` just now)."""
        self.passages_embedded += texts
        self.pending_fraction = done / of if of else 0.0
        self.write()

    def written(self, files: int, passages_total: int) -> None:
        """A batch of ``files`` is in the index, which now holds ``passages_total`` passages."""
        self.files_done += files
        self.bytes_done += self.bytes_pending
        self.bytes_pending, self.pending_fraction = 0, 0.0
        self.passages_total = passages_total
        self.write(force=True)

    def finish(self, passages_total: int) -> None:
        self.state = "done"
        self.files_done = self.files_total
        self.bytes_done, self.bytes_pending = self.bytes_total, 0
        self.passages_total = passages_total
        self.write(force=True)

    def eta_seconds(self) -> float | None:
        """Seconds left at the byte rate so far; None until there is a rate to go by."""
        if self.state == "done":
            return 0.0
        done = self.bytes_done + self.bytes_pending * self.pending_fraction
        elapsed = self._clock() - self.started_at
        if done <= 0 or elapsed < 2.0:
            return None
        return round(max(self.bytes_total - done, 0) * elapsed / done, 1)

    def as_dict(self) -> dict[str, Any]:
        now = self._clock()
        return {
            "state": self.state,
            "pid": os.getpid(),
            "started_at": round(self.started_at, 3),
            "updated_at": round(now, 3),
            "elapsed_seconds": round(now - self.started_at, 1),
            "files_done": self.files_done,
            "files_total": self.files_total,
            "bytes_done": self.bytes_done,
            "bytes_total": self.bytes_total,
            "passages": self.passages_total,
            "passages_embedded": self.passages_embedded,
            "eta_seconds": self.eta_seconds(),
        }

    def write(self, *, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._written_at < WRITE_EVERY_S:
            return
        self._written_at = now
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        # Progress is a courtesy to readers: a full disk or a read-only folder must not stop indexing.
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(self.as_dict()), encoding="utf-8")
            tmp.replace(self.path)


def read_progress(index_dir: Path) -> dict[str, Any] | None:
    """The last progress written to ``index_dir``, with ``active`` telling whether the run is still
    going (it holds the write lock); None when no run ever wrote one."""
    try:
        data = json.loads((index_dir / PROGRESS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    data["active"] = data.get("state") == "indexing" and writer_active(index_dir)
    if data.get("state") == "indexing" and not data["active"]:
        data["state"] = "stopped"  # the run died or was stopped; the next one goes on from there
        data["eta_seconds"] = None
    return data
