"""What the systems of one evaluation run share: where a set is searched (:class:`Scope`), the
index, one embedder that encodes each query once, and the documents' text (:class:`EvalContext`).

``evaluation.systems`` (the project's systems) and ``evaluation.naive`` (the baseline) both build
on it; it imports neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hrsearch.errors import HrsearchError
from hrsearch.settings import Settings

_DOC_TEXT_CACHE = 1024  # documents kept read for answer matching (a miss re-reads a PDF)


@dataclass(frozen=True)
class QueryScope:
    """Where one query of a linking set is searched: its review's recommendations."""

    files: tuple[str, ...]  # absolute paths of the documents searched
    filters: Mapping[str, Sequence[Any]]  # raw filters: doc_id, country, cycle, kind


@dataclass(frozen=True)
class Scope:
    """Where a set is searched: the whole index, only its pool's document(s), or per query."""

    label: str
    files: tuple[str, ...]  # absolute paths of the documents searched, from the index catalog
    doc_ids: tuple[str, ...] | None = None  # None: the whole index
    queries: Mapping[str, QueryScope] = field(default_factory=dict)  # per-query scopes, when any

    def filters(self, qid: str) -> dict[str, list[Any]]:
        """The raw filters a project system applies to query ``qid``."""
        if qid in self.queries:
            return {k: list(v) for k, v in self.queries[qid].filters.items()}
        return {"doc_id": list(self.doc_ids)} if self.doc_ids else {}

    def files_of(self, qid: str) -> tuple[str, ...]:
        """The documents query ``qid`` is searched in."""
        return self.queries[qid].files if qid in self.queries else self.files


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
