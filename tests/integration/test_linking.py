"""Linking asks and recommendations on a real index (real model, real Chroma, the real app)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hrsearch.cli import main
from hrsearch.settings import Settings
from indexer.index import Index
from indexer.pipeline import run_index
from search_api.alignment import align, asks_from_files
from search_api.app import create_app
from search_api.retrieval import Linker, Searcher
from tests.pdfmaker import text_pdf

pytestmark = [pytest.mark.model]
US = "United States of America"
ICC_RECS = {f"26.{n}" for n in range(66, 76)}


@pytest.fixture(scope="module")
def link_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:  # type: ignore[no-untyped-def]
    from tests.conftest import SHARED_CORPUS

    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent; linking tests on real documents skipped")
    docs = tmp_path_factory.mktemp("docs")
    (docs / "letters").mkdir()
    for f in (SHARED_CORPUS / "letters").glob("*.txt"):
        shutil.copy(f, docs / "letters" / f.name)
    shutil.copy(SHARED_CORPUS / "recommendations" / "us_upr_cycle3_recommendations.csv", docs)
    shutil.copy(
        SHARED_CORPUS / "outcome_reports" / "upr_wg_reports_2008_2014" / "unitedstatesofamerica2011.txt", docs
    )
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), api_key="test-key")
    assert not run_index([docs], settings, lambda: embedder).files_failed
    return settings


@pytest.fixture(scope="module")
def linker(link_index: Settings, embedder) -> Linker:  # type: ignore[no-untyped-def]
    return Linker(Searcher(Index.open(link_index), embedder, link_index), link_index)


@pytest.fixture(scope="module")
def report(linker: Linker, link_index: Settings):  # type: ignore[no-untyped-def]
    from tests.conftest import SHARED_CORPUS

    asks, failed = asks_from_files([SHARED_CORPUS / "letters"], link_index)
    assert not failed
    return align(linker, asks, country=US, cycle=3, settings=link_index)


def test_icc_ask_is_taken_up_by_26_66_to_26_75(report) -> None:  # type: ignore[no-untyped-def]
    icc = [
        r
        for r in report.asks
        if "International Criminal Court" in r.ask.text and r.ask.text.startswith("lift")
    ]
    assert len(icc) == 1
    r = icc[0]
    assert r.verdict == "taken up"
    assert {m.rec_id for m in r.matches[:10]} == ICC_RECS
    assert all(
        m.recommending_state and m.response in ("supported", "noted", "supported_noted") for m in r.matches
    )
    assert r.supported >= 8


def test_some_asks_are_not_taken_up_with_a_checkable_reason(report) -> None:  # type: ignore[no-untyped-def]
    nt = [r for r in report.asks if r.verdict == "not taken up"]
    assert nt and report.not_taken_up
    for r in nt:
        assert "similarity" in r.reason and "A/HRC/46/15, para. 26." in r.reason
    # The 2016 letter's procedural asks about the working groups were not UPR recommendations.
    assert any("working group" in r.ask.text.lower() for r in nt)
    assert report.counts["taken up"] >= 8
    # Each recommendation lists the asks it echoes.
    echoes = {e.rec_id: e for e in report.recommendations}
    assert any("International Criminal Court" in a["text"] for a in echoes["26.70"].asks)


def test_death_penalty_demand_and_counts(report) -> None:  # type: ignore[no-untyped-def]
    dp = next(r for r in report.asks if r.ask.text == "abolish the death penalty")
    assert dp.verdict == "taken up"
    assert all("death penalty" in m.text.lower() or "execution" in m.text.lower() for m in dp.matches[:10])
    assert dp.supported + dp.noted + dp.other_response == sum(1 for m in dp.matches if m.similarity >= 0.45)


def test_precedent_finder_across_cycles(linker: Linker) -> None:
    res = linker.link("abolish the death penalty and establish a moratorium on executions", k=40)
    cycles = {h.metadata.get("cycle") for h in res.hits}
    assert {1, 3} <= cycles  # the 2010 review (report of 2011) and the 2020 review
    assert all(h.kind == "recommendation" and h.link and h.link["similarity"] > 0.5 for h in res.hits[:10])
    assert any(h.metadata.get("response") == "noted" for h in res.hits)


def test_recommendation_to_asks_and_to_recommendations(linker: Linker) -> None:
    snap = linker.searcher.snapshot()
    rec_2020 = next(pid for pid in snap.lexical.ids if pid.endswith(":row:70"))  # 26.70, Spain, ICC staff
    asks = linker.link_passage(rec_2020, target="ask", k=3)
    assert asks.hits[0].kind == "ask" and "International Criminal Court" in asks.hits[0].text
    dp = next(pid for pid in snap.lexical.ids if (snap.record(pid) or {}).get("rec_id") == "26.178")
    same = linker.link_passage(dp, target="recommendation", k=10, filters=None)
    assert any(h.metadata.get("cycle") == 1 and "death penalty" in h.text.lower() for h in same.hits)
    assert all(h.id != dp for h in same.hits)


def test_link_endpoint_and_upload(link_index: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(link_index, embedder=embedder)) as c:
        r = c.post(
            "/link", json={"text": "lift sanctions on the ICC", "k": 10, "country": [US], "cycle": [3]}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert {h["metadata"]["rec_id"] for h in body["hits"]} == ICC_RECS
        h = body["hits"][0]
        assert h["link"]["similarity"] > 0.6 and h["metadata"]["response"] and "para. 26.7" in h["citation"]
        pdf = text_pdf(
            [
                "Dear Secretary,",
                "We urge the Administration to lift sanctions against the International Criminal Court.",
                "We also urge the Administration to publish a calendar of its monthly coffee mornings with staff.",
            ]
        )
        files = {"file": ("letter.pdf", pdf, "application/pdf")}
        form = {"country": US, "cycle": "3"}
        assert c.post("/documents", files=files, data=form).status_code == 403
        assert c.post("/documents", files=files, data=form, headers={"X-API-Key": "wrong"}).status_code == 403
        r = c.post("/documents", files=files, data=form, headers={"X-API-Key": "test-key"})
        assert r.status_code == 200, r.text
        rep = r.json()
        verdicts = {a["ask"]["text"][:40]: a["verdict"] for a in rep["asks"]}
        assert "taken up" in verdicts.values() and "not taken up" in verdicts.values()
        r = c.post(
            "/align",
            json={
                "texts": ["end the criminalization of homelessness"],
                "country": US,
                "cycle": 3,
                "format": "csv",
            },
        )
        assert r.status_code == 200 and r.content.decode("utf-8-sig").startswith("ask_citation,")
        assert c.get("/report").status_code == 200


def test_cli_link_and_align(link_index: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import SHARED_CORPUS

    idx = str(link_index.index_dir)
    assert main(["link", "lift sanctions on the ICC", "--json", "-k", "5", "--index-dir", idx]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["hits"]) == 5 and all(h["metadata"]["rec_id"] in ICC_RECS for h in out["hits"])
    target = tmp_path / "report.csv"
    code = main(
        [
            "align",
            "--asks",
            str(SHARED_CORPUS / "letters"),
            "--country",
            US,
            "--cycle",
            "3",
            "--out",
            str(target),
            "--index-dir",
            idx,
        ]
    )
    assert code == 0 and target.read_text(encoding="utf-8-sig").startswith("ask_citation,")
    assert "not taken up" in capsys.readouterr().out


def test_theme_filter_returns_letters_and_recommendations(linker: Linker) -> None:
    from search_api.filters import Filters
    from search_api.retrieval import SearchRequest

    res = linker.searcher.search(
        SearchRequest(
            q="abolish the death penalty", k=100, filters=Filters.parse({"theme": ["Death penalty"]})
        )
    )
    kinds = {h.kind for h in res.hits}
    assert {"recommendation", "ask"} <= kinds
    assert all("Death penalty" in h.metadata.get("themes", []) for h in res.hits)
    ask = next(h for h in res.hits if h.kind == "ask")
    assert "death penalty" in ask.text.lower()
