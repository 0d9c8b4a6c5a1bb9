"""Context keys: the one-line header of where a passage stands, and the year of a UPR session."""

from __future__ import annotations

from indexer.context import UPR_SESSION_YEAR, context_header, context_key, upr_year

UPR_INFO_ROW = {
    "kind": "recommendation",
    "country": "Australia",
    "mechanism": "UPR",
    "doc_kind": "recommendations_table",
    "session": 10,
    "recommending_states": ["Ghana"],
    "response": "supported",
    "title": "UPR Info database export",
}


def test_a_table_row_names_country_review_year_and_for_the_header_who_made_it() -> None:
    assert context_header(UPR_INFO_ROW) == "Australia, UPR 2011, recommendation by Ghana, supported"
    # The key leaves out the State and the response: one key per country and review.
    assert context_key(UPR_INFO_ROW) == "Australia, UPR 2011, recommendation"
    other_state = {**UPR_INFO_ROW, "recommending_states": ["Brazil"], "response": "noted"}
    assert context_key(other_state) == context_key(UPR_INFO_ROW)


def test_a_report_paragraph_names_its_section_without_numbering() -> None:
    para = {
        "kind": "paragraph",
        "country": "Slovenia",
        "mechanism": "UPR",
        "doc_kind": "outcome_report",
        "year": 2019,
        "heading_path": [
            "I. SUMMARY OF THE PROCEEDINGS OF THE REVIEW PROCESS",
            "B. Interactive dialogue and responses by the State under review",
        ],
    }
    assert context_key(para) == (
        "Slovenia, UPR Working Group report 2019, Interactive dialogue and responses by the State under review"
    )
    caps = {**para, "heading_path": ["II. CONCLUSIONS AND/OR RECOMMENDATIONS"]}
    assert context_key(caps).endswith(", Conclusions and/or recommendations")


def test_a_general_comment_is_named_by_its_title_clipped() -> None:
    gc = {
        "kind": "paragraph",
        "mechanism": "CED",
        "doc_kind": "general_comment",
        "year": 2023,
        "title": "General comment No. 1 (2023) on enforced disappearance in the context of migration " * 3,
        "heading_path": ["D. Non-refoulement and the prohibition of pushbacks"],
    }
    key = context_key(gc)
    assert key.startswith("CED general comment General comment No. 1 (2023) on enforced")
    assert key.endswith("2023, Non-refoulement and the prohibition of pushbacks")
    assert len(key) < 250


def test_nothing_known_gives_no_header_and_years_come_from_sessions() -> None:
    assert context_header({}) == "" and context_key({"kind": "paragraph"}) == ""
    assert upr_year({"mechanism": "UPR", "session": 36}) == 2020
    assert upr_year({"mechanism": "UPR", "session": 36, "year": 2021}) == 2021  # a stated year wins
    assert upr_year({"mechanism": "CAT", "session": 36}) is None
    assert upr_year({"mechanism": "UPR", "session": 99}) is None
    assert sorted(UPR_SESSION_YEAR) == list(range(1, 51))
    years = [UPR_SESSION_YEAR[s] for s in sorted(UPR_SESSION_YEAR)]
    assert years == sorted(years) and years[0] == 2008 and years[-1] == 2025
