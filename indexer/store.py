"""The dense store: passages and their vectors in a Chroma collection.

Embedded ``PersistentClient`` by default; ``HttpClient`` when ``settings.chroma_url`` is set.
Embeddings are always passed in (the collection is created with no embedding function, so
Chroma's default one, which downloads a model, can never run). The collection's metadata
records the model, dimension and segmentation, and opening it with other settings fails.

Embedded Chroma keeps the vector index of a collection in memory, loaded when the client first
opens it, and does not notice what another process writes afterwards: a long-lived reader (the
API server) would then answer from stale vectors, and filtered queries fail with "Error finding
id" once passages were deleted. A read-only store therefore watches Chroma's SQLite file
(``PRAGMA data_version`` changes when another connection commits) and reopens the client when
someone other than this process wrote.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlparse

import numpy as np

from hrsearch.errors import IndexLocked, IndexMismatch, IndexMissing
from hrsearch.settings import Settings
from indexer.fields import CHROMA_LISTS, CHROMA_SCALARS
from indexer.store_access import AccessLock, ChangeWatch, note_write


def chroma_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata of a passage: scalars as they are, lists as string arrays, no nulls."""
    out: dict[str, Any] = {}
    for key in CHROMA_SCALARS:
        value = data.get(key)
        if value is not None and value != "":
            out[key] = value
    for key in CHROMA_LISTS:
        values = [str(v) for v in data.get(key) or [] if v]
        if values:
            out[key] = values
    return out


CHROMA_LOCK_FILE = "chroma.lock"
_CLIENT_LOCK = threading.RLock()
WRITER_WAIT_S = 60.0  # how long a writer waits for readers' calls in flight


def forget_client(settings: Settings) -> None:
    """Drop chromadb's cached client of an embedded folder, so that the next one loads it from disk.

    Clients made before keep working on what they loaded.
    """
    if settings.chroma_url:
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(settings.chroma_path())
    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path().mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path()), settings=chroma_settings)


