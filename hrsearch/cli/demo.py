"""``hrsearch demo``: answer within about two minutes, then index the rest while serving.

1. index the first part of the corpus (``--first LIST``, e.g. ``demo/manifest.txt``; everything
   when no line matches), which is quick, and print the answer to a first question;
2. start ``hrsearch index CORPUS`` as a separate, lower-priority process for the rest (files
   already indexed are skipped by their content hash, so a second demo has nothing to wait for);
3. serve the API and the page while that runs; ``/ready`` and the page's banner show its progress
   (``indexer.progress``). Stopping the demo stops the background run; the next one goes on
   from where it stopped.

Why a separate process and not a thread of the server: the index run is then exactly
``hrsearch index`` (same code, same single-writer lock, same crash safety), its Python work
does not hold the server's interpreter lock, and the OS gives the server the CPU first (the run
is ``nice``d), so answers stay quick while both want the two cores. Answers during the run are as
good as at rest: the server keeps its last snapshot and searches the catalog's vectors exactly
while the writer holds Chroma (``indexer.index``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hrsearch.cli.common import EXIT_OK, EXIT_USAGE, Subcommands, err, settings_from
from hrsearch.settings import Settings

if TYPE_CHECKING:
    from indexer.embedder import Embedder

FIRST_QUESTION = "abolish the death penalty"
BACKGROUND_NICE = 10


def _shared_embedder(settings: Settings) -> Callable[[], Embedder]:
    """One model for the first index run, the first answer and the server."""
    loaded: list[Embedder] = []

    def get() -> Embedder:
        if not loaded:
            from indexer.embedder import load_embedder

            loaded.append(load_embedder(settings))
        return loaded[0]

    return get


def _first_answer(settings: Settings, embedder: Embedder) -> None:
    from indexer.index import Index
    from search_api.retrieval import Searcher, SearchRequest

    index = Index.open(settings)
    try:
        res = Searcher(index, embedder, settings).search(SearchRequest(q=FIRST_QUESTION, k=3))
    finally:
        index.close()
    sys.stdout.write(f'\n"{FIRST_QUESTION}": {res.total} hits, {res.took_ms:.0f} ms\n')
    for i, h in enumerate(res.hits, 1):
        sys.stdout.write(f"{i}. {h.citation}\n   {h.text[:200]}\n")


def start_background_index(corpus: Path, settings: Settings) -> subprocess.Popen[bytes]:
    """``hrsearch index CORPUS`` in its own session at a lower priority; its JSON report and log
    go next to the index (``background-index.json``, ``background-index.log``)."""
    out = settings.index_dir / "background-index.json"
    log = settings.index_dir / "background-index.log"
    cmd = [sys.executable, "-m", "hrsearch.cli", "index", str(corpus), "--index-dir", str(settings.index_dir)]
    with out.open("wb") as stdout, log.open("wb") as stderr:
        proc = subprocess.Popen(
            [*cmd, "--json"],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the demo, which then stops this run itself
        )
    # Lower its priority from here (a preexec_fn is unsafe once the model's threads run).
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, proc.pid, BACKGROUND_NICE)
    return proc


def stop_background_index(proc: subprocess.Popen[bytes]) -> None:
    """Stop the background run (its writes are crash-safe; the next run goes on from there)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cmd_demo(args: argparse.Namespace) -> int:
    import uvicorn

    from corpus.selection import read_selection
    from indexer.pipeline import run_index
    from search_api.app import create_app

    t0 = time.monotonic()
    settings = settings_from(args)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        err(f"no such folder: {corpus}")
        return EXIT_USAGE
    first = read_selection(Path(args.first), corpus) if args.first else []
    embedder = _shared_embedder(settings)
    part = first or [corpus]
    what = f"the first part ({len(first)} files of {args.first})" if first else str(corpus)
    sys.stdout.write(f"indexing {what} into {settings.index_dir}\n")
    sys.stdout.flush()
    r = run_index(part, settings, embedder, progress=sys.stderr.isatty())
    sys.stdout.write(
        f"{r.files_indexed} file(s) indexed, {r.files_unchanged} unchanged, {len(r.files_failed)} failed "
        f"in {r.seconds:.1f} s; {r.passages_total} passages\n"
    )
    _first_answer(settings, embedder())
    sys.stdout.write(f"first answer {time.monotonic() - t0:.1f} s after the demo started\n")
    background = start_background_index(corpus, settings) if first else None
    if background is not None:
        sys.stdout.write(
            f"indexing the rest of {corpus} in the background (pid {background.pid}); "
            "progress on the page and at /ready\n"
        )
    sys.stdout.write(f"serving on http://{args.host}:{args.port}/ (Ctrl-C stops)\n")
    sys.stdout.flush()
    try:
        uvicorn.run(
            create_app(settings, embedder=embedder()), host=args.host, port=args.port, log_level="warning"
        )
    finally:
        if background is not None:
            stop_background_index(background)
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("demo", help="index a first part, answer, serve, and index the rest in the background")
    p.add_argument("corpus", help="the corpus folder")
    p.add_argument(
        "--first",
        metavar="LIST",
        help="file listing the first part (paths or globs relative to CORPUS, e.g. demo/manifest.txt)",
    )
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_demo)
