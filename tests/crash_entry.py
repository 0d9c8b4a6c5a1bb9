"""``hrsearch index`` with the HashingEmbedder, for tests that start and kill real indexing processes.

Run as ``python -m tests.crash_entry index PATH... [--index-dir DIR] [--prune] [--rebuild] [--json]``.
It parses its arguments with the real CLI parser (``hrsearch.cli.build_parser``), builds the
settings the way the CLI does and calls the real ``indexer.pipeline.run_index``; the only
difference from ``python -m hrsearch.cli index`` is the embedder (the plumbing double from
``tests.doubles``), so a run takes seconds and a killed run loses no model-loading time.
Nothing is monkeypatched. Exit codes are the CLI's.

Before indexing it writes ``started`` to stderr, so a test can time its kill after start-up.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from hrsearch.cli import build_parser
from hrsearch.cli.common import EXIT_INDEX, EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, settings_from
from hrsearch.errors import HrsearchError, IndexError_
from indexer.pipeline import run_index
from tests.doubles import HashingEmbedder


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "index":
        sys.stderr.write("tests.crash_entry runs only the index command\n")
        return EXIT_USAGE
    settings = settings_from(args)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        sys.stderr.write(f"hrsearch: no such file or folder: {', '.join(missing)}\n")
        return EXIT_USAGE
    sys.stderr.write("started\n")
    sys.stderr.flush()
    embedder = HashingEmbedder()
    try:
        report = run_index(
            [Path(p) for p in args.paths], settings, lambda: embedder, prune=args.prune, rebuild=args.rebuild
        )
    except IndexError_ as e:
        sys.stderr.write(f"hrsearch: {e}\n")
        return EXIT_INDEX
    except HrsearchError as e:
        sys.stderr.write(f"hrsearch: {e}\n")
        return EXIT_NOTHING
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
    if report.files_failed:
        return EXIT_NOTHING if len(report.files_failed) == report.files_seen else EXIT_PARTIAL
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
