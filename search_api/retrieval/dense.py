"""Stage 2: the dense arm, nearest passages by embedding, rescored with their context.

The query vector (``query_vector``) is embedded once per request; the nearest passages come
from the dense store (Chroma), filtered inside the store by the request's filters (and phrases);
a query naming a State draws a second set from that State's passages (``query.country_scope``).
Each candidate's cosine is then raised by ``context_weight`` times the query's cosine to the
candidate's context key (``indexer.context``): a recommendation's vector knows its wording,
not the country it was made to nor the review; the key's vector does ("Australia, UPR Working
Group report 2011, recommendation").
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

import numpy as np

from indexer.embedder import Embedder
from indexer.snapshot import Ranked, Snapshot
from search_api.filters import Filters
from search_api.lexicon import languages
from search_api.retrieval.params import RankingParams
from search_api.retrieval.query import Query, candidate_mask, phrase_regex, unquoted

_CONTEXT_EXTRA_MAX = 50_000  # context vectors embedded at query time, kept per process


class ContextVectors:
    """Context vectors the index does not store yet (an index written before they existed, until
    its next ``hrsearch index``), embedded at query time once and kept."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.extra: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def vectors(self, keys: Sequence[str], snapshot: Snapshot) -> list[np.ndarray | None]:
        stored = snapshot.contexts
        todo = sorted({k for k in keys if k and k not in stored and k not in self.extra})
        if todo:
            vecs = self.embedder.embed_passages(todo)
            with self._lock:
                if len(self.extra) > _CONTEXT_EXTRA_MAX:
                    self.extra.clear()
                self.extra.update(zip(todo, vecs, strict=True))
        out: list[np.ndarray | None] = []
        for key in keys:
            vec = stored.get(key) if key else None
            if vec is None and key:
                vec = self.extra.get(key)
            out.append(vec)
        return out


def uses_crosslingual(query: Query, params: RankingParams) -> bool:
    """Whether the dense arm mixes the mapped e5 vector into this query's vector: a query not in
    English, or an English one when ``english_e5_weight`` > 0 (what decides if the cross-lingual
    encoder is loaded for it, ``Searcher.models``, and if ``query_vector`` calls it)."""
    return query.crosslingual or params.english_e5_weight > 0


def query_vector(
    query: Query, embedder: Embedder, params: RankingParams, crosslingual: Embedder | None = None
) -> np.ndarray:
    """The dense arm's query vector.

    ``mean``: the mean direction of the query as typed and as expanded. A spelled-out acronym
    appended to a short question ("... under CEDAW" + the eleven words of the Convention's name)
    outweighs it in a sentence embedding, which then finds passages about the treaty (ratify
    CEDAW) rather than about the question; the query as typed alone loses acronyms the model
    does not know (FGM, NHRI). The mean keeps both (EVALUATION.md, What helped, session 4).
    ``expanded``: the expanded text alone (the linker, whose cosine is calibrated on it).

    A query that is not in English (``crosslingual`` given) is mostly its multilingual-e5 vector
    mapped into the index model's space (``indexer.crosslingual``): ``crosslingual_weight`` of
    it, and the rest the index model's own vector of its dictionary translation (or of the text
    as written, where the translation is empty: names and acronyms read the same in every
    language). A language with no dictionary at all takes the mapped vector alone (Arabic did,
    until it got one in session 13).

    Only the first ``params.embed_chars`` characters are embedded: the models read the start of
    a text anyway (MiniLM 256 tokens), and e5 would embed a long one window by window, at seconds
    per window (``HRSEARCH_MAX_EMBED_CHARS``).

    ``english_e5_weight`` > 0 mixes the mapped e5 vector into an English query's too, at that
    share: two embedders' views of one text (an evaluation variant, off by default; measured in
    session 18 and not adopted: it lowered English on three of the five held-out sets).
    """
    n = params.embed_chars
    # An English query takes the mapped vector only as a second embedder's view (an ensemble).
    w = params.crosslingual_weight if query.crosslingual else params.english_e5_weight
    mapped = None
    if crosslingual is not None and uses_crosslingual(query, params):
        mapped = np.asarray(crosslingual.embed_queries([unquoted(query.expanded)[:n]])[0], dtype=np.float32)
        if query.crosslingual and query.language not in languages():
            # No dictionary for the language: the index model's own vector would be of the text
            # as written, which an English model reads as noise in another script, so it is not
            # even computed. The mapped vector alone: for Arabic before its dictionary, nDCG@10
            # 0.415 -> 0.607 (linker) on the set the rule was chosen on, 0.501 -> 0.640 held out
            # (docs/LINKING.md, session 12).
            return unit(mapped, mapped)
    if query.crosslingual and query.english:
        own = np.asarray(embedder.embed_queries([query.english[:n]])[0], dtype=np.float32)
    elif params.query_vector == "expanded":
        own = np.asarray(embedder.embed_queries([query.expanded[:n]])[0], dtype=np.float32)
    else:
        texts = [unquoted(t)[:n] for t in dict.fromkeys((query.text, query.expanded))]
        vecs = np.asarray(embedder.embed_queries(texts), dtype=np.float32)
        own = vecs[0] if len(vecs) == 1 else unit(vecs.mean(axis=0), vecs[0])
    if mapped is None:
        return own
    return unit(w * mapped + (1.0 - w) * own, own)


