"""Retrieval: the dense arm (Chroma), the lexical arm (BM25) and their fusion.

This module does not import FastAPI: the CLI, the evaluation code and the HTTP app all call
``Searcher.search``. Filters and quoted phrases are applied inside both arms before fusion, so a
filter never empties a page that more results could fill.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

from corpus.countries import countries_named_in
from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from indexer.context import context_key
from indexer.embedder import Embedder
from indexer.lexical import query_terms
from indexer.reader import IndexReader
from indexer.records import citation
from search_api.filters import Filters, MetadataIndex
from search_api.fusion import FUSION_METHODS, fuse
from search_api.glossary import expand
from search_api.highlight import highlight

MODES = ("hybrid", "dense", "lexical")
T = TypeVar("T")
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”')


@dataclass
class SearchRequest:
    q: str
    k: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)
    mode: str = "hybrid"
    group_duplicates: bool = True
    fusion: str | None = None  # None = the configured default


@dataclass
class Hit:
    id: str
    text: str
    score: float
    kind: str
    citation: str
    metadata: dict[str, Any]
    arms: dict[str, dict[str, float | int | None]]
    highlight: str = ""
    highlight_sentence: str = ""
    also_made_by: list[dict[str, Any]] = field(default_factory=list)
    link: dict[str, Any] | None = None  # set by the linker: similarity, theme boost, match label


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    took_ms: float
    mode: str
    model: str
    index_version: int
    query: str
    filters: dict[str, Any]


def phrases(q: str) -> list[str]:
    """Quoted phrases in a query (straight or curly quotes)."""
    return [a or b for a, b in _PHRASE.findall(q) if (a or b).strip()]


def unquoted(q: str) -> str:
    """The query with its quotation marks removed, phrases kept as words: what the arms score
    (the phrase itself is enforced as a filter, ``phrases``)."""
    return _PHRASE.sub(lambda m: m.group(1) or m.group(2), q)


def phrase_regex(phrase: str) -> str:
    """A case-insensitive pattern for a phrase, tolerant of the spacing PDF extraction adds
    around apostrophes and between words (``Court ’ s`` matches ``Court's``)."""
    words = re.findall(r"\w+|[^\w\s]", phrase)
    return "(?i)" + r"\s*".join(re.escape(w) for w in words)


METADATA_KEYS = (
    "symbol",
    "rec_id",
    "paragraph",
    "page",
    "pages",
    "recommending_state",
    "recommending_states",
    "response",
    "country",
    "cycle",
    "session",
    "year",
    "mechanism",
    "doc_kind",
    "language",
    "themes",
    "action_category",
    "section",
    "heading_path",
    "file",
    "doc_id",
    "position",
    "title",
    "context",
    "part",
    "parts",
)


@dataclass(frozen=True)
class _View:
    """What one generation of the index looks like in memory; a request uses one view only."""

    lex: Any
    texts: list[str]
    records: Sequence[dict[str, Any]]
    meta: MetadataIndex
    # Per-request work kept across requests of this generation: which positions hold a
    # recommendation (from the filter index, so folding decodes no record to learn a kind) and
    # the context key of each position a request has looked at.
    is_rec: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    context_keys: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.is_rec.size != len(self.texts):  # frozen: set once, here
            is_rec = np.zeros(len(self.texts), dtype=bool)
            is_rec[self.meta.postings.get("kind", {}).get("recommendation", [])] = True
            object.__setattr__(self, "is_rec", is_rec)

    def of_states(self, states: Sequence[str]) -> np.ndarray:
        """Which positions are of one of ``states``, under review or recommending (from the
        filter index: no record is decoded)."""
        mask = np.zeros(len(self.texts), dtype=bool)
        for name in ("country", "recommending_state"):
            postings = self.meta.postings.get(name, {})
            for state in states:
                mask[postings.get(state, [])] = True
        return mask

    def kind_is_rec(self, pos: int) -> bool:
        return bool(self.is_rec[pos])

    def context_key(self, pos: int) -> str:
        key = self.context_keys.get(pos)
        if key is None:
            if len(self.context_keys) >= _CONTEXT_KEYS_MAX:
                self.context_keys.clear()
            key = self.context_keys[pos] = context_key(self.records[pos])
        return key


class Searcher:
    """Answers search requests over one index with one embedder."""

    def __init__(self, reader: IndexReader, embedder: Embedder, settings: Settings) -> None:
        self.reader = reader
        self.embedder = embedder
        self.settings = settings
        self._lock = threading.Lock()
        self._view: _View | None = None
        self._context_extra: dict[str, np.ndarray] = {}

    # --- in-memory views of the current generation ------------------------------------------
    def _load(self) -> _View:
        """The view of one generation: BM25, texts, records and metadata, all from one snapshot."""
        lex, texts, records = self.reader.view()
        with self._lock:
            if self._view is None or self._view.lex is not lex:
                self._view = _View(lex, texts, records, MetadataIndex.build(records))
            return self._view

    def metadata_index(self) -> MetadataIndex:
        return self._load().meta

    @property
    def _texts(self) -> list[str]:  # the linker and the evaluation read these
        return self._load().texts

    @property
    def _records(self) -> Sequence[dict[str, Any]]:
        return self._load().records

    def record(self, pid: str) -> dict[str, Any] | None:
        view = self._load()
        pos = view.lex.position.get(pid)
        return None if pos is None else view.records[pos]

    # --- the arms ---------------------------------------------------------------------------
    def candidate_mask(
        self, filters: Filters, quoted: Sequence[str], view: _View | None = None
    ) -> np.ndarray | None:
        view = view or self._load()
        mask = view.meta.mask(filters)
        if quoted:
            pats = [re.compile(phrase_regex(p)) for p in quoted]
            ok = np.fromiter(
                (all(p.search(t) for p in pats) for t in view.texts), dtype=bool, count=len(view.texts)
            )
            mask = ok if mask is None else (mask & ok)
        return mask

    def dense(
        self, query_vec: np.ndarray, n: int, filters: Filters, quoted: Sequence[str]
    ) -> list[tuple[str, float]]:
        where = filters.to_where()
        kwargs: dict[str, Any] = {}
        if quoted:
            pats = [{"$regex": phrase_regex(p)} for p in quoted]
            kwargs["where_document"] = pats[0] if len(pats) == 1 else {"$and": pats}
        if kwargs:
            res = self.reader.store.collection.query(
                query_embeddings=np.asarray([query_vec], dtype=np.float32),
                n_results=n,
                where=where,
                include=["distances"],
                **kwargs,
            )
            return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        return self.reader.store.query(query_vec, n, where=where)

    def _country_scope(self, q: str, filters: Filters) -> Filters | None:
        """The request's filters narrowed to the states the query names, when it names any and
        does not filter on the country itself.

        A recommendation's text is its wording alone, so its vector does not know the country it
        was made to: "Australia locking up asylum seekers" draws detention recommendations to any
        state. A second dense query inside the named countries' documents adds their best
        candidates (with their own cosine scores, comparable with the first query's); the lexical
        arm matches the name in the passages' context fields."""
        if not self.settings.country_scoping or "country" in filters.values:
            return None
        named = countries_named_in(q)
        if not named:
            return None
        return dataclasses.replace(filters, values={**filters.values, "country": named})

    def _with_context(
        self, qvec: np.ndarray, dense: list[tuple[str, float]], view: _View
    ) -> list[tuple[str, float]]:
        """The dense candidates rescored with their context: cosine to the passage plus
        ``context_weight`` times cosine to its context key (``indexer.context``).

        A recommendation's vector knows its wording, not the country it was made to nor the
        review; the key's vector does ("Australia, UPR Working Group report 2011,
        recommendation"). The index stores a vector per key; a key it lacks (an index written
        before these existed, until its next ``hrsearch index``) is embedded here once and kept."""
        stored = self.reader.contexts()
        extra = self._context_extra
        keys = []
        for pid, _ in dense:
            pos = view.lex.position.get(pid)
            keys.append(view.context_key(pos) if pos is not None else "")
        todo = sorted({k for k in keys if k and k not in stored and k not in extra})
        if todo:
            if len(extra) > _CONTEXT_EXTRA_MAX:
                extra.clear()
            extra.update(zip(todo, self.embedder.embed_passages(todo), strict=True))
        w = self.settings.context_weight
        out = []
        for (pid, score), key in zip(dense, keys, strict=True):
            vec = stored.get(key) if key else None
            if vec is None and key:
                vec = extra[key]
            out.append((pid, float(score) + (w * float(vec @ qvec) if vec is not None else 0.0)))
        return sorted(out, key=lambda x: (-x[1], x[0]))

    def query_vector(self, q: str, q_expanded: str) -> np.ndarray:
        """The dense arm's query: the mean direction of the query as typed and as expanded.

        A spelled-out acronym appended to a short question ("... under CEDAW" + the eleven
        words of the Convention's name) outweighs it in a sentence embedding, which then finds
        passages about the treaty (ratify CEDAW) rather than about the question; the query as
        typed alone loses acronyms the model does not know (FGM, NHRI). The mean of the two
        keeps both: measured on the four sets in EVALUATION.md (What helped, session 4).
        BM25 gets the expanded query, where extra words only add matches.
        """
        texts = [unquoted(t) for t in dict.fromkeys((q, q_expanded))]
        vecs = np.asarray(self.embedder.embed_queries(texts), dtype=np.float32)
        if len(vecs) == 1:
            return vecs[0]
        mean = vecs.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else vecs[0]

    def _complete(
        self,
        qvec: np.ndarray,
        dense: list[tuple[str, float]],
        lexical: list[tuple[str, float]],
        lex_scores: np.ndarray,
        view: _View,
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Both arms' scores for every candidate either arm found.

        Score fusion otherwise gives a passage the other arm did not return that arm's minimum:
        a passage BM25 ranks first for one rare query word ("cannot afford", "killing") but
        whose meaning is far from the question then ties with the dense arm's best, and a
        passage the dense arm found that shares most query words is scored as if it shared
        none. Its real score costs little: BM25 has scored every passage already, and the
        vectors of the (at most ``candidate_depth``) passages only BM25 found are read from the
        catalog and rescored with their context like the dense arm's own. Measured on the four
        sets in EVALUATION.md (What helped, session 4)."""
        in_dense = {pid for pid, _ in dense}
        in_lex = {pid for pid, _ in lexical}
        only_lex = [pid for pid, _ in lexical if pid not in in_dense]
        only_dense = [pid for pid, _ in dense if pid not in in_lex]
        if only_lex:
            vecs = self.reader.catalog.get_embeddings(only_lex)
            extra = [(pid, float(vecs[pid] @ qvec)) for pid in only_lex if pid in vecs]
            if self.settings.context_weight > 0 and extra:
                extra = self._with_context(qvec, extra, view)
            dense = sorted(dense + extra, key=lambda x: (-x[1], x[0]))
        if only_dense and lex_scores.size:
            pos = view.lex.position
            extra = [(pid, float(lex_scores[pos[pid]])) for pid in only_dense if pid in pos]
            lexical = sorted(lexical + extra, key=lambda x: (-x[1], x[0]))
        return dense, lexical

    def _after_fusion(
        self, fused: list[tuple[str, float]], scoped: Filters | None, view: _View
    ) -> list[tuple[str, float]]:
        """The fused ranking with two adjustments, in one pass: the country boost (passages of a
        state the query names, when ``scoped`` holds them; score fusion only, where a fixed
        amount means the same on every query) and the lead-in penalty (``introduces_list``)."""
        boost = self.settings.country_boost if scoped is not None else 0.0
        of_named = view.of_states(scoped.values["country"]) if scoped is not None and boost > 0 else None
        penalty = self.settings.lead_in_penalty
        if of_named is None and penalty <= 0:
            return fused
        pos = view.lex.position

        def adjusted(pid: str, score: float) -> float:
            p = pos.get(pid)
            if p is None:
                return score
            if of_named is not None and of_named[p]:
                score += boost
            if penalty > 0 and introduces_list(view.texts[p]):
                score -= penalty
            return score

        return sorted(((pid, adjusted(pid, s)) for pid, s in fused), key=lambda x: (-x[1], x[0]))

    def lexical(
        self, q: str, n: int, mask: np.ndarray | None, view: _View | None = None
    ) -> list[tuple[str, float]]:
        text = unquoted(q)
        return (view or self._load()).lex.search(text, n, mask=mask)

    # --- the request ------------------------------------------------------------------------
    def search(self, req: SearchRequest, *, k_cap: int | None = None) -> SearchResult:
        """Run one request; ``k_cap`` raises the page-size limit (exports)."""
        t0 = time.perf_counter()
        q = req.q.strip()
        if not q:
            raise QueryError("q", "the query is empty")
        if len(q) > self.settings.max_query_chars:
            raise QueryError("q", f"longer than {self.settings.max_query_chars} characters")
        if req.mode not in MODES:
            raise QueryError("mode", f"must be one of {', '.join(MODES)}")
        cap = k_cap or self.settings.max_k
        if not 1 <= req.k <= cap:
            raise QueryError("k", f"must be between 1 and {cap}")
        if not 0 <= req.offset <= self.settings.max_offset:
            raise QueryError("offset", f"must be between 0 and {self.settings.max_offset}")
        fusion = req.fusion or self.settings.fusion
        if fusion not in FUSION_METHODS:
            raise QueryError("fusion", f"must be one of {', '.join(FUSION_METHODS)}")
        view = self._load()  # one generation for the whole request
        quoted = phrases(q)
        # The arms see the query with acronyms spelled out; the response shows what was asked.
        q_arms = expand(q) if self.settings.expand_acronyms else q
        depth = max(self.settings.candidate_depth, (req.offset + req.k) * 3)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        scoped = None
        if req.mode in ("hybrid", "dense"):
            qvec = self.query_vector(q, q_arms)
            dense = self.dense(qvec, depth, req.filters, quoted)
            scoped = self._country_scope(q, req.filters)
            if scoped is not None:
                dense = merge_ranked(dense, self.dense(qvec, depth, scoped, quoted))
            if self.settings.context_weight > 0 and dense:
                dense = self._with_context(qvec, dense, view)
        lex_scores = None
        if req.mode in ("hybrid", "lexical"):
            mask = self.candidate_mask(req.filters, quoted, view)
            lex_scores = view.lex.scores(unquoted(q_arms))
            lexical = view.lex.top(lex_scores, depth, mask)
        if (
            req.mode == "hybrid"
            and fusion != "rrf"
            and self.settings.complete_scores
            and lex_scores is not None
        ):
            dense, lexical = self._complete(qvec, dense, lexical, lex_scores, view)
        if req.mode == "hybrid":
            fused = fuse(
                dense, lexical, method=fusion, rrf_k=self.settings.rrf_k, weight=self.settings.dense_weight
            )
            fused = self._after_fusion(fused, scoped if fusion != "rrf" else None, view)
        else:
            only = dense or lexical
            fused = [(pid, s) for pid, s in only]
        # Grouping and counting need only each candidate's record; a Hit (citation, metadata,
        # highlight) is built for the page alone.
        cands = [(pid, score, pos) for pid, score in fused if (pos := view.lex.position.get(pid)) is not None]
        groups = fold_candidates(cands, view) if req.group_duplicates else [(c, []) for c in cands]
        total = len(groups)
        shown = groups[req.offset : req.offset + req.k]
        arms = _arm_table(dense, lexical, {lead[0] for lead, _ in shown})
        terms = query_terms(q_arms)
        page = []
        for (pid, score, pos), folded in shown:
            h = _hit(pid, score, view.texts[pos], view.records[pos], arms)
            h.also_made_by = [_also_made_by(fpid, view.records[fpos]) for fpid, fpos in folded]
            h.highlight_sentence, h.highlight = highlight(h.text, q_arms, terms)
            page.append(h)
        return SearchResult(
            hits=page,
            total=total,
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            mode=req.mode,
            model=self.reader.config.get("model", ""),
            index_version=self.reader.generation,
            query=q,
            filters=req.filters.as_dict(),
        )


def _hit(pid: str, score: float, text: str, r: dict[str, Any], arms: dict[str, dict[str, Any]]) -> Hit:
    return Hit(
        id=pid,
        text=text,
        score=round(float(score), 6),
        kind=r.get("kind", ""),
        citation=citation(r),
        metadata={k: r.get(k) for k in METADATA_KEYS if r.get(k) not in (None, [], "")},
        arms=arms.get(pid, {}),
    )


def _also_made_by(pid: str, r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": pid,
        "recommending_state": _field(r, "recommending_state"),
        "country": _field(r, "country"),
        "response": _field(r, "response"),
        "citation": citation(r),
    }


def _field(r: Mapping[str, Any], key: str) -> Any:
    """A record's value as a Hit's ``metadata`` shows it (empty values absent, so None)."""
    v = r.get(key)
    return None if v in (None, [], "") else v


LEAD_IN_MAX_CHARS = 300


def introduces_list(text: str) -> bool:
    """Whether a passage only introduces the list that follows it.

    "The recommendations below did not enjoy the support of Tanzania:", "In the course of the
    discussion, the following recommendations were made to the United States of America:": a
    short paragraph ending with a colon. It names the country and the words of the question
    ("recommendations", "support"), so both arms rank it high, and it answers nothing: its
    content is the list, which is segmented into passages of its own. 1,217 of the whole
    corpus's 109,995 passages."""
    t = text.rstrip()
    return len(t) < LEAD_IN_MAX_CHARS and t.endswith(":")


def merge_ranked(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Two rankings of one arm (same score scale) as one: each id once, with its best score."""
    best = dict(a)
    for pid, score in b:
        if score > best.get(pid, float("-inf")):
            best[pid] = score
    return sorted(best.items(), key=lambda x: (-x[1], x[0]))


def _arm_table(
    dense: list[tuple[str, float]], lexical: list[tuple[str, float]], shown: set[str]
) -> dict[str, dict[str, Any]]:
    """Each shown hit's rank and score in each arm (only the page's hits: a table of every
    candidate cost a millisecond per request)."""
    table: dict[str, dict[str, Any]] = {}
    for name, ranked in (("dense", dense), ("lexical", lexical)):
        for rank, (pid, s) in enumerate(ranked, 1):
            if pid in shown:
                table.setdefault(pid, {})[name] = {"rank": rank, "score": round(float(s), 6)}
    return table


_CONTEXT_EXTRA_MAX = 50_000  # context vectors embedded at query time, kept per searcher
_CONTEXT_KEYS_MAX = 500_000  # context keys of passage positions remembered per view
_NON_WORD = re.compile(r"\W+")


@lru_cache(maxsize=65536)
def _norm_text(t: str) -> str:
    """The text two copies of one recommendation share (case, punctuation and spacing aside).
    Cached: the same candidates come back query after query, and a text's hash is computed once."""
    return _NON_WORD.sub(" ", t.lower()).strip()


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _fold(
    items: Sequence[T],
    kind: Callable[[T], str],
    text: Callable[[T], str],
    record: Callable[[T], Mapping[str, Any]],
) -> list[tuple[T, list[T]]]:
    """Items in rank order, grouped: a recommendation whose text (case, punctuation and spacing
    aside) an earlier one has is folded into it (the same text made by another State), unless it
    is the same recommendation again (another copy of the document, PDF and text), which is
    dropped. Each group is its best-ranked item and the items folded into it."""
    groups: list[tuple[T, list[T]]] = []
    first: dict[str, int] = {}
    seen_recs: set[tuple[Any, ...]] = set()
    for item in items:
        if kind(item) == "recommendation":
            key = _norm_text(text(item))
            at = first.get(key)
            if at is not None:
                r = record(item)
                rec_key = tuple(_hashable(_field(r, k)) for k in ("country", "rec_id", "recommending_state"))
                if rec_key in seen_recs or _same_record(record(groups[at][0]), r):
                    continue
                seen_recs.add(rec_key)
                groups[at][1].append(item)
                continue
            first[key] = len(groups)
        groups.append((item, []))
    return groups


def fold_candidates(
    cands: list[tuple[str, float, int]], view: _View
) -> list[tuple[tuple[str, float, int], list[tuple[str, int]]]]:
    """``_fold`` on (id, score, position) candidates, reading records only: each group is its
    best-ranked candidate and the (id, position) of the copies folded into it."""
    groups = _fold(
        cands,
        kind=lambda c: "recommendation" if view.kind_is_rec(c[2]) else "",
        text=lambda c: view.texts[c[2]],
        record=lambda c: view.records[c[2]],
    )
    return [(lead, [(c[0], c[2]) for c in folded]) for lead, folded in groups]


def _same_record(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("rec_id", "recommending_state", "country")
    return all(_field(a, k) == _field(b, k) for k in keys) and _field(a, "rec_id") is not None


def group_duplicates(hits: list[Hit]) -> list[Hit]:
    """``_fold`` on built hits (the linker's): the folded ones listed in ``also_made_by``."""
    out = []
    for lead, folded in _fold(
        hits, kind=lambda h: h.kind, text=lambda h: h.text, record=lambda h: h.metadata
    ):
        lead.also_made_by.extend(
            {
                "id": h.id,
                "recommending_state": h.metadata.get("recommending_state"),
                "country": h.metadata.get("country"),
                "response": h.metadata.get("response"),
                "citation": h.citation,
            }
            for h in folded
        )
        out.append(lead)
    return out
