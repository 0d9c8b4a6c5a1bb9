"""Segmentation of UPR Working Group reports: one passage per numbered recommendation.

Real reports from ``../shared/corpus`` (skipped without it), exact counts and texts.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from corpus.loader import load_document
from corpus.models import Document, DocumentMeta, sha256_bytes
from hrsearch.settings import Settings
from indexer.models import Passage
from indexer.segmentation import SEGMENTER_VERSION, segment, segmentation_config
from tests.unit.segmentation_checks import check_passages

WG = "outcome_reports/upr_wg_reports_2008_2014"
USA_TXT = f"{WG}/unitedstatesofamerica2011.txt"
USA_PDF = "pdf/UPR_WG_report_USA_2011_A-HRC-16-11.pdf"
SECTION = "II. Conclusions and/or recommendations"

pytestmark = pytest.mark.shared


def load(corpus: Path, rel: str, settings: Settings) -> Document:
    return load_document(corpus / rel, settings)


def segmented(corpus: Path, rel: str) -> list[Passage]:
    """The passages of a real file, checked against the invariants."""
    settings = Settings()
    doc = load(corpus, rel, settings)
    passages = segment(doc, settings)
    check_passages(doc, passages, settings)
    return passages


def recs(passages: list[Passage]) -> list[Passage]:
    """The numbered recommendations of section II (not those quoted in the interactive dialogue)."""
    return [p for p in passages if p.kind == "recommendation" and "source" not in p.extra]


def dialogue(passages: list[Passage]) -> list[Passage]:
    return [p for p in passages if p.extra.get("source") == "interactive dialogue"]


def by_position(passages: list[Passage]) -> dict[str, Passage]:
    return {p.position: p for p in passages}


# --- the United States, 2011 (A/HRC/16/11): text extraction and the PDF ------------------------
@pytest.fixture(scope="module")
def usa_txt(shared_corpus: Path) -> tuple[Document, list[Passage]]:
    settings = Settings()
    doc = load(shared_corpus, USA_TXT, settings)
    return doc, segment(doc, settings)


@pytest.fixture(scope="module")
def usa_pdf(shared_corpus: Path) -> tuple[Document, list[Passage]]:
    settings = Settings()
    doc = load(shared_corpus, USA_PDF, settings)
    return doc, segment(doc, settings)


def test_usa_txt_has_the_228_recommendations_in_order(usa_txt: tuple[Document, list[Passage]]) -> None:
    doc, passages = usa_txt
    check_passages(doc, passages, Settings())
    r = recs(passages)
    assert [p.rec_id for p in r] == [f"92.{n}" for n in range(1, 229)]
    assert [p.position for p in r][:2] == ["rec:92.1", "rec:92.2"]
    assert all(p.section == SECTION and p.heading_path == [SECTION] and p.paragraph == "92" for p in r)
    assert all(p.recommending_states for p in r)


def test_usa_first_and_last_recommendation(usa_txt: tuple[Document, list[Passage]]) -> None:
    doc, passages = usa_txt
    first, last = recs(passages)[0], recs(passages)[-1]
    assert first.text.startswith(
        "Ratify without reservations the following conventions and protocols: CEDAW; the ICESCR;"
    )
    assert first.text.endswith("and all those from the Inter-American Human Rights System")
    assert first.recommending_states == ["Bolivarian Republic of Venezuela"]
    assert last.text == (
        "The removal of blanket abortion restrictions on humanitarian aid covering medical care given "
        "women and girls who are raped and impregnated in situations of armed conflict"
    )
    assert last.recommending_states == ["Norway"]
    # the span is the whole numbered recommendation, number and States included
    assert doc.text[last.start : last.end] == (
        "92.228. The removal of blanket abortion restrictions on humanitarian aid covering medical care "
        "given women and girls who are raped and impregnated in situations of armed conflict (Norway);"
    )


def test_usa_recommending_states(usa_txt: tuple[Document, list[Passage]]) -> None:
    r = {p.rec_id: p for p in recs(usa_txt[1])}
    assert r["92.72"].recommending_states == [
        "Egypt",
        "Germany",
        "Ghana",
        "Sudan",
        "Bolivarian Republic of Venezuela",
    ]
    assert (
        r["92.72"].text
        == "Establish a national human rights institution, in accordance with the Paris Principles"
    )
    # States in inner parentheses leave the text too; the DPRK stays one State
    assert r["92.12"].text == "Ratify ICESCR; Become a party to the ICESCR"
    assert r["92.12"].recommending_states == ["Democratic People's Republic of Korea", "Ghana", "Australia"]
    assert r["92.93"].text == "Consider extending a standing invitation to special procedures"
    assert r["92.93"].recommending_states == ["Cyprus", "Denmark", "Republic of Korea"]
    # a glued footnote number ("Cuba2") is dropped from the text
    assert r["92.75"].text.startswith("End the blockade against Cuba; Put an end to the infamous blockade")
    assert r["92.75"].recommending_states == [
        "Cuba",
        "Bolivarian Republic of Venezuela",
        "Plurinational State of Bolivia",
    ]
    assert r["92.27"].recommending_states == ["Islamic Republic of Iran"]


def test_usa_paragraphs_around_the_recommendations(usa_txt: tuple[Document, list[Passage]]) -> None:
    _doc, passages = usa_txt
    p = by_position(passages)
    assert p["para:92"].text == (
        "In the course of the discussion, the following recommendations were made to the United States of America:"
    )
    assert p["para:92"].section == SECTION
    assert p["para:94"].text.startswith(
        "All conclusions and/or recommendations contained in the present report"
    )
    assert p["para:1"].heading_path == ["Introduction"]
    assert p["para:1"].kind == "paragraph"
    assert p["para:6"].heading_path == [
        "I. Summary of the proceedings of the review process",
        "A. Presentation by the State under review",
    ]
    assert [x for x in passages if "....." in x.text] == []  # the table of contents is not a passage
    # every numbered paragraph 1-94 is there (3's short lead-in is carried by its items 3.a-3.c)
    assert {x.paragraph for x in passages if x.kind == "paragraph"} >= {str(n) for n in range(1, 95)}
    assert "para:3" not in p
    assert p["para:3.b"].text == (
        "In accordance with paragraph 15 of the annex to resolution 5/1, the following documents were issued "
        "for the review of the United States of America: A compilation prepared by the Office of the United "
        "Nations High Commissioner for Human Rights (OHCHR) in accordance with paragraph 15 (b) (A/HRC/WG.6/9/USA/2);"
    )


def test_usa_pdf_matches_the_text_version(
    usa_pdf: tuple[Document, list[Passage]], usa_txt: tuple[Document, list[Passage]]
) -> None:
    doc, passages = usa_pdf
    check_passages(doc, passages, Settings())
    pdf, txt = recs(passages), recs(usa_txt[1])
    assert len(pdf) == 228
    assert [p.rec_id for p in pdf] == [p.rec_id for p in txt]
    assert [p.recommending_states for p in pdf] == [p.recommending_states for p in txt]
    assert pdf[0].pages == [13]
    assert pdf[-1].pages == [28]
    assert pdf[-1].text == txt[-1].text
    # Words that extraction split ("raci al", "deat h") are joined again: 213 of the 228 wordings
    # are now the text version's exactly (110 without the repair); the rest differ where both
    # pieces are words ("health care" is not joined, so neither is "with out") or in punctuation.
    assert sum(a.text == b.text for a, b in zip(pdf, txt, strict=True)) == 213
    assert [(p.rec_id, p.pages) for p in pdf if len(p.pages) > 1] == [
        ("92.79", [18, 19]),
        ("92.92", [19, 20]),
        ("92.108", [20, 21]),
        ("92.180", [25, 26]),
    ]


def test_pdf_recommendation_across_a_page_break_is_whole(usa_pdf: tuple[Document, list[Passage]]) -> None:
    doc, passages = usa_pdf
    r = {p.rec_id: p for p in recs(passages)}
    p108 = r["92.108"]
    span = doc.text[p108.start : p108.end]
    assert "A/HRC/16/11" in span and "\n 21 \n" in span  # the page header and number inside the span ...
    assert "A/HRC/16/11" not in p108.text and " 21 " not in p108.text  # ... are not in the text
    assert p108.text.startswith("Prohibit and punish the use of racial profiling in all programs")
    assert p108.text.endswith("remedy human rights violations occurred under these programs")
    assert p108.recommending_states == ["Mexico"]
    # the footnote at the foot of page 18 is not part of 92.79, which continues on page 19
    assert "original recommendation" not in r["92.79"].text
    assert r["92.79"].text.endswith("violating the human and civil rights of persons")
    # States cut inside a word by extraction are repaired: "(Qat ar)", "(New Zealan d)"
    assert "Qatar" in r["92.73"].recommending_states
    assert "New Zealand" in r["92.120"].recommending_states


def test_ids_are_stable_and_depend_on_the_content(shared_corpus: Path) -> None:
    settings = Settings()
    doc = load(shared_corpus, USA_TXT, settings)
    first = segment(doc, settings)
    again = segment(load(shared_corpus, USA_TXT, settings), settings)
    assert [p.id for p in first] == [p.id for p in again]
    assert [p.text for p in first] == [p.text for p in again]
    assert first[0].id == f"{doc.doc_id}:para:1"
    edited = Document(
        path=doc.path, content_hash=sha256_bytes(doc.text.encode() + b" "), meta=doc.meta, text=doc.text + " "
    )
    assert {p.id for p in segment(edited, settings)}.isdisjoint({p.id for p in first})


def test_segment_is_pure(shared_corpus: Path) -> None:
    settings = Settings()
    doc = load(shared_corpus, USA_TXT, settings)
    text, meta = doc.text, DocumentMeta(**doc.meta.to_dict())
    segment(doc, settings)
    assert doc.text == text and doc.meta == meta


# --- older layouts --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "per_paragraph"),
    [
        ("algeria2008", {"69": 17}),
        ("brazil2008", {"83": 15}),
        ("bahrain2008", {"60": 9}),
        ("india2008", {"86": 18}),
        ("afghanistan2009", {"95": 96, "96": 37, "97": 10}),
        ("china2009", {"114": 42, "115": 3, "116": 4}),
        ("canada2009", {"86": 68}),
        ("belize2009", {"67": 36, "68": 10}),
        ("angola2014", {"134": 192, "135": 34}),
        ("unitedstatesofamerica2011", {"92": 228}),
    ],
)
def test_recommendations_per_paragraph(shared_corpus: Path, name: str, per_paragraph: dict[str, int]) -> None:
    settings = Settings()
    doc = load(shared_corpus, f"{WG}/{name}.txt", settings)
    passages = segment(doc, settings)
    check_passages(doc, passages, settings)
    counts: dict[str, list[int]] = {}
    for p in recs(passages):
        if p.part in (None, 1):
            assert p.rec_id is not None and p.paragraph is not None
            counts.setdefault(p.paragraph, []).append(int(p.rec_id.split(".")[1]))
    assert {k: len(v) for k, v in counts.items()} == per_paragraph
    assert all(v == list(range(1, len(v) + 1)) for v in counts.values())  # 1, 2, 3 ... no gap


def test_2008_layout_items_and_trailing_text(shared_corpus: Path) -> None:
    passages = segmented(shared_corpus, f"{WG}/algeria2008.txt")
    p = by_position(passages)
    assert p["rec:69.1"].text == (
        "The establishment of an international round table to discuss the interrelation between security "
        "and fundamental freedoms"
    )
    assert p["rec:69.1"].recommending_states == ["Kuwait"]
    assert p["rec:69.6"].recommending_states == ["Holy See"]  # "(The Holy See)"
    # text after the last item that is not a recommendation becomes a paragraph
    assert p["para:69+r1"].kind == "paragraph"
    assert p["para:69+r1"].text.startswith(
        "With respect to special procedures, Algeria will consider the requests"
    )
    assert p["para:70"].text.startswith("Other recommendations noted in the report in paragraphs 45, 55, 56")


def test_item_number_colliding_with_next_paragraph_number(shared_corpus: Path) -> None:
    """afghanistan2009: item "96." of paragraph 95, then paragraph "96." whose items restart at 1."""
    p = by_position(segmented(shared_corpus, f"{WG}/afghanistan2009.txt"))
    assert p["rec:95.96"].text.startswith("Continue its positive engagement with OHCHR")
    assert p["para:96"].text.startswith("The following recommendations will be examined by Afghanistan")
    assert p["rec:96.1"].recommending_states[0] == "France"
    assert p["rec:97.1"].text == "Reinstate a moratorium on the use of the death penalty"
    assert p["rec:97.1"].recommending_states == ["Canada"]


def test_odd_state_lists(shared_corpus: Path) -> None:
    china = by_position(segmented(shared_corpus, f"{WG}/china2009.txt"))
    assert china["rec:114.1"].text.startswith(
        "Create conditions for an early ratification of the International Covenant on Civil and Political Rights (ICCPR);"
    )  # "(ICCPR)" is not a State
    assert china["rec:114.1"].recommending_states == ["Sweden", "Algeria", "Argentina", "Brazil", "Austria"]
    canada = by_position(segmented(shared_corpus, f"{WG}/canada2009.txt"))
    assert canada["rec:86.1"].recommending_states == ["Mexico", "Egypt"]  # "(Mexico; Egypt)"
    assert canada["rec:86.1"].text == "Ratify the Optional Protocol to ICESCR"
    india = by_position(segmented(shared_corpus, f"{WG}/india2008.txt"))
    # "(United Kingdom France, Mexico, ...)": a comma lost between two known States
    assert india["rec:86.1"].recommending_states[:2] == ["United Kingdom", "France"]
    # item "4." lost in extraction: inferred between 3 and 5 from its own State parenthesis
    assert india["rec:86.4"].text.startswith("Encourage enhanced cooperation with human rights bodies")
    assert (
        india["rec:86.3"].text
        == "Continue energizing existing mechanisms to enhance the addressing of human rights challenges"
    )


def test_recommendations_quoted_in_the_interactive_dialogue(shared_corpus: Path) -> None:
    """colombia2009 section II: "recommendations noted in the report in paragraphs 19(a), 19(b) ..."."""
    passages = segmented(shared_corpus, f"{WG}/colombia2009.txt")
    quoted = dialogue(passages)
    assert len(quoted) == 89
    p = by_position(passages)
    a = p["rec:19.a"]
    assert a.kind == "recommendation" and a.rec_id == "19.a" and a.paragraph == "19"
    assert a.recommending_states == ["Chile"]
    assert a.text.startswith(
        "ensure that human rights abuses are appropriately investigated and that those responsible"
    )
    assert a.text.endswith(
        "ensure effective implementation of the July 2008 Constitutional Court sentence on the subject"
    )
    assert p["para:19~1"].kind == "paragraph"  # the paragraph stays too (in two parts: 349 words)
    assert [x.rec_id for x in quoted if x.paragraph == "19"] == [
        "19.a",
        "19.b",
        "19.c",
        "19.d",
        "19.e",
        "19.f",
    ]
    # "Noting ..., Algeria recommended (a) ..." and "It recommended that Viet Nam (a) ..."
    vietnam = by_position(segmented(shared_corpus, f"{WG}/vietnam2009.txt"))
    assert vietnam["rec:28.a"].recommending_states == ["Algeria"]
    assert vietnam["rec:51.a"].recommending_states == ["United Kingdom"]
    # "asked for additional information on (a) ..." is not a recommendation
    assert dialogue(segmented(shared_corpus, f"{WG}/india2008.txt")) == []


def test_items_without_states_are_paragraphs(shared_corpus: Path) -> None:
    """bahrain2008 paragraph 61 lists the State's comments, numbered like recommendations."""
    p = by_position(segmented(shared_corpus, f"{WG}/bahrain2008.txt"))
    assert p["para:61.1"].kind == "paragraph"
    assert p["para:61.1"].text.startswith(
        "While independence of the judiciary is preserved by the Constitution"
    )
    assert "rec:61.1" not in p


