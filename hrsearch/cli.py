"""The ``hrsearch`` command: a thin shell over the library.

Exit codes (also in the README):
  0  success (every file indexed or unchanged; search/fetch answered)
  1  partial failure: some files (or symbols) failed, the rest was done
  2  usage error (bad arguments, unknown filter, missing path)
  3  the index cannot be used (missing, built with another model, locked by another writer)
  4  nothing could be done (every file failed, every download failed)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hrsearch.errors import HrsearchError, IndexError_, QueryError
from hrsearch.settings import Settings

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_INDEX, EXIT_NOTHING = 0, 1, 2, 3, 4


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = Path(args.index_dir)
    return Settings(**overrides)


def _embedder_factory(settings: Settings) -> Callable[[], Any]:
    def make() -> Any:
        from indexer.embedder import load_embedder

        return load_embedder(settings)

    return make


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _err(msg: str) -> None:
    sys.stderr.write(f"hrsearch: {msg}\n")


# --- index -----------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace) -> int:
    from indexer.pipeline import run_index

    settings = _settings(args)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        _err(f"no such file or folder: {', '.join(missing)}")
        return EXIT_USAGE
    report = run_index(
        [Path(p) for p in args.paths],
        settings,
        _embedder_factory(settings),
        prune=args.prune,
        rebuild=args.rebuild,
        progress=not args.json and sys.stderr.isatty(),
    )
    if args.json:
        _print_json(report.to_dict())
    else:
        r = report
        sys.stdout.write(
            f"indexed {r.files_indexed} file(s), {r.files_unchanged} unchanged, {len(r.files_failed)} failed, "
            f"{r.files_removed} removed of {r.files_seen} seen in {r.seconds:.1f} s\n"
            f"passages: +{r.passages_added} -{r.passages_removed}, {r.passages_embedded} embedded; "
            f"{r.passages_total} in {r.documents_total} document(s) at {r.index_dir}\n"
        )
        for f in r.files_failed:
            sys.stdout.write(f"  FAILED {f['path']}: {f['error']}\n")
        for w in r.warnings:
            sys.stdout.write(f"  warning {w['path']}: {w['warning']}\n")
    if report.files_failed:
        return EXIT_NOTHING if len(report.files_failed) == report.files_seen else EXIT_PARTIAL
    return EXIT_OK


# --- search ----------------------------------------------------------------------------------
def _hit_json(h: Any) -> dict[str, Any]:
    return {
        "id": h.id,
        "text": h.text,
        "highlight": h.highlight,
        "score": h.score,
        "arms": h.arms,
        "kind": h.kind,
        "citation": h.citation,
        "metadata": h.metadata,
        "also_made_by": h.also_made_by,
    }


def open_searcher(settings: Settings) -> Any:
    from indexer.index import Index
    from search_api.retrieval import Searcher

    return Searcher(Index.open(settings), _embedder_factory(settings)(), settings)


def cmd_search(args: argparse.Namespace) -> int:
    from search_api.filters import Filters
    from search_api.limits import check_search
    from search_api.retrieval import SearchRequest

    settings = _settings(args)
    filters = Filters.from_pairs(args.filter or [], max_values=settings.max_filter_values)
    req = SearchRequest(q=args.query, k=args.k, filters=filters, mode=args.mode)
    check_search(req, settings)
    searcher = open_searcher(settings)
    res = searcher.search(req)
    if args.json:
        _print_json(
            {
                "query": res.query,
                "mode": res.mode,
                "filters": res.filters,
                "total": res.total,
                "took_ms": res.took_ms,
                "model": res.model,
                "index_version": res.index_version,
                "hits": [_hit_json(h) for h in res.hits],
            }
        )
        return EXIT_OK
    if not res.hits:
        sys.stdout.write("no results\n")
    for i, h in enumerate(res.hits, 1):
        text = h.text if len(h.text) < 400 else h.text[:400] + "…"
        sys.stdout.write(f"{i:2d}. [{h.score:.3f}] {h.citation}  ({h.kind})\n    {text}\n")
        if h.also_made_by:
            own = h.metadata.get("country")
            states = ", ".join(
                f"{a.get('recommending_state') or '?'}"
                + (f" (to {a['country']})" if a.get("country") and a.get("country") != own else "")
                for a in h.also_made_by
            )
            sys.stdout.write(f"    same text also made by: {states}\n")
    return EXIT_OK


# --- link and align --------------------------------------------------------------------------
def cmd_link(args: argparse.Namespace) -> int:
    from search_api.filters import Filters
    from search_api.limits import check_link
    from search_api.link_service import link_result_dict
    from search_api.retrieval import Linker

    settings = _settings(args)
    filters = Filters.from_pairs(args.filter or [], max_values=settings.max_filter_values)
    check_link(None if args.passage else args.text, args.target, args.k, 0, settings, export=True)
    linker = Linker(open_searcher(settings), settings)
    if args.passage:
        res = linker.link_passage(args.text, target=args.target, k=args.k, filters=filters)
    else:
        res = linker.link(args.text, k=args.k, filters=filters, target=args.target or "recommendation")
    if args.json:
        _print_json(link_result_dict(res, args.k, 0))
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
    from search_api.alignment import asks_from_files, report_csv
    from search_api.link_service import run_align
    from search_api.retrieval import Linker

    settings = _settings(args)
    missing = [p for p in args.asks if not Path(p).exists()]
    if missing:
        _err(f"no such file or folder: {', '.join(missing)}")
        return EXIT_USAGE
    asks, failed = asks_from_files([Path(p) for p in args.asks], settings)
    for f in failed:
        _err(f"{f['path']}: {f['error']}")
    if not asks:
        _err("no ask found in the documents given")
        return EXIT_NOTHING
    linker = Linker(open_searcher(settings), settings)
    report = run_align(linker, asks, args.country, args.cycle, settings)
    if args.out:
        out = Path(args.out)
        text = (
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
            if out.suffix == ".json"
            else report_csv(report)
        )
        out.write_text(text, encoding="utf-8")
    if args.json:
        _print_json(report.to_dict())
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


# --- delete --------------------------------------------------------------------------------
def cmd_delete(args: argparse.Namespace) -> int:
    from indexer.deletion import delete_documents

    report = delete_documents(_settings(args), args.items, purge=not args.no_purge)
    if args.json:
        _print_json(report.to_dict())
    else:
        for d in report.deleted:
            sys.stdout.write(f"deleted {d.get('doc_id')} ({d.get('passages')} passages)\n")
        for name in report.not_found:
            sys.stdout.write(f"not in the index: {name}\n")
        for w in report.warnings:
            sys.stdout.write(f"warning: {w}\n")
    if report.not_found:
        return EXIT_NOTHING if not report.deleted else EXIT_PARTIAL
    return EXIT_OK


# --- fetch -----------------------------------------------------------------------------------
def cmd_fetch(args: argparse.Namespace) -> int:
    from corpus.fetch import fetch

    settings = _settings(args)
    report = fetch(args.symbols, settings, lang=args.lang, into=Path(args.into))
    if args.json:
        _print_json(report.to_dict())
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


# --- serve -----------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.app import create_app

    settings = _settings(args)
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


# --- parser ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hrsearch", description="Search and link UN human rights documents."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index files or folders (incremental)")
    p.add_argument("paths", nargs="+", help="files or folders to index")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument(
        "--prune", action="store_true", help="remove passages of files under PATHS that disappeared"
    )
    p.add_argument("--rebuild", action="store_true", help="delete the index and build it anew")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="search the index from the terminal")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--filter", action="append", metavar="FIELD=VALUE", help="filter (repeatable)")
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "lexical"])
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.set_defaults(func=cmd_search)

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

    p = sub.add_parser("delete", help="delete documents by file path or document id and purge their text")
    p.add_argument("items", nargs="+", metavar="PATH|DOC_ID")
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument(
        "--no-purge", action="store_true", help="skip the VACUUM that purges deleted text from the files"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("fetch", help="download UN documents by symbol")
    p.add_argument("symbols", nargs="+", metavar="SYMBOL")
    p.add_argument("--lang", default="en", help="language code (default en)")
    p.add_argument("--into", default="documents", help="folder to save into (default ./documents)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fetch)

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

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return parser


def _register_tagger(sub: Any) -> None:
    from hrsearch.tagger_cli import register

    register(sub)


def _register_eval(sub: Any) -> None:
    from evaluation.cli import register

    register(sub)


# Commands defined in their own modules register here.
_EXTRA_COMMANDS: list[Callable[[Any], None]] = [_register_tagger, _register_eval]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return int(args.func(args))
    except QueryError as e:
        _err(str(e))
        return EXIT_USAGE
    except IndexError_ as e:
        _err(str(e))
        return EXIT_INDEX
    except HrsearchError as e:
        _err(str(e))
        return EXIT_NOTHING


if __name__ == "__main__":
    sys.exit(main())
