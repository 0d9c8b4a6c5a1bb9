"""The passage record: every field declared once, with what it is for.

A passage is stored, filtered, shown and exported as one flat record (``PassageRecord``): its
own fields (kind, rec_id, pages, ...) and its document's metadata (symbol, country, cycle, ...).
Each field's annotation carries a ``Role`` saying what the field is for; everything that lists
fields is derived from here:

- the filters a search accepts (``FILTERS``: the filter name, the record field, its type and
  whether it is list-valued), and so the HTTP query parameters, the JSON filter schema, the
  CLI's ``--filter`` names and the Chroma ``where`` clause;
- what is copied into Chroma's metadata for filtering inside the dense arm (``CHROMA_SCALARS``,
  ``CHROMA_LISTS``);
- what a hit's ``metadata`` shows (``SHOWN``), the CSV export's columns (``EXPORTED``) and the
  web page's filter panel (``PAGE_FILTERS``).

Adding a field is one line here (plus where its value comes from, ``indexer.records``, and its
tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, NotRequired, TypedDict, get_args, get_origin, get_type_hints


@dataclass(frozen=True)
class Role:
    """What a record field is for. ``page`` and ``export`` give the order of the field on the web
    page's filter panel and among the CSV columns (None: not there)."""

    doc: str
    filter: str | None = None  # the filter name (query parameter) selecting on this field
    chroma: bool = False  # copied into Chroma metadata, so the dense arm can filter on it
    shown: bool = False  # part of a hit's ``metadata``
    export: int | None = None  # position among the CSV export's metadata columns
    page: int | None = None  # position on the web page's filter panel
    label: str = ""  # the filter's label on the web page
    choices: tuple[Any, ...] | None = None  # the only values the filter takes (None: any)


# The order of declaration is the order of a hit's ``metadata`` keys.
class PassageRecord(TypedDict):
    """One passage as stored and served (``indexer.records.passage_record`` builds it)."""

    symbol: Annotated[
        str | None,
        Role("UN document symbol, e.g. A/HRC/46/15", filter="symbol", chroma=True, shown=True, export=1),
    ]
    rec_id: Annotated[
        str | None, Role("recommendation number (26.178) or table row id", chroma=True, shown=True, export=2)
    ]
    paragraph: Annotated[str | None, Role("paragraph number (12, 12.a)", chroma=True, shown=True, export=3)]
    page: Annotated[int | None, Role("first page", chroma=True, shown=True, export=4)]
    pages: Annotated[list[int], Role("pages the passage spans", shown=True)]
    recommending_state: Annotated[
        str | None, Role("recommending State(s), '; '-joined", shown=True, export=5)
    ]
    recommending_states: Annotated[
        list[str],
        Role(
            "state that made the recommendation",
            filter="recommending_state",
            chroma=True,
            shown=True,
            page=4,
            label="Recommending state",
        ),
    ]
    response: Annotated[
        str | None,
        Role(
            "supported | noted | supported_noted",
            filter="response",
            chroma=True,
            shown=True,
            export=6,
            page=5,
            label="Response",
            choices=("supported", "noted", "supported_noted"),
        ),
    ]
    country: Annotated[
        str | None,
        Role(
            "country under review",
            filter="country",
            chroma=True,
            shown=True,
            export=7,
            page=1,
            label="Country under review",
        ),
    ]
    cycle: Annotated[
        int | None,
        Role("UPR cycle", filter="cycle", chroma=True, shown=True, export=8, page=7, label="UPR cycle"),
    ]
    session: Annotated[
        int | None,
        Role(
            "UPR Working Group session",
            filter="session",
            chroma=True,
            shown=True,
            export=9,
            page=8,
            label="UPR session",
        ),
    ]
    year: Annotated[
        int | None,
        Role("year of the document (filters: year_from, year_to)", chroma=True, shown=True, export=10),
    ]
    mechanism: Annotated[
        str | None,
        Role(
            "UPR, CERD, CCPR, CESCR, CAT, ...",
            filter="mechanism",
            chroma=True,
            shown=True,
            page=6,
            label="Mechanism",
        ),
    ]
    doc_kind: Annotated[
        str | None,
        Role(
            "letter, outcome_report, concluding_observations, ...",
            filter="doc_kind",
            chroma=True,
            shown=True,
            page=3,
            label="Document kind",
        ),
    ]
    language: Annotated[
        str | None,
        Role("ISO 639-1 code", filter="language", chroma=True, shown=True, page=12, label="Language"),
    ]
    themes: Annotated[
        list[str],
        Role("theme or issue tag", filter="theme", chroma=True, shown=True, export=11, page=9, label="Theme"),
    ]
    action_category: Annotated[
        int | None, Role("UPR Info action category 1-5, where the data gives one", shown=True, export=13)
    ]
    strength: Annotated[
        int | None,
        Role(
            "strength of wording, UPR Info's action category 1 (minimal), 2 continuing, 3 considering, "
            "4 general, 5 (specific action): the data's, else the model's (every recommendation)",
            filter="action_category",
            chroma=True,
            shown=True,
            export=16,
            page=10,
            label="Action category",
            choices=(1, 2, 3, 4, 5),
        ),
    ]
    strength_source: Annotated[
        str | None,
        Role(
            "where strength comes from: data | model",
            filter="strength_source",
            chroma=True,
            shown=True,
            export=17,
        ),
    ]
    region: Annotated[
        str | None,
        Role(
            "regional group of the recommending State (UPR Info's: Africa, Asia, EEG, GRULAC, WEOG)",
            filter="region",
            chroma=True,
            shown=True,
            export=14,
            page=11,
            label="Region of the recommending State",
        ),
    ]
    section: Annotated[str | None, Role("section heading", shown=True)]
    heading_path: Annotated[list[str], Role("headings above the passage", shown=True)]
    file: Annotated[str, Role("the indexed file", chroma=True, shown=True, export=12)]
    doc_id: Annotated[str, Role("document id", filter="doc_id", chroma=True, shown=True)]
    position: Annotated[str, Role("structural address in the document (rec:26.178, para:12.a)", shown=True)]
    title: Annotated[str | None, Role("document title", shown=True)]
    author: Annotated[str | None, Role("who wrote or signed the document (letters)", shown=True)]
    source_url: Annotated[
        str | None,
        Role(
            "the UN original, https://undocs.org/<symbol>, where the symbol is known", shown=True, export=15
        ),
    ]
    context: Annotated[str | None, Role("the paragraph an ask was taken from", shown=True)]
    part: Annotated[int | None, Role("part number of a split paragraph", shown=True)]
    parts: Annotated[int | None, Role("parts of a split paragraph", shown=True)]
    id: Annotated[str, Role("passage id: <doc_id>:<position>")]
    kind: Annotated[
        str,
        Role(
            "recommendation | paragraph | ask | observation",
            filter="kind",
            chroma=True,
            page=2,
            label="Passage kind",
            choices=("recommendation", "paragraph", "ask", "observation"),
        ),
    ]
    text: Annotated[str, Role("the passage text (stored apart from the record in the catalog)")]
    start: Annotated[int, Role("character offset of the passage in its document's text")]
    end: Annotated[int, Role("end offset")]
    row: Annotated[int | None, Role("row number in a table")]
    extra: NotRequired[Annotated[dict[str, Any], Role("row values of a table that no field holds")]]
    labels: NotRequired[Annotated[list[str], Role("the data's own theme labels, exactly as given")]]
    tags: NotRequired[Annotated[list[dict[str, Any]], Role("theme tags with source and confidence")]]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: type  # str or int (of the value, or of each item of a list)
    is_list: bool
    role: Role