class ChromaStore:
    """One Chroma collection of passages, checked against the index configuration.

    ``create=True`` opens it for writing (embedded: holding ``chroma.lock`` until ``close()``);
    ``create=False`` for reading (embedded: reopened after other processes wrote, and answering
    nothing, with ``paused`` set, while a writer holds the lock).
    """

    def __init__(self, settings: Settings, config: dict[str, Any], *, create: bool) -> None:
        self.settings = settings
        self._config = config
        self._create = create
        self._reopen_lock = threading.Lock()
        self._watch: ChangeWatch | None = None
        self._collection: Any = None
        self._access: AccessLock | None = None
        self.paused = False
        self.max_batch = 5000
        if settings.chroma_url:
            self._open(create)
            return
        access = self._access = AccessLock(settings.index_dir / CHROMA_LOCK_FILE)
        self._closer = weakref.finalize(self, access.close)
        if create:
            access.hold_exclusive(WRITER_WAIT_S)
            self._open(create)
            return
        with access.shared() as free:
            if free:
                self._open(create)  # otherwise on first use, once the writer is done

    def close(self) -> None:
        """Release the folder (a writer's lock); the store is not used afterwards."""
        if self._access is not None:
            self._closer()
        if self._watch is not None:
            self._watch.close()

    @contextmanager
    def reading(self) -> Iterator[Any | None]:
        """The collection to read, or None while another process writes an embedded store."""
        if self._access is None or self._create:
            yield self._collection
            return
        with self._access.shared() as free:
            if not free:
                self.paused = True
                yield None
                return
            with self._reopen_lock:
                if self._collection is None or (self._watch is not None and self._watch.changed_elsewhere()):
                    self._open(create=False)
                collection = self._collection
            self.paused = False
            yield collection

    @property
    def collection(self) -> Any:
        """The Chroma collection (for a reader of an embedded store: guarded, see ``reading``)."""
        if self._access is None or self._create:
            return self._collection
        return _GuardedCollection(self)

    def _open(self, create: bool) -> None:
        """Connect; a read-only embedded store always loads the folder afresh from disk."""
        # chromadb's client cache is process-wide and not safe to change from several threads.
        with _CLIENT_LOCK:
            self._open_locked(create)

    def _open_locked(self, create: bool) -> None:
        settings, config = self.settings, self._config
        if not create:
            forget_client(settings)
        self.client = make_client(settings)
        expected = {"hrsearch_config": json.dumps(config, sort_keys=True)}
        if create:
            collection = self.client.get_or_create_collection(
                settings.collection,
                embedding_function=None,
                metadata=expected,
                configuration={"hnsw": {"space": "cosine", "ef_search": 100, "ef_construction": 100}},
            )
        else:
            try:
                collection = self.client.get_collection(settings.collection, embedding_function=None)
            except Exception as e:  # chromadb raises NotFoundError/ValueError by version
                raise IndexMissing(
                    f"no Chroma collection {settings.collection!r} at {settings.chroma_url or settings.chroma_path()}"
                ) from e
        recorded = (collection.metadata or {}).get("hrsearch_config")
        if recorded != expected["hrsearch_config"]:
            raise IndexMismatch(
                f"Chroma collection {settings.collection!r} was built with {recorded}, "
                f"not {expected['hrsearch_config']}; rebuild with `hrsearch index PATH --rebuild`"
            )
        self.max_batch = int(getattr(self.client, "get_max_batch_size", lambda: 5000)() or 5000)
        if not create and not settings.chroma_url:
            old, self._watch = self._watch, ChangeWatch(settings, collection._client)
            if old is not None:
                old.close()
        self._collection = collection

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], datas: Sequence[dict[str, Any]]
    ) -> None:
        """Write passages (idempotent). An id given twice is written once: ids are content-addressed,
        so two files with the same bytes in one batch give the same passages, and Chroma refuses
        duplicate ids within one call."""
        first = {pid: i for i, pid in reversed(list(enumerate(ids)))}
        if len(first) != len(ids):
            keep = sorted(first.values())
            ids = [ids[i] for i in keep]
            vectors = np.asarray(vectors)[keep]
            texts = [texts[i] for i in keep]
            datas = [datas[i] for i in keep]
        step = min(self.max_batch, 2000)
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=list(ids[i : i + step]),
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                documents=list(texts[i : i + step]),
                metadatas=[chroma_metadata(d) for d in datas[i : i + step]],
            )
            note_write(self._collection._client)

    def delete(self, ids: Sequence[str]) -> None:
        step = min(self.max_batch, 2000)
        for i in range(0, len(ids), step):
            self.collection.delete(ids=list(ids[i : i + step]))
            note_write(self._collection._client)

    def count(self) -> int:
        return int(self.collection.count())

    def all_ids(self) -> set[str]:
        out: set[str] = set()
        offset, step = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=step, offset=offset)
            ids = got["ids"]
            out.update(ids)
            if len(ids) < step:
                return out
            offset += step

    def query(
        self,
        vector: np.ndarray,
        n: int,
        where: dict[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        where_document: dict[str, Any] | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest passages as (id, cosine similarity), best first (none while the store is paused)."""
        return self.query_unless_paused(vector, n, where, ids, where_document) or []

    def query_unless_paused(
        self,
        vector: np.ndarray,
        n: int,
        where: dict[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        where_document: dict[str, Any] | None = None,
    ) -> list[tuple[str, float]] | None:
        """``query``, or None while another process writes an embedded store (the caller may then
        search the catalog's vectors itself, ``indexer.index.Index.nearest``)."""
        if n <= 0:
            return []
        kwargs: dict[str, Any] = {
            "query_embeddings": np.asarray([vector], dtype=np.float32),
            "n_results": n,
            "include": ["distances"],
        }
        if where:
            kwargs["where"] = where
        if where_document:
            kwargs["where_document"] = where_document
        if ids is not None:
            kwargs["ids"] = list(ids)
        with self.reading() as collection:
            if collection is None:
                return None
            res = collection.query(**kwargs)
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def recreate(self) -> None:
        """Drop the collection and make it anew, empty (a writer; it keeps its lock)."""
        self.drop()
        self._open(create=True)

    def drop(self) -> None:
        """Delete the collection (used by ``--rebuild``)."""
        with suppress(Exception):  # absent already is fine
            self.client.delete_collection(self.settings.collection)


class _GuardedCollection:
    """A reader's view of an embedded collection: each call under the shared lock; while a
    writer works, queries and gets answer nothing and other calls raise ``IndexLocked``."""

    def __init__(self, store: ChromaStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        current = self._store._collection
        value = getattr(current, name) if current is not None else None
        if current is not None and not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._store.reading() as collection:
                if collection is not None:
                    return getattr(collection, name)(*args, **kwargs)
            if name == "query":
                queries = kwargs.get("query_embeddings")
                n = len(queries) if queries is not None else 1
                empty: list[list[Any]] = [[] for _ in range(n)]
                return {"ids": empty, "distances": empty, "documents": empty, "metadatas": empty,
                        "embeddings": None, "uris": None, "data": None}  # fmt: skip
            if name == "get":
                return {
                    "ids": [],
                    "documents": [],
                    "metadatas": [],
                    "embeddings": [],
                    "uris": None,
                    "data": None,
                }
            raise IndexLocked(
                "another process is writing the index; the dense store is paused until it is done"
            )

        return call
