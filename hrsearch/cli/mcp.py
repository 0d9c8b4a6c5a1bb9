"""``hrsearch mcp``: the index as MCP tools for AI assistants (stdio or streamable HTTP)."""

from __future__ import annotations

import argparse
import sys

from hrsearch.cli.common import EXIT_OK, Subcommands, settings_from


def cmd_mcp(args: argparse.Namespace) -> int:
    from search_api.mcp_server import MCP_PATH, create_mcp_server, http_app

    settings = settings_from(args)
    server = create_mcp_server(settings)
    if args.transport == "stdio":
        server.run("stdio")  # standard output carries the protocol: nothing else is printed there
        return EXIT_OK
    import uvicorn

    sys.stderr.write(f"MCP over streamable HTTP at http://{args.host}:{args.port}{MCP_PATH}\n")
    uvicorn.run(
        http_app(server, settings, host=args.host), host=args.host, port=args.port, log_level="warning"
    )
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("mcp", help="serve the index as MCP tools (search, link, precedent, align, passage)")
    p.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default="stdio",
        help="stdio (default: the assistant starts this command) or streamable HTTP",
    )
    p.add_argument("--host", default="127.0.0.1", help="HTTP: address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001, help="HTTP: port (default 8001)")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.set_defaults(func=cmd_mcp)