def test_slovenia_reports_match_the_ohchr_thematic_lists(shared_corpus: Path) -> None:
    settings = Settings()
    expected = {
        "A_HRC_14_15__cycle1__g1012049.txt": 97,
        "A_HRC_28_15__cycle2__g1423930.txt": 163,  # the thematic list (cycle 2) has 163 rows
        "A_HRC_43_15__cycle3__g1934994.txt": 215,  # 215 rows
        "A_HRC_59_15__cycle4__g2502644.txt": 254,  # 254 rows
    }
    for name, count in expected.items():
        doc = load(shared_corpus, f"outcome_reports/slovenia/{name}", settings)
        passages = segment(doc, settings)
        check_passages(doc, passages, settings)
        assert len([p for p in recs(passages) if p.part in (None, 1)]) == count, name
    p = by_position(passages)
    assert p["rec:140.1"].recommending_states == [
        "Algeria",
        "Cabo Verde",
        "Paraguay",
        "South Sudan",
        "Sri Lanka",
        "Togo",
        "Uruguay",
        "Bolivarian Republic of Venezuela",
    ]  # "(Algeria) (Cabo Verde) ... (Bolivarian Republic\n of Venezuela);"
    assert (
        p["rec:140.254"].text
        == "Strengthen measures to reduce statelessness and ensure the protection of stateless persons"
    )
    assert p["rec:140.10"].pages == [12]  # pages of a text file: form feeds


