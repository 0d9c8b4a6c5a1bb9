"""Segmentation of the other document families: UN paragraphs and sub-items, letters and their
asks, recommendation tables, and the split of long passages."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from corpus.loader import load_document
from corpus.models import Document, DocumentMeta, TableRow, sha256_bytes
from hrsearch.errors import CorpusError
from hrsearch.settings import Settings
from indexer.models import Passage
from indexer.segmentation import segment
from tests.unit.segmentation_checks import check_passages

LETTER_2021 = "letters/000_12e2e18f93ed9b55.txt"
LETTER_2016 = "letters/001_e83354df6d6c8eba.txt"


def by_position(passages: list[Passage]) -> dict[str, Passage]:
    return {p.position: p for p in passages}


def segmented(corpus: Path, rel: str, settings: Settings | None = None) -> tuple[Document, list[Passage]]:
    settings = settings or Settings()
    doc = load_document(corpus / rel, settings)
    passages = segment(doc, settings)
    check_passages(doc, passages, settings)
    return doc, passages


def text_doc(text: str, kind: str, mechanism: str | None = None) -> Document:
    return Document(
        path=f"mem/{kind}.txt",
        content_hash=sha256_bytes(text.encode()),
        meta=DocumentMeta(kind=kind, mechanism=mechanism),
        text=text,
    )


# --- numbered UN documents ----------------------------------------------------------------------
@pytest.mark.shared
def test_compilation_paragraphs_and_heading_path(shared_corpus: Path) -> None:
    doc, passages = segmented(shared_corpus, "upr_documents/A_HRC_WG.6_50_USA_2.txt")
    assert doc.meta.kind == "compilation"
    p = by_position(passages)
    assert p["para:2"].heading_path == [
        "II. Scope of international obligations and cooperation with human rights mechanisms"
    ]
    assert (
        p["para:2"].section
        == "II. Scope of international obligations and cooperation with human rights mechanisms"
    )
    assert p["para:2"].kind == "paragraph" and p["para:2"].paragraph == "2"
    assert p["para:2"].text.startswith(
        "The Committee on the Elimination of Racial Discrimination encouraged the United States of America to "
        "consider ratifying the international human rights treaties that it had not yet ratified"
    )
    assert doc.text[p["para:2"].start :].startswith("2. The Committee on the Elimination")
    # the glued endnote number ("previous review.1 It is") is gone from the text, not from the span
    assert "the outcome of the previous review. It is a compilation" in p["para:1"].text
    assert "review.1 It" in doc.text[p["para:1"].start : p["para:1"].end]
    assert p["para:9"].heading_path == [
        "III. National human rights framework",
        "Institutional infrastructure and policy measures",
    ]
    assert p["para:12"].heading_path == [
        "IV. Promotion and protection of human rights",
        "A. Implementation of international human rights obligations, taking into account applicable international humanitarian law",
        "1. Equality and non-discrimination",
    ]
    # a paragraph cut by a page break ("GE.25-13106", "2", "A/HRC/WG.6/50/USA/2") is whole
    assert p["para:13"].text.endswith(
        "to pass bill HR40 on the Commission to Study and Develop Reparation Proposals for African Americans."
    )
    # paragraphs 1-71 and nothing from the endnotes
    assert {x.paragraph for x in passages} == {str(n) for n in range(1, 72)}


@pytest.mark.shared
def test_stakeholder_summary_headings(shared_corpus: Path) -> None:
    _doc, passages = segmented(shared_corpus, "submissions/A_HRC_WG.6_50_USA_3.txt")
    p = by_position(passages)
    assert p["para:89"].heading_path == [
        "II. Information provided by stakeholders",
        "C. Promotion and protection of human rights",
        "2. Rights of specific persons or groups",
        "Lesbian, gay, bisexual, transgender and intersex persons",
    ]
    assert p["para:98"].heading_path[-1] == "Stateless persons"
    # paragraphs 3-5 are missing from the source (transcribed page by page)
    assert {x.paragraph for x in passages} == {str(n) for n in range(1, 99)} - {"3", "4", "5"}
    assert all(x.kind == "paragraph" for x in passages)  # an OHCHR summary: no asks


@pytest.mark.shared
def test_general_comment_sub_items_carry_a_short_lead_in(shared_corpus: Path) -> None:
    doc, passages = segmented(shared_corpus, "treaty_observations/general_comments/CEDAW_C_GC_36.txt")
    p = by_position(passages)
    lead = (
        "The Committee recommends that States parties institute the following measures to respect, protect and "
        "fulfil the rights of girls and women to, within and through education:"
    )
    items = [x for x in passages if x.paragraph == "24"]
    assert [x.position for x in items] == [
        f"para:24.{c}" for c in "abcdefghij"
    ]  # "(i)" after "(h)" is a letter
    assert "para:24" not in p  # the short lead-in lives in its items
    a = p["para:24.a"]
    assert a.text == (
        lead + " Enhance compliance with article 10 of the Convention and raise awareness in society of the "
        "importance of education as a fundamental human right and the basis for the empowerment of women;"
    )
    assert a.extra["lead_in_chars"] == len(lead) + 1
    assert doc.text[a.start : a.end].startswith("(a) Enhance compliance")
    assert a.heading_path == ["V. Addressing gender-based discrimination in education"]
    assert p["para:24.j"].text.endswith(
        "towards the enhancement and development of the right of girls and women to education."
    )


@pytest.mark.shared
def test_general_comment_long_lead_in_is_its_own_passage(shared_corpus: Path) -> None:
    _doc, passages = segmented(shared_corpus, "treaty_observations/general_comments/CAT_C_GC_4.txt")
    p = by_position(passages)
    assert p["para:29"].text.startswith(
        "In this connection, the Committee wishes to draw the attention of the States parties to some non-exhaustive examples"
    )
    assert len(p["para:29"].text.split()) == 65
    assert [x.position for x in passages if x.paragraph == "29"] == ["para:29"] + [
        f"para:29.{c}" for c in "abcdefghijklmno"
    ]
    assert p["para:29.b"].text.startswith("Whether the person has been a victim of brutality")
    assert "lead_in_chars" not in p["para:29.b"].extra
    assert p["para:1"].heading_path == ["I. Introduction"]  # "I.Introduction" in the source


def test_concluding_observations_are_observations() -> None:
    text = (
        "C. Principal subjects of concern and recommendations\n"
        "7. The Committee is concerned about the absence of federal human rights legislation.\n"
        "8. The Committee recommends that the State party:\n"
        "(a) Adopt comprehensive federal human rights legislation;\n"
        "(b) Establish indicators for the implementation of Covenant rights.\n"
    )
    doc = text_doc(text, "concluding_observations")
    passages = segment(doc, Settings())
    check_passages(doc, passages, Settings())
    assert [(x.position, x.kind) for x in passages] == [
        ("para:7", "observation"),
        ("para:8.a", "observation"),
        ("para:8.b", "observation"),
    ]
    assert (
        passages[1].text
        == "The Committee recommends that the State party: Adopt comprehensive federal human rights legislation;"
    )
    assert passages[0].heading_path == ["C. Principal subjects of concern and recommendations"]


@pytest.mark.shared
def test_every_text_document_of_the_corpus_holds_the_invariants(shared_corpus: Path) -> None:
    settings = Settings()
    count = 0
    for path in sorted(shared_corpus.rglob("*")):
        if path.suffix not in (".txt", ".pdf") or "recommendations" in path.parts:
            continue
        try:
            doc = load_document(path, settings)
        except CorpusError:  # the loader refuses binary files (a .doc saved as .txt); not our concern here
            continue
        check_passages(doc, segment(doc, settings), settings)
        count += 1
    assert count >= 320


# --- letters and asks ---------------------------------------------------------------------------
@pytest.mark.shared
def test_letter_2021_paragraphs_headings_and_asks(shared_corpus: Path) -> None:
    doc, passages = segmented(shared_corpus, LETTER_2021)
    assert doc.meta.kind == "letter"
    # named by its subject line and its signatory, not by its hashed file name
    assert doc.meta.title == "U.S. participation in the third Universal Periodic Review of the United States"
    assert doc.meta.author == "The US Human Rights Network UPR Task Force"
    asks = [x for x in passages if x.kind == "ask"]
    # the closing pleasantry of paragraph 15 ("Now is the time to take action, and we welcome the
    # opportunity to help with this effort.") asks for nothing: no ask:15.1
    assert [x.position for x in asks] == [
        "ask:4.1", "ask:4.2", "ask:10.1", "ask:11.1", "ask:12.1", "ask:13.1", "ask:14.1", "ask:14.2",
    ]  # fmt: skip
    assert not any("Now is the time to take action" in x.text for x in asks)
    p = by_position(passages)
    # the death-penalty and ICC-sanctions ask: the sentence that says what carries the one that asks
    dp = p["ask:13.1"]
    assert dp.text.startswith(
        "During the Third US UPR Cycle, a significant number of States recommended that the United States abolish the death penalty"
    )
    assert "lift sanctions against the International Criminal Court" in dp.text
    assert dp.text.endswith(
        "The implementation of these recommendations is long overdue, and we believe now is the time to publicly "
        "address these concerns and take meaningful action towards bringing the U.S. in line with international human rights norms."
    )
    assert dp.context == p["para:13"].text
    assert dp.heading_path == ["Domestic Human Rights Implementation Must be a Priority"]
    # the consultation asks
    assert p["ask:14.1"].text == (
        "In the short term, we respectfully request a meaningful consultation with U.S. government representatives "
        "before March so that civil society perspectives can inform the U.S. responses to the UPR Outcome Report."
    )
    assert p["ask:12.1"].text.startswith(
        "In order to ensure that robust global reengagement leads to long-term change, we urge this Administration to regularly consult with civil society"
    )
    assert p["ask:4.2"].text.startswith(
        "We urge you to demonstrate a good example at home by meeting with civil society leaders"
    )
    # not asks: "expertise that should inform", "please contact", the headings with "Should" / "Must"
    assert not any("should inform U.S. policy-making" in x.text for x in asks)
    assert not any("please contact" in x.text for x in asks)
    assert p["para:8"].heading_path == [
        "The Biden Administration Should Meaningfully Participate in the UPR in March"
    ]
    assert not any(x.text == "Domestic Human Rights Implementation Must be a Priority" for x in passages)
    # markdown is cleaned: "[recommendations](#)" -> "recommendations"
    assert "issued over 300 recommendations to the United States" in p["para:7"].text
    assert p["para:16"].heading_path == ["Signatories"] and p["para:16"].text.startswith(
        "Sincerely, The US Human Rights Network"
    )


@pytest.mark.shared
def test_letter_2016_asks(shared_corpus: Path) -> None:
    doc, passages = segmented(shared_corpus, LETTER_2016)
    assert doc.meta.title == "U.S. Civil Society Follow-Up Letter to Feb. 11, 2016 U.S. UPR Follow-Up Meeting"
    assert doc.meta.author == "Rebecca Landy, US Human Rights Network (USHRN), and others"
    asks = [x for x in passages if x.kind == "ask"]
    assert [x.text.split(" ", 4)[:4] for x in asks] == [
        ["Accordingly,", "we", "suggest", "that"],
        ["In", "addition,", "we", "suggest"],
        ["These", "summaries", "should", "be"],
        ["We", "propose", "that", "the"],
        ["First,", "all", "agencies", "that"],
        ["Information", "on", "the", "working"],
        ["Each", "agency", "website", "should"],
        ["In", "addition,", "the", "State"],
        ["To", "ensure", "consultations", "are"],
        ["Further,", "we", "suggest", "consulting"],
        ["We", "urge", "the", "Administration"],
        ["Such", "implementation", "should", "be"],
    ]
    p = by_position(passages)
    assert p["ask:10.2"].text == "Further, we suggest consulting with civil society regarding the format."
    assert p["ask:10.2"].heading_path == ["Working Group Consultations"]
    # "we are encouraged to learn", "we hope you will consider", "could undertake" are not asks
    assert not any("encouraged to learn" in x.text or x.text.startswith("We hope") for x in asks)
    # the list of participants is one passage, not a run of headings
    assert p["para:14"].text.startswith(
        "Rebecca Landy, US Human Rights Network (USHRN) Joshua Cooper, Four Freedoms Forum"
    )


@pytest.mark.shared
def test_ask_context_is_trimmed_around_the_ask(shared_corpus: Path) -> None:
    settings = Settings(ask_context_chars=200)
    _doc, passages = segmented(shared_corpus, LETTER_2021, settings)
    ask = by_position(passages)["ask:14.1"]
    assert ask.context is not None and len(ask.context) <= 200
    assert ask.context in by_position(passages)["para:14"].text
    assert "we respectfully request" in ask.context


def test_asks_in_prose_and_false_asks() -> None:
    text = (
        "Our Requests\n\n"
        "The Government should have consulted us last year. The delegation said that the State should wait. "
        "We call on the Government to release all detained journalists. Congress must repeal the law.\n\n"
        "We recommend that the Administration:\n"
        "• Ratify the Convention on the Rights of the Child;\n"
        "• Withdraw its reservations.\n"
    )
    doc = text_doc(text, "submission")
    passages = segment(doc, Settings())
    check_passages(doc, passages, Settings())
    asks = [(x.position, x.text) for x in passages if x.kind == "ask"]
    assert asks == [
        ("ask:1.1", "We call on the Government to release all detained journalists."),
        ("ask:1.2", "Congress must repeal the law."),
        ("ask:2.1", "We recommend that the Administration:"),
        ("ask:2.1.1", "Ratify the Convention on the Rights of the Child;"),
        ("ask:2.2.1", "Withdraw its reservations."),
    ]
    assert by_position(passages)["para:1"].heading_path == ["Our Requests"]


def test_asks_of_an_arabic_letter() -> None:
    """Arabic asks: a first-person call ("نحث"), a modal ("يجب على"), and a lead-in whose list items
    open with verbal nouns; the past ("كانت الحكومة قد وعدت") and a question are not asks."""
    text = (
        "كانت الحكومة قد وعدت بإصلاح قانون الجمعيات في العام الماضي. "
        "نحث الحكومة على التصديق على اتفاقية مناهضة التعذيب دون تأخير. "
        "يجب على البرلمان إلغاء قانون الطوارئ. هل ستفي الحكومة بوعودها؟\n\n"
        "ونوصي بأن تقوم الحكومة بما يلي:\n"
        "• إلغاء عقوبة الإعدام في جميع الجرائم؛\n"
        "• وضمان استقلال القضاء وحماية المحامين.\n"
    )
    doc = text_doc(text, "submission")
    passages = segment(doc, Settings())
    check_passages(doc, passages, Settings())
    asks = [(x.position, x.text) for x in passages if x.kind == "ask"]
    assert asks == [
        ("ask:1.1", "نحث الحكومة على التصديق على اتفاقية مناهضة التعذيب دون تأخير."),
        ("ask:1.2", "يجب على البرلمان إلغاء قانون الطوارئ."),
        ("ask:2.1", "ونوصي بأن تقوم الحكومة بما يلي:"),
        ("ask:2.1.1", "إلغاء عقوبة الإعدام في جميع الجرائم؛"),
        ("ask:2.2.1", "وضمان استقلال القضاء وحماية المحامين."),
    ]


# --- recommendation tables ----------------------------------------------------------------------
def table_doc(rows: list[TableRow], mechanism: str | None = "UPR") -> Document:
    return Document(
        path="mem/table.csv",
        content_hash=sha256_bytes(repr(rows).encode()),
        meta=DocumentMeta(kind="recommendations_table", mechanism=mechanism),
        rows=rows,
    )


def test_table_rows_one_passage_each() -> None:
    rows = [
        TableRow(1, "Ratify the Optional Protocol to the Rights of the Child on a communications procedure (Portugal, Slovakia);",
                 rec_id="115.3", response="supported", themes=["A12 Acceptance of international norms"], cycle=2,
                 state_under_review="Slovenia"),
        TableRow(2, "Consider ratifying the ICCPR (ICCPR)", rec_id="115.4", recommending_states=["Chile"]),
        TableRow(3, "Slovenia pledges to submit a mid-term report.", extra={"row_kind": "pledge"}, session=20),
        TableRow(4, "   "),
    ]  # fmt: skip
    doc = table_doc(rows)
    passages = segment(doc, Settings())
    check_passages(doc, passages, Settings())
    assert [(x.position, x.kind) for x in passages] == [
        ("row:1", "recommendation"),
        ("row:2", "recommendation"),
        ("row:3", "paragraph"),
    ]
    first = passages[0]
    assert (
        first.text == "Ratify the Optional Protocol to the Rights of the Child on a communications procedure"
    )
    assert first.recommending_states == ["Portugal", "Slovakia"]  # filled from the brackets
    assert (first.rec_id, first.paragraph, first.response, first.row) == ("115.3", "115.3", "supported", 1)
    assert first.themes == ["A12 Acceptance of international norms"]
    assert first.extra == {"cycle": 2, "state_under_review": "Slovenia"}
    assert (first.start, first.end) == (0, len(rows[0].text))
    assert passages[1].text == "Consider ratifying the ICCPR (ICCPR)"  # not a State
    assert passages[1].recommending_states == ["Chile"]
    assert passages[2].extra == {"row_kind": "pledge", "session": 20}


def test_treaty_body_rows_are_observations_with_their_heading() -> None:
    row = TableRow(1, "Domestic application of the Covenant\n7. Reiterating its previous recommendation, the Committee "
                      "recommends that the State Party adopt federal human rights legislation.", rec_id="0a0c9531")  # fmt: skip
    passages = segment(table_doc([row], mechanism="CESCR"), Settings())
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "observation"
    assert p.heading_path == ["Domestic application of the Covenant"] and p.paragraph == "7"
    assert p.text.startswith("Reiterating its previous recommendation, the Committee recommends")


@pytest.mark.shared
def test_real_tables(shared_corpus: Path) -> None:
    _doc, passages = segmented(
        shared_corpus, "recommendations/slovenia/slovenia_upr_cycles2-4_thematic_list_parsed.csv"
    )
    assert len(passages) == 632 and {x.kind for x in passages} == {"recommendation"}
    p = by_position(passages)
    assert (
        p["row:2"].text
        == "Ratify the Optional Protocol to the Rights of the Child on a communications procedure"
    )
    assert p["row:2"].recommending_states == ["Portugal", "Slovakia"]
    assert not any(re.search(r"\((?:Portugal|Slovakia|Croatia)\)", x.text) for x in passages)
    _doc, passages = segmented(
        shared_corpus, "treaty_observations/uhri_sample_CESCR_Australia_E-C.12-AUS-CO-6.jsonl"
    )
    assert {x.kind for x in passages} == {"observation"}
    assert by_position(passages)["row:1"].heading_path == ["Domestic application of the Covenant"]
    _doc, passages = segmented(shared_corpus, "recommendations/upr_info_sessions01-19_voluntary_pledges.csv")
    assert {x.kind for x in passages} == {"paragraph"}


# --- long passages ------------------------------------------------------------------------------
@pytest.mark.shared
def test_long_paragraphs_are_split_along_sentences(shared_corpus: Path) -> None:
    settings = Settings(max_passage_words=60, split_overlap_words=10)
    doc, passages = segmented(shared_corpus, "upr_documents/A_HRC_WG.6_50_USA_2.txt", settings)
    parts = [x for x in passages if x.position.startswith("para:2~")]
    assert [x.position for x in parts] == ["para:2~1", "para:2~2", "para:2~3"]
    assert all(x.parts == 3 and x.paragraph == "2" for x in parts) and [x.part for x in parts] == [1, 2, 3]
    assert parts[0].text.startswith("The Committee on the Elimination of Racial Discrimination encouraged")
    assert parts[-1].text.endswith("the Convention on the Reduction of Statelessness.")
    whole = by_position(segment(doc, Settings()))["para:2"]
    assert parts[0].start == whole.start and parts[-1].end == whole.end
    assert [x.start for x in parts] == sorted(x.start for x in parts)
    # consecutive parts share at most `split_overlap_words` words (the splitter carries whole
    # clauses over, so parts cut at a sentence end may not overlap at all)
    overlaps = [
        len(doc.text[b.start : a.end].split()) if b.start < a.end else 0 for a, b in itertools.pairwise(parts)
    ]
    assert overlaps == [8, 0]
    assert parts[1].text.startswith(
        "the Convention on the Rights of the Child,"
    )  # a clause of part 1, repeated
    assert parts[2].text.startswith("It also encouraged the United States to accede")  # a new sentence
    # no cut inside a word: every part starts and ends on a word of the paragraph
    words = whole.text.split()
    assert all(x.text.split()[0] in words and x.text.split()[-1] in words for x in parts)


# --- recommendations without the shared corpus --------------------------------------------------
REPORT = """Report of the Working Group on the Universal Periodic Review
II. Conclusions and/or recommendations
25. The following recommendations will be examined by the United States of America:
26.177 Consider ratifying all remaining human rights conventions (Somalia);
26.178 Continue the efforts towards the abolition of the death penalty (Namibia);
26.179 Take steps to ratify the conventions (Cuba, Venezuela (Bolivarian Republic of));
26.180 Abolish the death penalty (Chile and Uruguay); Establish a moratorium (Portugal, Slovakia)
(Trinidad and Tobago);
26.181 Ratify the International Covenant on Civil and Political Rights (ICCPR) (Kyrgysztan).
"""


def test_recommendations_of_a_third_cycle_report() -> None:
    doc = text_doc(REPORT.replace("25. The", "26. The"), "outcome_report")
    passages = segment(doc, Settings())
    check_passages(doc, passages, Settings())
    recs = [(x.rec_id, x.text, x.recommending_states) for x in passages if x.kind == "recommendation"]
    assert recs == [
        ("26.177", "Consider ratifying all remaining human rights conventions", ["Somalia"]),
        ("26.178", "Continue the efforts towards the abolition of the death penalty", ["Namibia"]),
        ("26.179", "Take steps to ratify the conventions", ["Cuba", "Venezuela (Bolivarian Republic of)"]),
        (
            "26.180",
            "Abolish the death penalty; Establish a moratorium",
            ["Chile", "Uruguay", "Portugal", "Slovakia", "Trinidad and Tobago"],
        ),
        # an unknown but name-like last parenthesis is a State; "(ICCPR)" is not
        ("26.181", "Ratify the International Covenant on Civil and Political Rights (ICCPR)", ["Kyrgysztan"]),
    ]
    p = by_position(passages)
    assert p["rec:26.178"].section == "II. Conclusions and/or recommendations"
    assert doc.text[p["rec:26.178"].start : p["rec:26.178"].end] == (
        "26.178 Continue the efforts towards the abolition of the death penalty (Namibia);"
    )
    assert p["para:26"].kind == "paragraph"


def test_a_report_whose_kind_is_unknown_is_still_a_report() -> None:
    doc = text_doc(REPORT, "other")
    assert [x.rec_id for x in segment(doc, Settings()) if x.kind == "recommendation"] == [
        f"26.{n}" for n in range(177, 182)
    ]


def test_recommendations_without_a_heading_are_found_by_their_numbering() -> None:
    doc = text_doc(REPORT.replace("II. Conclusions and/or recommendations\n", ""), "outcome_report")
    passages = segment(doc, Settings())
    assert [x.rec_id for x in passages if x.kind == "recommendation"] == [f"26.{n}" for n in range(177, 182)]
    assert by_position(passages)["para:25"].kind == "paragraph"


def test_word_text_with_a_binary_tail_keeps_its_lines() -> None:
    """Text saved from Word without blank lines, its binary parts after it: the questions are
    passages under their headings; the field codes and the binary tail are not."""
    text = "\n".join(
        [
            "bjbj",
            "ADVANCE QUESTIONS TO SLOVENIA (FIRST BATCH)",
            "GERMANY",
            "Which concrete measures have been taken to ensure full access to water and sanitation for Roma?",
            "What steps will the Government take to strengthen the Protection against Discrimination Act?",
            "SPAIN",
            "Is the Government considering banning corporal punishment of children in all settings?",
            "PAGE   \\* MERGEFORMAT",
            "zlZH;z;z",
            *["heuQ", "gdeuQ", "udUJB>B>B>B>", "gd\x07\x05\x01", "\x13\x14\x15 \x16\x17 \x18\x19 \x1a\x1b"]
            * 6,
            "This value indicates the number of saves or revisions of the document.",
        ]
    )
    doc = text_doc(text, "other")
    passages = segment(doc, Settings())
    check_passages(doc, passages, Settings())
    assert [p.text[:20] for p in passages] == [
        "Which concrete measu",
        "What steps will the ",
        "Is the Government co",
    ]
    assert passages[0].heading_path == ["ADVANCE QUESTIONS TO SLOVENIA (FIRST BATCH)", "GERMANY"]
    assert passages[2].heading_path == ["SPAIN"]


@pytest.mark.shared
def test_advance_questions_saved_from_word(shared_corpus: Path) -> None:
    _doc, passages = segmented(
        shared_corpus, "upr_documents/slovenia/cycle3__Advance_questions_Slovenia_first_batch.txt"
    )
    assert len(passages) == 8
    assert all("MERGEFORMAT" not in p.text and "datastoreItem" not in p.text for p in passages)
    assert passages[-1].heading_path == ["GERMANY"]
