"""Mapping retrieved units to judged refs: the same answer is found whatever the chunking."""

from __future__ import annotations

from evaluation.datasets import Ref
from evaluation.refs import Unit, file_matches, normalise, placeholder, ranked_refs

LETTER = "/data/corpus/letters/000_x.txt"
TABLE = "/data/corpus/recommendations/us.csv"
REFS = [
    Ref("l01.a1", "letters/000_x.txt", contains="a meaningful consultation with U.S. government"),
    Ref("l01.a2", "letters/000_x.txt", contains="civil society leaders"),
]
SENTENCES = [
    "We write to you today.",
    "Accordingly, we respectfully request a meaningful\n consultation with U.S.  government representatives before March.",
    "We also ask for a meeting with civil society leaders and human rights defenders to discuss an effective approach.",
]
TEXT = " ".join(SENTENCES)


def test_normalise_whitespace_case_and_quotes() -> None:
    assert normalise("  The Court’s\n\tview ") == "The Court's view"
    assert normalise("A\u00a0B") == "A B"


def test_file_matches_by_path_suffix_only() -> None:
    assert file_matches(LETTER, "letters/000_x.txt")
    assert file_matches(LETTER, "000_x.txt")
    assert not file_matches(LETTER, "other/000_x.txt")
    assert not file_matches("/data/corpus/letters/1000_x.txt", "000_x.txt")
    assert not file_matches(LETTER, "")


def _chunks(text: str, size: int, overlap: int) -> list[Unit]:
    out, start, i = [], 0, 0
    while start < len(text):
        out.append(Unit(id=f"c{i}", file=LETTER, text=text[start : start + size]))
        start += size - overlap
        i += 1
    return out


def test_same_answers_whatever_the_chunking_one_rank_per_unit() -> None:
    sentences = [Unit(id=f"s{i}", file=LETTER, text=s) for i, s in enumerate(SENTENCES)]
    whole = [Unit(id="w", file=LETTER, text=TEXT)]
    assert ranked_refs(sentences, REFS) == ["~s0", "l01.a1", "l01.a2"]
    # One unit holding both answers is one hit: its first-judged ref when grades tie...
    assert ranked_refs(whole, REFS) == ["l01.a1"]
    # ... and its best-graded ref otherwise.
    assert ranked_refs(whole, REFS, grades={"l01.a1": 1, "l01.a2": 2}) == ["l01.a2"]
    # A later unit holding only answers already seen is a copy: dropped.
    again = [*whole, Unit(id="s1", file=LETTER, text=SENTENCES[1]), Unit(id="x", file=LETTER, text="x")]
    assert ranked_refs(again, REFS) == ["l01.a1", "~x"]
    # Overlapping chunks: each answer counts once, at its first rank.
    refs = ranked_refs(_chunks(TEXT, 120, 60), REFS)
    assert refs.count("l01.a1") == 1 and refs.count("l01.a2") == 1
    assert refs.index("l01.a1") < refs.index("l01.a2")


def test_answer_in_another_file_or_another_case_does_not_count() -> None:
    other = Unit(id="o", file="/data/corpus/outcome_reports/us.txt", text=TEXT)
    assert ranked_refs([other], REFS) == ["~o"]
    upper = Unit(id="u", file=LETTER, text=TEXT.upper())
    assert ranked_refs([upper], REFS) == ["~u"]


def test_unjudged_units_keep_their_ranks_and_depth_cuts() -> None:
    units = [Unit(id=f"u{i}", file=LETTER, text="nothing") for i in range(5)]
    units.insert(3, Unit(id="hit", file=LETTER, text=TEXT))
    refs = ranked_refs(units, REFS[:1], depth=10)
    assert refs == ["~u0", "~u1", "~u2", "l01.a1", "~u3", "~u4"]
    assert ranked_refs(units, REFS[:1], depth=2) == ["~u0", "~u1"]


def test_trec_rows_are_bare_rec_ids_of_the_pool_table_only() -> None:
    units = [
        Unit(id="p1", file=TABLE, text="Abolish the death penalty", rec_id="26.178"),
        Unit(id="p2", file=TABLE, text="(part 2)", rec_id="26.178"),  # a second part of the same row
        Unit(id="p3", file="/data/corpus/recommendations/other.csv", text="x", rec_id="26.179"),
        Unit(id="p4", file=TABLE, text="y", rec_id="26.5"),
    ]
    assert ranked_refs(units, [], row_file="recommendations/us.csv") == [
        "26.178",
        "~other.csv#26.179",
        "26.5",
    ]


def test_row_refs_of_the_project_form_and_shared_placeholders() -> None:
    refs = [Ref("recommendations/us.csv#26.178", "recommendations/us.csv", rec_id="26.178")]
    units = [
        Unit(id="a", file=TABLE, text="x", rec_id="26.1"),
        Unit(id="b", file=TABLE, text="x (continued)", rec_id="26.1"),
        Unit(id="c", file=TABLE, text="Abolish", rec_id="26.178"),
    ]
    assert ranked_refs(units, refs) == ["~us.csv#26.1", "recommendations/us.csv#26.178"]
    assert placeholder(Unit(id="id with space", file=LETTER, text="")) == "~id_with_space"


def test_a_chunk_of_a_report_holds_the_recommendations_whose_numbers_it_shows() -> None:
    from evaluation.naive import Chunk, report_numbers

    report = "/data/corpus/outcome_reports/australia2011.txt"
    refs = [
        Ref("outcome_reports/australia2011.txt#86.21", "outcome_reports/australia2011.txt", rec_id="86.21"),
        Ref("outcome_reports/australia2011.txt#86.40", "outcome_reports/australia2011.txt", rec_id="86.40"),
    ]
    text = "86.20. \tContinue its efforts (Argentina);\n86.21. \tStrengthen its framework (Timor-Leste);\n"
    chunk = Chunk("naive:a:1", text, None)
    assert report_numbers(chunk) == ("86.20", "86.21")
    assert report_numbers(Chunk("naive:b:1", "Paragraph 12.3 of the text, 1.5 million", None)) == ()
    assert report_numbers(Chunk("naive:c:1", "86.21. x", "86.21")) == ()  # a table row has its rec_id
    units = [
        Unit(id="a", file=report, text=text, labels=report_numbers(chunk)),
        Unit(id="b", file="/data/corpus/outcome_reports/other.txt", text=text, labels=report_numbers(chunk)),
    ]
    assert ranked_refs(units, refs) == ["outcome_reports/australia2011.txt#86.21", "~b"]
