"""What every ``hrsearch`` command shares: exit codes, messages, JSON output, settings, the model.

Command modules import this module, never ``hrsearch.cli`` itself, so the package has no import
cycle. Nothing heavy is imported here: the embedder and the index open when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from hrsearch.settings import Settings

if TYPE_CHECKING:
    from indexer.embedder import Embedder
    from search_api.retrieval import Searcher

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_INDEX, EXIT_NOTHING, EXIT_SERVE = 0, 1, 2, 3, 4, 5

# What ``add_subparsers()`` returns: each command module's ``register`` adds its commands to it.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def err(msg: str) -> None:
    """A message for the user on standard error, prefixed with the program name."""
    sys.stderr.write(f"hrsearch: {msg}\n")


def print_json(obj: Any) -> None:
    """``obj`` as indented JSON (UTF-8 kept as is) on standard output; text that cannot be UTF-8
    (a lone surrogate from a command line) is escaped rather than failing the output."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of one command: the environment, and ``--index-dir`` when given."""
    overrides: dict[str, Any] = {}
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = Path(args.index_dir)
    return Settings(**overrides)


def embedder_factory(settings: Settings) -> Callable[[], Embedder]:
    """A function that loads the configured embedder: called only once a command needs vectors."""

    def make() -> Embedder:
        from indexer.embedder import load_embedder

        return load_embedder(settings)

    return make


def open_searcher(settings: Settings) -> Searcher:
    """A searcher over the configured index, with the configured embedder loaded."""
    from hrsearch.errors import IndexMissing
    from indexer.index import Index
    from search_api.retrieval import Searcher

    index = Index.open(settings)
    if index.being_built:
        n = index.passage_count()
        if n == 0:
            index.close()
            raise IndexMissing(
                f"the index at {settings.index_dir} is being built (its first run has stored nothing "
                "yet); try again when it is done"
            )
        err(f"note: the index is still being built ({n:,} passages so far); answers are partial")
    return Searcher(index, embedder_factory(settings)(), settings)
