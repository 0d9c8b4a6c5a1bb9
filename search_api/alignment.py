"""The alignment report: which asks of a set of civil-society documents a review took up.

For a review (country under review + cycle) and a list of asks, each ask is linked to the
review's recommendations. An ask is **taken up** when its closest recommendation reaches the
``verdict_taken_up`` similarity, **partly** when it reaches ``verdict_partly``, and **not taken
up** otherwise; the thresholds are calibrated on ``seed_asks_us_upr3`` (EVALUATION.md, with the
precision and recall of each). The report also lists, per recommendation, the asks it echoes,
and counts supported vs noted among the recommendations that take each ask up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from indexer.models import Passage
from search_api.ask_parts import split_ask
from search_api.filters import Filters
from search_api.retrieval import Linker
from search_api.verdicts import VERDICTS, Thresholds, verdict


@dataclass
class Ask:
    """An ask to align: its text and where it comes from."""

    id: str
    text: str
    citation: str
    file: str | None = None
    context: str | None = None


@dataclass
class Match:
    rec_passage_id: str
    rec_id: str | None
    text: str
    recommending_state: str | None
    response: str | None
    cycle: int | None
    session: int | None
    citation: str
    similarity: float
    score: float
    match: str
    themes: list[str] = field(default_factory=list)
    also_made_by: list[str] = field(default_factory=list)


@dataclass
class AskResult:
    ask: Ask
    verdict: str
    reason: str
    best_similarity: float
    matches: list[Match]
    supported: int
    noted: int
    other_response: int


@dataclass
class RecEcho:
    rec_passage_id: str
    rec_id: str | None
    citation: str
    text: str
    recommending_state: str | None
    response: str | None
    asks: list[dict[str, Any]]


@dataclass
class AlignmentReport:
    country: str
    cycle: int | None
    thresholds: dict[str, float]
    asks: list[AskResult]
    recommendations: list[RecEcho]
    not_taken_up: list[dict[str, Any]]
    counts: dict[str, int]
    recommendations_in_review: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def asks_from_passages(passages: Sequence[Passage], file: str, label: str) -> list[Ask]:
    """The ask passages of a segmented document (its paragraphs when it has no marked ask)."""
    chosen = [p for p in passages if p.kind == "ask"] or [p for p in passages if p.kind == "paragraph"]
    out = []
    for p in chosen:
        where = p.paragraph or p.position.split(":", 1)[-1]
        out += split_into_parts(
            Ask(id=p.id, text=p.text, citation=f"{label}, para. {where}", file=file, context=p.context)
        )
    return out


def split_into_parts(ask: Ask) -> list[Ask]:
    """An ask that bundles several demands becomes one ask per demand (``search_api.ask_parts``)."""
    parts = split_ask(ask.text)
    if len(parts) == 1:
        return [ask]
    return [
        Ask(
            id=f"{ask.id}#part{i}",
            text=part,
            citation=f"{ask.citation}, demand {i} of {len(parts)}",
            file=ask.file,
            context=ask.text,
        )
        for i, part in enumerate(parts, 1)
    ]


def align(
    linker: Linker, asks: Sequence[Ask], *, country: str, cycle: int | None, settings: Settings
) -> AlignmentReport:
    """Align ``asks`` with the recommendations made to ``country`` in ``cycle``."""
    if not country.strip():
        raise QueryError("country", "name the country under review")
    if not asks:
        raise QueryError("asks", "no ask found in the documents given")
    raw: dict[str, list[Any]] = {"country": [country]}
    if cycle is not None:
        raw["cycle"] = [cycle]
    filters = Filters.parse(raw)
    meta = linker.searcher.snapshot().filters
    mask = meta.mask(Filters.parse({**raw, "kind": ["recommendation"]}))
    in_review = int(mask.sum()) if mask is not None else 0
    if in_review == 0:
        raise QueryError(
            "country",
            f"the index holds no recommendation to {country!r}"
            + (f" in cycle {cycle}" if cycle is not None else "")
            + "; index the review's outcome report or recommendations table first",
        )
    thresholds = Thresholds.of(settings)
    t_up, t_partly = thresholds.taken_up, thresholds.partly
    results: list[AskResult] = []
    echoes: dict[str, RecEcho] = {}
    for ask in asks:
        res = linker.link(ask.text, k=settings.align_matches, filters=filters, target="recommendation")
        matches = [
            Match(
                rec_passage_id=h.id,
                rec_id=h.metadata.get("rec_id"),
                text=h.text,
                recommending_state=h.metadata.get("recommending_state"),
                response=h.metadata.get("response"),
                cycle=h.metadata.get("cycle"),
                session=h.metadata.get("session"),
                citation=h.citation,
                similarity=float((h.link or {}).get("similarity", 0.0)),
                score=h.score,
                match=str((h.link or {}).get("match", "")),
                themes=list(h.metadata.get("themes") or []),
                also_made_by=[str(a.get("recommending_state")) for a in h.also_made_by],
            )
            for h in res.hits
        ]
        best = max(matches, key=lambda m: m.similarity) if matches else None
        best_sim = best.similarity if best else 0.0
        said = verdict(best_sim, thresholds)
        if best is None:
            reason = "no recommendation of this review to compare with"
        elif said == "not taken up":
            reason = (
                f"the closest recommendation, {best.citation} ({best.text[:160]}), has similarity {best_sim:.2f}, "
                f"below {t_partly:.2f} needed for 'partly'"
            )
        else:
            reason = f"closest: {best.citation}, similarity {best_sim:.2f} (threshold {t_up if said == 'taken up' else t_partly:.2f})"
        taking_up = [m for m in matches if m.similarity >= t_partly]
        results.append(
            AskResult(
                ask=ask,
                verdict=said,
                reason=reason,
                best_similarity=round(best_sim, 4),
                matches=matches,
                supported=sum(1 for m in taking_up if m.response == "supported"),
                noted=sum(1 for m in taking_up if m.response == "noted"),
                other_response=sum(1 for m in taking_up if m.response not in ("supported", "noted")),
            )
        )
        for m in taking_up:
            echo = echoes.setdefault(
                m.rec_passage_id,
                RecEcho(m.rec_passage_id, m.rec_id, m.citation, m.text, m.recommending_state, m.response, []),
            )
            echo.asks.append(
                {"ask_id": ask.id, "citation": ask.citation, "similarity": m.similarity, "text": ask.text}
            )
    for e in echoes.values():
        e.asks.sort(key=lambda a: -a["similarity"])
    recs = sorted(echoes.values(), key=lambda e: -max(a["similarity"] for a in e.asks))
    counts = {v: sum(1 for r in results if r.verdict == v) for v in VERDICTS}
    return AlignmentReport(
        country=country,
        cycle=cycle,
        thresholds={"taken_up": t_up, "partly": t_partly},
        asks=results,
        recommendations=recs,
        not_taken_up=[
            {"ask_id": r.ask.id, "citation": r.ask.citation, "text": r.ask.text, "reason": r.reason}
            for r in results
            if r.verdict == "not taken up"
        ],
        counts=counts,
        recommendations_in_review=in_review,
    )


CSV_COLUMNS = (
    "ask_citation",
    "ask_text",
    "verdict",
    "best_similarity",
    "rank",
    "rec_citation",
    "rec_id",
    "recommending_state",
    "response",
    "similarity",
    "match",
    "rec_text",
    "reason",
)


def report_csv(report: AlignmentReport) -> str:
    """One row per (ask, matched recommendation); an ask with no match gets one row. Spreadsheet-safe."""
    from search_api.export import spreadsheet_safe

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for r in report.asks:
        rows: list[Match | None] = list(r.matches) or [None]
        for rank, m in enumerate(rows, 1):
            values = {
                "ask_citation": r.ask.citation,
                "ask_text": r.ask.text,
                "verdict": r.verdict,
                "best_similarity": r.best_similarity,
                "reason": r.reason,
            }
            if m is not None:
                values.update(
                    rank=rank,
                    rec_citation=m.citation,
                    rec_id=m.rec_id,
                    recommending_state=m.recommending_state,
                    response=m.response,
                    similarity=round(m.similarity, 4),
                    match=m.match,
                    rec_text=m.text,
                )
            w.writerow([spreadsheet_safe(values.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()


def asks_from_files(paths: Sequence[Path], settings: Settings) -> tuple[list[Ask], list[dict[str, str]]]:
    """Read and segment documents (indexed or not) and take their asks; failures are reported."""
    from corpus.loader import check_name, find_documents, shown_path
    from corpus.sandbox import load_document_limited
    from hrsearch.errors import CorpusError
    from indexer.segmentation import segment

    asks: list[Ask] = []
    files, refused = find_documents(list(paths))
    failed: list[dict[str, str]] = [{"path": e.path, "error": e.reason} for e in refused]
    for f in files:
        try:
            check_name(f)
            doc = load_document_limited(f, settings)  # the indexer's reading, with its limits
            passages = segment(doc, settings)
        except CorpusError as e:
            failed.append({"path": shown_path(f), "error": e.reason})
            continue
        label = doc.meta.title or doc.meta.symbol or f.name
        asks += asks_from_passages(passages, str(f), label)
    return asks, failed
