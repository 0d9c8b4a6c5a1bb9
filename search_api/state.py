"""What the HTTP app's routes share: the settings, and the searcher and linker once the index opens.

The index and the model load on first use (in the app's lifespan, or at the first request after
a failure), never at import; a failure to open the index is remembered for ``/ready`` and the
pages, and opening is tried again on the next request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hrsearch.errors import IndexError_
from hrsearch.settings import Settings
from indexer.embedder import Embedder
from search_api.errors import without_index_paths
from search_api.retrieval import Linker, Searcher


class AppState:
    """The searcher and linker of one app, opened lazily and shared by its routes."""

    def __init__(self, settings: Settings, embedder_factory: Callable[[], Embedder]) -> None:
        self.settings = settings
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._searcher: Searcher | None = None
        self._linker: Linker | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            return self._embedder

    def searcher(self) -> Searcher:
        """The searcher; opens the index on first use (and again after a failure)."""
        if self._searcher is not None:
            return self._searcher
        from indexer.index import Index

        embedder = self.embedder()
        with self._lock:
            if self._searcher is None:
                try:
                    self._searcher = Searcher(Index.open(self.settings), embedder, self.settings)
                    self.last_error = None
                except IndexError_ as e:
                    # What reaches a client (the JSON 503, the pages' 503) names no server folder.
                    public = type(e)(without_index_paths(str(e), self.settings))
                    self.last_error = str(public)
                    raise public from e
            return self._searcher

    def linker(self) -> Linker:
        if self._linker is None:
            self._linker = Linker(self.searcher(), self.settings)
        return self._linker
