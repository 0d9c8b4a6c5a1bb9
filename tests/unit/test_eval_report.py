"""The outputs of a run: TREC files, metrics.json shape, Markdown markers, a PNG chart."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.datasets import QuerySet
from evaluation.metrics import METRICS, score, significance
from evaluation.report import markdown_table, write_report
from evaluation.runner import EvalResult, SetResult
from evaluation.systems import Scope, available_systems


def _result(tmp_path: Path) -> EvalResult:
    qids = [f"q{i:02d}" for i in range(12)]
    qs = QuerySet(
        name="toy",
        path=tmp_path,
        form="trec",
        queries={q: f"query {q}" for q in qids},
        qrels={q: {f"{q}-rel": 1, f"{q}-also": 2} for q in qids},
        row_file="t.csv",
        pool_file="t.csv",
        restrict_to_pool=True,
    )
    rankings = {
        "naive": {q: ["~x", "~y", f"{q}-rel"] for q in qids},
        "good": {q: [f"{q}-also", f"{q}-rel"] for q in qids},
        "bad": {q: ["~z"] for q in qids},
    }
    r = SetResult(qs=qs, scope=Scope("t.csv", ("/c/t.csv",), ("d1",)))
    for name, ranking in rankings.items():
        r.rankings[name] = ranking
        r.scores[name] = score(qs.qrels, ranking, qids, METRICS, name)
        r.seconds[name] = 0.1
    r.p_values = significance(qs.qrels, rankings, qids, "naive", METRICS)
    return EvalResult(sets=[r], systems=list(rankings), meta={"index_dir": "/i"})


def test_write_report_outputs(tmp_path: Path) -> None:
    result = _result(tmp_path)
    out = tmp_path / "out"
    doc = write_report(result, out)
    on_disk = json.loads((out / "metrics.json").read_text())
    assert on_disk == doc
    # The summary: {set: {system: {metric: value}}}; everything else under "_" keys.
    assert {k for k in doc if not k.startswith("_")} == {"toy"}
    assert set(doc["toy"]) == {"naive", "good", "bad"} and set(doc["toy"]["good"]) == set(METRICS)
    assert doc["toy"]["good"]["ndcg@10"] == 1.0 and doc["toy"]["bad"]["mrr@10"] == 0.0
    assert doc["toy"]["naive"]["mrr@10"] == round(1 / 3, 4)
    assert doc["_per_query"]["toy"]["good"]["recall@10"]["q00"] == 1.0
    assert doc["_p_values"]["toy"]["good"]["ndcg@10"] < 0.01 and "naive" not in doc["_p_values"]["toy"]
    assert doc["_sets"]["toy"]["scope"] == "t.csv" and doc["_sets"]["toy"]["scored_queries"] == 12
    assert (out / "toy" / "good.run").read_text().splitlines()[:2] == [
        "q00 Q0 q00-also 1 2 good",
        "q00 Q0 q00-rel 2 1 good",
    ]
    assert "q00\t0\tq00-also\t2" in (out / "toy" / "qrels.tsv").read_text()
    assert (out / "toy" / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "summary.md").read_text() == (out / "toy" / "table.md").read_text()


def test_markdown_marks_significance_against_the_baseline(tmp_path: Path) -> None:
    table = markdown_table(_result(tmp_path).sets[0])
    lines = table.splitlines()
    assert "| system | nDCG@10 | R@10 | MRR@10 |" in lines
    assert "| naive (baseline) | 0." in table
    good = next(line for line in lines if line.startswith("| good "))
    bad = next(line for line in lines if line.startswith("| bad "))
    assert good == "| good | **1.000 ▲** | **1.000 ▲** | **1.000 ▲** |"
    assert "▼" in bad and "▲" not in bad


def test_registry_lists_baseline_first_and_every_fusion_variant() -> None:
    names = available_systems()
    assert names[:3] == ["naive", "lexical", "dense"]
    assert {"hybrid-rrf10", "hybrid-rrf30", "hybrid-rrf60"} <= set(names)
    assert {f"hybrid-{m}-w{w}" for m in ("minmax", "zscore") for w in (0.3, 0.5, 0.7)} <= set(names)
