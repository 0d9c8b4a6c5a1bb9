"""Request and response models of the HTTP API (inputs and outputs kept separate)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from indexer.fields import FILTER_DOCS, FILTERS, RANGE_FILTERS
from search_api.text_input import MESSAGE, is_valid_text

Mode = Literal["hybrid", "dense", "lexical"]
Format = Literal["json", "csv", "jsonl"]


class TextInput(BaseModel):
    """A request model whose every text (and list of texts) must be valid text: a lone surrogate
    (``"\\ud800"``, or invalid UTF-8 in a JSON body) is a 422 naming the field
    (``search_api.text_input``)."""

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and not is_valid_text(t) for t in texts):
            raise PydanticCustomError("invalid_text", MESSAGE)
        return value


class _Filters(TextInput):
    """Filters: several values per filter are OR-ed, filters are AND-ed."""

    model_config = ConfigDict(extra="forbid")

    def raw(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for name in type(self).model_fields:
            if name not in FILTER_NAMES:
                continue
            value = getattr(self, name)
            if name in RANGE_FILTERS:
                if value is not None:
                    out[name] = [value]
            elif value:
                out[name] = list(value)
        return out


def _filter_fields() -> dict[str, Any]:
    """One list-valued field per filter of the passage record (``indexer.fields``), and the years."""
    fields: dict[str, Any] = {
        name: (list[typ], Field(default_factory=list, description=FILTER_DOCS[name]))  # type: ignore[valid-type]
        for name, (_, typ, _) in FILTERS.items()
    }
    fields["year_from"] = (int | None, Field(default=None, description="earliest year"))
    fields["year_to"] = (int | None, Field(default=None, description="latest year"))
    return fields


FILTER_NAMES = frozenset([*FILTERS, *RANGE_FILTERS])
# A pydantic model made from the registry: adding a filterable field to ``PassageRecord`` adds it
# to every request body, the GET query parameters and the OpenAPI schema.
FilterFields = create_model("FilterFields", __base__=_Filters, **_filter_fields())


class SearchBody(FilterFields):  # type: ignore[valid-type,misc]  # made by create_model
    """Body of ``POST /search``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "q": "abolish capital punishment",
                    "k": 10,
                    "country": ["United States of America"],
                    "kind": ["recommendation"],
                }
            ]
        },
    )

    q: str = Field(min_length=1, description='query; a "quoted phrase" must appear in every hit')
    k: int = Field(default=10, ge=1, description="hits per page (1-100; up to the export cap for csv/jsonl)")
    offset: int = Field(default=0, ge=0, description="hits to skip (paging)")
    mode: Mode = "hybrid"
    format: Format = "json"
    group: bool = Field(default=True, description="fold identical recommendation texts into one hit")


class FacetsQuery(FilterFields):  # type: ignore[valid-type,misc]  # made by create_model
    """Query parameters of ``GET /facets``."""

    q: str | None = Field(
        default=None, description="count over what this query finds (omit: the whole index)"
    )
    limit: int = Field(default=50, ge=1, le=500, description="values per filter")


class ArmScore(BaseModel):
    rank: int
    score: float


class AlsoMadeBy(BaseModel):
    id: str
    recommending_state: str | None = None
    country: str | None = None
    response: str | None = None
    citation: str
    same_recommendation: bool = Field(
        default=False,
        description="the hit's own recommendation from another source (same State, to the same "
        "State, same review: a Working Group report and the UPR Info table), not another State's",
    )


class HitOut(BaseModel):
    id: str
    text: str
    highlight: str = Field(description="best sentence, HTML-escaped, query terms in <mark>")
    highlight_sentence: str
    score: float
    arms: dict[str, ArmScore]
    kind: str
    citation: str
    metadata: dict[str, Any]
    also_made_by: list[AlsoMadeBy] = Field(default_factory=list)


class SearchOut(BaseModel):
    query: str
    mode: str
    filters: dict[str, Any]
    language: str = Field(default="en", description="the language the query was read in (en, es, fr, pt, ar)")
    notices: list[str] = Field(default_factory=list, description="what the answer had to relax, in words")
    k: int
    offset: int
    total: int = Field(
        description="results that reach the relevance floor (the same on every page; 0 when `weak`)"
    )
    weak: bool = Field(
        default=False,
        description="no passage reached the relevance floor: the hits are the closest few, not good matches",
    )
    more: bool = Field(
        default=False,
        description="more passages may reach the floor than the search looked at: `total` is a lower bound",
    )
    took_ms: float
    model: str
    index_version: int
    hits: list[HitOut]


class PassageOut(BaseModel):
    id: str
    text: str
    kind: str | None
    citation: str
    metadata: dict[str, Any]


class DocumentSummary(BaseModel):
    id: str
    file: str
    metadata: dict[str, Any]
    passages: int


class PassageContextOut(BaseModel):
    passage: PassageOut
    before: list[PassageOut]
    after: list[PassageOut]
    document: DocumentSummary


class PassageListItem(BaseModel):
    id: str
    kind: str | None
    citation: str
    text: str


class DocumentOut(DocumentSummary):
    passage_list: list[PassageListItem]


class FacetValue(BaseModel):
    value: str | int
    count: int


class FacetsOut(BaseModel):
    scope: str
    facets: dict[str, list[FacetValue]]


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class HealthOut(BaseModel):
    status: str


class IndexingOut(BaseModel):
    """The last index run on this index folder (``indexer.progress``), e.g. the demo's background run."""

    active: bool = Field(description="an index run is going on now (it holds the write lock)")
    state: str = Field(description="`indexing`, `done`, or `stopped` (the run ended before finishing)")
    files_done: int
    files_total: int
    passages: int = Field(description="passages in the index (answers cover them once the page refreshes)")
    passages_embedded: int
    eta_seconds: float | None = Field(description="estimated seconds left; null until there is a rate")
    elapsed_seconds: float
    updated_at: float = Field(description="Unix time of the last update")


class ReadyOut(BaseModel):
    status: str
    model: str | None = None
    index_version: int | None = None
    passages: int | None = None
    message: str | None = None
    indexing: IndexingOut | None = None
