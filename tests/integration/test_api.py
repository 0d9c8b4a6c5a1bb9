"""The real FastAPI app over a real index (real model, real Chroma) of real documents."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from search_api.app import create_app

pytestmark = [pytest.mark.model]


@pytest.fixture(scope="module")
def api_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:  # type: ignore[no-untyped-def]
    from tests.conftest import SHARED_CORPUS

    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent; API tests on real documents skipped")
    docs = tmp_path_factory.mktemp("docs")
    (docs / "letters").mkdir()
    for f in (SHARED_CORPUS / "letters").glob("*.txt"):
        shutil.copy(f, docs / "letters" / f.name)
    shutil.copy(SHARED_CORPUS / "recommendations" / "us_upr_cycle3_recommendations.csv", docs)
    shutil.copy(SHARED_CORPUS / "upr_documents" / "A_HRC_WG.6_50_USA_2.txt", docs)
    shutil.copy(
        SHARED_CORPUS / "outcome_reports" / "upr_wg_reports_2008_2014" / "unitedstatesofamerica2011.txt", docs
    )
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    report = run_index([docs], settings, lambda: embedder)
    assert not report.files_failed
    return settings


@pytest.fixture(scope="module")
def client(api_index: Settings, embedder) -> TestClient:  # type: ignore[no-untyped-def]
    with TestClient(create_app(api_index, embedder=embedder)) as c:
        yield c


def _assert_error(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"status", "code", "message", "field"} and err["status"] == status and err["message"]
    assert "Traceback" not in resp.text and "/work/" not in err["message"].replace(str(Path.cwd()), "")
    if field is not None:
        assert err["field"] == field
    return err


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    r = client.get("/ready").json()
    assert r["status"] == "ready" and r["model"] == "all-MiniLM-L6-v2" and r["passages"] > 600


def test_ready_without_index_says_how_to_build(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(index_dir=tmp_path / "none"), embedder=embedder)) as c:
        r = c.get("/ready")
        assert r.status_code == 503 and "hrsearch index" in r.json()["message"]
        err = _assert_error(c.get("/search", params={"q": "death penalty"}), 503)
        assert err["code"] == "index_missing"


def test_death_penalty_recommendations_to_the_us(client: TestClient) -> None:
    r = client.get(
        "/search",
        params={
            "q": "abolish capital punishment",
            "country": "United States of America",
            "kind": "recommendation",
        },
    )
    assert r.status_code == 200
    body = r.json()
    hits = body["hits"]
    assert len(hits) == 10 and body["total"] >= 10 and body["model"] == "all-MiniLM-L6-v2"
    assert all(
        h["kind"] == "recommendation" and h["metadata"]["country"] == "United States of America" for h in hits
    )
    on_topic = [
        h
        for h in hits
        if "death penalty" in h["text"].lower()
        or "capital punishment" in h["text"].lower()
        or "executions" in h["text"].lower()
    ]
    assert len(on_topic) >= 8
    for h in hits:
        assert "para. " in h["citation"]
        assert (
            h["metadata"]["recommending_state"]
            and h["metadata"]["recommending_state"].split(";")[0] in h["citation"]
        )
        assert set(h["arms"]) <= {"dense", "lexical"} and h["arms"]
        assert "<mark>" in h["highlight"] or h["highlight_sentence"]


def test_recommending_state_filter_and_narrowing(client: TestClient) -> None:
    r = client.get("/search", params={"q": "death penalty", "recommending_state": "Namibia", "k": 50}).json()
    assert r["hits"] and all("Namibia" in h["metadata"]["recommending_states"] for h in r["hits"])
    broad = client.get(
        "/search",
        params={"q": "ratify treaties", "country": "United States of America", "k": 100, "group": False},
    ).json()
    narrow = client.get(
        "/search",
        params={
            "q": "ratify treaties",
            "country": "United States of America",
            "response": "noted",
            "k": 100,
            "group": False,
        },
    ).json()
    assert narrow["hits"]
    assert all(h["metadata"]["response"] == "noted" for h in narrow["hits"])
    assert narrow["total"] < broad["total"]
    # OR within a filter
    two = client.get(
        "/search",
        params=[
            ("q", "death penalty"),
            ("recommending_state", "Namibia"),
            ("recommending_state", "France"),
            ("k", "50"),
        ],
    ).json()
    states = {s for h in two["hits"] for s in h["metadata"]["recommending_states"]}
    assert {"Namibia", "France"} <= states


def test_quoted_phrase_is_honoured_in_every_mode(client: TestClient) -> None:
    for mode in ("hybrid", "dense", "lexical"):
        r = client.get("/search", params={"q": 'close the "gunshow loophole"', "mode": mode}).json()
        assert r["hits"], mode
        for h in r["hits"]:
            t = h["text"].lower().replace(" ", "")
            assert "gunshowloophole" in t, (mode, h["text"])


def test_post_equals_get_and_modes(client: TestClient) -> None:
    g = client.get("/search", params={"q": "national human rights institution", "k": 5}).json()
    p = client.post("/search", json={"q": "national human rights institution", "k": 5}).json()
    assert [h["id"] for h in g["hits"]] == [h["id"] for h in p["hits"]]
    d = client.get(
        "/search", params={"q": "national human rights institution", "k": 5, "mode": "dense"}
    ).json()
    assert all(set(h["arms"]) == {"dense"} for h in d["hits"])


def test_csv_and_jsonl_export(client: TestClient) -> None:
    r = client.get("/search", params={"q": "death penalty", "format": "csv", "k": 200})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert 10 < len(rows) <= 200 and rows[0]["rank"] == "1" and rows[0]["citation"]
    r = client.get("/search", params={"q": "death penalty", "format": "jsonl", "k": 3})
    assert len(r.text.strip().splitlines()) == 3


def test_passage_in_context_document_and_facets(client: TestClient) -> None:
    hit = client.get("/search", params={"q": "gunshow loophole", "k": 1}).json()["hits"][0]
    ctx = client.get(f"/passages/{hit['id']}").json()
    assert ctx["passage"]["id"] == hit["id"] and ctx["before"] and ctx["after"]
    doc = client.get(f"/documents/{hit['metadata']['doc_id']}").json()
    assert doc["passages"] == 347 and len(doc["passage_list"]) == 347
    f = client.get("/facets").json()
    assert f["scope"] == "index"
    countries = {x["value"]: x["count"] for x in f["facets"]["country"]}
    assert countries["United States of America"] >= 347
    fq = client.get("/facets", params={"q": "death penalty"}).json()
    total = client.get("/search", params={"q": "death penalty"}).json()["total"]
    assert fq["scope"] == "query" and sum(x["count"] for x in fq["facets"]["kind"]) == total


def test_errors_have_one_shape(client: TestClient) -> None:
    _assert_error(client.get("/search", params={"q": "x", "k": 0}), 422, "k")
    _assert_error(client.get("/search", params={"q": "x", "k": 101}), 422, "k")
    _assert_error(client.get("/search", params={"q": "x", "mode": "magic"}), 422, "mode")
    _assert_error(client.get("/search"), 422, "q")
    _assert_error(client.get("/search", params={"q": "x" * 1001}), 422, "q")
    _assert_error(client.get("/search", params={"q": "x", "cycle": "three"}), 422, "cycle")
    _assert_error(
        client.get("/search", params=[("q", "x")] + [("country", f"c{i}") for i in range(21)]), 422, "country"
    )
    _assert_error(client.post("/search", json={"q": "x", "colour": ["red"]}), 422, "colour")
    _assert_error(client.get("/passages/nope:para:1"), 404)
    _assert_error(client.get("/documents/nope"), 404)
    _assert_error(client.get("/no-such-route"), 404)
    _assert_error(client.delete("/search"), 405)


def test_openapi_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/search", "/facets", "/health", "/ready"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_web_page_renders_results_escaped(client: TestClient) -> None:
    r = client.get(
        "/", params={"q": "death penalty <script>alert(1)</script>", "country": "United States of America"}
    )
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    assert "Copy citation" in r.text and "(CSV)" in r.text and "para. 26." in r.text
