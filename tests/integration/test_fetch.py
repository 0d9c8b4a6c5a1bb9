"""`hrsearch fetch` against a local HTTP server that answers like the UN document system,
serving the real PDFs of ../shared/corpus/pdf under the same URL pattern."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from hrsearch.cli import main
from hrsearch.settings import Settings

SERVED = {
    "A/HRC/16/11": "UPR_WG_report_USA_2011_A-HRC-16-11.pdf",
    "A/HRC/59/15/Add.1": "A-HRC-59-15-Add.1_WG_report_addendum_Slovenia_2025.pdf",
}


@pytest.fixture
def un_server(shared_corpus: Path) -> Iterator[str]:
    pdf_dir = shared_corpus / "pdf"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = parse_qs(url.query)
            name = SERVED.get(q.get("s", [""])[0])
            if (
                url.path != "/api/symbol/access"
                or q.get("t") != ["pdf"]
                or q.get("l") != ["en"]
                or name is None
            ):
                self.send_response(404)
                self.end_headers()
                return
            data = (pdf_dir / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/symbol/access"
    server.shutdown()


def test_fetch_by_symbol_skips_what_is_there_and_indexes(
    un_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tests.doubles import HashingEmbedder

    monkeypatch.setenv("HRSEARCH_FETCH_BASE_URL", un_server)
    into = tmp_path / "docs"
    code = main(["fetch", "A/HRC/16/11", "A/HRC/59/15/Add.1", "A/HRC/99/99", "--into", str(into), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # one symbol failed, the others were fetched
    assert sorted(Path(p).name for p in out["fetched"]) == ["A_HRC_16_11.pdf", "A_HRC_59_15_Add.1.pdf"]
    assert out["failed"][0]["symbol"] == "A/HRC/99/99" and "not found" in out["failed"][0]["error"]
    sidecar = (into / "A_HRC_16_11.pdf.meta.toml").read_text(encoding="utf-8")
    assert 'symbol = "A/HRC/16/11"' in sidecar and 'language = "en"' in sidecar

    assert main(["fetch", "A/HRC/16/11", "--into", str(into), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["fetched"] == [] and len(again["skipped"]) == 1

    from indexer.catalog import Catalog
    from indexer.config import CATALOG_FILE
    from indexer.pipeline import run_index

    settings = Settings(index_dir=tmp_path / "index")
    report = run_index([into], settings, lambda: HashingEmbedder())
    assert report.files_indexed == 2 and not report.files_failed
    recs = [
        p.data
        for p, _ in Catalog(settings.index_dir / CATALOG_FILE).iter_passages()
        if (p.data.get("rec_id") or "").startswith("92.")
    ]
    assert len(recs) == 228 and all(r["symbol"] == "A/HRC/16/11" for r in recs)


def test_fetch_unreachable_host_is_a_clear_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HRSEARCH_FETCH_BASE_URL", "http://127.0.0.1:9/api/symbol/access")
    monkeypatch.setenv("HRSEARCH_FETCH_TIMEOUT_S", "3")
    assert main(["fetch", "A/HRC/46/15", "--into", str(tmp_path)]) == 4
    assert "cannot reach" in capsys.readouterr().out
