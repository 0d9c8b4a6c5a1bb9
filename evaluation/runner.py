"""One evaluation run: every set, every system, scored at the level of judged refs.

``run_evaluation`` is what ``hrsearch eval`` calls; it returns an :class:`EvalResult` that
``evaluation.report`` writes out. Sets judged over one table (their *pool*) are searched in that
table's document only; the others over the whole index.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.context import QueryScope
from evaluation.datasets import DatasetError, QuerySet, load_set, translated
from evaluation.metrics import METRICS, UNJUDGED, Scores, score, significance, unjudged_at_10
from evaluation.refs import Unit, file_matches, ranked_refs, reachable_refs
from evaluation.systems import BASELINE, EvalContext, Scope, System, make_system
from evaluation.verdicts import verdict_rows
from hrsearch.settings import Settings

log = logging.getLogger(__name__)

RUN_DEPTH = 100  # refs scored per query (Recall@100 needs 100)
HIT_DEPTH = 150  # units asked of a system, so that merging parts of one ref still fills 100 refs
MIN_INDEX_DOCUMENTS = 10  # an open-index set over fewer documents than this measures little


@dataclass
class SetResult:
    """Everything measured on one query set."""

    qs: QuerySet
    scope: Scope
    rankings: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # system -> qid -> refs
    scores: dict[str, Scores] = field(default_factory=dict)
    p_values: dict[str, dict[str, float]] = field(default_factory=dict)  # system -> metric -> p
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # per unit set ("index", "naive"): how many relevant refs some unit can satisfy at all
    reachable: dict[str, dict[str, Any]] = field(default_factory=dict)
    # linking sets: per ask, the judged verdict and the linker's best similarity in its review
    verdicts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.qs.name


@dataclass
class EvalResult:
    sets: list[SetResult]
    systems: list[str]
    meta: dict[str, Any]


def load_sets(set_dirs: Sequence[Path], languages: Sequence[str] | None = None) -> list[QuerySet]:
    """Every set of ``set_dirs``, followed by its translations (``<set>[es]``, ...)."""
    out = []
    for d in set_dirs:
        qs = load_set(Path(d))
        out.append(qs)
        for lang in qs.languages:
            if languages is None or lang in languages:
                out.append(translated(qs, lang))
    return out


def resolve_scope(qs: QuerySet, documents: Sequence[dict[str, Any]], index_dir: Path) -> Scope:
    """The documents ``qs`` is searched in: its pool table's, each query's review, or all of them."""
    if qs.scopes:
        return _query_scopes(qs, documents, index_dir)
    if qs.restrict_to_pool and qs.pool_file:
        pool = [d for d in documents if file_matches(str(d["path"]), qs.pool_file)]
        if not pool:
            raise DatasetError(
                f"set {qs.name} is judged over {qs.pool_file}, which is not in the index at {index_dir}; "
                f"index that file first (`hrsearch index PATH --index-dir {index_dir}`)"
            )
        return Scope(
            label=qs.pool_file,
            files=tuple(str(d["path"]) for d in pool),
            doc_ids=tuple(d["doc_id"] for d in pool),
        )
    return Scope(label="whole index", files=tuple(str(d["path"]) for d in documents), doc_ids=None)


def _query_scopes(qs: QuerySet, documents: Sequence[dict[str, Any]], index_dir: Path) -> Scope:
    """Each query searched in its review: the recommendations to its country (in its cycle) of
    its scope files."""
    per_query: dict[str, QueryScope] = {}
    for qid, sc in qs.scopes.items():
        docs = [d for d in documents if any(file_matches(str(d["path"]), f) for f in sc.files)]
        missing = [f for f in sc.files if not any(file_matches(str(d["path"]), f) for d in documents)]
        if missing:
            raise DatasetError(
                f"set {qs.name}, query {qid}: {', '.join(missing)} not in the index at {index_dir}; "
                f"index it first (`hrsearch index PATH --index-dir {index_dir}`)"
            )
        filters: dict[str, list[Any]] = {
            "doc_id": sorted({d["doc_id"] for d in docs}),
            "country": [sc.country],
            "kind": ["recommendation"],
        }
        if sc.cycle is not None:
            filters["cycle"] = [sc.cycle]
        per_query[qid] = QueryScope(files=tuple(str(d["path"]) for d in docs), filters=filters)
    files = tuple(dict.fromkeys(f for q in per_query.values() for f in q.files))
    return Scope(label="each query's review", files=files, doc_ids=None, queries=per_query)


def _check_open_scope(qs: QuerySet, scope: Scope) -> list[str]:
    warnings = []
    judged_files = {r.file for refs in qs.judged.values() for r in refs if r.file}
    if qs.row_file:
        judged_files.add(qs.row_file)
    for f in sorted(judged_files):
        if not any(file_matches(p, f) for p in scope.files):
            warnings.append(
                f"{qs.name}: judged file {f} is not in the searched documents; its refs cannot be found"
            )
    if scope.doc_ids is None and not scope.queries and len(scope.files) < MIN_INDEX_DOCUMENTS:
        warnings.append(
            f"{qs.name}: the index holds only {len(scope.files)} document(s); an open-index set "
            "should be run over much more than its judged files"
        )
    return warnings


MAX_LISTED_MISSING = 50


def _reachability(
    qs: QuerySet, scope: Scope, documents: Sequence[dict[str, Any]], ctx: EvalContext, naive: Any
) -> dict[str, dict[str, Any]]:
    """Which relevant refs a single unit can satisfy, in the index's passages and the naive chunks."""
    refs = list({r.id: r for q in qs.judged.values() for r in q}.values())
    files = {r.file for r in refs if r.file} | ({qs.row_file} if qs.row_file else set())
    searched = set(scope.files)
    docs = [
        d
        for d in documents
        if str(d["path"]) in searched and any(file_matches(str(d["path"]), f) for f in files)
    ]
    relevant = {r for q in qs.scored_qids() for r, g in qs.qrels[q].items() if g > 0}
    snap = ctx.searcher.snapshot()
    unit_sets: dict[str, list[Unit]] = {
        "index": [
            Unit(
                r["id"],
                str(r.get("file") or d["path"]),
                ctx.unit_text(r, snap.texts[i]),
                None if r.get("rec_id") is None else str(r["rec_id"]),
            )
            for d in docs
            for i in snap.document_positions(d["doc_id"])
            if (r := snap.records[i])
        ]
    }
    if naive is not None:
        unit_sets[BASELINE] = naive.units_of([str(d["path"]) for d in docs])
    out = {}
    for name, units in unit_sets.items():
        found = reachable_refs(units, refs, row_file=qs.row_file) & relevant
        missing = sorted(relevant - found)
        out[name] = {
            "relevant_refs": len(relevant),
            "reachable": len(found),
            "missing": missing[:MAX_LISTED_MISSING],
        }
    return out


