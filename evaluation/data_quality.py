"""Data quality over a corpus: what the clean-data steps of issue 16 change, measured.

``python -m evaluation.data_quality --corpus ../shared/corpus [--out report.json]`` reads and
segments every file (no embedding) and reports:

- recommending States: the distinct values as the documents write them and as records carry
  them (UN names), and every name that resolves to no State, with its count and files;
- themes: the distinct labels of the data and the distinct themes of the one vocabulary they map
  to, and the labels that map to nothing;
- PDF text: per PDF, the words that extraction split and that were joined again;
- links: how many passages carry a ``source_url`` (their document's UN symbol is known).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from corpus.countries import resolve_state
from corpus.loader import discover, load_document
from hrsearch.errors import CorpusError
from hrsearch.settings import Settings
from indexer.records import passage_record
from indexer.segmentation import segment
from indexer.themes import vocabulary_themes

_JOINED = "words split by PDF text extraction joined again"


def measure(corpus: Path, settings: Settings | None = None) -> dict[str, Any]:
    """The figures above for every readable file under ``corpus``."""
    settings = settings or Settings()
    raw_states: Counter[str] = Counter()
    un_states: Counter[str] = Counter()
    unresolved: Counter[str] = Counter()
    unresolved_files: dict[str, set[str]] = defaultdict(set)
    labels: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    pdf_joins: dict[str, int] = {}
    passages = with_url = 0
    failed: list[str] = []
    for path in discover([corpus]):
        rel = str(path.relative_to(corpus))
        try:
            doc = load_document(path, settings)
            parts = segment(doc, settings)
        except CorpusError:
            failed.append(rel)
            continue
        if path.suffix.lower() == ".pdf":
            pdf_joins[rel] = next((int(w.split()[0]) for w in doc.warnings if _JOINED in w), 0)
        for p in parts:
            rec = passage_record(p, doc, str(path))
            passages += 1
            with_url += bool(rec["source_url"])
            for name in p.recommending_states:
                raw_states[name] += 1
                if resolve_state(name) is None:
                    unresolved[name] += 1
                    unresolved_files[name].add(rel)
            un_states.update(rec["recommending_states"])
            for label in p.themes:
                labels[label] += 1
                themes.update(vocabulary_themes(label))
    return {
        "recommending_states": {
            "distinct_as_written": len(raw_states),
            "distinct_un_names": len(un_states),
            "mentions": sum(raw_states.values()),
            "unresolved": [
                {"name": n, "count": c, "files": sorted(unresolved_files[n])}
                for n, c in unresolved.most_common()
            ],
        },
        "themes": {
            "distinct_labels": len(labels),
            "distinct_vocabulary_themes": len(themes),
            "labels_without_a_theme": sorted(label for label in labels if not vocabulary_themes(label)),
        },
        "pdf_words_joined": pdf_joins,
        "source_url": {"passages": passages, "with_url": with_url},
        "files_failed": failed,
    }


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a developer's measuring tool
    p = argparse.ArgumentParser(description="measure the data-quality steps over a corpus")
    p.add_argument("--corpus", default="../shared/corpus")
    p.add_argument("--out", default="-")
    args = p.parse_args(argv)
    text = json.dumps(measure(Path(args.corpus).resolve()), indent=1, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
