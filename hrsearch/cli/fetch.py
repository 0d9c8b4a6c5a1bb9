"""``hrsearch fetch``: download UN documents by symbol, with a sidecar of what the symbol tells."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hrsearch.cli.common import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, Subcommands, print_json, settings_from


def cmd_fetch(args: argparse.Namespace) -> int:
    from corpus.fetch import fetch

    settings = settings_from(args)
    report = fetch(args.symbols, settings, lang=args.lang, into=Path(args.into))
    if args.json:
        print_json(report.to_dict())
    else:
        for f in report.fetched:
            sys.stdout.write(f"fetched {f}\n")
        for f in report.skipped:
            sys.stdout.write(f"already there {f}\n")
        for failure in report.failed:
            sys.stdout.write(f"FAILED {failure['symbol']}: {failure['error']}\n")
    if report.failed:
        return EXIT_NOTHING if not (report.fetched or report.skipped) else EXIT_PARTIAL
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("fetch", help="download UN documents by symbol")
    p.add_argument("symbols", nargs="+", metavar="SYMBOL")
    p.add_argument("--lang", default="en", help="language code (default en)")
    p.add_argument("--into", default="documents", help="folder to save into (default ./documents)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fetch)
