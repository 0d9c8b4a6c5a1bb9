"""The ``hrsearch`` command: a thin shell over the library, one module per command family.

``common`` holds what every command shares; ``index``, ``search``, ``link`` (link, align),
``delete``, ``fetch``, ``serve``, ``demo``, ``mcp``, ``tagger`` (tag, tagger train) and ``eval`` each add their
subcommands through ``register(subparsers)``. Command modules import ``common``, never this
module, and nothing outside this package imports it. Nothing heavy is imported until a command
runs, so ``hrsearch --help`` stays fast.

Exit codes (also in the README):
  0  success (every file indexed or unchanged; search/fetch answered)
  1  partial failure: some files (or symbols) failed, the rest was done
  2  usage error (bad arguments, unknown filter, missing path)
  3  the index cannot be used (missing, built with another model, locked by another writer,
     not an index folder, being built for the first time)
  4  nothing could be done (every file failed, every download failed)
  5  the server could not listen (``serve``: the port is taken or not allowed)

With ``--json``, an error is also printed on standard output as ``{"error": {"exit_code",
"type", "message"}}``.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence

from hrsearch.cli import delete, demo, fetch, index, link, mcp, search, serve, tagger
from hrsearch.cli import eval as evaluation  # the module name, not the builtin
from hrsearch.cli.common import EXIT_INDEX, EXIT_NOTHING, EXIT_USAGE, Subcommands, err, print_json
from hrsearch.errors import HrsearchError, IndexError_, QueryError
from hrsearch.runtime import passive_openmp

# In the order ``hrsearch --help`` lists them.
COMMANDS: tuple[Callable[[Subcommands], None], ...] = (
    index.register,
    search.register,
    link.register,
    delete.register,
    fetch.register,
    serve.register,
    demo.register,
    mcp.register,
    tagger.register,
    evaluation.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hrsearch", description="Search and link UN human rights documents."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    passive_openmp()  # before any model loads (hrsearch.runtime)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return int(args.func(args))
    except HrsearchError as e:
        if isinstance(e, QueryError):
            code = EXIT_USAGE
        elif isinstance(e, IndexError_):
            code = EXIT_INDEX
        else:
            code = EXIT_NOTHING
        err(str(e))
        if getattr(args, "json", False):  # a script reading the JSON gets the error in JSON too
            print_json({"error": {"exit_code": code, "type": type(e).__name__, "message": str(e)}})
        return code