def unit(v: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (float32), or ``fallback`` when ``v`` is all zeros."""
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else fallback


def nearest(qvec: np.ndarray, n: int, filters: Filters, query: Query, snapshot: Snapshot) -> Ranked:
    """The ``n`` passages nearest to ``qvec`` that pass ``filters`` and the query's phrases."""
    where_document = None
    if query.phrases:
        pats = [{"$regex": phrase_regex(p)} for p in query.phrases]
        where_document = pats[0] if len(pats) == 1 else {"$and": pats}
    return snapshot.nearest(
        qvec,
        n,
        where=filters.to_where(),
        where_document=where_document,
        mask=lambda: candidate_mask(dataclasses.replace(query, filters=filters), snapshot),
    )


def merge_ranked(a: Ranked, b: Ranked) -> Ranked:
    """Two rankings of one arm (same score scale) as one: each id once, with its best score."""
    best = dict(a)
    for pid, score in b:
        if score > best.get(pid, float("-inf")):
            best[pid] = score
    return sorted(best.items(), key=lambda x: (-x[1], x[0]))


def with_context(
    qvec: np.ndarray, ranked: Ranked, snapshot: Snapshot, params: RankingParams, contexts: ContextVectors
) -> Ranked:
    """``ranked`` rescored with each passage's context: cosine plus ``context_weight`` times the
    cosine of the query and the passage's context key, best first."""
    keys = []
    for pid, _ in ranked:
        pos = snapshot.position.get(pid)
        keys.append(snapshot.context_key(pos) if pos is not None else "")
    w = params.context_weight
    out = []
    for (pid, score), vec in zip(ranked, contexts.vectors(keys, snapshot), strict=True):
        out.append((pid, float(score) + (w * float(vec @ qvec) if vec is not None else 0.0)))
    return sorted(out, key=lambda x: (-x[1], x[0]))


def dense_arm(
    query: Query,
    qvec: np.ndarray,
    depth: int,
    scope: Filters | None,
    snapshot: Snapshot,
    params: RankingParams,
    contexts: ContextVectors,
    *,
    deep: int = 0,
) -> tuple[Ranked, Ranked]:
    """The dense arm's candidates, best first (with context when ``context_weight`` > 0), and,
    with ``deep`` > ``depth``, the nearest passages after them (up to ``deep`` in all), scored
    the same way: where a reader's results past the fused candidates come from (``floor``)."""
    nearest_all = nearest(qvec, max(depth, deep), query.filters, query, snapshot)
    ranked, beyond = nearest_all[:depth], nearest_all[depth:]
    if scope is not None:
        ranked = merge_ranked(ranked, nearest(qvec, depth, scope, query, snapshot))
    if params.context_weight > 0 and ranked:
        ranked = with_context(qvec, ranked, snapshot, params, contexts)
    if params.context_weight > 0 and beyond:
        beyond = with_context(qvec, beyond, snapshot, params, contexts)
    return ranked, beyond
