"""The indexing banner in a real browser: while an index run holds the index (the demo's
background run), every page says how far it has got, from ``/ready``; when it ends, it says so."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from indexer.progress import Progress
from indexer.writer import write_lock
from search_api.app import create_app
from tests.browser.test_web_page import CHROMIUM, CHROMIUM_ARGS, _free_port

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, Settings]]:  # type: ignore[no-untyped-def]
    import uvicorn

    from tests.conftest import SHARED_CORPUS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent; browser test skipped")
    docs = tmp_path_factory.mktemp("docs")
    for f in (SHARED_CORPUS / "letters").glob("*.txt"):
        shutil.copy(f, docs / f.name)
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
    run_index([docs], settings, lambda: embedder)
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, embedder=embedder), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", settings
    srv.should_exit = True
    thread.join(timeout=10)


def test_the_banner_follows_a_background_index_run(served: tuple[str, Settings]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, settings = served
    index_dir: Path = settings.index_dir
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_load_state("networkidle")
        assert page.locator("#index-progress").count() == 0  # nothing running: no banner

        # An index run takes the write lock and reports as it goes, as `hrsearch index` does.
        with write_lock(index_dir):
            progress = Progress(index_dir)
            progress.plan(files_total=342, bytes_total=37_000_000, passages_total=4_210)
            progress.skipped()
            progress.written(files=118, passages_total=23_456)
            page.goto(url + "/")
            banner = page.locator("#index-progress")
            expect(banner).to_contain_text("119 of 342 files", timeout=10_000)
            expect(banner).to_contain_text("23,456 passages indexed")
            assert banner.get_attribute("role") == "status"
            # The page still answers while the run goes on.
            page.goto(url + "/?q=death+penalty")
            page.wait_for_selector("li.hit")
            expect(page.locator("#index-progress")).to_contain_text("of 342 files", timeout=10_000)
            progress.finish(passages_total=109_995)
        # The run ends: the banner, polling, says so without a reload.
        expect(page.locator("#index-progress")).to_contain_text(
            "Indexing finished: 109,995 passages", timeout=15_000
        )
        browser.close()
