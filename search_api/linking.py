"""Linking civil-society asks and UN recommendations, in both directions.

For a text (an ask, a draft recommendation, any wording) the linker ranks passages of a target
kind (recommendations by default; asks for the reverse direction) by three signals, each chosen
by measurement on ``seed_asks_us_upr3`` (EVALUATION.md, "Linking"):

1. **meaning**: cosine similarity of the embeddings (the query expanded with the spelled-out form
   of human rights acronyms, ``search_api.glossary``);
2. **words**: BM25 over the same passages;
3. **theme feedback**: the themes of the best few candidates (labels from the data, or the
   tagger's where the data has none) form a distribution, and candidates that share a strong
   theme are raised. It turns "ensure economic and social rights" into the housing, work and
   poverty recommendations that share those themes.

Meaning and words are z-normalised over the candidate pool and mixed; the theme boost is added.
The cosine similarity stays in every hit (``link.similarity``): it is absolute, so verdicts
(taken up / partly / not taken up) are thresholds on it, calibrated on the development set.
This module does not import FastAPI.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from indexer.records import citation
from search_api.filters import Filters
from search_api.glossary import expand
from search_api.highlight import highlight
from search_api.retrieval import METADATA_KEYS, Hit, Searcher

TARGETS = ("recommendation", "ask", "observation", "paragraph")


@dataclass
class LinkParams:
    """The linker's parameters (settings ``link_*``)."""

    depth: int = 200
    lexical_weight: float = 0.3
    theme_weight: float = 1.0
    theme_top: int = 5
    theme_temperature: float = 10.0


@dataclass
class LinkResult:
    query: str
    target: str
    hits: list[Hit]
    total: int
    took_ms: float
    model: str
    index_version: int
    filters: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None  # the passage linked from, when the input was a passage


def params_from(settings: Settings) -> LinkParams:
    return LinkParams(
        depth=settings.link_depth,
        lexical_weight=settings.link_lexical_weight,
        theme_weight=settings.link_theme_weight,
        theme_top=settings.link_theme_top,
    )


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def theme_boost(
    cos: np.ndarray, base: np.ndarray, themes: Sequence[Sequence[str]], top: int, temperature: float
) -> np.ndarray:
    """For each candidate, the weight of its strongest theme among the best ``top`` candidates.

    The best candidates (by ``base``) vote for their themes with softmax(temperature * cos)
    weights; a candidate's boost is the largest vote any of its themes received (0..1).
    """
    if top <= 0 or len(base) == 0:
        return np.zeros(len(base))
    best = np.argsort(-base, kind="stable")[:top]
    w = np.exp(temperature * (cos[best] - cos[best].max()))
    w /= w.sum()
    votes: dict[str, float] = {}
    for i, wi in zip(best, w, strict=True):
        for th in themes[i]:
            votes[th] = votes.get(th, 0.0) + float(wi)
    boost = np.array([max((votes.get(th, 0.0) for th in ts), default=0.0) for ts in themes], dtype=np.float64)
    # A candidate with no theme at all (no label, no tag) is unknown, not off-theme: it gets the
    # average boost of the candidates that have themes, so labelled data does not crowd it out.
    has = np.array([bool(ts) for ts in themes])
    if has.any() and not has.all():
        boost[~has] = float(boost[has].mean())
    return boost


