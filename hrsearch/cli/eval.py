"""``hrsearch eval``: a thin shell over ``evaluation.runner`` and ``evaluation.report``.

Exit codes: 0 done; 2 usage error (unknown system, unreadable set, pool not in the index);
3 the index cannot be used (from ``hrsearch.cli.main``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hrsearch.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    Subcommands,
    embedder_factory,
    err,
    print_json,
    settings_from,
)


def default_out_dir() -> Path:
    return Path("runs") / time.strftime("eval-%Y%m%d-%H%M%S")


def cmd_eval(args: argparse.Namespace) -> int:
    from evaluation.datasets import DatasetError
    from evaluation.report import markdown_table, write_report
    from evaluation.runner import run_evaluation
    from evaluation.systems import UnknownSystemError, available_systems, default_systems

    systems = [s.strip() for s in (args.systems or ",".join(default_systems())).split(",") if s.strip()]
    unknown = [s for s in systems if s not in available_systems()]
    if unknown or not systems:
        err(
            f"unknown system(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(available_systems())}"
        )
        return EXIT_USAGE
    missing = [d for d in args.set if not Path(d).is_dir()]
    if missing:
        err(f"no such query set folder: {', '.join(missing)}")
        return EXIT_USAGE
    settings = settings_from(args)
    out_dir = Path(args.out) if args.out else default_out_dir()
    cache_dir = Path(args.cache_dir) if args.cache_dir else out_dir.resolve().parent / "naive-cache"
    try:
        result = run_evaluation(
            [Path(d) for d in args.set],
            settings,
            embedder_factory(settings),
            systems=systems,
            cache_dir=cache_dir,
            progress=not args.json and sys.stderr.isatty(),
            languages=[x.strip() for x in args.languages.split(",") if x.strip()] if args.languages else None,
        )
    except (DatasetError, UnknownSystemError) as e:
        err(str(e))
        return EXIT_USAGE
    result.meta["cache_dir"] = str(cache_dir)
    doc = write_report(result, out_dir)
    if args.json:
        print_json(doc)
    else:
        for r in result.sets:
            sys.stdout.write(markdown_table(r) + "\n")
        sys.stdout.write(f"written to {out_dir}\n")
    for r in result.sets:
        for w in r.warnings:
            err(f"warning: {w}")
    return EXIT_OK


def register(sub: Subcommands) -> None:
    """Add the ``eval`` subcommand to the ``hrsearch`` subparsers."""
    p = sub.add_parser("eval", help="measure retrieval quality on query sets with judgments")
    p.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="DIR",
        help="query set folder (TREC queries.tsv + qrels.tsv, or queries.jsonl); repeatable",
    )
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument(
        "--languages",
        metavar="es,fr",
        help="other languages to run each set in, when it has them (default: all it has; '-' for none)",
    )
    p.add_argument(
        "--systems",
        metavar="A,B,...",
        help="systems to compare, comma-separated (default: naive, lexical, dense, hybrid-rrf{10,30,60}, "
        "hybrid-{minmax,zscore}-w{0.3,0.5,0.7}, linker; by name also the linker's variants: "
        "linker-lw{0,0.3}-tw{0,1,2}-top{3,5}, linker-split, linker-xw{0,0.5,1}, dense-xw0)",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/eval-<timestamp>)")
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="naive baseline's embedding cache (default: naive-cache next to the output folder)",
    )
    p.add_argument(
        "--json", action="store_true", help="print all figures as JSON: {set: {system: {metric: value}}}"
    )
    p.set_defaults(func=cmd_eval)
