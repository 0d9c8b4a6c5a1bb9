"""The systems compared by ``hrsearch eval``, behind one registry.

Every system answers a batch of queries within a :class:`Scope` with ranked :class:`Unit` s. The
project's own systems go through ``search_api.retrieval.Searcher.search`` exactly as the CLI and
the HTTP API do (``group_duplicates=False``, so each table row stays its own hit); they differ
only in mode and fusion settings. The naive baseline lives in ``evaluation.naive``. Later
pipelines (``link``) add themselves with :func:`register_system`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from evaluation.refs import Unit
from hrsearch.errors import HrsearchError, QueryError
from hrsearch.settings import Settings

BASELINE = "naive"
HEAD_K = 10  # the default page size of `hrsearch search` and the API: what the @10 metrics see


_DOC_TEXT_CACHE = 1024  # documents kept read for answer matching (a miss re-reads a PDF)


class UnknownSystemError(HrsearchError):
    """A system name that is not registered."""


@dataclass(frozen=True)
class Scope:
    """Where a set is searched: the whole index, or only its pool's document(s)."""

    label: str
    files: tuple[str, ...]  # absolute paths of the documents searched, from the index catalog
    doc_ids: tuple[str, ...] | None = None  # None: the whole index


class System(Protocol):
    """Answers queries with ranked units."""

    name: str

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]: ...


class QueryCachingEmbedder:
    """An ``Embedder`` that encodes each distinct query once per run (every system asks again)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._queries: dict[str, np.ndarray] = {}

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.inner.embed_passages(texts), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self._queries))
        if new:
            self._queries.update(
                zip(new, np.asarray(self.inner.embed_queries(new), dtype=np.float32), strict=True)
            )
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._queries[t] for t in texts])


class EvalContext:
    """What systems share in one evaluation run: settings, the index, one embedder, a cache folder.

    The index and the model are opened on first use and closed by :meth:`close`.
    """

    def __init__(
        self,
        settings: Settings,
        embedder_factory: Callable[[], Any],
        *,
        cache_dir: Any,
        progress: bool = False,
    ) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self.progress = progress
        self._embedder_factory = embedder_factory
        self._embedder: Any = None
        self._index: Any = None
        self._searcher: Any = None
        self._doc_texts: dict[tuple[str, str], str | None] = {}

    @property
    def index(self) -> Any:
        if self._index is None:
            from indexer.index import Index

            self._index = Index.open(self.settings)
        return self._index

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            self._embedder = QueryCachingEmbedder(self._embedder_factory())
        return self._embedder

    @property
    def searcher(self) -> Any:
        """The one ``Searcher``; variants are ``RankingParams`` values passed to it."""
        if self._searcher is None:
            from search_api.retrieval import Searcher

            self._searcher = Searcher(self.index, self.embedder, self.settings)
        return self._searcher

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    def unit_text(self, record: Mapping[str, Any] | None, text: str) -> str:
        """The text an answer is looked for in: the passage's span of its document as read (with
        the paragraph number and the "(Namibia)" of a recommendation, which the passage text
        leaves out), then the passage text. Answers are quoted from the documents, so a unit is
        judged on what it stands for in the document, whatever its segmentation did to the text;
        the naive baseline's chunks are raw text already."""
        if not record or record.get("start") is None or record.get("end") is None:
            return text
        doc_text = self._document_text(str(record.get("file") or ""), str(record.get("doc_id") or ""))
        span = doc_text[int(record["start"]) : int(record["end"])] if doc_text else ""
        return f"{span}\n\n{text}" if span.strip() else text

    def _document_text(self, path: str, doc_id: str) -> str | None:
        """A document's text as the index read it (None for tables, unreadable or changed files)."""
        key = (path, doc_id)
        if key not in self._doc_texts:
            from corpus.loader import load_document

            value: str | None = None
            if path:
                try:
                    doc = load_document(Path(path), self.settings)
                    if doc.doc_id == doc_id and not doc.rows:  # the same bytes as indexed
                        value = doc.text
                except (HrsearchError, OSError):
                    value = None
            if len(self._doc_texts) >= _DOC_TEXT_CACHE:
                self._doc_texts.pop(next(iter(self._doc_texts)))
            self._doc_texts[key] = value
        return self._doc_texts[key]


@dataclass(frozen=True)
class SearchConfig:
    """How one project system calls the searcher: a mode and the changes to the configured
    search parameters (``RankingParams``)."""

    mode: str
    fusion: str | None = None
    rrf_k: float | None = None
    dense_weight: float | None = None

    def params(self, base: Any) -> Any:
        changes = {
            k: v
            for k, v in (("fusion", self.fusion), ("rrf_k", self.rrf_k), ("dense_weight", self.dense_weight))
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
        self.params = config.params(self.searcher.params)

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]:
        """The first ``HEAD_K`` units exactly as a default search returns them, then the rest.

        The searcher draws ``max(candidate_depth, 3 * k)`` candidates per arm, and score fusion
        normalises over them, so asking for 150 hits could reorder the top 10. The head therefore
        comes from a request with the default page size, the tail from a deep request.
        """
        from search_api.filters import Filters

        filters = Filters.parse({"doc_id": list(scope.doc_ids)}) if scope.doc_ids else Filters()
        out: dict[str, list[Unit]] = {}
        for qid, text in queries.items():
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
    """The linking pipeline (``search_api.retrieval.Linker``, its configured parameters) as a system.

    It answers "which recommendations take up this ask", so it returns recommendations only and
    is run on the sets judged on recommendations (those with a recommendations table of rows);
    ``applies`` tells the runner.
    """

    name = "linker"

    def __init__(self, ctx: EvalContext) -> None:
        from search_api.retrieval import Linker

        self.ctx = ctx
        self.linker = Linker(ctx.searcher, ctx.settings)

    @staticmethod
    def applies(qs: Any) -> bool:
        return qs.row_file is not None

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]:
        from search_api.filters import Filters

        filters = Filters.parse({"doc_id": list(scope.doc_ids)}) if scope.doc_ids else Filters()
        out: dict[str, list[Unit]] = {}
        from search_api.limits import check_link_text

        for qid, text in queries.items():
            try:
                check_link_text(text, self.ctx.settings)
            except QueryError:
                hits = []
            else:
                hits = self.linker.link(text, k=depth, filters=filters, group_duplicates=False).hits
            out[qid] = [hit_unit(self.ctx, h) for h in hits]
        return out


SystemFactory = Callable[[EvalContext], System]
_REGISTRY: dict[str, SystemFactory] = {}


def register_system(name: str, factory: SystemFactory) -> None:
    """Make ``name`` available to ``hrsearch eval --systems`` (and to the default run)."""
    _REGISTRY[name] = factory


def available_systems() -> list[str]:
    """Registered system names, the baseline first."""
    return list(_REGISTRY)


def make_system(name: str, ctx: EvalContext) -> System:
    if name not in _REGISTRY:
        raise UnknownSystemError(f"unknown system {name!r}; known: {', '.join(_REGISTRY)}")
    return _REGISTRY[name](ctx)


def _searcher_factory(name: str, config: SearchConfig) -> SystemFactory:
    return lambda ctx: SearcherSystem(name, ctx, config)


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


_register_defaults()
