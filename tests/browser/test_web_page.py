"""The advocates' page in a real browser: Debian's Chromium driven by Playwright.

The app runs under uvicorn on 127.0.0.1 in a thread; Chromium is /usr/bin/chromium (installed
by `.ci/run` / `make browser`), never a browser Playwright downloads.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from search_api.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.model]

CHROMIUM = Path(os.environ.get("HRSEARCH_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
API_KEY = "browser-test-key"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    from tests.conftest import SHARED_CORPUS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent; browser test skipped")
    docs = tmp_path_factory.mktemp("docs")
    shutil.copy(SHARED_CORPUS / "recommendations" / "us_upr_cycle3_recommendations.csv", docs)
    (docs / "letters").mkdir()
    for f in (SHARED_CORPUS / "letters").glob("*.txt"):
        shutil.copy(f, docs / "letters" / f.name)
    hostile = docs / "hostile.txt"
    hostile.write_text(
        "Dear colleagues,\n\nWe urge the government to abolish the death penalty <script>window.pwned=1</script> now.\n\n"
        '=HYPERLINK("http://example.invalid","click") we urge an end to executions of juveniles.\n',
        encoding="utf-8",
    )
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), api_key=API_KEY)
    run_index([docs], settings, lambda: embedder)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, embedder=embedder), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_search_filter_context_and_csv(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1400}, accept_downloads=True)
        page.goto(server + "/")
        page.get_by_label("Search query").fill("abolish the death penalty")
        page.get_by_label("Search query").press("Enter")
        page.wait_for_selector("li.hit")
        hits = page.locator("li.hit")
        assert hits.count() >= 10
        assert "death penalty" in page.locator("li.hit .snippet").first.inner_text().lower()
        page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=False)

        # The hostile document shows as text and runs nothing.
        assert page.evaluate("window.pwned === undefined")

        # Apply a filter with the keyboard-labelled control.
        page.locator("details.filters summary").click()
        page.get_by_label("Recommending state").select_option("Namibia")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_selector("li.hit")
        citations = page.locator("li.hit code.citation").all_inner_texts()
        assert citations and all("Namibia" in c for c in citations)

        # Open a passage in context.
        page.locator("li.hit a.context").first.click()
        page.wait_for_selector("li.current")
        assert "Namibia" in page.locator("h1").inner_text()
        assert page.locator("li.neighbour").count() >= 1
        page.go_back()
        page.wait_for_selector("li.hit")

        # Download the CSV of the results.
        with page.expect_download() as dl:
            page.locator("#csv-download").click()
        path = dl.value.path()
        rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
        assert rows and all("Namibia" in r["recommending_state"] for r in rows)

        # The hostile letter: script is text in the page and a neutralised formula in the CSV.
        page.goto(server + "/?q=" + "government abolish death penalty script pwned")
        page.wait_for_selector("li.hit")
        texts = " ".join(page.locator("li.hit").all_inner_texts())
        assert "<script>window.pwned=1</script>" in texts  # shown as text
        assert page.evaluate("window.pwned === undefined")  # and never run
        browser.close()

    import httpx

    r = httpx.get(server + "/search", params={"q": '"HYPERLINK"', "format": "csv", "mode": "lexical"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and all(not row["text"].startswith("=") for row in rows)
    assert any(row["text"].startswith("'=HYPERLINK") for row in rows)


def test_upload_a_pdf_letter_and_read_its_report(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.pdfmaker import text_pdf

    letter = tmp_path / "letter.pdf"
    letter.write_bytes(
        text_pdf(
            [
                "Dear Deputy Assistant Secretary,",
                "We urge the Administration to lift the sanctions against the International Criminal Court and its staff.",
                "We also request that the Department publish the menu of its staff cafeteria every week.",
                "Sincerely, A coalition of human rights organisations",
            ]
        )
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.goto(server + "/report")
        page.get_by_label("Letter or submission (PDF, DOCX, TXT)").set_input_files(str(letter))
        page.locator("#u-country").select_option("United States of America")
        page.locator("#u-cycle").select_option("3")
        page.get_by_label("API key").fill(API_KEY)
        page.get_by_role("button", name="Upload and report").click()
        page.wait_for_selector("#report")
        asks = page.locator("li.ask")
        assert asks.count() == 2
        icc = page.locator("li.ask", has_text="International Criminal Court")
        assert "taken up" in icc.locator(".badge").first.inner_text()
        assert "26.7" in icc.locator("table.matches").inner_text()
        menu = page.locator("li.ask", has_text="cafeteria")
        assert "not taken up" in menu.locator(".badge").first.inner_text()
        assert "similarity" in menu.locator(".reason").inner_text()
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)

        # The indexed letters can be chosen without a key, and the CSV downloads.
        page.goto(server + "/report")
        page.locator("#indexed-form input[type=checkbox]").first.check()
        page.locator("#i-country").select_option("United States of America")
        page.locator("#i-cycle").select_option("3")
        page.get_by_role("button", name="Show report").click()
        page.wait_for_selector("#report")
        assert page.locator("li.ask").count() >= 5
        browser.close()
