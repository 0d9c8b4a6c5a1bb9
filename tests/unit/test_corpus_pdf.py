"""PDF reading: page spans, real UN reports, and generated broken, encrypted and scanned PDFs."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from corpus.loader import load_document
from hrsearch.errors import CorpusError, EmptyDocument, EncryptedDocument, FileTooLarge
from hrsearch.settings import Settings

MakePdf = Callable[[list[str]], bytes]
PAGES = [
    "Report of the Working Group\n92.1. Ratify the Convention (France);",
    "92.2. Abolish the death penalty (Spain);",
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def encrypt(data: bytes, user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pages_are_joined_with_spans(tmp_path: Path, settings: Settings, make_pdf: MakePdf) -> None:
    doc = load_document(write(tmp_path, "r.pdf", make_pdf(PAGES)), settings)
    assert [(p.number, doc.text[p.start : p.end].strip()) for p in doc.pages] == [
        (1, PAGES[0]),
        (2, PAGES[1]),
    ]
    assert doc.text[doc.pages[0].end : doc.pages[1].start] == "\n\n"
    assert doc.pages_for_span(doc.text.index("92.2."), doc.text.index("92.2.") + 5) == [2]
    assert doc.warnings == []


def test_truncated_pdf_is_a_corpus_error(tmp_path: Path, settings: Settings, make_pdf: MakePdf) -> None:
    data = make_pdf(PAGES)
    with pytest.raises(CorpusError, match=r"not a readable PDF \(truncated or corrupt\)") as err:
        load_document(write(tmp_path, "cut.pdf", data[: len(data) // 2]), settings)
    assert type(err.value) is CorpusError
    assert str(err.value).startswith(str(tmp_path / "cut.pdf"))


def test_html_saved_as_pdf_is_not_a_pdf(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(CorpusError, match="not a PDF"):
        load_document(write(tmp_path, "page.pdf", b"<html><body>Not found</body></html>"), settings)


def test_pdf_encrypted_with_a_password_is_refused(
    tmp_path: Path, settings: Settings, make_pdf: MakePdf
) -> None:
    path = write(tmp_path, "locked.pdf", encrypt(make_pdf(PAGES), "secret"))
    with pytest.raises(EncryptedDocument, match="encrypted with a password; decrypt it first"):
        load_document(path, settings)


def test_pdf_encrypted_with_empty_user_password_opens(
    tmp_path: Path, settings: Settings, make_pdf: MakePdf
) -> None:
    data = encrypt(make_pdf(PAGES), "", owner_password="owner")
    assert PdfReader(io.BytesIO(data)).is_encrypted
    path = write(tmp_path, "owner-only.pdf", data)
    doc = load_document(path, settings)
    assert "92.1. Ratify the Convention (France);" in doc.text
    assert len(doc.pages) == 2


def test_pdf_without_text_layer_asks_for_ocr(tmp_path: Path, settings: Settings, make_pdf: MakePdf) -> None:
    with pytest.raises(EmptyDocument, match=r"no text layer \(scanned PDF\?\); OCR it first"):
        load_document(write(tmp_path, "scan.pdf", make_pdf(["", ""])), settings)


def test_pages_without_text_are_reported(tmp_path: Path, settings: Settings, make_pdf: MakePdf) -> None:
    doc = load_document(write(tmp_path, "mixed.pdf", make_pdf([PAGES[0], "", PAGES[1]])), settings)
    assert doc.warnings == ["1 of 3 pages have no text layer (pages 2)"]
    assert [p.number for p in doc.pages] == [1, 2, 3]


def test_too_many_pages_is_refused(tmp_path: Path, make_pdf: MakePdf) -> None:
    settings = Settings(index_dir=tmp_path / "index", max_pdf_pages=2)
    with pytest.raises(FileTooLarge, match="3 pages, more than the limit of 2"):
        load_document(write(tmp_path, "long.pdf", make_pdf(["a", "b", "c"])), settings)


@pytest.mark.shared
def test_usa_2011_wg_report(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(shared_corpus / "pdf/UPR_WG_report_USA_2011_A-HRC-16-11.pdf", settings)
    assert len(doc.pages) == 30
    assert [p.number for p in doc.pages] == list(range(1, 31))
    assert doc.pages[-1].end == len(doc.text)
    # Recommendation numbers survive extraction, on the pages where the report has them.
    first = doc.text.index("92.1. ")
    assert doc.pages_for_span(first, first + 5) == [13]
    assert "92.7. Ratify the ICESCR, CEDAW" in doc.text
    meta = doc.meta
    assert meta.symbol == "A/HRC/16/11"
    assert meta.extra["draft_symbol"] == "A/HRC/WG.6/9/L.9"
    assert meta.kind == "outcome_report"
    assert meta.country == "United States of America"
    assert meta.mechanism == "UPR"
    assert (meta.session, meta.cycle, meta.year) == (9, 1, 2011)
    assert meta.language == "en"


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "symbol", "kind", "session", "cycle", "year"),
    [
        (
            "A-HRC-59-15-Add.1_WG_report_addendum_Slovenia_2025.pdf",
            "A/HRC/59/15/Add.1",
            "outcome_addendum",
            None,
            4,
            2025,
        ),
        (
            "A-HRC-WG.6-48-SVN-3_stakeholders_summary_Slovenia_2024.pdf",
            "A/HRC/WG.6/48/SVN/3",
            "stakeholder_summary",
            48,
            4,
            2024,
        ),
    ],
)
def test_slovenia_pdfs(
    shared_corpus: Path,
    settings: Settings,
    name: str,
    symbol: str,
    kind: str,
    session: int | None,
    cycle: int,
    year: int,
) -> None:
    meta = load_document(shared_corpus / "pdf" / name, settings).meta
    assert (meta.symbol, meta.kind, meta.country, meta.mechanism) == (symbol, kind, "Slovenia", "UPR")
    assert (meta.session, meta.cycle, meta.year) == (session, cycle, year)


@pytest.mark.shared
def test_canada_2013_wg_report(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(shared_corpus / "pdf/UPR_WG_report_Canada_2013.pdf", settings)
    assert len(doc.pages) == 25
    assert (doc.meta.symbol, doc.meta.kind, doc.meta.country) == ("A/HRC/24/11", "outcome_report", "Canada")
    # The session comes from the documents "issued for the review" (A/HRC/WG.6/16/CAN/1 ...).
    assert (doc.meta.session, doc.meta.cycle, doc.meta.year) == (16, 2, 2013)
    assert doc.meta.title is None  # the PDF's own title is just "United Nations"


@pytest.mark.shared
def test_truncated_real_pdf_is_a_corpus_error(
    shared_corpus: Path, tmp_path: Path, settings: Settings
) -> None:
    data = (shared_corpus / "pdf/UPR_WG_report_USA_2011_A-HRC-16-11.pdf").read_bytes()
    with pytest.raises(CorpusError, match="truncated or corrupt"):
        load_document(write(tmp_path, "usa.pdf", data[: len(data) // 3]), settings)