def _spec(name: str, hint: Any) -> FieldSpec:
    if get_origin(hint) is NotRequired:  # kept by include_extras
        hint = get_args(hint)[0]
    base, role = get_args(hint)[0], get_args(hint)[1]
    is_list = get_origin(base) is list
    inner = get_args(base)[0] if is_list else base
    value_type = next((t for t in (int, str) if t is inner or t in get_args(inner)), str)
    return FieldSpec(name, value_type, is_list, role)


SPECS: dict[str, FieldSpec] = {
    name: _spec(name, hint) for name, hint in get_type_hints(PassageRecord, include_extras=True).items()
}

# filter name -> (record field, value type, is the field a list)
FILTERS: dict[str, tuple[str, type, bool]] = {
    s.role.filter: (s.name, s.type, s.is_list) for s in SPECS.values() if s.role.filter
}
FILTER_DOCS: dict[str, str] = {s.role.filter: s.role.doc for s in SPECS.values() if s.role.filter}
# Range filters over one field: filter name -> (record field, Chroma operator).
RANGE_FILTERS: dict[str, tuple[str, str]] = {"year_from": ("year", "$gte"), "year_to": ("year", "$lte")}
CHROMA_SCALARS: tuple[str, ...] = tuple(s.name for s in SPECS.values() if s.role.chroma and not s.is_list)
CHROMA_LISTS: tuple[str, ...] = tuple(s.name for s in SPECS.values() if s.role.chroma and s.is_list)
SHOWN: tuple[str, ...] = tuple(s.name for s in SPECS.values() if s.role.shown)
EXPORTED: tuple[str, ...] = tuple(
    s.name for s in sorted((s for s in SPECS.values() if s.role.export), key=lambda s: s.role.export or 0)
)
# filter name -> the only values it takes, for the filters with a closed vocabulary.
FILTER_CHOICES: dict[str, tuple[Any, ...]] = {
    s.role.filter: s.role.choices for s in SPECS.values() if s.role.filter and s.role.choices
}
# (filter name, label) in the order of the web page's filter panel.
PAGE_FILTERS: tuple[tuple[str, str], ...] = tuple(
    (s.role.filter or s.name, s.role.label)
    for s in sorted((s for s in SPECS.values() if s.role.page), key=lambda s: s.role.page or 0)
)


def shown_metadata(record: Any) -> dict[str, Any]:
    """A hit's ``metadata``: the shown fields of its record that have a value."""
    return {k: v for k in SHOWN if (v := record.get(k)) not in (None, [], "")}
