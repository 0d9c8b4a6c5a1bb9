"""Writing an evaluation run: TREC runs and qrels, ``metrics.json``, Markdown tables, PNG charts.

Layout of the output folder::

    metrics.json              all figures (see :func:`to_json`)
    summary.md                the Markdown tables of every set
    <set>/qrels.tsv           the set's qrels over ref ids (TREC form)
    <set>/<system>.run        TREC run over ref ids: qid Q0 ref rank score system
    <set>/table.md            the set's Markdown table
    <set>/chart.png           bar chart of the set's reported metrics per system
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from evaluation.heldout import leave_one_set_out, pooled, pooled_markdown
from evaluation.heldout import markdown as heldout_table
from evaluation.metrics import LABELS, N_PERMUTATIONS, STAT_TEST, UNJUDGED
from evaluation.runner import EvalResult, SetResult
from evaluation.systems import BASELINE
from evaluation.verdicts import held_out as verdicts_held_out
from evaluation.verdicts import markdown as verdicts_table
from search_api.verdicts import Thresholds

ALPHA = 0.05  # significance level of the markers in the tables


def to_json(result: EvalResult) -> dict[str, Any]:
    """``{set: {system: {metric: value}}}``; everything else under keys starting with ``_``."""
    out: dict[str, Any] = {}
    for r in result.sets:
        out[r.name] = {s: {m: round(v, 4) for m, v in r.scores[s].mean.items()} for s in r.scores}
    out["_per_query"] = {
        r.name: {
            s: {m: {q: round(v, 4) for q, v in qv.items()} for m, qv in r.scores[s].per_query.items()}
            for s in r.scores
        }
        for r in result.sets
    }
    out["_p_values"] = {
        r.name: {s: {m: round(p, 4) for m, p in pv.items()} for s, pv in r.p_values.items()}
        for r in result.sets
    }
    out["_sets"] = {
        r.name: {
            "path": str(r.qs.path),
            "form": r.qs.form,
            "queries": len(r.qs.queries),
            "scored_queries": len(r.qs.scored_qids()),
            "scope": r.scope.label,
            "documents_searched": len(r.scope.files),
            "reported_metrics": list(r.qs.metrics),
            "seconds": r.seconds,
            "reachable_refs": r.reachable,
            "warnings": r.warnings,
        }
        for r in result.sets
    }
    out["_meta"] = {
        **result.meta,
        "systems": result.systems,
        "baseline": BASELINE,
        "stat_test": f"{STAT_TEST} randomization, paired over queries, two-sided, {N_PERMUTATIONS} permutations",
        "alpha": ALPHA,
    }
    return out


def _marker(r: SetResult, system: str, metric: str) -> str:
    p = r.p_values.get(system, {}).get(metric)
    if p is None or math.isnan(p) or p >= ALPHA:
        return ""
    better = r.scores[system].mean[metric] > r.scores[BASELINE].mean[metric]
    return " ▲" if better else " ▼"


def markdown_table(r: SetResult) -> str:
    """The set's reported metrics per system; ▲/▼ = significantly above/below the naive baseline."""
    metrics = list(r.qs.metrics)
    systems = list(r.scores)
    best = {m: max(r.scores[s].mean[m] for s in systems) for m in metrics}
    where = "whole index" if r.scope.doc_ids is None else f"only `{r.scope.label}`"
    lines = [
        f"### {r.name}",
        "",
        f"{len(r.qs.scored_qids())} queries, searched in {where} ({len(r.scope.files)} document(s)).",
        "",
        "| system | " + " | ".join(LABELS.get(m, m) for m in metrics) + " |",
        "|---|" + "---:|" * len(metrics),
    ]
    for s in systems:
        cells = []
        for m in metrics:
            v = r.scores[s].mean[m]
            cell = f"{v:.3f}{_marker(r, s, m)}"
            # unjudged@10 is a diagnostic, neither good nor bad: never bold.
            cells.append(f"**{cell}**" if m != UNJUDGED and math.isclose(v, best[m]) else cell)
        label = f"{s} (baseline)" if s == BASELINE else s
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if r.p_values:
        lines += [
            "",
            f"▲/▼: significantly above/below the naive baseline (paired {STAT_TEST} randomization test, "
            f"p < {ALPHA}); bold: best in the column.",
        ]
    if UNJUDGED in metrics:
        lines.append("unjudged@10: share of the top 10 without any judgment (neither relevant nor not).")
    return "\n".join(lines) + "\n"


