"""Parsing under a time and memory limit: ``load_document_limited(path, settings)``.

Parsers meet hostile files: a PDF whose cross-references loop, a decompression bomb, a zip bomb
named ``.docx``, HTML nested a million levels deep. ``load_document`` runs here in a worker
process whose address space is capped (``RLIMIT_AS`` = what the worker needs idle plus
``settings.parse_memory_mb``) and which is killed when one file takes longer than
``settings.parse_timeout_s``. Either way the caller gets a ``CorpusError`` naming the file and the
limit, and the next file gets a fresh worker; the indexing run goes on.

The worker is started once (``python -m corpus.sandbox``: a clean interpreter that inherits
neither the model, nor the index's write lock, nor any thread, and does not re-import the
caller's main module as multiprocessing's ``spawn`` would) and kept for the next files, so the
cost per file is one round trip through a socket, not a process start. It exits when its parent
does (the socket closes). One worker serves one file at a time; concurrent callers wait their turn.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
from contextlib import suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from corpus.models import Document
from hrsearch import errors
from hrsearch.errors import CorpusError
from hrsearch.settings import Settings

_START_TIMEOUT_S = 60.0
# Defaults of the settings ``parse_timeout_s`` and ``parse_memory_mb`` (read with getattr, so the
# sandbox also works with a Settings object that predates them).
DEFAULT_PARSE_TIMEOUT_S = 120.0
DEFAULT_PARSE_MEMORY_MB = 2048
# Exceptions a worker may report, by name: the caller gets the same class back.
_CORPUS_ERRORS: dict[str, type[CorpusError]] = {
    cls.__name__: cls
    for cls in (
        errors.CorpusError, errors.UnsupportedFormat, errors.EncryptedDocument, errors.EmptyDocument, errors.FileTooLarge,
    )
}  # fmt: skip


def limits(settings: Settings) -> tuple[float, int]:
    """(seconds, megabytes) one file may take to parse."""
    return (
        float(getattr(settings, "parse_timeout_s", DEFAULT_PARSE_TIMEOUT_S)),
        int(getattr(settings, "parse_memory_mb", DEFAULT_PARSE_MEMORY_MB)),
    )


def load_document_limited(path: Path, settings: Settings) -> Document:
    """``corpus.loader.load_document`` in the sandbox worker, within the configured limits.

    Raises ``CorpusError(path, "parsing took longer than N s ...")`` or ``CorpusError(path,
    "parsing needed more than N MB ...")`` when a limit is hit, and the loader's own
    ``CorpusError`` otherwise.
    """
    return _sandbox().load(path, settings)


def worker_pid() -> int | None:
    """The process id of the running parsing worker, None when none runs. One worker serves file
    after file (a process start per file would cost more than most parses); it is replaced only
    after a timeout, a crash, a memory error or a change of the memory limit."""
    with _SANDBOX_LOCK:
        proc = _SANDBOX._proc if _SANDBOX is not None else None
    return int(proc.pid) if proc is not None and proc.poll() is None else None


def shutdown() -> None:
    """Stop the worker (it is started again on the next call)."""
    global _SANDBOX
    with _SANDBOX_LOCK:
        if _SANDBOX is not None:
            _SANDBOX.stop()
            _SANDBOX = None


_SANDBOX: _Sandbox | None = None
_SANDBOX_LOCK = threading.Lock()


def _sandbox() -> _Sandbox:
    global _SANDBOX
    with _SANDBOX_LOCK:
        if _SANDBOX is None:
            _SANDBOX = _Sandbox()
            atexit.register(shutdown)
        return _SANDBOX


class _Sandbox:
    """One worker process and the pipe to it; restarted after a timeout, a crash or a memory error."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._memory_mb = 0

    def load(self, path: Path, settings: Settings) -> Document:
        timeout_s, memory_mb = limits(settings)
        with self._lock:
            conn = self._ensure(memory_mb)
            conn.send((str(path), settings))
            if not conn.poll(timeout_s):
                self.stop()
                raise CorpusError(
                    path, f"parsing took longer than {timeout_s:g} s (setting HRSEARCH_PARSE_TIMEOUT_S)"
                )
            try:
                reply = conn.recv()
            except (EOFError, OSError):
                code = self._exit_code()
                self.stop()
                raise CorpusError(path, _died(code, memory_mb)) from None
        kind = reply[0]
        if kind == "ok":
            doc: Document = reply[1]
            return doc
        if kind == "memory":
            self.stop()  # its heap is fragmented and close to the limit: start afresh
            raise CorpusError(path, _memory_reason(memory_mb))
        raise _CORPUS_ERRORS.get(reply[1], CorpusError)(path, reply[2])

    def _ensure(self, memory_mb: int) -> Connection:
        if self._proc is not None and (self._proc.poll() is not None or memory_mb != self._memory_mb):
            self.stop()
        if self._proc is None or self._conn is None:
            ours, theirs = socket.socketpair()
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
            proc = subprocess.Popen(
                [sys.executable, "-m", "corpus.sandbox", str(theirs.fileno()), str(memory_mb)],
                pass_fds=[theirs.fileno()],
                env=env,
                stdin=subprocess.DEVNULL,
            )
            theirs.close()
            conn = Connection(ours.detach())
            if not conn.poll(_START_TIMEOUT_S) or conn.recv() != "ready":
                proc.kill()
                proc.wait()
                conn.close()
                raise CorpusError("(parser)", "the parsing worker process did not start")
            self._proc, self._conn, self._memory_mb = proc, conn, memory_mb
        return self._conn

    def _exit_code(self) -> int | None:
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def _memory_reason(memory_mb: int) -> str:
    return f"parsing needed more than {memory_mb} MB (setting HRSEARCH_PARSE_MEMORY_MB)"


