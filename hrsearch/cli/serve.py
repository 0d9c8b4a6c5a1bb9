"""``hrsearch serve``: the HTTP API and the web page, in one process or several workers."""

from __future__ import annotations

import argparse
import os

from hrsearch.cli.common import EXIT_OK, Subcommands, settings_from
from hrsearch.errors import QueryError


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.app import create_app

    settings = settings_from(args)
    workers = getattr(args, "workers", 1)
    if workers <= 1:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
        return EXIT_OK
    if not settings.chroma_url:
        raise QueryError(
            "--workers",
            "above 1 needs a Chroma server (HRSEARCH_CHROMA_URL, see SCALING.md): embedded Chroma "
            "belongs to one process",
        )
    # Each worker process builds its app from the environment, which carries these settings.
    os.environ["HRSEARCH_INDEX_DIR"] = str(settings.index_dir)
    uvicorn.run(
        "search_api.app:create_app",
        factory=True,
        workers=workers,
        host=args.host,
        port=args.port,
        log_level="info",
    )
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("serve", help="start the HTTP API and web page")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API worker processes (default 1; above 1 needs a Chroma server, HRSEARCH_CHROMA_URL)",
    )
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.set_defaults(func=cmd_serve)
