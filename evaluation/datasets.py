"""Query sets with relevance judgments, in the three forms ``hrsearch eval`` reads.

* **TREC**: ``queries.tsv`` (``qid<TAB>text``) and ``qrels.tsv`` (``qid<TAB>0<TAB>doc<TAB>grade``).
  The doc ids are ``rec_id`` values of the rows of one recommendations table, the set's *pool
  file*, named in the folder's ``set.json`` or, for the shared development sets, in
  :data:`KNOWN_SETS`.
* **answer strings**: ``queries.jsonl`` lines ``{"qid", "query", "answers": [{"file", "contains"}]}``
  (as ``letters_qa``); every answer has grade 1.
* **judgments** (hrsearch's own form): ``queries.jsonl`` lines
  ``{"qid", "query", "judgments": [{"file", "contains" | "rec_id", "grade"}]}``.

Every judgment becomes a :class:`Ref`, a unit of relevance that does not depend on chunking: a
table row (file, rec_id) or an answer string (file, text it must contain). Files are paths
relative to the corpus root and match an indexed file by path suffix (see ``evaluation.refs``).

An optional ``set.json`` in the folder may give ``name``, ``pool_file`` (a table, relative to the
corpus root), ``restrict_to_pool`` (search only that table's document; default true when a pool
file is given), ``metrics`` (the three figures reported in tables, e.g. Recall@100 instead of
Recall@10 for sets with hundreds of relevant items), ``languages`` (``{"es": "queries_es.tsv",
...}``: the same queries in other languages, ``qid<TAB>text``, same judgments; each language is
run as its own set, named ``<set>[es]``) and ``restrict_to_scope`` (linking sets: each query of
``queries.jsonl`` has a ``scope``, ``{"country", "cycle", "files"}``, the review its ask is judged
against, and is searched there only: those files' recommendations to that country in that cycle).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrsearch.errors import HrsearchError

MAX_SET_FILE_BYTES = 50 * 1024 * 1024  # uprinfo_issues' qrels, the largest set file, is 1.6 MB
DEFAULT_REPORTED = ("ndcg@10", "recall@10", "mrr@10")

DATASETS = Path(__file__).resolve().parent / "datasets"

# The shared development sets (../shared/eval) carry no set.json; their pools are known here.
KNOWN_SETS: dict[str, dict[str, Any]] = {
    "seed_asks_us_upr3": {
        "pool_file": "recommendations/us_upr_cycle3_recommendations.csv",
        # The 13 asks in Spanish and French (evaluation/datasets/asks_multilingual).
        "languages": {
            "es": str(DATASETS / "asks_multilingual" / "queries_es.tsv"),
            "fr": str(DATASETS / "asks_multilingual" / "queries_fr.tsv"),
        },
    },
    "uprinfo_issues": {
        "pool_file": "recommendations/upr_info_sessions01-20_recommendations.csv",
        "metrics": ["ndcg@10", "recall@100", "mrr@10"],
    },
    # Judged exhaustively only within the documents named per query (see its README): also
    # report how much of each top 10 is unjudged.
    "hrsearch_advocates": {"metrics": ["ndcg@10", "recall@10", "mrr@10", "unjudged@10"]},
}


class DatasetError(HrsearchError):
    """A query set cannot be read; the message names the file (and line) at fault."""


@dataclass(frozen=True)
class Ref:
    """A judged unit of relevance: a table row (``rec_id``) or an answer string (``contains``)."""

    id: str
    file: str | None  # relative to the corpus root; None matches any file
    rec_id: str | None = None
    contains: str | None = None


@dataclass(frozen=True)
class QueryScope:
    """The review a linking query is judged against: recommendations to ``country`` (in ``cycle``)
    in ``files`` (relative to the corpus root)."""

    country: str
    cycle: int | None
    files: tuple[str, ...]


@dataclass
class QuerySet:
    """Queries, the refs a hit can satisfy per query, and graded qrels over ref ids."""

    name: str
    path: Path
    form: str  # "trec" | "answers" | "judgments"
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    judged: dict[str, list[Ref]] = field(default_factory=dict)
    # TREC sets: every row of this table is a ref named by its bare rec_id, judged or not.
    row_file: str | None = None
    pool_file: str | None = None
    restrict_to_pool: bool = False
    metrics: tuple[str, ...] = DEFAULT_REPORTED
    scopes: dict[str, QueryScope] = field(default_factory=dict)  # restrict_to_scope sets
    language: str = "en"
    base: str = ""  # the set's own name (``name`` is ``base[lang]`` for a translation)
    languages: dict[str, Path] = field(default_factory=dict)  # other languages' query files

    def scored_qids(self) -> list[str]:
        """Queries with at least one relevant ref (the others cannot be scored)."""
        return [q for q in self.queries if any(g > 0 for g in self.qrels.get(q, {}).values())]


def load_set(path: Path, language: str = "en") -> QuerySet:
    """Read the query set in folder ``path`` (any of the three forms), in ``language``: the
    set's own queries (``en``) or those of one of its ``languages``."""
    if not path.is_dir():
        raise DatasetError(f"{path}: not a folder holding a query set")
    conf = dict(KNOWN_SETS.get(path.name, {}))
    conf_file = path / "set.json"
    if conf_file.exists():
        try:
            conf.update(json.loads(_read(conf_file)))
        except json.JSONDecodeError as e:
            raise DatasetError(f"{conf_file}: not JSON ({e})") from e
    name = str(conf.get("name") or path.name)
    if (path / "queries.jsonl").exists():
        qs = _load_jsonl(path / "queries.jsonl", name, scoped=bool(conf.get("restrict_to_scope")))
    elif (path / "queries.tsv").exists() and (path / "qrels.tsv").exists():
        qs = _load_trec(path, name, conf.get("pool_file"))
    else:
        raise DatasetError(f"{path}: holds neither queries.jsonl nor queries.tsv + qrels.tsv")
    qs.base = name
    qs.languages = {
        str(lang): path / str(f) for lang, f in (conf.get("languages") or {}).items() if lang != "en"
    }
    qs.pool_file = conf.get("pool_file")
    qs.restrict_to_pool = bool(conf.get("restrict_to_pool", qs.pool_file is not None))
    if qs.restrict_to_pool and not qs.pool_file:
        raise DatasetError(f"{conf_file}: restrict_to_pool needs a pool_file")
    if conf.get("metrics"):
        qs.metrics = tuple(conf["metrics"])
    if not qs.scored_qids():
        raise DatasetError(f"{path}: no query has a relevant judgment")
    if language != "en":
        if language not in qs.languages:
            raise DatasetError(
                f"{path}: no queries in {language!r} (it has {', '.join(['en', *qs.languages])})"
            )
        qs = translated(qs, language)
    return qs


