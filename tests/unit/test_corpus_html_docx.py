"""HTML and Word documents: paragraphs in reading order, tables as " | " lines, broken files refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from corpus.loader import load_document
from hrsearch.errors import CorpusError, EmptyDocument
from hrsearch.settings import Settings

HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Joint  submission on Slovenia</title>
<style>p { color: red }</style><script>var tracking = "do not index";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<h1>Joint submission</h1>
<p>The coalition recommends that Slovenia
   adopt an anti-discrimination strategy.</p>
<div>Contact<br>Ljubljana</div>
<ul><li>Ratify the OP-ICESCR</li><li>Fund the Ombudsman</li></ul>
<table><tr><th>No.</th><th>Ask</th></tr><tr><td>1</td><td>Protect <b>Roma</b> housing</td></tr></table>
<noscript>Enable JavaScript</noscript></body></html>"""


def test_html_paragraphs_title_and_dropped_chrome(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "submission.html"
    path.write_bytes(HTML)
    doc = load_document(path, settings)
    assert doc.text == (
        "Joint submission\n\n"
        "The coalition recommends that Slovenia adopt an anti-discrimination strategy.\n\n"
        "Contact\nLjubljana\n\n"
        "Ratify the OP-ICESCR\n\nFund the Ombudsman\n\n"
        "No. | Ask\n\n1 | Protect Roma housing"
    )
    assert doc.meta.title == "Joint submission on Slovenia"
    assert doc.meta.country == "Slovenia"  # from the title "... submission on Slovenia"
    assert doc.meta.language == "en"


def test_html_declared_legacy_charset(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><p>Côte d’Ivoire</p></body></html>'.encode(
            "cp1252"
        )
    )
    assert load_document(path, settings).text == "Côte d’Ivoire"


def test_html_without_visible_text_is_empty(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "blank.html"
    path.write_bytes(b"<html><head><script>x()</script></head><body><nav>Menu</nav></body></html>")
    with pytest.raises(EmptyDocument, match="no visible text"):
        load_document(path, settings)


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("Submission to the Universal Periodic Review of Slovenia", level=1)
    document.add_paragraph("The coalition welcomes the national report.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Recommendation", "Position", "Theme"), strict=True):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ("140.7 Ratify the OP-ICESCR (Portugal);", "Supported", "A12"), strict=True
    ):
        cell.text = text
    document.add_paragraph("   ")
    document.add_paragraph("Contact: coalition@example.org")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_headings_and_tables(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "submission.docx"
    path.write_bytes(make_docx())
    doc = load_document(path, settings)
    assert doc.text == (
        "Submission to the Universal Periodic Review of Slovenia\n\n"
        "The coalition welcomes the national report.\n\n"
        "Recommendation | Position | Theme\n\n"
        "140.7 Ratify the OP-ICESCR (Portugal); | Supported | A12\n\n"
        "Contact: coalition@example.org"
    )
    assert doc.meta.title == "Submission to the Universal Periodic Review of Slovenia"
    assert doc.meta.kind == "submission"
    assert doc.meta.country == "Slovenia"
    assert doc.meta.mechanism == "UPR"


def test_docx_that_is_not_a_zip_is_refused(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # a binary .doc
    with pytest.raises(CorpusError, match=r"not a readable \.docx") as err:
        load_document(path, settings)
    assert "not a zip archive" in err.value.reason


def test_zip_that_is_not_a_word_document_is_refused(tmp_path: Path, settings: Settings) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    path = tmp_path / "archive.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(CorpusError, match="corrupt or not a Word document"):
        load_document(path, settings)


@pytest.mark.shared
def test_real_thematic_list_docx(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(
        shared_corpus / "recommendations/slovenia/upr48-slovenia-thematic-list-of-recommendatio.docx",
        settings,
    )
    lines = doc.text.split("\n\n")
    assert (
        lines[0]
        == "Recommendation and recommending State | Position of the State under review | Human rights themes and groups of persons | Relevant SDGs"
    )
    # The theme row is one merged cell spanning four columns: kept once.
    assert lines[1] == "Theme: Ratification of & accession to international instruments"
    assert lines[2].startswith("140.7 Ratify the Optional Protocol to the International Cove")
    assert " | Supported | " in lines[2]
    assert len(lines) == 308
    meta = doc.meta
    assert (meta.country, meta.mechanism, meta.session, meta.cycle) == ("Slovenia", "UPR", 48, 4)