class Linker:
    """Ranks passages of a target kind for a text, over one index."""

    def __init__(self, searcher: Searcher, settings: Settings, params: LinkParams | None = None) -> None:
        self.searcher = searcher
        self.settings = settings
        self.params = params or params_from(settings)

    def link(
        self,
        text: str,
        *,
        k: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        target: str = "recommendation",
        exclude: Sequence[str] = (),
        group_duplicates: bool = True,
        params: LinkParams | None = None,
    ) -> LinkResult:
        t0 = time.perf_counter()
        p = params or self.params
        text = (text or "").strip()
        if not text:
            raise QueryError("text", "the text is empty")
        if len(text) > self.settings.max_link_chars:
            raise QueryError("text", f"longer than {self.settings.max_link_chars} characters")
        if target not in TARGETS:
            raise QueryError("target", f"must be one of {', '.join(TARGETS)}")
        if not 1 <= k <= self.settings.max_export_rows:
            raise QueryError("k", f"must be between 1 and {self.settings.max_export_rows}")
        base_filters = filters or Filters()
        filters = replace(
            base_filters, values=dict(base_filters.values), exclude_doc_ids=list(base_filters.exclude_doc_ids)
        )
        filters.values["kind"] = [target]
        s = self.searcher
        s.metadata_index()  # loads the in-memory view of this generation
        query = expand(text)
        qvec = s.embedder.embed_queries([query])[0]
        depth = max(p.depth, (offset + k) * 3)
        dense = s.dense(qvec, depth, filters, [])
        mask = s.candidate_mask(filters, [])
        lexical = s.lexical(query, depth, mask)
        excluded = set(exclude)
        pool = [
            pid
            for pid in dict.fromkeys([d for d, _ in dense] + [lid for lid, _ in lexical])
            if pid not in excluded
        ]
        lex = s.reader.lexical()
        pool = [pid for pid in pool if pid in lex.position]
        if not pool:
            return LinkResult(
                text,
                target,
                [],
                0,
                _ms(t0),
                s.reader.config.get("model", ""),
                s.reader.generation,
                filters.as_dict(),
            )
        cos_by_id = dict(dense)
        missing = [pid for pid in pool if pid not in cos_by_id]
        if missing:
            vecs = s.reader.catalog.get_embeddings(missing)
            for pid in missing:
                cos_by_id[pid] = float(vecs[pid] @ qvec)
        positions = np.array([lex.position[pid] for pid in pool])
        bm25_all = lex.scores(query)
        bm25 = bm25_all[positions] if bm25_all.size else np.zeros(len(pool))
        cos = np.array([cos_by_id[pid] for pid in pool])
        base = (1.0 - p.lexical_weight) * _z(cos) + p.lexical_weight * _z(bm25)
        records = [s._records[i] for i in positions]
        themes = [feedback_themes(r) for r in records]
        boost = theme_boost(cos, base, themes, p.theme_top, p.theme_temperature)
        final = base + p.theme_weight * boost
        order = np.argsort(-final, kind="stable")
        hits: list[Hit] = []
        dense_rank = {pid: i for i, (pid, _) in enumerate(dense, 1)}
        lex_rank = {pid: i for i, (pid, _) in enumerate(lexical, 1)}
        for i in order:
            pid, r = pool[i], records[i]
            arms: dict[str, dict[str, Any]] = {
                "dense": {"rank": dense_rank.get(pid), "score": round(float(cos[i]), 6)}
            }
            if pid in lex_rank:
                arms["lexical"] = {"rank": lex_rank[pid], "score": round(float(bm25[i]), 6)}
            hit = Hit(
                id=pid,
                text=s._texts[positions[i]],
                score=round(float(final[i]), 6),
                kind=r.get("kind", ""),
                citation=citation(r),
                metadata={key: r.get(key) for key in METADATA_KEYS if r.get(key) not in (None, [], "")},
                arms=arms,
            )
            hit.link = {
                "similarity": round(float(cos[i]), 4),
                "lexical": round(float(bm25[i]), 4),
                "theme_boost": round(float(boost[i]), 4),
                "shared_themes": sorted({th for th in themes[i]} & _top_themes(themes, base, p.theme_top)),
                "match": match_label(float(cos[i]), self.settings),
            }
            hits.append(hit)
        if group_duplicates:
            from search_api.retrieval import group_duplicates as fold

            hits = fold(hits)
        total = len(hits)
        page = hits[offset : offset + k]
        for h in page:
            h.highlight_sentence, h.highlight = highlight(h.text, text)
        return LinkResult(
            query=text,
            target=target,
            hits=page,
            total=total,
            took_ms=_ms(t0),
            model=s.reader.config.get("model", ""),
            index_version=s.reader.generation,
            filters=filters.as_dict(),
        )

    def link_passage(
        self, passage_id: str, *, target: str | None = None, k: int = 10, filters: Filters | None = None
    ) -> LinkResult:
        """Link from an indexed passage: an ask to recommendations, a recommendation to asks
        (``target="ask"``) or to the same and similar recommendations elsewhere."""
        s = self.searcher
        rec = s.record(passage_id)
        if rec is None:
            from search_api.service import NotFound

            raise NotFound("passage_id", f"no passage {passage_id!r} in the index")
        text = s._texts[s.reader.lexical().position[passage_id]]
        if target is None:
            target = "ask" if rec.get("kind") == "recommendation" else "recommendation"
        if rec.get("kind") == target:
            # The same or similar passages in *other* documents: other cycles, other mechanisms.
            filters = replace(filters or Filters(), exclude_doc_ids=[rec["doc_id"]])
        result = self.link(text, k=k, filters=filters, target=target, exclude=[passage_id])
        result.source = {
            "id": passage_id,
            "text": text,
            "kind": rec.get("kind"),
            "citation": citation(rec),
            "metadata": {key: rec.get(key) for key in METADATA_KEYS if rec.get(key) not in (None, [], "")},
        }
        return result


def feedback_themes(record: dict[str, Any]) -> list[str]:
    """The themes a passage votes with: the data's own labels when it has any (exact, and in one
    taxonomy per source), else the tagger's (``tags`` with source ``model``), else ``themes``."""
    if record.get("labels"):
        return list(record["labels"])
    tags = record.get("tags") or []
    modelled = [t["theme"] for t in tags if t.get("source") == "model"]
    return modelled or list(record.get("themes") or [])


def _top_themes(themes: Sequence[Sequence[str]], base: np.ndarray, top: int) -> set[str]:
    best = np.argsort(-base, kind="stable")[:top]
    return {th for i in best for th in themes[i]}


def match_label(similarity: float, settings: Settings) -> str:
    """How close a pair is, in words: ``same`` wording, ``takes up``, ``partly``, or ``weak``."""
    if similarity >= settings.link_same_threshold:
        return "same"
    if similarity >= settings.verdict_taken_up:
        return "takes up"
    if similarity >= settings.verdict_partly:
        return "partly"
    return "weak"


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