def _progress(items: Sequence[str], enabled: bool, desc: str) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="system", dynamic_ncols=True)


def run_evaluation(
    set_dirs: Sequence[Path],
    settings: Settings,
    embedder_factory: Callable[[], Any],
    *,
    systems: Sequence[str],
    cache_dir: Path,
    progress: bool = False,
    languages: Sequence[str] | None = None,
) -> EvalResult:
    """Run ``systems`` on every set in ``set_dirs`` over the index in ``settings.index_dir``,
    each set in English and in each of its other ``languages`` (None: all it has)."""
    sets = load_sets(set_dirs, languages)
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        raise DatasetError(f"two sets share a name: {', '.join(names)}")
    ctx = EvalContext(settings, embedder_factory, cache_dir=cache_dir, progress=progress)
    built: dict[str, System] = {}
    results: list[SetResult] = []
    try:
        snap = ctx.searcher.snapshot()
        documents = [
            {"doc_id": d.doc_id, "path": d.path, "meta": d.meta, "n_passages": d.n_passages}
            for d in snap.documents.values()
        ]
        for qs in sets:
            scope = resolve_scope(qs, documents, settings.index_dir)
            res = SetResult(qs=qs, scope=scope, warnings=_check_open_scope(qs, scope))
            for w in res.warnings:
                log.warning(w)
            qids = qs.scored_qids()
            queries = {q: qs.queries[q] for q in qids}
            for name in _progress(systems, progress, qs.name):
                if name not in built:
                    built[name] = make_system(name, ctx)
                applies = getattr(built[name], "applies", None)
                if applies is not None and not applies(qs):
                    res.warnings.append(f"{name}: not run on {qs.name} (it is not judged on recommendations)")
                    continue
                t0 = time.perf_counter()
                units = built[name].retrieve(queries, scope, HIT_DEPTH)
                res.seconds[name] = round(time.perf_counter() - t0, 3)
                res.rankings[name] = {
                    q: ranked_refs(
                        units.get(q, []),
                        qs.judged.get(q, []),
                        row_file=qs.row_file,
                        depth=RUN_DEPTH,
                        grades=qs.qrels.get(q, {}),
                    )
                    for q in qids
                }
                res.scores[name] = score(qs.qrels, res.rankings[name], qids, METRICS, name)
                unjudged = unjudged_at_10(qs.qrels, res.rankings[name], qids)
                res.scores[name].mean[UNJUDGED] = sum(unjudged.values()) / len(qids)
                res.scores[name].per_query[UNJUDGED] = unjudged
                log.info("%s / %s: %s", qs.name, name, res.scores[name].mean)
            res.reachable = _reachability(qs, scope, documents, ctx, built.get(BASELINE))
            if qs.scopes and "linker" in systems:
                res.verdicts = verdict_rows(ctx, qs, scope)
            if BASELINE in res.rankings and len(res.rankings) > 1:
                res.p_values = significance(qs.qrels, res.rankings, qids, BASELINE, METRICS)
            results.append(res)
        meta = {
            "index_dir": str(settings.index_dir),
            "index_documents": len(documents),
            "index_passages": len(snap),
            "index_generation": snap.generation,
            "model": snap.model,
            "verdict_taken_up": settings.verdict_taken_up,
            "verdict_partly": settings.verdict_partly,
        }
    finally:
        for system in built.values():
            close = getattr(system, "close", None)
            if close is not None:
                close()
        ctx.close()
    return EvalResult(sets=results, systems=list(systems), meta=meta)