def translated(qs: QuerySet, language: str) -> QuerySet:
    """``qs`` with the queries of one of its other languages (same qids, same judgments)."""
    file = qs.languages[language]
    texts = read_queries_tsv(file)
    unknown = sorted(set(texts) - set(qs.queries))
    if unknown:
        raise DatasetError(f"{file}: queries {', '.join(unknown[:5])} are not in the set {qs.base}")
    return dataclasses.replace(
        qs,
        name=f"{qs.base}[{language}]",
        queries={q: texts[q] for q in qs.queries if q in texts},
        language=language,
    )


def read_queries_tsv(file: Path) -> dict[str, str]:
    """``qid<TAB>text`` lines."""
    if not file.is_file():
        raise DatasetError(f"{file}: no such query file")
    out: dict[str, str] = {}
    for n, line in enumerate(_read(file).splitlines(), 1):
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep or not text.strip():
            raise DatasetError(f"{file}:{n}: expected qid<TAB>text")
        out[qid.strip()] = text.strip()
    return out


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_SET_FILE_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_SET_FILE_BYTES // (1024 * 1024)} MB")
    return path.read_text(encoding="utf-8")


def _load_trec(path: Path, name: str, pool_file: str | None) -> QuerySet:
    queries: dict[str, str] = {}
    for n, line in enumerate(_read(path / "queries.tsv").splitlines(), 1):
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep or not text.strip():
            raise DatasetError(f"{path / 'queries.tsv'}:{n}: expected qid<TAB>text")
        if qid in queries:
            raise DatasetError(f"{path / 'queries.tsv'}:{n}: query {qid!r} appears twice")
        queries[qid] = text.strip()
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(_read(path / "qrels.tsv").splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split()
        if len(cols) != 4:
            raise DatasetError(f"{path / 'qrels.tsv'}:{n}: expected qid 0 doc grade")
        qid, _, doc, grade = cols
        if qid not in queries:
            raise DatasetError(f"{path / 'qrels.tsv'}:{n}: query {qid!r} is not in queries.tsv")
        qrels.setdefault(qid, {})[doc] = _grade(grade, f"{path / 'qrels.tsv'}:{n}")
    return QuerySet(name=name, path=path, form="trec", queries=queries, qrels=qrels, row_file=pool_file)


def _load_jsonl(file: Path, name: str, *, scoped: bool = False) -> QuerySet:
    queries: dict[str, str] = {}
    scopes: dict[str, QueryScope] = {}
    qrels: dict[str, dict[str, int]] = {}
    judged: dict[str, list[Ref]] = {}
    forms: set[str] = set()
    for n, line in enumerate(_read(file).splitlines(), 1):
        if not line.strip():
            continue
        where = f"{file}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{where}: not JSON ({e})") from e
        qid, text = str(obj.get("qid") or ""), str(obj.get("query") or "").strip()
        if not qid or not text:
            raise DatasetError(f"{where}: needs a qid and a query")
        if qid in queries:
            raise DatasetError(f"{where}: query {qid!r} appears twice")
        if "answers" in obj:
            forms.add("answers")
            items = [{**a, "grade": 1} for a in obj["answers"]]
        elif "judgments" in obj:
            forms.add("judgments")
            items = list(obj["judgments"])
        else:
            raise DatasetError(f"{where}: needs `answers` or `judgments`")
        queries[qid] = text
        if scoped:
            scopes[qid] = _scope(obj.get("scope"), where)
        refs = [_ref(qid, i, item, where) for i, item in enumerate(items, 1)]
        judged[qid] = refs
        qrels[qid] = {}
        for ref, item in zip(refs, items, strict=True):
            grade = _grade(item.get("grade", 1), where)
            qrels[qid][ref.id] = max(grade, qrels[qid].get(ref.id, grade))
    form = forms.pop() if len(forms) == 1 else "judgments"
    return QuerySet(
        name=name, path=file.parent, form=form, queries=queries, qrels=qrels, judged=judged, scopes=scopes
    )