def _died(code: int | None, memory_mb: int) -> str:
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    else:
        how = f"exit code {code}"
    return f"the parser stopped on this file ({how}); it is malformed or needed more than {memory_mb} MB"


# --- in the worker process --------------------------------------------------------------------
def _worker(fd: int, memory_mb: int) -> None:
    """Serve ``(path, settings)`` requests until the pipe closes; reply ``("ok", Document)``,
    ``("error", class name, reason)`` or ``("memory",)``."""
    from corpus.loader import load_document

    conn = Connection(fd)
    _preload()
    _limit_memory(memory_mb)
    conn.send("ready")
    while True:
        try:
            path, settings = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", load_document(Path(path), settings))
        except MemoryError:
            reply = ("memory",)
        except CorpusError as e:
            cause = e.__cause__
            if isinstance(cause, MemoryError):
                reply = ("memory",)
            elif isinstance(cause, RecursionError):
                reply = ("error", "CorpusError", "too deeply nested to parse (RecursionError)")
            else:
                reply = ("error", type(e).__name__, e.reason)
        except RecursionError:
            reply = ("error", "CorpusError", "too deeply nested to parse (RecursionError)")
        except Exception as e:  # a parser bug: still this file's error, and the worker goes on
            reply = ("error", "CorpusError", f"could not be read: {type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory",))
        if reply[0] == "memory":
            return


def _preload() -> None:
    """Import the readers and load language profiles before the limit is set: that memory is the
    worker's own, not a file's."""
    import corpus.language
    import corpus.readers.docx
    import corpus.readers.html
    import corpus.readers.pdf
    import corpus.readers.table
    import corpus.readers.text

    with suppress(Exception):  # only a warm-up
        corpus.language.detect_language(
            "The Committee recommends that the State party ratify the Convention."
        )


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: time limit only
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            idle = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # no /proc (macOS, where RLIMIT_AS is not enforced anyway)
        return
    limit = idle + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    _worker(int(sys.argv[1]), int(sys.argv[2]))
