"""``hrsearch link`` (the precedent finder) and ``hrsearch align`` (asks against one review)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hrsearch.cli.common import (
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    Subcommands,
    err,
    open_searcher,
    print_json,
    settings_from,
)
from hrsearch.errors import QueryError
from hrsearch.settings import Settings

if TYPE_CHECKING:
    from search_api.retrieval import Linker


def open_linker(settings: Settings) -> Linker:
    """The linker over the configured index (both commands link through it)."""
    from search_api.retrieval import Linker

    return Linker(open_searcher(settings), settings)


def cmd_link(args: argparse.Namespace) -> int:
    from search_api.filters import Filters
    from search_api.limits import check_link
    from search_api.link_service import link_result_dict
    from search_api.text_input import check_text

    settings = settings_from(args)
    if args.passage:
        check_text("passage_id", args.text)
    filters = Filters.from_pairs(args.filter or [], max_values=settings.max_filter_values)
    check_link(None if args.passage else args.text, args.target, args.k, 0, settings, export=True)
    linker = open_linker(settings)
    if args.passage:
        res = linker.link_passage(args.text, target=args.target, k=args.k, filters=filters)
    else:
        res = linker.link(args.text, k=args.k, filters=filters, target=args.target or "recommendation")
    if args.json:
        print_json(link_result_dict(res, args.k, 0))
        return EXIT_OK
    if not res.hits:
        sys.stdout.write("no results\n")
    for i, h in enumerate(res.hits, 1):
        link = h.link or {}
        m = h.metadata
        extra = ", ".join(
            str(x)
            for x in (
                m.get("response"),
                f"action category {m['action_category']}" if m.get("action_category") else None,
            )
            if x
        )
        sys.stdout.write(
            f"{i:2d}. [{link.get('similarity', 0):.2f} {link.get('match', '')}] {h.citation}"
            + (f"  ({extra})" if extra else "")
            + f"\n    {h.text[:400]}\n"
        )
    return EXIT_OK


def cmd_align(args: argparse.Namespace) -> int:
    from search_api.alignment import align, asks_from_files, report_csv
    from search_api.text_input import check_text

    settings = settings_from(args)
    check_text("country", args.country)
    if args.out:
        check_writable(Path(args.out))  # before the work, not after it
    missing = [p for p in args.asks if not Path(p).exists()]
    if missing:
        err(f"no such file or folder: {', '.join(missing)}")
        return EXIT_USAGE
    asks, failed = asks_from_files([Path(p) for p in args.asks], settings)
    for f in failed:
        err(f"{f['path']}: {f['error']}")
    if not asks:
        err("no ask found in the documents given")
        return EXIT_NOTHING
    # On one's own machine there is no bound on the work (the HTTP edge has them, run_align).
    report = align(open_linker(settings), asks, country=args.country, cycle=args.cycle, settings=settings)
    if args.out:
        out = Path(args.out)
        text = (
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
            if out.suffix == ".json"
            else report_csv(report)
        )
        try:
            out.write_text(text, encoding="utf-8", errors="backslashreplace")
        except OSError as e:  # it became unwritable during the alignment
            raise QueryError("--out", f"cannot write {out}: {e.strerror or e}") from e
    if args.json:
        print_json(report.to_dict())
    else:
        c = report.counts
        sys.stdout.write(
            f"{len(report.asks)} ask(s) against {report.recommendations_in_review} recommendation(s) to {report.country}"
            + (f", cycle {report.cycle}" if report.cycle else "")
            + f": {c['taken up']} taken up, {c['partly']} partly, {c['not taken up']} not taken up\n"
        )
        for r in report.asks:
            sys.stdout.write(f"[{r.verdict}] {r.ask.citation}: {r.ask.text[:150]}\n")
            for m in r.matches[:3]:
                sys.stdout.write(
                    f"    {m.similarity:.2f} {m.citation} [{m.response or '?'}] {m.text[:100]}\n"
                )
            if r.verdict == "not taken up":
                sys.stdout.write(f"    reason: {r.reason}\n")
        if args.out:
            sys.stdout.write(f"report written to {args.out}\n")
    return EXIT_PARTIAL if failed else EXIT_OK


def check_writable(out: Path) -> None:
    """``QueryError`` unless a report can be written to ``out`` (not a folder, in a folder that
    exists; opened for appending to be sure, which permission bits alone do not tell root)."""
    where = out.expanduser()
    parent = where.parent
    if where.is_dir():
        raise QueryError("--out", f"{out} is a folder; give a file name such as {where / 'report.csv'}")
    if not parent.is_dir():
        raise QueryError("--out", f"cannot write {out}: the folder {parent} does not exist")
    existed = where.exists()
    try:
        with where.open("a"):
            pass
    except OSError as e:
        raise QueryError("--out", f"cannot write {out}: {e.strerror or e}") from e
    if not existed:
        where.unlink(missing_ok=True)


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "link", help="recommendations closest to a text (precedent finder), or links of a passage"
    )
    p.add_argument("text", help="the text to link (or a passage id with --passage)")
    p.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--passage", action="store_true", help="TEXT is the id of an indexed passage")
    p.add_argument(
        "--target",
        choices=["recommendation", "ask", "observation", "paragraph"],
        help="kind of passage to find",
    )
    p.add_argument("--filter", action="append", metavar="FIELD=VALUE", help="filter (repeatable)")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("align", help="alignment report of civil-society asks against one review")
    p.add_argument(
        "--asks", nargs="+", required=True, metavar="PATH", help="letters or submissions (files or folders)"
    )
    p.add_argument("--country", required=True, help="country under review, e.g. 'United States of America'")
    p.add_argument("--cycle", type=int, help="UPR cycle")
    p.add_argument("--out", help="write the report to this file (.csv, or .json)")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_align)
