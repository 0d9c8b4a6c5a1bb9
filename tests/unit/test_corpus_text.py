"""Plain-text reading: encodings, binary refusal, empty files, line ends, form-feed pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.loader import load_document
from hrsearch.errors import CorpusError, EmptyDocument
from hrsearch.settings import Settings

SAMPLE = "Côte d’Ivoire – “Ratify the Convention” (France);\nSecond line"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_is_read_silently(tmp_path: Path, settings: Settings) -> None:
    doc = load_document(write(tmp_path, "a.txt", SAMPLE.encode("utf-8")), settings)
    assert doc.text == SAMPLE
    assert doc.warnings == []


def test_utf8_with_bom_loses_the_bom(tmp_path: Path, settings: Settings) -> None:
    doc = load_document(write(tmp_path, "a.txt", SAMPLE.encode("utf-8-sig")), settings)
    assert doc.text == SAMPLE
    assert doc.warnings == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, settings: Settings, encoding: str) -> None:
    data = SAMPLE.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = load_document(write(tmp_path, "a.txt", data), settings)
    assert doc.text == SAMPLE
    assert doc.warnings == []


def test_cp1252_is_decoded_and_reported(tmp_path: Path, settings: Settings) -> None:
    doc = load_document(write(tmp_path, "a.txt", SAMPLE.encode("cp1252")), settings)
    assert doc.text == SAMPLE
    assert doc.warnings == ["decoded as cp1252, not UTF-8"]


def test_bytes_cp1252_lacks_fall_back_to_latin1(tmp_path: Path, settings: Settings) -> None:
    # 0x81 and 0x8d have no character in cp1252; latin-1 maps every byte.
    doc = load_document(write(tmp_path, "a.txt", b"Caf\xe9 " * 30 + b"\x81"), settings)
    assert doc.text.startswith("Café Café")
    assert doc.warnings == ["decoded as latin-1, not UTF-8"]


def test_line_ends_become_lf(tmp_path: Path, settings: Settings) -> None:
    doc = load_document(write(tmp_path, "a.txt", b"one\r\ntwo\rthree\n"), settings)
    assert doc.text == "one\ntwo\nthree\n"


def test_binary_data_named_txt_is_refused(tmp_path: Path, settings: Settings) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(CorpusError, match="binary data, not text") as err:
        load_document(write(tmp_path, "image.txt", png), settings)
    assert err.value.path.endswith("image.txt")
    assert type(err.value) is CorpusError


def test_control_characters_without_nul_are_binary(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(CorpusError, match="binary data, not text"):
        load_document(write(tmp_path, "a.txt", bytes(range(1, 32)) * 40 + b"text"), settings)


def test_zero_byte_file_is_empty(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(EmptyDocument, match="empty file"):
        load_document(write(tmp_path, "empty.txt", b""), settings)


def test_whitespace_only_file_is_empty(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(EmptyDocument, match="only whitespace"):
        load_document(write(tmp_path, "blank.txt", b" \n\t\r\n  \n"), settings)


def test_form_feeds_become_pages(tmp_path: Path, settings: Settings) -> None:
    doc = load_document(write(tmp_path, "a.txt", b"page one\fpage two\nmore\fpage three\f"), settings)
    assert doc.text == "page one\fpage two\nmore\fpage three\f"
    assert [(p.number, doc.text[p.start : p.end]) for p in doc.pages] == [
        (1, "page one"),
        (2, "page two\nmore"),
        (3, "page three\f"),
    ]
    assert doc.pages_for_span(doc.text.index("more"), doc.text.index("more") + 4) == [2]


@pytest.mark.shared
def test_real_pdf_to_text_output_keeps_its_pages(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(
        shared_corpus / "outcome_reports/slovenia/A_HRC_59_15__cycle4__g2502644.txt", settings
    )
    assert len(doc.pages) == 26
    assert doc.pages[0].start == 0
    assert doc.pages[-1].end == len(doc.text)
    assert all(doc.text[p.end] == "\f" for p in doc.pages[:-1])


@pytest.mark.shared
def test_real_corpus_file_holding_a_word_binary_is_refused(shared_corpus: Path, settings: Settings) -> None:
    # CEDAW_C_GC_27.txt is a binary Word 97 file saved with a .txt name (30,000 NUL bytes).
    path = shared_corpus / "treaty_observations/general_comments/CEDAW_C_GC_27.txt"
    with pytest.raises(CorpusError, match="binary data, not text") as err:
        load_document(path, settings)
    assert str(err.value).startswith(str(path))