def _scope(raw: Any, where: str) -> QueryScope:
    if not isinstance(raw, dict) or not raw.get("country") or not raw.get("files"):
        raise DatasetError(
            f"{where}: needs a `scope` with `country` and `files` (the set restricts to scope)"
        )
    cycle = raw.get("cycle")
    return QueryScope(
        country=str(raw["country"]),
        cycle=None if cycle in (None, "") else int(_grade(cycle, where)),
        files=tuple(str(f).strip().removeprefix("./") for f in raw["files"]),
    )


def _ref(qid: str, i: int, item: Any, where: str) -> Ref:
    if not isinstance(item, dict) or not item.get("file"):
        raise DatasetError(f"{where}: judgment {i} needs a `file`")
    file = str(item["file"]).strip().removeprefix("./")
    if item.get("rec_id") not in (None, ""):
        # Row refs are shared by every query that judges them.
        return Ref(id=_safe(f"{file}#{item['rec_id']}"), file=file, rec_id=str(item["rec_id"]))
    contains = str(item.get("contains") or "").strip()
    if not contains:
        raise DatasetError(f"{where}: judgment {i} needs `contains` or `rec_id`")
    return Ref(id=f"{qid}.a{i}", file=file, contains=contains)


def _grade(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise DatasetError(f"{where}: grade {value!r} is not a whole number") from e


def _safe(ref_id: str) -> str:
    """A ref id usable as a TREC doc id (no whitespace)."""
    return "_".join(ref_id.split())