def bar_chart(r: SetResult, path: Path) -> None:
    """Grouped bars: one group per system, one bar per reported metric."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    metrics = list(r.qs.metrics)
    systems = list(r.scores)
    x = np.arange(len(systems))
    width = 0.8 / len(metrics)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.75 * len(systems) + 2), 3.6), dpi=100)
    for i, m in enumerate(metrics):
        vals = [r.scores[s].mean[m] for s in systems]
        ax.bar(x + (i - (len(metrics) - 1) / 2) * width, vals, width, label=LABELS.get(m, m))
    if BASELINE in systems:
        ax.axvspan(systems.index(BASELINE) - 0.45, systems.index(BASELINE) + 0.45, color="0.9", zorder=0)
    ax.set_xticks(x, systems, rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1.15)  # headroom for the legend above the bars
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("score")
    ax.set_title(f"{r.name} ({len(r.qs.scored_qids())} queries)", fontsize=10)
    ax.legend(fontsize=8, ncol=len(metrics), loc="upper center", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(result: EvalResult, out_dir: Path) -> dict[str, Any]:
    """Write every output of ``result`` under ``out_dir``; return the JSON document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = to_json(result)
    doc["_meta"]["out_dir"] = str(out_dir)
    tables = []
    for r in result.sets:
        d = out_dir / r.name
        d.mkdir(parents=True, exist_ok=True)
        with (d / "qrels.tsv").open("w", encoding="utf-8") as f:
            for q in r.qs.scored_qids():
                for ref, grade in r.qs.qrels[q].items():
                    f.write(f"{q}\t0\t{ref}\t{grade}\n")
        for system, ranking in r.rankings.items():
            with (d / f"{system}.run").open("w", encoding="utf-8") as f:
                for q, refs in ranking.items():
                    for rank, ref in enumerate(refs, 1):
                        f.write(f"{q} Q0 {ref} {rank} {len(refs) - rank + 1} {system}\n")
        table = markdown_table(r)
        (d / "table.md").write_text(table, encoding="utf-8")
        tables.append(table)
        bar_chart(r, d / "chart.png")
    candidates = [s for s in result.systems if s == "linker" or s.startswith("linker-")]
    heldout = leave_one_set_out(doc, candidates) if len(candidates) > 1 else {}
    if heldout:
        doc["_heldout"] = heldout
        tables.append(
            "## Held out: each set with the linker variant chosen on the others\n\n" + heldout_table(heldout)
        )
    pool = pooled(doc, heldout)  # empty unless the linker (or its variants) and dense search ran
    if pool:
        doc["_pooled"] = pool
        tables.append(
            "## Held out, every ask pooled: the linker against dense search over the sets no "
            "parameter was chosen on\n\n" + pooled_markdown(pool)
        )
    rows = {r.name: r.verdicts for r in result.sets if r.verdicts}
    if rows:
        doc["_verdict_rows"] = rows
        verdicts = verdicts_held_out(
            rows,
            Thresholds(result.meta.get("verdict_taken_up", 0.6), result.meta.get("verdict_partly", 0.45)),
        )
        if verdicts:
            doc["_verdicts"] = verdicts
            tables.append("## Verdicts: thresholds chosen on the other sets\n\n" + verdicts_table(verdicts))
    (out_dir / "summary.md").write_text("\n".join(tables), encoding="utf-8")
    (out_dir / "metrics.json").write_text(
        json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return doc
