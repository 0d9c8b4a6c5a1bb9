"""Opening a built index for reading: catalog, Chroma collection and BM25, checked to agree.

A serving process keeps one ``IndexReader``; ``refresh()`` notices a newer catalog generation
(an index run finished meanwhile) and reloads the BM25 index, so readers never mix versions.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from hrsearch.errors import IndexMissing
from hrsearch.settings import Settings
from indexer.catalog import Catalog, StoredPassage, check_config
from indexer.config import CATALOG_FILE, index_config
from indexer.lexical import LexicalIndex
from indexer.store import ChromaStore


class IndexReader:
    """Read access to an index built with the same settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        path = settings.index_dir / CATALOG_FILE
        if not path.exists():
            raise IndexMissing(
                f"no index at {settings.index_dir}; build one with `hrsearch index PATH` "
                f"(or set HRSEARCH_INDEX_DIR to where it is)"
            )
        self.catalog = Catalog(path)
        recorded = self.catalog.config()
        if recorded is None:
            raise IndexMissing(
                f"the index at {settings.index_dir} is empty; build it with `hrsearch index PATH`"
            )
        check_config(recorded, index_config(settings), where=str(settings.index_dir))
        self.config = recorded
        self.store = ChromaStore(settings, recorded, create=False)
        self._lock = threading.Lock()
        self._lexical: LexicalIndex | None = None
        self._passages: dict[str, StoredPassage] = {}
        self._lexical_mask_cache: dict[Any, Any] = {}

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def generation(self) -> int:
        return self.catalog.generation

    @property
    def dimension(self) -> int | None:
        dim = self.catalog.get_meta("dimension")
        return None if dim is None else int(dim)

    def lexical(self) -> LexicalIndex:
        """The BM25 index of the current generation (rebuilt in memory if the saved one is stale)."""
        return self.view()[0]

    def view(self) -> tuple[LexicalIndex, dict[str, StoredPassage]]:
        """The BM25 index and the passages of one generation, read from one catalog snapshot."""
        gen = self.generation
        with self._lock:
            if self._lexical is None or self._lexical.generation != gen:
                snap_gen, passages = self.catalog.snapshot_passages()
                lex = LexicalIndex.load(self.index_dir)
                if lex is None or lex.generation != snap_gen:
                    lex = LexicalIndex.build([p.id for p in passages], [p.text for p in passages], snap_gen)
                self._lexical, self._passages = lex, {p.id: p for p in passages}
                self._lexical_mask_cache.clear()
            return self._lexical, self._passages

    def close(self) -> None:
        self.catalog.close()