def test_all_262_working_group_reports(shared_corpus: Path) -> None:
    """Every report yields recommendations; ids unique; no passage over the limit (its speed: BENCHMARKS.md, not a test)."""
    settings = Settings()
    files = sorted((shared_corpus / WG).glob("*.txt"))
    assert len(files) == 262
    docs = [load_document(f, settings) for f in files]
    results = [segment(doc, settings) for doc in docs]
    counts = {}
    quoted = {}
    for doc, passages in zip(docs, results, strict=True):
        check_passages(doc, passages, settings)
        counts[Path(doc.path).name] = len([p for p in recs(passages) if p.part in (None, 1)])
        quoted[Path(doc.path).name] = len([p for p in dialogue(passages) if p.part in (None, 1)])
    values = sorted(counts.values())
    assert [name for name, n in counts.items() if n == 0] == []
    assert (values[0], statistics.median(values), values[-1]) == (8, 114.0, 300)
    assert sum(values) == 28661
    assert counts["finland2008.txt"] == 8
    # recommendations quoted with (a), (b) ... in the interactive dialogue (sessions 1-5)
    assert (sum(quoted.values()), len([n for n in quoted.values() if n])) == (1969, 40)


# --- configuration ----------------------------------------------------------------------------
def test_segmentation_config_records_what_changes_the_output() -> None:
    config = segmentation_config(Settings())
    assert config["segmenter_version"] == SEGMENTER_VERSION
    assert (config["max_passage_words"], config["split_overlap_words"], config["ask_context_chars"]) == (
        200,
        30,
        1200,
    )
    assert segmentation_config(Settings(max_passage_words=120)) != config
    assert segmentation_config(Settings()) == config


def test_an_index_of_the_previous_segmenter_asks_to_be_rebuilt() -> None:
    """Version 1.1 changed the records (UN State names, one theme vocabulary, joined PDF words,
    source_url, strength): an index built before says so, naming the part that differs."""
    from hrsearch.errors import IndexMismatch
    from indexer.catalog import check_config
    from indexer.config import index_config

    wanted = index_config(Settings())
    old = {**wanted, "segmentation": {**wanted["segmentation"], "segmenter_version": "1.0"}}
    assert SEGMENTER_VERSION == "1.1"
    with pytest.raises(IndexMismatch) as e:
        check_config(old, wanted, where="/srv/index")
    message = str(e.value)
    assert "segmentation.segmenter_version: index has '1.0', settings ask for '1.1'" in message
    assert "max_passage_words" not in message  # only what differs is named
    assert "hrsearch index PATH --rebuild" in message
