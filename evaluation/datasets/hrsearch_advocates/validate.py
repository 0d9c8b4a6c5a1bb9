"""Check that every judgment in queries.jsonl resolves against the corpus.

Usage: python validate.py [CORPUS_DIR]

CORPUS_DIR defaults to ../../../../shared/corpus relative to this file. A judgment resolves when
its file exists and either its ``contains`` string occurs exactly once in that file after
whitespace normalisation (case-sensitive), or its ``rec_id`` names exactly one row of the table
(CSV ``rec_id``/``paragraph``/``pledge_id`` column, JSONL ``_id``). PDFs are read with pypdf
when it is importable; otherwise their judgments are reported as skipped, not as failures.
Standard library only (pypdf optional). Exit status: 0 if everything resolves, 1 otherwise.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / ".." / ".." / ".." / ".." / "shared" / "corpus"
QUERIES = HERE / "queries.jsonl"
ID_COLUMNS = ("rec_id", "paragraph", "pledge_id")
MIN_WORDS, MAX_WORDS = 6, 25


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Corpus:
    """Lazily loaded, cached views of corpus files: normalised text and table row ids."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._text: dict[str, str | None] = {}
        self._ids: dict[str, Counter[str]] = {}

    def text(self, rel: str) -> str | None:
        """Normalised text of a file, or None for a PDF when pypdf is unavailable."""
        if rel not in self._text:
            path = self.root / rel
            if path.suffix.lower() == ".pdf":
                try:
                    import pypdf
                except ImportError:
                    self._text[rel] = None
                    return None
                pages = [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]
                self._text[rel] = normalise("\n".join(pages))
            else:
                self._text[rel] = normalise(path.read_text(encoding="utf-8"))
        return self._text[rel]

    def ids(self, rel: str) -> Counter[str]:
        """How many rows of a table carry each id."""
        if rel not in self._ids:
            path = self.root / rel
            counts: Counter[str] = Counter()
            if path.suffix.lower() == ".jsonl":
                with path.open(encoding="utf-8") as fh:
                    for line in fh:
                        if line.strip():
                            counts[str(json.loads(line)["_id"])] += 1
            else:
                with path.open(encoding="utf-8", newline="") as fh:
                    reader = csv.DictReader(fh)
                    column = next((c for c in ID_COLUMNS if c in (reader.fieldnames or [])), None)
                    if column is None:
                        raise ValueError(f"no id column ({', '.join(ID_COLUMNS)}) in {rel}")
                    for row in reader:
                        counts[row[column]] += 1
            self._ids[rel] = counts
        return self._ids[rel]


def check_judgment(corpus: Corpus, qid: str, j: dict) -> tuple[list[str], bool]:
    """Return (failures, skipped) for one judgment."""
    where = f"{qid} {j.get('file')!r}"
    rel = j.get("file")
    if not isinstance(rel, str) or not rel:
        return [f"{where}: missing 'file'"], False
    if j.get("grade") not in (1, 2):
        return [f"{where}: grade must be 1 or 2, got {j.get('grade')!r}"], False
    has_contains, has_id = "contains" in j, "rec_id" in j
    if has_contains == has_id:
        return [f"{where}: needs exactly one of 'contains' or 'rec_id'"], False
    if not (corpus.root / rel).is_file():
        return [f"{where}: file not found"], False
    try:
        if has_id:
            n = corpus.ids(rel)[str(j["rec_id"])]
            return ([] if n == 1 else [f"{where}: rec_id {j['rec_id']!r} found {n} times"]), False
        needle = normalise(j["contains"])
        words = len(needle.split())
        problems = []
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{where}: contains has {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        text = corpus.text(rel)
        if text is None:
            return problems, True
        n = text.count(needle)
        if n != 1:
            problems.append(f"{where}: contains {j['contains'][:60]!r}... occurs {n} times")
        return problems, False
    except (OSError, UnicodeDecodeError, ValueError, KeyError, json.JSONDecodeError) as e:
        return [f"{where}: cannot read ({e})"], False


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    if not root.is_dir():
        sys.stderr.write(f"corpus directory not found: {root}\n")
        return 2
    corpus = Corpus(root.resolve())
    failures: list[str] = []
    skipped = judged = 0
    seen: set[str] = set()
    lines = QUERIES.read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line) for line in lines if line.strip()]
    for q in queries:
        qid = q.get("qid")
        if not qid or qid in seen:
            failures.append(f"bad or duplicate qid {qid!r}")
        seen.add(qid)
        if not q.get("query") or not q.get("judgments"):
            failures.append(f"{qid}: missing query or judgments")
            continue
        if not any(j.get("grade") == 2 for j in q["judgments"]):
            failures.append(f"{qid}: no grade-2 judgment")
        for j in q["judgments"]:
            problems, was_skipped = check_judgment(corpus, qid, j)
            failures.extend(problems)
            skipped += was_skipped
            judged += 1
    summary = f"{len(queries)} queries, {judged} judgments, {len(failures)} failures"
    if skipped:
        summary += f", {skipped} PDF judgments skipped (pypdf not importable)"
    sys.stdout.write(f"{summary}\n")
    for f in failures:
        sys.stdout.write(f"FAIL {f}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
