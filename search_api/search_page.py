"""The search page's view: the filter panel with counts, the active filters as chips, paging, and
the checks that turn a bad address into a page with a way back (``PageProblem``).

No FastAPI here: the route (``search_api.web.page``) passes the query parameters as pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from indexer.fields import FILTER_CHOICES, FILTERS, PAGE_FILTERS
from search_api import service
from search_api.filters import Filters
from search_api.retrieval import Searcher, SearchRequest, SearchResult

PAGE_SIZE = 20
YEAR_FILTERS = ("year_from", "year_to")
# UPR Info's names of its action categories (how specific the action a recommendation asks is).
ACTION_CATEGORIES = {
    1: "minimal action",
    2: "continuing action",
    3: "considering action",
    4: "general action",
    5: "specific action",
}
# How a document kind reads on the pages.
DOC_KINDS = {
    "outcome_report": "UPR Working Group report",
    "outcome_addendum": "addendum: the State's views",
    "stakeholder_summary": "stakeholders' summary",
    "compilation": "UN compilation",
    "national_report": "national report",
    "concluding_observations": "concluding observations",
    "general_comment": "general comment",
    "recommendations_table": "recommendations table",
    "letter": "letter",
    "submission": "submission",
    "other": "other document",
}
Pairs = Sequence[tuple[str, str]]


@dataclass
class PageProblem(Exception):
    """A request the page cannot answer: shown as an error page with links back."""

    status: int
    title: str
    message: str
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Option:
    value: str
    label: str
    count: int | None
    selected: bool


@dataclass
class Panel:
    name: str
    label: str
    options: list[Option]

    @property
    def selected(self) -> list[Option]:
        return [o for o in self.options if o.selected]


@dataclass
class Chip:
    name: str
    label: str
    value: str
    remove_url: str


def url(path: str, pairs: Pairs) -> str:
    return path + ("?" + urlencode(list(pairs)) if pairs else "")


def without(pairs: Pairs, name: str, value: str | None = None) -> list[tuple[str, str]]:
    """``pairs`` without parameter ``name`` (only its ``value`` when given) and without the page."""
    return [(k, v) for k, v in pairs if k != "page" and not (k == name and (value is None or v == value))]


def value_label(name: str, value: Any, _: Callable[..., str]) -> str:
    """How a filter value reads on the page (vocabulary words translated, names as they are)."""
    if name in ("response", "kind"):
        return _(str(value).replace("_", " / "))
    if name == "doc_kind":
        return _(DOC_KINDS.get(str(value), str(value)))
    if name == "action_category" and value in ACTION_CATEGORIES:
        return f"{value} · {_(ACTION_CATEGORIES[value])}"
    return str(value)


def selected_filters(pairs: Pairs) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}
    for k, v in pairs:
        if (k in FILTERS or k in YEAR_FILTERS) and v.strip():
            raw.setdefault(k, []).append(v.strip())
    return raw


def parse_page_number(raw: str | None, _: Callable[..., str], pairs: Pairs) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise PageProblem(
            422,
            _("No such page"),
            _("“{page}” is not a page number: pages are numbered 1, 2, 3 …", page=raw),
            [(url("/", without(pairs, "page")), _("First page of these results"))],
        )
    return int(raw)


def parse_filters(
    raw: dict[str, list[str]], searcher: Searcher, settings: Settings, pairs: Pairs, _: Callable[..., str]
) -> Filters:
    """The filters of the address, or a ``PageProblem`` naming the bad value with a link that
    removes it: a value outside a filter's vocabulary, or one no passage of the index holds."""
    labels = dict(PAGE_FILTERS)
    try:
        filters = Filters.parse(raw, max_values=settings.max_filter_values)
    except QueryError as e:
        name = e.field or ""
        label = _(labels.get(name, name))
        bad = [v for v in raw.get(name, [])]
        links = [(url("/", without(pairs, name)), _("Remove the filter “{label}”", label=label))]
        choices = FILTER_CHOICES.get(name)
        hint = (
            " " + _("Choose one of: {values}.", values=", ".join(value_label(name, c, _) for c in choices))
            if choices
            else ""
        )
        raise PageProblem(
            422,
            _("This filter cannot be used"),
            _("{label}: “{value}” is not a value of this filter.", label=label, value=", ".join(bad)) + hint,
            links,
        ) from e
    postings = searcher.snapshot().filters.postings
    for name, values in filters.values.items():
        for v in values:
            if v not in postings.get(name, {}):
                label = _(labels.get(name, name))
                raise PageProblem(
                    422,
                    _("This filter cannot be used"),
                    _("{label}: no passage in the index has “{value}”.", label=label, value=v),
                    [(url("/", without(pairs, name, str(v))), _("Remove “{value}”", value=v))],
                )
    return filters


def panels(
    searcher: Searcher,
    req: SearchRequest | None,
    res: SearchResult | None,
    filters: Filters,
    _: Callable[..., str],
) -> list[Panel]:
    """The filter panel: every value of each page filter, with the number of results choosing it
    gives when there is a query (values that would give none are left out, the chosen kept)."""
    snap = res.snapshot if res is not None else searcher.snapshot()
    counts = service.result_facets(searcher, req, limit=10_000, base=res) if req is not None else None
    out = []
    for name, label in PAGE_FILTERS:
        chosen = {str(v) for v in filters.values.get(name, [])}
        values = list(snap.filters.postings.get(name, {}))
        by_value = {str(f["value"]): f["count"] for f in (counts or {}).get(name, [])}
        options = []
        for v in sorted(values, key=lambda x: (isinstance(x, str), x)):
            n = by_value.get(str(v), 0) if counts is not None else None
            if counts is not None and not n and str(v) not in chosen:
                continue
            options.append(Option(str(v), value_label(name, v, _), n, str(v) in chosen))
        if options:
            out.append(Panel(name, _(label), options))
    return out


def chips(filters: Filters, pairs: Pairs, _: Callable[..., str]) -> list[Chip]:
    """One chip per active filter value, each with the address that removes it."""
    labels = dict(PAGE_FILTERS)
    out = []
    for name, values in filters.values.items():
        for v in values:
            out.append(
                Chip(
                    name,
                    _(labels.get(name, name)),
                    value_label(name, v, _),
                    url("/", without(pairs, name, str(v))),
                )
            )
    for name, label in (("year_from", "From year"), ("year_to", "To year")):
        v = getattr(filters, name)
        if v is not None:
            out.append(Chip(name, _(label), str(v), url("/", without(pairs, name))))
    return out


def check_page_exists(page_no: int, total: int, pairs: Pairs, _: Callable[..., str]) -> None:
    """Past the last page: a page saying how many there are, with links to the first and last."""
    pages = max(1, -(-total // PAGE_SIZE))
    if page_no <= pages:
        return
    base = without(pairs, "page")
    raise PageProblem(
        404,
        _("No such page"),
        _("There is no page {page}: these results fill {pages} page(s).", page=page_no, pages=pages),
        [
            (url("/", base), _("First page of these results")),
            (url("/", [*base, ("page", str(pages))]), _("Last page (page {pages})", pages=pages)),
        ],
    )
