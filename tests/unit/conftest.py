"""Fixtures shared by the unit tests: the shared corpus, clean settings, generated PDFs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hrsearch.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _clean_hrsearch_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No HRSEARCH_* variable of the developer's shell leaks into a test's Settings."""
    for name in list(os.environ):
        if name.startswith("HRSEARCH_"):
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real corpus at ``../shared/corpus`` next to the repository; tests using it skip without it."""
    if not (SHARED_CORPUS / "SOURCES.md").is_file():
        pytest.skip(f"the shared corpus is not at {SHARED_CORPUS} (tests on real documents need it)")
    return SHARED_CORPUS


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index")


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def build_pdf(pages: list[str]) -> bytes:
    """A small valid PDF whose pages carry the given text (Helvetica, one line per text line).

    An empty string makes a page without a text layer, like a scanned page.
    """
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {len(pages)} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, text in zip(page_ids, pages, strict=True):
        lines = text.split("\n") if text else []
        stream = (
            ("BT /F1 11 Tf 72 740 Td 14 TL " + " ".join(f"{_pdf_string(s)} Tj T*" for s in lines) + " ET")
            if lines
            else ""
        )
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>"
        ).encode()
        data = stream.encode("latin-1")
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    out = b"%PDF-1.4\n"
    offsets: dict[int, int] = {}
    for object_id in sorted(objects):
        offsets[object_id] = len(out)
        out += b"%d 0 obj\n" % object_id + objects[object_id] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[i] for i in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return out


@pytest.fixture
def make_pdf() -> Callable[[list[str]], bytes]:
    """Factory of small generated PDFs (see ``build_pdf``)."""
    return build_pdf
