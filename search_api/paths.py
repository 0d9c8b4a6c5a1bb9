"""Paths as a client sees them: from the folder an index run was given, never the server's own.

The catalog keeps absolute paths (incremental runs, ``delete PATH`` and ``--prune`` need them)
and records the paths index runs were given (``Catalog.roots``). What the HTTP API and the page
send out shows a file from its root's name: ``/srv/hrsearch/shared/corpus/letters/x.txt`` is
``corpus/letters/x.txt``; a file under no recorded root (an index made before roots were
recorded) is shown by its name alone. The command line, on the user's own machine, keeps
absolute paths. No FastAPI here: the routes call ``without_server_paths`` on what they answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any


def public_path(path: str, roots: Sequence[str]) -> str:
    """``path`` from the deepest recorded root holding it (the root's name first), or its name."""
    p = PurePath(path)
    if not p.is_absolute():
        return path
    holding = [PurePath(r) for r in roots if PurePath(r) == p or PurePath(r) in p.parents]
    if not holding:
        return p.name
    root = max(holding, key=lambda r: len(r.parts))
    return p.name if root == p else str(PurePath(root.name) / p.relative_to(root))


def without_server_paths(obj: Any, roots: Sequence[str]) -> Any:
    """``obj`` (a response's dicts and lists) with every ``file`` value made public
    (``public_path``) and the server's folders above the roots removed from every other text
    (a sidecar warning naming its manifest, say)."""
    prefixes = sorted({str(PurePath(r).parent).rstrip("/") + "/" for r in roots}, key=len, reverse=True)
    prefixes = [p for p in prefixes if p != "/"]

    def clean(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: clean(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, str):
            if key == "file":
                return public_path(value, roots)
            for prefix in prefixes:
                if prefix in value:
                    value = value.replace(prefix, "")
        return value

    return clean(obj)
