"""A selection of a corpus written down as a list of paths: the demo's first part.

One line per file or glob pattern, relative to the corpus folder; ``#`` starts a comment. A
pattern that matches nothing is skipped (the selection is a wish list over someone's corpus, not
a requirement), and what matches is returned in the order the lines give, without repeats.
"""

from __future__ import annotations

from pathlib import Path

from corpus.loader import is_indexable


def read_selection(list_file: Path, root: Path) -> list[Path]:
    """The indexable files under ``root`` that the lines of ``list_file`` name."""
    out: dict[Path, None] = {}
    for raw in list_file.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        for path in sorted(root.glob(line)):
            if path.is_file() and is_indexable(path):
                out[path.resolve()] = None
    return list(out)
