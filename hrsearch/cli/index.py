"""``hrsearch index``: read, segment, embed and store files and folders (incremental)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hrsearch.cli.common import (
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_PARTIAL,
    Subcommands,
    embedder_factory,
    print_json,
    settings_from,
)
from hrsearch.errors import QueryError


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.pipeline import run_index

    settings = settings_from(args)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise QueryError("paths", f"no such file or folder: {', '.join(missing)}")
    report = run_index(
        [Path(p) for p in args.paths],
        settings,
        embedder_factory(settings),
        prune=args.prune,
        rebuild=args.rebuild,
        progress=not args.json and sys.stderr.isatty(),
    )
    if args.json:
        print_json(report.to_dict())
    else:
        r = report
        sys.stdout.write(
            f"indexed {r.files_indexed} file(s), {r.files_unchanged} unchanged, {len(r.files_failed)} failed, "
            f"{r.files_removed} removed of {r.files_seen} seen in {r.seconds:.1f} s\n"
            f"passages: +{r.passages_added} -{r.passages_removed}, {r.passages_embedded} embedded; "
            f"{r.passages_total} in {r.documents_total} document(s) at {r.index_dir}\n"
        )
        for f in r.files_failed:
            sys.stdout.write(f"  FAILED {f['path']}: {f['error']}\n")
        for w in r.warnings:
            sys.stdout.write(f"  warning {w['path']}: {w['warning']}\n")
    if report.files_failed:
        return EXIT_NOTHING if len(report.files_failed) == report.files_seen else EXIT_PARTIAL
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("index", help="index files or folders (incremental)")
    p.add_argument("paths", nargs="+", help="files or folders to index")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument(
        "--prune", action="store_true", help="remove passages of files under PATHS that disappeared"
    )
    p.add_argument("--rebuild", action="store_true", help="delete the index and build it anew")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_index)
