"""Words that PDF extraction split, joined again (issue 16, item 4): on A/HRC/16/11 as the UN
printed it, and on the rules' edge cases."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus.loader import load_document
from corpus.readers.pdf_words import english_words, frequency, rejoin_pages
from hrsearch.settings import Settings

USA_PDF = "pdf/UPR_WG_report_USA_2011_A-HRC-16-11.pdf"


def joined(text: str, *others: str) -> str:
    pages, _ = rejoin_pages([text, *others])
    return pages[0]


def test_pieces_that_are_no_words_are_joined() -> None:
    assert joined("Make further efforts in order to e liminate all forms") == (
        "Make further efforts in order to eliminate all forms"
    )
    assert (
        joined("the necessary measures to co nsider lifting") == "the necessary measures to consider lifting"
    )
    assert (
        joined("Abolish as soon as possible the deat h penalty")
        == "Abolish as soon as possible the death penalty"
    )
    assert joined("set federal and state-level mo ratoria on execution s with a view") == (
        "set federal and state-level moratoria on executions with a view"
    )


def test_two_real_words_are_never_joined() -> None:
    text = "progress in health care and in human rights, any one of them, some times, in to the room"
    assert joined(text, "healthcare inhuman anyone sometimes into") == text


def test_a_piece_goes_to_the_word_it_completes() -> None:
    # "e" could make "toe" with the word before; "eliminate" is the surer join
    assert joined("in order to e liminate", "eliminate") == "in order to eliminate"
    # three pieces only when two are fragments: "health car e" is "health care"
    assert joined("progress in health car e and education") == "progress in health care and education"


def test_capitals_apostrophes_and_numbers_are_respected() -> None:
    # a capital starts a new word; the "s" of "Obama’s" is not glued to "and"
    assert joined("President Obama’s and Secretary Clinton’s commitment") == (
        "President Obama’s and Secretary Clinton’s commitment"
    )
    assert joined("New Zealan d and the Unite d Kingdom") == "New Zealand and the United Kingdom"
    assert joined("the Un ited States") == "the United States"
    assert joined("The ILO Conventions 87 and 98 a nd 111") == "The ILO Conventions 87 and 98 and 111"
    assert joined("community-b ased facilities") == "community-based facilities"


def test_british_spellings_count_as_words() -> None:
    english = english_words()
    assert frequency("programmes", english) > 0 and frequency("labour", english) > 0
    assert frequency("organisations", english) > 0 and frequency("centre", english) > 0
    assert joined("the programme s of the State") == "the programmes of the State"


def test_the_document_own_vocabulary_decides_rare_words() -> None:
    # "refoulement" is in no English list; the document spells it unsplit elsewhere
    assert joined("the principle of non-refoule ment", "refoulement") == "the principle of non-refoulement"
    assert joined("the principle of non-refoule ment") == "the principle of non-refoule ment"


@pytest.mark.shared
def test_usa_2011_pdf_reads_like_the_un_text(shared_corpus: Path) -> None:
    doc = load_document(shared_corpus / USA_PDF, Settings())
    text = doc.text
    for broken in ("e liminate", "co nsider", "deat h", "mo ratoria", "execution s", "raci al", "Qat ar"):
        assert broken not in text, broken
    assert "Make further efforts in order to eliminate all forms of discrimination" in text
    assert "federal and state-level moratoria on executions with a view" in text
    assert "progress in health care and education" in text  # two real words stay two
    assert any(w.startswith("249 words split by PDF text extraction joined again") for w in doc.warnings)
    # the page spans still cover the text exactly
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(text)


@pytest.mark.shared
def test_other_pdfs_of_the_corpus_are_left_as_they_are(shared_corpus: Path) -> None:
    from pypdf import PdfReader

    counts = Counter[str]()
    for path in sorted((shared_corpus / "pdf").glob("*.pdf")):
        pages = [p.extract_text() for p in PdfReader(str(path)).pages]
        new, repairs = rejoin_pages(pages)
        counts[path.name] = len(repairs)
        if not repairs.joined:
            assert new == pages
    assert counts == {
        "A-HRC-59-15-Add.1_WG_report_addendum_Slovenia_2025.pdf": 0,
        "A-HRC-WG.6-48-SVN-3_stakeholders_summary_Slovenia_2024.pdf": 0,
        "UPR_WG_report_Canada_2013.pdf": 0,
        "UPR_WG_report_USA_2011_A-HRC-16-11.pdf": 249,
    }
