"""How an index is laid out on disk and what it records about how it was built."""

from __future__ import annotations

from typing import Any

from hrsearch.settings import Settings
from indexer.segmentation import segmentation_config

CATALOG_FILE = "catalog.sqlite"
LOCK_FILE = "write.lock"


def index_config(settings: Settings) -> dict[str, Any]:
    """What the index records about how it was built; opening it with other values fails."""
    config: dict[str, Any] = {
        "model": settings.model,
        "passage_prefix": settings.passage_prefix,
        "segmentation": segmentation_config(settings),
    }
    if settings.query_prefix:
        # Recorded only when set, so indexes built before this still open: an E5 index searched
        # without "query: " would silently rank worse.
        config["query_prefix"] = settings.query_prefix
    if settings.embed_int8:
        # Recorded only when set, like the query prefix: fp32 indexes built before this still
        # open, and an int8 index is never searched with fp32 query vectors (or the reverse).
        config["quantization"] = "int8"
    return config
