"""Reading query sets in their three forms, and clear errors for broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.datasets import DatasetError, Ref, load_set


def test_trec_set_names_its_pool_table(shared_eval: Path) -> None:
    qs = load_set(shared_eval / "seed_asks_us_upr3")
    assert qs.form == "trec" and len(qs.queries) == 13
    assert qs.queries["a01"] == "abolish the death penalty"
    assert qs.row_file == qs.pool_file == "recommendations/us_upr_cycle3_recommendations.csv"
    assert qs.restrict_to_pool
    assert qs.qrels["a01"]["26.178"] == 1
    assert sum(len(v) for v in qs.qrels.values()) == 265
    assert sorted(g for v in qs.qrels.values() for g in v.values() if g == 2) == [2] * 9
    assert qs.metrics == ("ndcg@10", "recall@10", "mrr@10")


def test_uprinfo_reports_recall_at_100(shared_eval: Path) -> None:
    qs = load_set(shared_eval / "uprinfo_issues")
    assert len(qs.queries) == 52 and qs.metrics == ("ndcg@10", "recall@100", "mrr@10")
    assert qs.pool_file == "recommendations/upr_info_sessions01-20_recommendations.csv"
    assert qs.qrels["i01"]["UPRINFO-000001"] == 1


def test_answer_string_set_becomes_refs_per_answer(shared_eval: Path) -> None:
    qs = load_set(shared_eval / "letters_qa")
    assert qs.form == "answers" and len(qs.queries) == 15 and not qs.restrict_to_pool
    assert qs.judged["l01"] == [
        Ref(
            id="l01.a1",
            file="letters/000_12e2e18f93ed9b55.txt",
            contains="we respectfully request a meaningful consultation with U.S. government representatives before March",
        ),
        Ref(
            id="l01.a2",
            file="letters/000_12e2e18f93ed9b55.txt",
            contains="meeting with civil society leaders and human rights defenders to discuss an effective approach",
        ),
    ]
    assert qs.qrels["l01"] == {"l01.a1": 1, "l01.a2": 1}


def _write(folder: Path, lines: list[dict[str, object]], conf: dict[str, object] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "queries.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    if conf is not None:
        (folder / "set.json").write_text(json.dumps(conf), encoding="utf-8")
    return folder


def test_project_form_mixes_row_and_text_judgments_with_grades(tmp_path: Path) -> None:
    d = _write(
        tmp_path / "mine",
        [
            {
                "qid": "p1",
                "query": "death penalty",
                "judgments": [
                    {"file": "recommendations/us.csv", "rec_id": "26.178", "grade": 2},
                    {"file": "./letters/a.txt", "contains": "abolish", "grade": 1},
                    {"file": "letters/a.txt", "contains": "unrelated", "grade": 0},
                ],
            },
            {
                "qid": "p2",
                "query": "nothing relevant",
                "judgments": [{"file": "x.txt", "contains": "y", "grade": 0}],
            },
        ],
        {"name": "advocates"},
    )
    qs = load_set(d)
    assert qs.name == "advocates" and qs.form == "judgments"
    assert [r.id for r in qs.judged["p1"]] == ["recommendations/us.csv#26.178", "p1.a2", "p1.a3"]
    assert qs.judged["p1"][1].file == "letters/a.txt"
    assert qs.qrels["p1"] == {"recommendations/us.csv#26.178": 2, "p1.a2": 1, "p1.a3": 0}
    assert qs.scored_qids() == ["p1"]  # p2 has no relevant judgment


def test_set_json_can_restrict_a_jsonl_set_to_its_pool(tmp_path: Path) -> None:
    d = _write(
        tmp_path / "s",
        [{"qid": "q", "query": "x", "answers": [{"file": "t.csv", "contains": "x"}]}],
        {"pool_file": "t.csv", "metrics": ["ndcg@10", "recall@100", "mrr@10"]},
    )
    qs = load_set(d)
    assert qs.restrict_to_pool and qs.pool_file == "t.csv" and qs.metrics[1] == "recall@100"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "queries.jsonl:1: not JSON"),
        ('{"qid": "q", "query": "x"}', "queries.jsonl:1: needs `answers` or `judgments`"),
        (
            '{"qid": "q", "query": "x", "judgments": [{"file": "f"}]}',
            "judgment 1 needs `contains` or `rec_id`",
        ),
        (
            '{"qid": "q", "query": "x", "judgments": [{"file": "f", "contains": "y", "grade": "high"}]}',
            "grade 'high'",
        ),
        ('{"query": "x", "answers": []}', "needs a qid and a query"),
    ],
)
def test_broken_jsonl_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "queries.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_set(tmp_path)


def test_broken_trec_sets(tmp_path: Path) -> None:
    (tmp_path / "queries.tsv").write_text("q1\tfirst\n", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("q1 0 d1 1\nq9 0 d2 1\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"qrels.tsv:2: query 'q9' is not in queries.tsv"):
        load_set(tmp_path)
    (tmp_path / "qrels.tsv").write_text("q1 0 d1\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"qrels.tsv:1: expected qid 0 doc grade"):
        load_set(tmp_path)
    with pytest.raises(DatasetError, match="not a folder"):
        load_set(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"neither queries\.jsonl nor"):
        load_set(tmp_path / "empty")


@pytest.mark.parametrize("language", ["es", "fr"])
def test_advocates_set_in_spanish_and_french(language: str) -> None:
    """The project's own search set carries every question in Spanish and French, with the
    English judgments and the reported metrics (unjudged@10 included); the texts are translations,
    not copies."""
    folder = Path(__file__).resolve().parents[2] / "evaluation" / "datasets" / "hrsearch_advocates"
    en = load_set(folder)
    other = load_set(folder, language)
    assert other.name == f"hrsearch_advocates[{language}]"
    assert set(other.queries) == set(en.queries) and len(en.queries) == 52
    assert other.qrels == en.qrels and other.metrics == en.metrics
    assert "unjudged@10" in other.metrics
    same = [q for q in en.queries if en.queries[q] == other.queries[q]]
    assert not same, f"untranslated: {same}"
