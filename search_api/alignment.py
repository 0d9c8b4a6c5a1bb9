"""The alignment report: which asks of a set of civil-society documents a review took up.

For a review (country under review + cycle) and a list of asks, each ask is linked to the
review's recommendations. An ask is **taken up** when its closest recommendation reaches the
``verdict_taken_up`` similarity, **partly** when it reaches ``verdict_partly``, and **not taken
up** otherwise; the thresholds are calibrated on ``seed_asks_us_upr3`` (EVALUATION.md, with the
precision and recall of each). The report also lists, per recommendation, the asks it echoes,
and counts supported vs noted among the recommendations that take each ask up.

"Taken up" says that States recommended something similar, not that the State under review
accepted it; so each ask also carries two separate facts: which States recommended it
(``recommended_by``, over the *deciding* matches: those in the verdict's band or above) and what
the State under review did with those recommendations (``response_of_state``: supported, noted,
supported and noted, or no response yet). Matches are sorted by the similarity shown, so the
deciding one comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from corpus.models import DocumentMeta
from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from indexer.models import Passage
from indexer.records import doc_label
from search_api.ask_parts import split_ask
from search_api.filters import Filters
from search_api.retrieval import Linker
from search_api.verdicts import VERDICTS, Thresholds, similarity_words, verdict


@dataclass
class Ask:
    """An ask to align: its text and where it comes from."""

    id: str
    text: str
    citation: str
    file: str | None = None
    context: str | None = None
    document: str | None = None  # how the document is named (title and author; symbol)


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
    recommended_by: list[str] = field(default_factory=list)  # States of the deciding matches
    response_of_state: str | None = None  # supported | noted | supported and noted | no response yet
    deciding: int = 0  # how many matches (the first ones) decide the verdict


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
    documents: list[str] = field(default_factory=list)  # the documents the asks come from
    glance: dict[str, int] = field(default_factory=dict)  # asks per GLANCE category

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# The report at a glance: each ask in one category (verdict, then what the State did).
GLANCE = (
    "recommended, supported",
    "recommended, noted",
    "recommended, no response yet",
    "partly recommended",
    "not recommended",
)


def glance_category(r: AskResult) -> str:
    if r.verdict == "not taken up":
        return "not recommended"
    if r.verdict == "partly":
        return "partly recommended"
    if r.response_of_state in ("supported", "supported and noted"):
        return "recommended, supported"
    if r.response_of_state == "noted":
        return "recommended, noted"
    return "recommended, no response yet"


def response_of_state(matches: Sequence[Match]) -> str | None:
    """What the State under review did with the recommendations that decide a verdict."""
    if not matches:
        return None
    responses = {m.response for m in matches}
    supported = bool(responses & {"supported", "supported_noted"})
    noted = bool(responses & {"noted", "supported_noted"})
    if supported and noted:
        return "supported and noted"
    if supported:
        return "supported"
    if noted:
        return "noted"
    return "no response yet"


def document_label(meta: DocumentMeta, fallback: str) -> str:
    """How a report names a document read from a file: as its citations do (``doc_label``)."""
    return doc_label({**meta.to_dict(), "file": fallback})


def asks_from_passages(passages: Sequence[Passage], file: str, label: str) -> list[Ask]:
    """The ask passages of a segmented document (its paragraphs when it has no marked ask)."""
    chosen = [p for p in passages if p.kind == "ask"] or [p for p in passages if p.kind == "paragraph"]
    out = []
    for p in chosen:
        where = p.paragraph or p.position.split(":", 1)[-1]
        out += split_into_parts(
            Ask(
                id=p.id,
                text=p.text,
                citation=f"{label}, para. {where}",
                file=file,
                context=p.context,
                document=label,
            )
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
            document=ask.document,
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
        # the figure shown is the similarity: sorted by it, the deciding match comes first
        matches.sort(key=lambda m: -m.similarity)
        best = matches[0] if matches else None
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
        band = t_up if said == "taken up" else t_partly
        deciding = [m for m in matches if m.similarity >= band] if said != "not taken up" else []
        states = dict.fromkeys(
            s.strip()
            for m in deciding
            for s in [*(m.recommending_state or "").split(";"), *m.also_made_by]
            if s and s.strip() and s.strip() != "None"
        )
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
                recommended_by=list(states),
                response_of_state=response_of_state(deciding),
                deciding=len(deciding),
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
        documents=list(dict.fromkeys(a.document for a in asks if a.document)),
        glance={g: sum(1 for r in results if glance_category(r) == g) for g in GLANCE},
    )


CSV_COLUMNS = (
    "ask_citation",
    "ask_text",
    "verdict",
    "recommended_by_states",
    "response_of_state",
    "best_similarity",
    "rank",
    "deciding",
    "rec_citation",
    "rec_id",
    "recommending_state",
    "response",
    "similarity",
    "similarity_words",
    "match",
    "rec_text",
    "reason",
)


def report_csv(report: AlignmentReport | dict[str, Any]) -> str:
    """One row per (ask, matched recommendation), matches by similarity (the deciding ones first,
    marked); an ask with no match gets one row. Spreadsheet-safe, with a byte order mark. Takes
    the report or its ``to_dict()`` (what a page holds)."""
    from search_api.export import csv_text

    data = report.to_dict() if isinstance(report, AlignmentReport) else report
    t = Thresholds(data["thresholds"]["taken_up"], data["thresholds"]["partly"])

    def rows() -> Any:
        for r in data["asks"]:
            matches: list[dict[str, Any] | None] = list(r["matches"]) or [None]
            for rank, m in enumerate(matches, 1):
                values: dict[str, Any] = {
                    "ask_citation": r["ask"]["citation"],
                    "ask_text": r["ask"]["text"],
                    "verdict": r["verdict"],
                    "recommended_by_states": len(r.get("recommended_by") or []),
                    "response_of_state": r.get("response_of_state"),
                    "best_similarity": r["best_similarity"],
                    "reason": r["reason"],
                }
                if m is not None:
                    values.update(
                        rank=rank,
                        deciding="yes" if rank <= r.get("deciding", 0) else "no",
                        rec_citation=m["citation"],
                        rec_id=m["rec_id"],
                        recommending_state=m["recommending_state"],
                        response=m["response"],
                        similarity=round(m["similarity"], 4),
                        similarity_words=similarity_words(m["similarity"], t),
                        match=m["match"],
                        rec_text=m["text"],
                    )
                yield values

    return csv_text(CSV_COLUMNS, rows())


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
        asks += asks_from_passages(passages, str(f), document_label(doc.meta, f.name))
    return asks, failed
