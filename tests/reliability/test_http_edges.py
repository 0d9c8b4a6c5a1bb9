"""Smaller HTTP edges of issue 18: what a client sends that once answered 500 now answers 4xx
with the field at fault, and the upload that once failed on its name is read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from search_api.app import create_app
from search_api.security import install_security
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import settings_for

KEY = "edge-key"
COUNTRY = "Freedonia"
LETTER = b"Dear Sir,\n\nWe urge the Government to end the solitary confinement of children.\n"


@pytest.fixture(scope="module")
def index_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("edges")
    docs = make_corpus(root / "docs", letters=2, paragraphs=4, table_rows=30)
    settings: Settings = settings_for(root / "index", "edges", api_key=KEY)
    run_index([docs], settings, lambda: HashingEmbedder())
    return settings


@pytest.fixture(scope="module")
def client(index_settings: Settings) -> Iterator[TestClient]:
    settings = index_settings
    app = create_app(settings, embedder=HashingEmbedder())
    install_security(app, settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _letter_id(c: TestClient) -> str:
    hits = c.post("/search", json={"q": "we urge the authorities", "kind": ["ask"], "k": 1}).json()["hits"]
    return str(hits[0]["metadata"]["doc_id"])


@pytest.mark.parametrize("cycle", ["²", "٣", "0", "11", "three"])
def test_a_cycle_that_is_not_one_is_422_on_the_report_page_and_its_csv(
    client: TestClient, cycle: str
) -> None:
    r = client.get("/report.csv", params={"country": COUNTRY, "doc_id": _letter_id(client), "cycle": cycle})
    assert r.status_code == 422 and r.json()["error"]["field"] == "cycle", r.text
    r = client.post(
        "/report",
        files={"file": ("letter.txt", LETTER)},
        data={"country": COUNTRY, "cycle": cycle, "api_key": KEY},
    )
    assert r.status_code == 422 and "not a UPR cycle" in r.text, r.text[:300]
    r = client.get("/report.csv", params={"country": COUNTRY, "doc_id": _letter_id(client), "cycle": "3"})
    assert r.status_code == 200 and r.text.lstrip("\ufeff").startswith("ask_citation"), r.text[:300]


@pytest.mark.parametrize(
    "name", ["a" * 300 + ".txt", "é" * 200 + ".txt", "../../etc/passwd.txt", "nul\x00byte.txt"]
)
def test_uploads_with_long_or_odd_file_names_are_read(client: TestClient, name: str) -> None:
    r = client.post(
        "/documents", files={"file": (name, LETTER)}, data={"country": COUNTRY}, headers={"X-API-Key": KEY}
    )
    assert r.status_code == 200, r.text[:300]
    ask = r.json()["asks"][0]["ask"]
    assert "solitary confinement" in ask["text"]
    assert len(ask["file"].encode()) <= 200 and "/" not in ask["file"] and "\x00" not in ask["file"]
    page = client.post("/report", files={"file": (name, LETTER)}, data={"country": COUNTRY, "api_key": KEY})
    assert page.status_code == 200 and "solitary confinement" in page.text


def test_html_pages_without_an_index_do_not_name_the_server_folder(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "srv" / "secret-place" / "index", "none")
    with TestClient(create_app(settings, embedder=HashingEmbedder()), raise_server_exceptions=False) as c:
        for url in (
            "/",
            "/?q=torture",
            "/report",
            "/view/passages/abc:para:1",
            "/search?q=torture",
            "/ready",
        ):
            r = c.get(url)
            assert r.status_code == 503, (url, r.status_code)
            assert "secret-place" not in r.text and str(tmp_path) not in r.text, (url, r.text[:500])
            assert "hrsearch index" in r.text  # and still says how to build one


def test_answers_show_files_from_the_indexed_folder_not_the_server_path(
    client: TestClient, index_settings: Settings
) -> None:
    root = str(index_settings.index_dir.parent)  # the server's folder above the indexed "docs"
    search = client.get("/search", params={"q": "we urge the authorities", "k": 20})
    files = {h["metadata"]["file"] for h in search.json()["hits"]}
    assert files and all(f.startswith("docs/") for f in files), files
    doc_id = search.json()["hits"][0]["metadata"]["doc_id"]
    csv_text = client.get("/search", params={"q": "we urge the authorities", "format": "csv"}).text
    answers = {
        "search": search.text,
        "csv": csv_text,
        "document": client.get(f"/documents/{doc_id}").text,
        "passage": client.get(f"/passages/{search.json()['hits'][0]['id']}").text,
        "link": client.post("/link", json={"text": "end solitary confinement"}).text,
        "align": client.get("/align", params={"country": COUNTRY, "doc_id": doc_id}).text,
    }
    for name, text in answers.items():
        assert root not in text, (name, text[:300])
    assert '"file":"docs/' in answers["document"].replace(" ", "") and "docs/letter-" in csv_text


def test_get_search_refuses_unknown_parameters_like_post(client: TestClient) -> None:
    """Done before this branch (a query parameter model); checked here as the issue asks."""
    for params in ({"q": "torture", "contry": "Chile"}, {"q": "torture", "year": "2020"}):
        r = client.get("/search", params=params)
        assert r.status_code == 422, (params, r.text)
        assert client.post("/search", json={**params, "k": 5}).status_code == 422


def test_link_from_a_passage_pages_with_offset(client: TestClient) -> None:
    """Done before this branch; checked here as the issue asks: offsets 0, 5, 10 are three pages."""
    ask = client.post("/search", json={"q": "we urge the authorities", "kind": ["ask"], "k": 1}).json()[
        "hits"
    ][0]
    pages = [
        [
            h["id"]
            for h in client.post("/link", json={"passage_id": ask["id"], "k": 5, "offset": o}).json()["hits"]
        ]
        for o in (0, 5, 10)
    ]
    assert all(pages) and len({i for p in pages for i in p}) == sum(len(p) for p in pages), pages
    csv_text = client.post("/link", json={"passage_id": ask["id"], "k": 5, "offset": 5, "format": "csv"}).text
    assert [row.split(",")[0] for row in csv_text.splitlines()[1:3]] == ["6", "7"]
