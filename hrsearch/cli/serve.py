"""``hrsearch serve``: the HTTP API and the web page, in one process or several workers."""

from __future__ import annotations

import argparse
import os
import socket

from hrsearch.cli.common import EXIT_OK, EXIT_SERVE, Subcommands, err, settings_from
from hrsearch.errors import QueryError


def port_number(text: str) -> int:
    """``--port``: a TCP port, 0-65535 (argparse turns the ValueError into a usage error)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0-65535)")
    return port


def cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (None: it can). Checked by binding before
    the app and the model load, so a busy port is one clear line, not a log after start-up."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        return f"cannot listen on {host}: {e.strerror}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind(address)
        except OSError as e:
            if e.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                return f"port {port} on {host} is in use by another program; choose another with --port"
            return f"cannot listen on {host} port {port}: {e.strerror or e}"
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.app import create_app

    problem = cannot_listen(args.host, args.port)
    if problem:
        err(problem)
        return EXIT_SERVE
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
    p.add_argument("--port", type=port_number, default=8000, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API worker processes (default 1; above 1 needs a Chroma server, HRSEARCH_CHROMA_URL)",
    )
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.set_defaults(func=cmd_serve)
