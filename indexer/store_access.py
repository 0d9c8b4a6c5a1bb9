"""Who may touch an embedded Chroma folder, and whether someone else wrote it.

Embedded Chroma is not safe across processes: a reader that loads the folder while a writer
process writes makes the writer fail, and a reader with stale vectors fails with "Error finding
id". ``AccessLock`` keeps one writer or many readers (``INDEX_DIR/chroma.lock``); ``ChangeWatch``
tells a reader that another process committed, so that it reopens the folder
(``indexer.store.ChromaStore``).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hrsearch.errors import IndexLocked
from hrsearch.settings import Settings

# Writes made in this process through each chromadb client (keyed by the id of its API object):
# a reader that shares the writer's client shares its in-memory index, so those writes never make
# it stale; writes through any other client (another process, or another client here) do.
_LOCAL_WRITES: dict[int, int] = {}
_LOCAL_LOCK = threading.Lock()


def note_write(api: Any) -> None:
    with _LOCAL_LOCK:
        _LOCAL_WRITES[id(api)] = _LOCAL_WRITES.get(id(api), 0) + 1


def _writes_through(api: Any) -> int:
    with _LOCAL_LOCK:
        return _LOCAL_WRITES.get(id(api), 0)


class ChangeWatch:
    """Tells whether anyone but ``api`` committed to an embedded Chroma's SQLite file."""

    def __init__(self, settings: Settings, api: Any) -> None:
        db = Path(settings.chroma_path()) / "chroma.sqlite3"
        self.conn = sqlite3.connect(
            f"file:{db}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
        )
        self.api = api
        self.lock = threading.Lock()
        self.seen = self._state()

    def _state(self) -> tuple[int, int]:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0]), _writes_through(self.api)

    def changed_elsewhere(self) -> bool:
        """True once after someone else wrote (unless ``api`` wrote too since the last call)."""
        with self.lock:
            try:
                now = self._state()
            except sqlite3.Error:
                return False
            moved, ours = now[0] != self.seen[0], now[1] != self.seen[1]
            self.seen = now
            return moved and not ours

    def close(self) -> None:
        self.conn.close()


class AccessLock:
    """Who may touch an embedded Chroma folder: one writer, or readers (``INDEX_DIR/chroma.lock``).

    Embedded Chroma is not safe across processes: a reader that loads the folder while a writer
    process writes makes the writer fail ("Failed to apply logs to the hnsw segment writer"),
    and a reader with stale vectors fails with "Error finding id". So a writer holds this lock
    exclusively for its whole life, and a reader takes it shared around each call without
    waiting: while a writer works, readers get no dense results rather than errors. A writer
    first takes ``chroma.intent``, which keeps new readers out, so that a stream of overlapping
    readers cannot starve it.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        self.intent_fd = os.open(path.with_suffix(".intent"), os.O_CREAT | os.O_RDWR, 0o644)
        self._mutex = threading.Lock()
        self._readers = 0

    def hold_exclusive(self, timeout_s: float) -> None:
        """Keep new readers out, wait (up to ``timeout_s``) for calls in flight, then hold it."""
        deadline = time.monotonic() + timeout_s
        for fd in (self.intent_fd, self.fd):
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        fcntl.flock(self.intent_fd, fcntl.LOCK_UN)
                        raise IndexLocked(
                            f"searches kept the Chroma store busy for {timeout_s:g} s; try again"
                        ) from None
                    time.sleep(0.005)

    def _try_shared(self, first: bool) -> bool:
        """Join the readers unless a writer is waiting or writing (``first``: take the lock)."""
        try:
            fcntl.flock(self.intent_fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        try:
            if first:
                fcntl.flock(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            fcntl.flock(self.intent_fd, fcntl.LOCK_UN)

    @contextmanager
    def shared(self) -> Iterator[bool]:
        """True (and the lock held shared) if no writer holds or wants it; False at once otherwise."""
        with self._mutex:
            free = self._try_shared(first=self._readers == 0)
            if free:
                self._readers += 1
        try:
            yield free
        finally:
            if free:
                with self._mutex:
                    self._readers -= 1
                    if self._readers == 0:
                        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        for fd in (self.fd, self.intent_fd):
            with suppress(OSError):
                os.close(fd)
