"""``hrsearch eval`` through the real entry point, the real model and a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrsearch.cli import main
from hrsearch.settings import Settings
from indexer.pipeline import run_index

pytestmark = [pytest.mark.model, pytest.mark.shared, pytest.mark.store_independent]


@pytest.fixture(scope="module")
def us_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path, embedder) -> Path:  # type: ignore[no-untyped-def]
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    report = run_index(
        [shared_corpus / "recommendations" / "us_upr_cycle3_recommendations.csv"], settings, lambda: embedder
    )
    assert report.passages_total == 347
    return settings.index_dir


def test_eval_json_files_and_cache(
    us_index: Path, shared_eval: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runs" / "first"
    argv = ["eval", "--set", str(shared_eval / "seed_asks_us_upr3"), "--index-dir", str(us_index)]
    argv += ["--systems", "naive,lexical,hybrid-rrf60", "--json"]
    assert main([*argv, "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    figures = doc["seed_asks_us_upr3"]
    assert list(figures) == ["naive", "lexical", "hybrid-rrf60"]
    assert {"ndcg@10", "recall@10", "recall@100", "mrr@10"} <= set(figures["naive"])
    # The death penalty ask is answered first by every system.
    assert all(doc["_per_query"]["seed_asks_us_upr3"][s]["mrr@10"]["a01"] == 1.0 for s in figures)
    assert figures["hybrid-rrf60"]["ndcg@10"] > 0.7
    assert set(doc["_p_values"]["seed_asks_us_upr3"]) == {"lexical", "hybrid-rrf60"}
    assert json.loads((out / "metrics.json").read_text())["seed_asks_us_upr3"] == figures
    for name in ("naive.run", "lexical.run", "hybrid-rrf60.run", "qrels.tsv", "table.md", "chart.png"):
        assert (out / "seed_asks_us_upr3" / name).stat().st_size > 0
    first_line = (out / "seed_asks_us_upr3" / "naive.run").read_text().splitlines()[0].split()
    assert first_line[:2] == ["a01", "Q0"] and first_line[3:] == ["1", "100", "naive"]
    # The naive baseline's vectors are cached next to the output folder and reused by a rerun.
    cache = sorted((tmp_path / "runs" / "naive-cache").glob("*.npz"))
    assert len(cache) == 1
    stamp = cache[0].stat().st_mtime_ns
    assert main([*argv, "--out", str(tmp_path / "runs" / "second")]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["seed_asks_us_upr3"] == figures
    assert cache[0].stat().st_mtime_ns == stamp


def test_eval_table_on_stdout(
    us_index: Path, shared_eval: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["eval", "--set", str(shared_eval / "seed_asks_us_upr3"), "--index-dir", str(us_index)]
    assert main([*argv, "--systems", "lexical", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "| system | nDCG@10 | R@10 | MRR@10 |" in out and "| lexical | **0." in out
    assert f"written to {tmp_path / 'o'}" in out


def test_eval_usage_errors(
    us_index: Path, shared_eval: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["eval", "--index-dir", str(us_index), "--out", str(tmp_path / "o")]
    assert main([*base, "--set", str(shared_eval / "seed_asks_us_upr3"), "--systems", "lexical,bogus"]) == 2
    assert "unknown system(s) bogus; known: naive, lexical" in capsys.readouterr().err
    assert main([*base, "--set", str(tmp_path / "nowhere")]) == 2
    assert "no such query set folder" in capsys.readouterr().err
    assert main([*base, "--set", str(shared_eval / "uprinfo_issues"), "--systems", "lexical"]) == 2
    assert "is not in the index" in capsys.readouterr().err
    missing = ["eval", "--index-dir", str(tmp_path / "no-index"), "--set", str(shared_eval / "letters_qa")]
    assert main(missing) == 3
    assert "no index at" in capsys.readouterr().err
