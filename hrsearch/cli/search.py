"""``hrsearch search``: query the index from the terminal."""

from __future__ import annotations

import argparse
import sys

from hrsearch.cli.common import EXIT_OK, Subcommands, open_searcher, print_json, settings_from

# The API's hit fields that the command's JSON has never carried (its output stays as it was).
_NOT_IN_CLI_JSON = frozenset({"highlight_sentence"})


def cmd_search(args: argparse.Namespace) -> int:
    from search_api.filters import Filters
    from search_api.limits import check_search
    from search_api.retrieval import SearchRequest
    from search_api.service import hit_dict

    settings = settings_from(args)
    filters = Filters.from_pairs(args.filter or [], max_values=settings.max_filter_values)
    req = SearchRequest(q=args.query, k=args.k, filters=filters, mode=args.mode)
    check_search(req, settings)
    res = open_searcher(settings).search(req)
    if args.json:
        print_json(
            {
                "query": res.query,
                "mode": res.mode,
                "filters": res.filters,
                "total": res.total,
                "took_ms": res.took_ms,
                "model": res.model,
                "index_version": res.index_version,
                "hits": [
                    {k: v for k, v in hit_dict(h).items() if k not in _NOT_IN_CLI_JSON} for h in res.hits
                ],
            }
        )
        return EXIT_OK
    if not res.hits:
        sys.stdout.write("no results\n")
    for i, h in enumerate(res.hits, 1):
        text = h.text if len(h.text) < 400 else h.text[:400] + "…"
        sys.stdout.write(f"{i:2d}. [{h.score:.3f}] {h.citation}  ({h.kind})\n    {text}\n")
        others = [a for a in h.also_made_by if not a.get("same_recommendation")]
        sources = [a for a in h.also_made_by if a.get("same_recommendation")]
        if others:
            own = h.metadata.get("country")
            states = ", ".join(
                f"{a.get('recommending_state') or '?'}"
                + (f" (to {a['country']})" if a.get("country") and a.get("country") != own else "")
                for a in others
            )
            sys.stdout.write(f"    same text also made by: {states}\n")
        for a in sources:
            response = f" ({a['response']})" if a.get("response") else ""
            sys.stdout.write(f"    also in: {a.get('citation')}{response}\n")
    return EXIT_OK


def register(sub: Subcommands) -> None:
    p = sub.add_parser("search", help="search the index from the terminal")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--filter", action="append", metavar="FIELD=VALUE", help="filter (repeatable)")
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "lexical"])
    p.add_argument("--index-dir", help="index folder (default: HRSEARCH_INDEX_DIR)")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.set_defaults(func=cmd_search)
