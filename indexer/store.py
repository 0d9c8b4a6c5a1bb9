"""The dense store: passages and their vectors in a Chroma collection.

Embedded ``PersistentClient`` by default; ``HttpClient`` when ``settings.chroma_url`` is set.
Embeddings are always passed in (the collection is created with no embedding function, so
Chroma's default one, which downloads a model, can never run). The collection's metadata
records the model, dimension and segmentation, and opening it with other settings fails.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import numpy as np

from hrsearch.errors import IndexMismatch, IndexMissing
from hrsearch.settings import Settings

# Fields copied from a passage's data into Chroma metadata, for filtering inside the dense arm.
SCALAR_FIELDS = (
    "doc_id", "kind", "doc_kind", "symbol", "country", "mechanism", "cycle", "session", "year",
    "language", "rec_id", "paragraph", "response", "action_category", "page", "file",
)
LIST_FIELDS = ("recommending_states", "themes")


def chroma_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata of a passage: scalars as they are, lists as string arrays, no nulls."""
    out: dict[str, Any] = {}
    for key in SCALAR_FIELDS:
        value = data.get(key)
        if value is not None and value != "":
            out[key] = value
    for key in LIST_FIELDS:
        values = [str(v) for v in data.get(key) or [] if v]
        if values:
            out[key] = values
    return out


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
    """One Chroma collection of passages, checked against the index configuration."""

    def __init__(self, settings: Settings, config: dict[str, Any], *, create: bool) -> None:
        self.settings = settings
        self.client = make_client(settings)
        expected = {"hrsearch_config": json.dumps(config, sort_keys=True)}
        if create:
            self.collection = self.client.get_or_create_collection(
                settings.collection,
                embedding_function=None,
                metadata=expected,
                configuration={"hnsw": {"space": "cosine", "ef_search": 100, "ef_construction": 100}},
            )
        else:
            try:
                self.collection = self.client.get_collection(settings.collection, embedding_function=None)
            except Exception as e:  # chromadb raises NotFoundError/ValueError by version
                raise IndexMissing(
                    f"no Chroma collection {settings.collection!r} at {settings.chroma_url or settings.chroma_path()}"
                ) from e
        recorded = (self.collection.metadata or {}).get("hrsearch_config")
        if recorded != expected["hrsearch_config"]:
            raise IndexMismatch(
                f"Chroma collection {settings.collection!r} was built with {recorded}, "
                f"not {expected['hrsearch_config']}; rebuild with `hrsearch index PATH --rebuild`"
            )
        self.max_batch = int(getattr(self.client, "get_max_batch_size", lambda: 5000)() or 5000)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], datas: Sequence[dict[str, Any]]) -> None:
        step = min(self.max_batch, 2000)
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=list(ids[i : i + step]),
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                documents=list(texts[i : i + step]),
                metadatas=[chroma_metadata(d) for d in datas[i : i + step]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        step = min(self.max_batch, 2000)
        for i in range(0, len(ids), step):
            self.collection.delete(ids=list(ids[i : i + step]))

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
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest passages as (id, cosine similarity), best first."""
        if n <= 0:
            return []
        kwargs: dict[str, Any] = {"query_embeddings": np.asarray([vector], dtype=np.float32), "n_results": n, "include": ["distances"]}
        if where:
            kwargs["where"] = where
        if ids is not None:
            kwargs["ids"] = list(ids)
        res = self.collection.query(**kwargs)
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def drop(self) -> None:
        """Delete the collection (used by ``--rebuild``)."""
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception:
            pass
