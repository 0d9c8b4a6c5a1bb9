"""``tests.crash_entry`` with a SIGKILL armed at one exact point of the run, for crash tests.

Run as ``python -m tests.kill_entry POINT COUNT_FILE index PATH... [--index-dir DIR] ...``.

A random delay (``test_crash``) finds the kill points that take time; the ones that take
microseconds (between two SQL statements, between removing two files) it hits once in many runs.
This entry stops the process at a chosen one. Every *write event* of the run is counted: each
write statement the catalog's SQLite connection runs (seen by a SQLite authorizer, with the
statement cache off so that every execution is prepared again: inserts, updates, deletes,
transactions; not its schema statements) and each file operation of the index's
code (``Path.unlink/rename/replace/mkdir/write_text/write_bytes``, ``os.replace``,
``shutil.rmtree``). POINT is one of:

- ``count``: no kill; the number of events is written to COUNT_FILE when the run ends;
- ``event:N``: SIGKILL just before the N-th event (its description goes to COUNT_FILE first);
- ``create:TABLE``: just before the catalog's ``CREATE TABLE TABLE``;
- ``unlink:NAME`` / ``unlinked:NAME``: just before / just after a file named NAME is removed.

Chroma's own writes happen in its Rust core and are not events: ``test_crash``'s random kills
cover them. Exit codes are ``tests.crash_entry``'s.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from indexer.config import CATALOG_FILE

# The statements counted: writes to the catalog's tables and transactions. Its schema statements
# (``CREATE TABLE IF NOT EXISTS``, prepared at every open, nearly always no-ops) would be most of
# the events; ``test_killed_create`` kills at each of them by name instead.
_WRITES = {
    sqlite3.SQLITE_INSERT: "insert",
    sqlite3.SQLITE_UPDATE: "update",
    sqlite3.SQLITE_DELETE: "delete",
    sqlite3.SQLITE_DROP_TABLE: "drop",
    sqlite3.SQLITE_TRANSACTION: "transaction",
}
_PATH_OPS = ("unlink", "rename", "replace", "mkdir", "write_text", "write_bytes")


class Trap:
    """Counts the run's write events and kills the process at the armed one."""

    def __init__(self, point: str, count_file: Path) -> None:
        self.kind, _, self.arg = point.partition(":")
        self.count_file = count_file
        self.events = 0

    def die(self, what: str) -> None:
        with open(self.count_file, "w", encoding="utf-8") as f:  # open(): not an event itself
            f.write(f"{self.events} {what}\n")
        os.kill(os.getpid(), signal.SIGKILL)

    def event(self, what: str) -> None:
        self.events += 1
        if self.kind == "event" and self.events == int(self.arg):
            self.die(what)

    def sql(self, action: int, arg1: str | None) -> None:
        if action in _WRITES and arg1 != "sqlite_master":
            self.event(f"sql {_WRITES[action]} {arg1}")
        if self.kind == "create" and action == sqlite3.SQLITE_CREATE_TABLE and arg1 == self.arg:
            self.die(f"create {arg1}")

    def path_op(self, name: str, path: Path, call: Callable[[], Any]) -> Any:
        self.event(f"{name} {path.name}")
        removing = name == "unlink" and path.name == self.arg and path.exists()
        if removing and self.kind == "unlink":
            self.die(f"unlink {path.name}")
        result = call()
        if removing and self.kind == "unlinked":
            self.die(f"unlinked {path.name}")
        return result

    def install(self) -> None:
        connect = sqlite3.connect

        def traced_connect(database: Any, *args: Any, **kw: Any) -> sqlite3.Connection:
            catalog = str(database).endswith(CATALOG_FILE)
            if catalog:  # no statement cache: the authorizer sees a statement at every preparation
                kw["cached_statements"] = 0
            con = connect(database, *args, **kw)
            if catalog:

                def authorize(action: int, arg1: str | None, *_: Any) -> int:
                    self.sql(action, arg1)
                    return sqlite3.SQLITE_OK

                con.set_authorizer(authorize)
            return con

        sqlite3.connect = traced_connect  # type: ignore[assignment]
        for name in _PATH_OPS:
            original = getattr(Path, name)

            def traced(
                path: Path, *args: Any, _original: Any = original, _name: str = name, **kw: Any
            ) -> Any:
                return self.path_op(_name, path, lambda: _original(path, *args, **kw))

            setattr(Path, name, traced)
        replace, rmtree = os.replace, shutil.rmtree

        def traced_replace(src: Any, dst: Any, *args: Any, **kw: Any) -> None:
            self.path_op("os.replace", Path(dst), lambda: replace(src, dst, *args, **kw))

        def traced_rmtree(path: Any, *args: Any, **kw: Any) -> None:
            self.path_op("rmtree", Path(path), lambda: rmtree(path, *args, **kw))

        os.replace = traced_replace
        shutil.rmtree = traced_rmtree  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    point, count_file, rest = argv[0], Path(argv[1]), argv[2:]
    trap = Trap(point, count_file)
    trap.install()
    from tests.crash_entry import main as index_main

    code = index_main(rest)
    if trap.kind == "count":
        with open(count_file, "w", encoding="utf-8") as f:
            f.write(f"{trap.events}\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
