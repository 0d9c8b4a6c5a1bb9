"""Request and response models of the HTTP API (inputs and outputs kept separate)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["hybrid", "dense", "lexical"]
Format = Literal["json", "csv", "jsonl"]


class FilterFields(BaseModel):
    """Filters: several values per filter are OR-ed, filters are AND-ed."""

    model_config = ConfigDict(extra="forbid")

    kind: list[str] = Field(
        default_factory=list, description="recommendation | paragraph | ask | observation"
    )
    doc_kind: list[str] = Field(
        default_factory=list, description="letter, outcome_report, concluding_observations, ..."
    )
    symbol: list[str] = Field(default_factory=list, description="UN document symbol, e.g. A/HRC/46/15")
    country: list[str] = Field(default_factory=list, description="country under review")
    recommending_state: list[str] = Field(
        default_factory=list, description="state that made the recommendation"
    )
    mechanism: list[str] = Field(default_factory=list, description="UPR, CERD, CCPR, CESCR, CAT, ...")
    response: list[str] = Field(default_factory=list, description="supported | noted | supported_noted")
    cycle: list[int] = Field(default_factory=list, description="UPR cycle")
    session: list[int] = Field(default_factory=list, description="UPR Working Group session")
    language: list[str] = Field(default_factory=list, description="ISO 639-1 code")
    theme: list[str] = Field(default_factory=list, description="theme or issue tag")
    doc_id: list[str] = Field(default_factory=list, description="document id")
    action_category: list[int] = Field(default_factory=list, description="UPR Info action category 1-5")
    year_from: int | None = Field(default=None, description="earliest year")
    year_to: int | None = Field(default=None, description="latest year")

    def raw(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for name in FilterFields.model_fields:
            value = getattr(self, name)
            if name in ("year_from", "year_to"):
                if value is not None:
                    out[name] = [value]
            elif value:
                out[name] = list(value)
        return out


class SearchBody(FilterFields):
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


class ArmScore(BaseModel):
    rank: int
    score: float


class AlsoMadeBy(BaseModel):
    id: str
    recommending_state: str | None = None
    country: str | None = None
    response: str | None = None
    citation: str


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
    k: int
    offset: int
    total: int
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


class ReadyOut(BaseModel):
    status: str
    model: str | None = None
    index_version: int | None = None
    passages: int | None = None
    message: str | None = None
