"""The advocates' pages in a real browser: Debian's Chromium driven by Playwright.

The app runs under uvicorn on 127.0.0.1 in a thread; Chromium is /usr/bin/chromium (installed
by `.ci/run` / `make browser`), never a browser Playwright downloads. Each test walks one item of
issue 16 and asserts what a person sees; screenshots go to test-artifacts/ (kept by CI).
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from search_api.app import create_app
from tests.integration.test_web_pages import build_corpus

pytestmark = [pytest.mark.browser, pytest.mark.model]

CHROMIUM = Path(os.environ.get("HRSEARCH_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
API_KEY = "browser-test-key"
US = "United States of America"
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
    docs = build_corpus(SHARED_CORPUS, tmp_path_factory.mktemp("docs"))
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


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        # Offline: every address but the app's goes to a proxy that does not exist, so a page
        # that needs the network (a CDN) shows it (loopback bypasses the proxy).
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"},
        )
        yield b
        b.close()


def open_filters(page: Any) -> None:
    page.locator("details.filters").evaluate("d => { d.open = true; }")


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_search_filters_chips_context_and_csv(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Search query").fill("ratify the convention on the rights of the child")
    page.get_by_label("Search query").press("Enter")
    page.wait_for_selector("li.hit")
    assert page.locator("h1").inner_text() == "Results for “ratify the convention on the rights of the child”"
    total = page.locator("#result-count").inner_text()
    page.screenshot(path=str(ARTIFACTS / "results.png"))
    # the total stays on page 2
    page.get_by_role("link", name="Next page").click()
    page.wait_for_selector("li.hit")
    assert page.locator("#result-count").inner_text() == total
    page.go_back()
    page.wait_for_selector("li.hit")

    # two regions (several values of one filter), with the counts the filter panel promised
    open_filters(page)
    weog = page.locator("#f-region label", has_text="WEOG")
    grulac = page.locator("#f-region label", has_text="GRULAC")
    promised = int(weog.locator(".count").inner_text().split()[0])
    weog.locator("input").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("li.hit")
    assert page.locator("#result-count").inner_text() == f"{promised} results"
    open_filters(page)
    grulac.locator("input").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector(".chips")
    chips = page.locator(".chip").all_inner_texts()
    assert any("WEOG" in c for c in chips) and any("GRULAC" in c for c in chips)
    page.screenshot(path=str(ARTIFACTS / "chips.png"))
    # remove one chip: the other stays
    page.get_by_role("link", name="Remove filter Region of the recommending State: WEOG").click()
    page.wait_for_selector("li.hit")
    chips = page.locator(".chip").all_inner_texts()
    assert not any("WEOG" in c for c in chips) and any("GRULAC" in c for c in chips)

    # a passage in context, named by its citation
    first = page.locator("li.hit").first
    citation = first.locator("code.citation").inner_text()
    first.get_by_role("link", name=f"In context: {citation}").click()
    page.wait_for_selector("li.current")
    assert page.locator("h1").inner_text() == citation
    page.go_back()
    page.wait_for_selector("li.hit")

    # the CSV of the results shown: a BOM, as many rows as the page counts
    shown = int(page.locator("#result-count").inner_text().split()[0])
    with page.expect_download() as dl:
        page.locator("#csv-download").click()
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == shown and all(r["region"] == "GRULAC" for r in rows)

    # nonsense: no good matches, the closest few
    page.goto(server + "/?q=asdfghjkl+qwertyuiop")
    page.wait_for_selector("#no-good")
    assert "No good matches." in page.locator("#no-good").inner_text()
    assert page.locator("li.hit").count() <= 3
    page.screenshot(path=str(ARTIFACTS / "no-good-matches.png"))

    # the hostile letter: the script is text and never runs
    page.goto(server + "/?q=" + "government abolish death penalty script pwned")
    page.wait_for_selector("li.hit")
    assert "<script>window.pwned=1</script>" in " ".join(page.locator("li.hit").all_inner_texts())
    assert page.evaluate("window.pwned === undefined")
    context.close()


def test_precedent_finder_strongest_adopted_wording_first(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_role("link", name="Precedent finder", exact=True).click()
    page.get_by_label("Your ask or draft recommendation").fill(
        "Ratify the Convention on the Rights of the Child"
    )
    page.get_by_role("button", name="Find precedents").click()
    page.wait_for_selector("#same li.precedent")
    cards = page.locator("#same li.precedent")
    first = cards.first
    assert "Ratify the Convention on the Rights of the Child" in first.locator(".wording").inner_text()
    assert first.locator(".badge.resp-supported").count() == 1
    assert "specific action" in first.locator(".badge.strength").inner_text()
    # supported before noted, then the strongest wording: read the order off the cards
    keys = []
    for i in range(cards.count()):
        card = cards.nth(i)
        resp = (
            0
            if card.locator(".resp-supported").count()
            else 1
            if card.locator(".resp-supported_noted").count()
            else 2
            if card.locator(".resp-noted").count()
            else 3  # no response recorded
        )
        strength = card.locator(".badge.strength")
        keys.append((resp, -int(strength.inner_text().split()[1]) if strength.count() else 0))
    assert keys == sorted(keys)
    # plain words, the score on hover
    words = first.locator(".badge.words")
    assert words.inner_text() == "says the same thing" and re.fullmatch(
        r"similarity 0\.\d\d|similarity 1\.00", words.get_attribute("title") or ""
    )
    page.screenshot(path=str(ARTIFACTS / "precedents.png"))
    page.get_by_label("Only wordings the State under review supported").check()
    page.get_by_role("button", name="Find precedents").click()
    page.wait_for_selector("#same li.precedent")
    assert page.locator("#same .resp-noted").count() == 0
    context.close()


def test_alignment_report_reads_right_at_375px_and_prints(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server + "/report")
    # letters named by their subject and signatory
    letter = page.locator(
        "#indexed-form label", has_text="U.S. participation in the third Universal Periodic Review"
    )
    assert "The US Human Rights Network UPR Task Force" in letter.inner_text()
    assert "000_12e2e18f93ed9b55" not in page.locator("#indexed-form").inner_text()
    # a form submitted without a letter says so
    page.locator("#i-country").select_option(US)
    page.get_by_role("button", name="Show report").click()
    assert "Choose at least one letter or submission." in page.locator("#report-error").inner_text()
    letter = page.locator(
        "#indexed-form label", has_text="U.S. participation in the third Universal Periodic Review"
    )
    letter.locator("input").check()
    page.locator("#i-country").select_option(US)
    page.locator("#i-cycle").select_option("3")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_selector("#report")
    assert no_horizontal_scroll(page), "the report is wider than a 375 px screen"
    assert page.locator("#glance svg rect").count() >= 1
    asks = page.locator("li.ask")
    assert asks.count() >= 5
    report = page.locator("#report").inner_text()
    assert "Now is the time to take action" not in report
    for i in range(asks.count()):
        ask = asks.nth(i)
        facts = ask.locator("dl.facts").inner_text()
        assert "Recommended by" in facts and f"What {US} did" in facts
        sims = [
            float(s)
            for s in ask.locator("tr.match").evaluate_all("rows => rows.map(r => r.dataset.similarity)")
        ]
        assert sims == sorted(sims, reverse=True)
        marked = ask.locator("tr.match").evaluate_all(
            "rows => rows.map(r => r.classList.contains('deciding'))"
        )
        assert marked == sorted(marked, reverse=True)
    words = page.locator("td.closeness .words").first
    assert (words.get_attribute("title") or "").startswith("similarity ")
    page.locator("#report").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-375px.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / "report-375px-full.png"), full_page=True)
    page.locator("#glance").screenshot(path=str(ARTIFACTS / "report-glance.png"))
    page.emulate_media(media="print")
    assert page.locator("#indexed-form").is_hidden() and page.locator("#report").is_visible()
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=False)
    context.close()


def test_upload_keeps_the_file_on_a_wrong_key_and_gives_a_csv(
    server: str, browser: Any, tmp_path: Path
) -> None:
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
    context = browser.new_context(viewport={"width": 1200, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    page.goto(server + "/report")
    page.get_by_label("Letter or submission (PDF, DOCX, TXT)").set_input_files(str(letter))
    page.locator("#u-country").select_option(US)
    page.locator("#u-cycle").select_option("3")
    page.get_by_label("API key").fill("not-the-key")
    page.get_by_role("button", name="Upload and report").click()
    # The status first says "Reading the letter…" and the button stays disabled until the answer
    # is in: wait for the button to come back, not for any status text (on a busy machine the
    # first text is still the working message). A selector, not wait_for_function: the page's
    # Content-Security-Policy forbids the eval that polling a JavaScript expression needs.
    page.wait_for_selector("#upload-form button[type=submit]:not([disabled])")
    assert "wrong API key" in page.locator("#upload-status").inner_text()
    assert page.evaluate("document.getElementById('u-file').files.length") == 1  # the file is still chosen
    page.get_by_label("API key").fill(API_KEY)
    page.get_by_role("button", name="Upload and report").click()
    page.wait_for_selector("#report")
    icc = page.locator("li.ask", has_text="International Criminal Court")
    assert icc.locator(".badge").first.inner_text() == "Recommended"
    assert "26.7" in icc.locator("table.matches").inner_text()
    menu = page.locator("li.ask", has_text="cafeteria")
    assert menu.locator(".badge").first.inner_text() == "Not recommended by any State"
    assert "A coalition of human rights organisations" in page.locator("#report-title").inner_text()
    with page.expect_download() as dl:
        page.locator("#report-csv").click()
    data = Path(dl.value.path()).read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbf") and any("cafeteria" in r["ask_text"] for r in rows)
    assert page.get_by_role("button", name="Print").is_visible()
    page.screenshot(path=str(ARTIFACTS / "report-upload.png"))
    context.close()


def test_error_pages_have_a_way_back(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    for url, says in (
        ("/no/such/page", "There is no page at /no/such/page."),
        ("/?q=death+penalty&page=999", "There is no page 999"),
        ("/?q=death+penalty&response=maybe", "“maybe” is not a value of this filter"),
        (f"/report?country={US}&cycle=abc&doc_id=x", "“abc” is not a cycle of the index"),
    ):
        page.goto(server + url)
        assert says in page.locator("[role=alert]").inner_text()
        assert page.locator("link[href='/static/style.css']").count() == 1
    page.goto(server + "/?q=death+penalty&page=999")
    page.screenshot(path=str(ARTIFACTS / "error-page.png"))
    page.get_by_role("link", name="First page of these results").click()
    page.wait_for_selector("li.hit")
    page.goto(server + "/?q=death+penalty&response=maybe")
    page.get_by_role("link", name="Remove the filter “Response”").click()
    page.wait_for_selector("li.hit")
    context.close()


def test_api_docs_work_offline(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(server + "/")
    page.get_by_role("link", name="API", exact=True).click()
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert "/search" in page.locator(".swagger-ui").inner_text()
    page.screenshot(path=str(ARTIFACTS / "api-docs-offline.png"))
    assert not failed, f"the docs asked the network for {failed}"
    context.close()


def test_arabic_interface_reads_right_to_left_and_the_documents_left_to_right(
    server: str, browser: Any
) -> None:
    """An Arabic page is laid out right to left; the English recommendations on it still read left
    to right (style.css: each paragraph takes its direction from its own text)."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="ar")
    page = context.new_page()
    page.goto(server + "/?q=" + "إلغاء عقوبة الإعدام")
    page.wait_for_selector("li.hit")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "death penalty" in page.locator("li.hit .snippet").first.inner_text().lower()
    # where the first letter of the first snippet sits: at its left edge for English text
    offset = page.evaluate(
        """() => { const p = document.querySelector('li.hit .snippet');
                   const r = document.createRange(); const t = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
                   let n = t.nextNode(); while (n && !n.textContent.trim()) n = t.nextNode();
                   const i = n.textContent.search(/\\S/); r.setStart(n, i); r.setEnd(n, i + 1);
                   return r.getBoundingClientRect().left - p.getBoundingClientRect().left; }"""
    )
    assert offset < 12, f"the English snippet starts {offset:.0f} px from its left edge"
    # the page's own words start on the right: the brand link is in the right half of the screen
    brand = page.locator(".brand").bounding_box()
    assert brand is not None and brand["x"] > 375 / 2
    assert no_horizontal_scroll(page), "the results are wider than a 375 px screen"
    page.screenshot(path=str(ARTIFACTS / "arabic-375px.png"))
    context.close()


def test_spanish_interface_and_the_switch(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="es-ES")
    page = context.new_page()
    page.goto(server + "/?q=abolish+the+death+penalty")
    page.wait_for_selector("li.hit")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("button", name="Buscar").is_visible()
    assert page.locator("h1").inner_text() == "Resultados para «abolish the death penalty»"
    assert page.locator("li.hit .copy").first.inner_text() == "Copiar la cita"
    assert no_horizontal_scroll(page), "the results are wider than a 375 px screen"
    page.screenshot(path=str(ARTIFACTS / "spanish-375px.png"))
    page.get_by_role("link", name="Français").click()
    page.wait_for_selector("li.hit")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("button", name="Rechercher").is_visible()
    page.goto(server + "/report")  # the choice is kept
    assert page.locator("h1").inner_text().startswith("Rapport d’alignement")
    context.close()
