"""Check that linking sets (asks -> recommendations) resolve against the corpus.

Usage: python validate_linking_sets.py [--corpus CORPUS_DIR] SET_DIR [SET_DIR ...]

With no SET_DIR, every folder next to this file whose ``set.json`` has ``"restrict_to_scope":
true`` is checked. CORPUS_DIR defaults to ../../../shared/corpus relative to this file.

For each set folder it checks:

* ``set.json``: a name, ``form`` "judgments", and the language files it names exist;
* ``queries.jsonl``: unique qids, a non-empty query; ``source`` resolves: the file exists, its
  ``contains`` string has 6-25 words and occurs exactly once in the file after whitespace
  normalisation, and the query, with its recorded ``query_fixes`` undone (extraction
  artefacts such as "asylum- seekers"), occurs verbatim in the file: the asks are quoted, not
  paraphrased; ``scope`` names a country and existing files;
* every judgment: its file is one of the query's scope files; a ``rec_id`` names exactly one
  recommendation: one row of a table (CSV column ``rec_id`` or ``paragraph``; for the Slovenia
  thematic list also the row's ``cycle`` must be the scope's), or, in a Working Group report
  text, item N of paragraph P for ``P.N`` (the number hrsearch's segmenter gives it); a
  ``contains`` string has 6-25 words and occurs exactly once; grades are 0, 1 or 2;
* ``queries_<lang>.tsv``: exactly the qids of queries.jsonl, each with a non-empty text that
  differs from the English ask.

Standard library only. Exit status: 0 if everything resolves, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / ".." / ".." / ".." / "shared" / "corpus"
ID_COLUMNS = ("rec_id", "paragraph")
MIN_WORDS, MAX_WORDS = 6, 25
GRADES = (0, 1, 2)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Corpus:
    """Cached views of corpus files: normalised text, raw lines, table rows by id."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._text: dict[str, str] = {}
        self._rows: dict[str, dict[str, list[dict[str, str]]]] = {}

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def raw(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def text(self, rel: str) -> str:
        if rel not in self._text:
            self._text[rel] = normalise(self.raw(rel))
        return self._text[rel]

    def rows(self, rel: str) -> dict[str, list[dict[str, str]]]:
        """Rows of a CSV table keyed by their id column."""
        if rel not in self._rows:
            with (self.root / rel).open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                column = next((c for c in ID_COLUMNS if c in (reader.fieldnames or [])), None)
                if column is None:
                    raise ValueError(f"no id column ({', '.join(ID_COLUMNS)}) in {rel}")
                by_id: dict[str, list[dict[str, str]]] = {}
                for row in reader:
                    by_id.setdefault(row[column], []).append(row)
            self._rows[rel] = by_id
        return self._rows[rel]


def report_item_count(raw: str, rec_id: str) -> int:
    """How many recommendations of a WG report text carry the number ``P.N``.

    The recommendations of a Working Group report are numbered items of one or a few
    paragraphs, written ``86.1.`` / ``136.1`` (normally at the start of a line), or, in the older reports,
    ``1.`` ... ``97.`` under paragraph ``111.``; hrsearch's segmenter names both ``P.N``.
    Returns 0 if the number is missing.
    """
    m = re.fullmatch(r"(\d+)\.(\d+)", rec_id)
    if not m:
        return 0
    para, item = int(m.group(1)), int(m.group(2))
    # Later reports number the items themselves: "86.1. Ratify ..." or "136.1 To further ...".
    # (One item can follow another on the same line: "...(New Zealand); 136.50 Continue".)
    explicit = len(re.findall(rf"(?:^|\s){para}\.{item}(?!\d)\.?\s", raw))
    if explicit:
        return explicit
    # A mistyped paragraph number between its two neighbours ("85.75." between 86.74 and 86.76
    # in australia2011.txt), which the segmenter numbers by sequence.
    before = re.search(rf"(?:^|\s){para}\.{item - 1}(?!\d)\.?\s", raw)
    after = re.search(rf"(?:^|\s){para}\.{item + 1}(?!\d)\.?\s", raw)
    if before and after and before.end() < after.start():
        between = raw[before.end() : after.start()]
        if len(re.findall(rf"(?m)^\s*\d+\.{item}\.?\s", between)) == 1:
            return 1
    starts = [x.start() for x in re.finditer(rf"(?m)^\s*{para}\.\s", raw)]
    count = 0
    for start in starts:
        nxt = re.compile(rf"(?m)^\s*{para + 1}\.\s").search(raw, start + 1)
        block = raw[start : nxt.start() if nxt else len(raw)]
        count += len(re.findall(rf"(?m)^\s*{item}\.\s", block[block.index(".") + 1 :]))
    return count


def check_words(where: str, needle: str) -> list[str]:
    words = len(needle.split())
    if MIN_WORDS <= words <= MAX_WORDS:
        return []
    return [f"{where}: contains has {words} words (want {MIN_WORDS}-{MAX_WORDS})"]


def check_source(corpus: Corpus, qid: str, q: dict) -> list[str]:
    src = q.get("source") or {}
    rel = src.get("file")
    where = f"{qid} source {rel!r}"
    if not isinstance(rel, str) or not corpus.exists(rel):
        return [f"{where}: file not found"]
    problems = check_words(where, normalise(src.get("contains", "")))
    text = corpus.text(rel)
    n = text.count(normalise(src.get("contains", "")))
    if n != 1:
        problems.append(f"{where}: contains occurs {n} times")
    quoted = normalise(q.get("query", ""))
    for old, new in reversed(src.get("query_fixes", [])):
        quoted = quoted.replace(new, old)
    if normalise(quoted) not in text:
        problems.append(f"{where}: the query (fixes undone) is not verbatim in the source")
    if src.get("paragraph") in (None, ""):
        problems.append(f"{where}: no paragraph")
    return problems


def check_judgment(corpus: Corpus, qid: str, scope: dict, j: dict) -> list[str]:
    rel = str(j.get("file") or "")
    where = f"{qid} {rel!r} {j.get('rec_id') or j.get('contains', '')[:40]!r}"
    if j.get("grade") not in GRADES:
        return [f"{where}: grade must be one of {GRADES}, got {j.get('grade')!r}"]
    if rel not in (scope.get("files") or []):
        return [f"{where}: file is not one of the query's scope files"]
    if ("rec_id" in j) == ("contains" in j):
        return [f"{where}: needs exactly one of 'rec_id' or 'contains'"]
    if "contains" in j:
        needle = normalise(j["contains"])
        n = corpus.text(rel).count(needle)
        return check_words(where, needle) + ([] if n == 1 else [f"{where}: contains occurs {n} times"])
    rec_id = str(j["rec_id"])
    if rel.lower().endswith(".csv"):
        rows = corpus.rows(rel).get(rec_id, [])
        if len(rows) != 1:
            return [f"{where}: rec_id names {len(rows)} rows"]
        cycle = rows[0].get("cycle")
        if cycle not in (None, "") and scope.get("cycle") is not None and int(cycle) != scope["cycle"]:
            return [f"{where}: row of cycle {cycle}, scope is cycle {scope['cycle']}"]
        return []
    n = report_item_count(corpus.raw(rel), rec_id)
    return [] if n == 1 else [f"{where}: rec_id names {n} numbered items in the report"]


def check_set(corpus: Corpus, folder: Path) -> tuple[list[str], str]:
    failures: list[str] = []
    conf_file = folder / "set.json"
    conf = json.loads(conf_file.read_text(encoding="utf-8")) if conf_file.exists() else {}
    if not conf.get("name") or conf.get("form") != "judgments":
        failures.append(f"{conf_file}: needs a name and form 'judgments'")
    languages = conf.get("languages") or {"en": "queries.jsonl"}
    queries = [
        json.loads(line)
        for line in (folder / languages.get("en", "queries.jsonl")).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    qids = Counter(q.get("qid") for q in queries)
    failures += [
        f"{folder.name}: qid {qid!r} appears {n} times" for qid, n in qids.items() if n != 1 or not qid
    ]
    grades: Counter[int] = Counter()
    for q in queries:
        qid = q.get("qid")
        if not normalise(q.get("query", "")):
            failures.append(f"{qid}: empty query")
        failures += check_source(corpus, qid, q)
        scope = q.get("scope") or {}
        if not scope.get("country") or not scope.get("files"):
            failures.append(f"{qid}: scope needs a country and files")
        failures += [
            f"{qid}: scope file {f!r} not found" for f in scope.get("files", []) if not corpus.exists(f)
        ]
        for j in q.get("judgments", []):
            failures += check_judgment(corpus, qid, scope, j)
            grades[j.get("grade")] += 1
    english = {q.get("qid"): normalise(q.get("query", "")) for q in queries}
    for lang, name in languages.items():
        if lang == "en":
            continue
        path = folder / name
        if not path.exists():
            failures.append(f"{path}: missing")
            continue
        texts: dict[str, str] = {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            qid, sep, text = line.partition("\t")
            if not sep or not text.strip() or qid in texts:
                failures.append(f"{path}:{n}: expected a new qid<TAB>text")
            texts[qid] = normalise(text)
        if set(texts) != set(english):
            failures.append(f"{path}: qids differ from queries.jsonl ({sorted(set(texts) ^ set(english))})")
        failures += [
            f"{path}: {qid} is the English text" for qid, t in texts.items() if t == english.get(qid)
        ]
    judged = sum(grades.values())
    per_grade = ", ".join(f"grade {g}: {grades[g]}" for g in GRADES)
    return failures, f"{folder.name}: {len(queries)} queries, {judged} judgments ({per_grade})"


def main(argv: list[str]) -> int:
    args = argv[1:]
    root = DEFAULT_CORPUS
    if args[:1] == ["--corpus"]:
        if len(args) < 2:
            sys.stderr.write(__doc__.splitlines()[2] + "\n")
            return 2
        root, args = Path(args[1]), args[2:]
    if not root.is_dir():
        sys.stderr.write(f"corpus directory not found: {root}\n")
        return 2
    folders = [Path(a) for a in args] or sorted(
        p.parent
        for p in HERE.glob("*/set.json")
        if json.loads(p.read_text(encoding="utf-8")).get("restrict_to_scope") is True
    )
    corpus = Corpus(root.resolve())
    failures: list[str] = []
    for folder in folders:
        problems, summary = check_set(corpus, folder)
        sys.stdout.write(f"{summary}, {len(problems)} failures\n")
        failures += problems
    for f in failures:
        sys.stdout.write(f"FAIL {f}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
