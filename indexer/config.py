"""How an index is laid out on disk and what it records about how it was built."""

from __future__ import annotations

from typing import Any

from hrsearch.settings import Settings
from indexer.segmentation import segmentation_config

CATALOG_FILE = "catalog.sqlite"
LOCK_FILE = "write.lock"


def index_config(settings: Settings) -> dict[str, Any]:
    """What the index records about how it was built; opening it with other values fails."""
    return {
        "model": settings.model,
        "passage_prefix": settings.passage_prefix,
        "segmentation": segmentation_config(settings),
    }
