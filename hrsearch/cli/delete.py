"""``hrsearch delete``: remove documents from the index and purge their text from its files."""

from __future__ import annotations

import argparse
import sys

from hrsearch.cli.common import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, Subcommands, print_json, settings_from


def cmd_delete(args: argparse.Namespace) -> int:
    from indexer.deletion import delete_documents

    report = delete_documents(settings_from(args), args.items, purge=not args.no_purge)
    if args.json:
        print_json(report.to_dict())
    else:
        for d in report.finished:
            sys.stdout.write(
                f"finished the interrupted deletion of {d.get('doc_id')} ({d.get('passages')} passages): "
                "its text is purged from the index files\n"
            )
        for d in report.deleted:
            sys.stdout.write(f"deleted {d.get('doc_id')} ({d.get('passages')} passages)\n")
        for name in report.not_found:
            sys.stdout.write(f"not in the index: {name}\n")
        for w in report.warnings:
            sys.stdout.write(f"warning: {w}\n")
    if report.not_found:
        return EXIT_NOTHING if not (report.deleted or report.finished) else EXIT_PARTIAL
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("delete", help="delete documents by file path or document id and purge their text")
    p.add_argument("items", nargs="+", metavar="PATH|DOC_ID")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument(
        "--no-purge", action="store_true", help="skip the VACUUM that purges deleted text from the files"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_delete)
