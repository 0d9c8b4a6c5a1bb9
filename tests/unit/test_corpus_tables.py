"""Recommendation tables: the real CSV/JSONL sources row by row, and tables described by a sidecar."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus.loader import load_document
from corpus.models import TableRow
from hrsearch.errors import CorpusError, EmptyDocument
from hrsearch.settings import Settings


def by_id(rows: list[TableRow]) -> dict[str | None, TableRow]:
    return {r.rec_id: r for r in rows}


@pytest.mark.shared
def test_us_third_cycle_table(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(shared_corpus / "recommendations/us_upr_cycle3_recommendations.csv", settings)
    assert doc.text == ""
    assert len(doc.rows) == 347
    first = doc.rows[0]
    assert (first.row_number, first.rec_id, first.text) == (
        1,
        "26.1",
        "Consider ratifying all remaining human rights conventions",
    )
    assert first.recommending_states == ["Somalia"]
    assert (first.response, first.response_raw) == ("supported", "supported")
    assert first.themes == ["Ratification of & accession to international instruments"]
    assert (first.state_under_review, first.session, first.cycle, first.symbol) == (
        "United States of America",
        36,
        3,
        "A/HRC/46/15",
    )
    rows = by_id(doc.rows)
    # Source artefact repaired (see SOURCES.md): the parser took "(ACT Group)" for a state; it is
    # put back at the end of the text (tests/unit/test_state_names.py has the three rows).
    assert rows["26.34"].recommending_states == ["Liechtenstein"]
    assert rows["26.34"].text.endswith("Transparency Group (ACT Group)")
    assert rows["26.6"].recommending_states == ["State of Palestine"]
    assert Counter(r.response for r in doc.rows) == {"supported": 263, "noted": 67, "supported_noted": 17}
    assert doc.rows[-1].rec_id == "26.347"
    assert doc.warnings == [
        "row 34: 'ACT Group' among the recommending States is no State; put back at the end of the text",
        "row 91: 'the Paris Principles' among the recommending States is no State; put back at the end of the text",
        "row 161: 'Bolivarian Republic of' among the recommending States is no State; put back at the end of the text",
    ]
    meta = doc.meta
    assert (meta.kind, meta.symbol, meta.country, meta.mechanism) == (
        "recommendations_table",
        "A/HRC/46/15",
        "United States of America",
        "UPR",
    )
    assert (meta.session, meta.cycle, meta.language) == (36, 3, "en")


@pytest.mark.shared
def test_upr_info_export_is_read_completely(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(
        shared_corpus / "recommendations/upr_info_sessions01-20_recommendations.csv", settings
    )
    assert len(doc.rows) == 41066
    assert Counter(r.response for r in doc.rows) == {"supported": 30472, "noted": 10594}
    assert Counter(r.action_category for r in doc.rows) == {1: 603, 2: 6981, 3: 3449, 4: 16261, 5: 13772}
    usa = [r for r in doc.rows if r.state_under_review == "United States of America"]
    assert len(usa) == 280
    assert {r.session for r in usa} == {9}
    assert {r.cycle for r in usa} == {1}
    assert len({r.state_under_review for r in doc.rows}) == 193
    first = doc.rows[0]
    assert (first.rec_id, first.recommending_states, first.response_raw) == (
        "UPRINFO-000001",
        ["Austria"],
        "Accepted",
    )
    assert first.themes == ["Rights of the Child", "Women's rights"]
    assert first.extra == {
        "sur_region": "Asia",
        "sur_orgs": "OIC",
        "rs_region": "WEOG",
        "rs_orgs": "EU",
        "source_file": "v.2/Data/CSVs/1-5.csv",
    }
    # UPR Info spellings become UN names; its "(Unknown)" recommending state is dropped.
    names = {s for r in doc.rows for s in r.recommending_states}
    assert {"Trinidad and Tobago", "Democratic People's Republic of Korea", "North Macedonia"} <= names
    assert not any("Unknown" in s or "&#" in s for s in names)
    assert (doc.meta.kind, doc.meta.country, doc.meta.mechanism) == ("recommendations_table", None, "UPR")


@pytest.mark.shared
def test_upr_info_pledges(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(
        shared_corpus / "recommendations/upr_info_sessions01-19_voluntary_pledges.csv", settings
    )
    assert len(doc.rows) == 947
    first = doc.rows[0]
    assert (first.rec_id, first.state_under_review, first.session, first.action_category) == (
        "UPRINFO-VP-0001",
        "Albania",
        19,
        5,
    )
    assert first.themes == ["Minorities", "National plan of action"]
    assert {r.extra["row_kind"] for r in doc.rows} == {"pledge"}


@pytest.mark.shared
def test_slovenia_thematic_lists(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(
        shared_corpus / "recommendations/slovenia/slovenia_upr_cycles2-4_thematic_list_parsed.csv", settings
    )
    assert len(doc.rows) == 632
    assert Counter(r.cycle for r in doc.rows) == {2: 163, 3: 215, 4: 254}
    assert Counter(r.response for r in doc.rows) == {"supported": 541, "noted": 91}
    row = by_id(doc.rows)["115.3"]
    # The text keeps the bracketed states; the segmenter strips them.
    assert (
        row.text
        == "Ratify the Optional Protocol to the Rights of the Child on a communications procedure (Portugal, Slovakia);"
    )
    assert row.recommending_states == ["Portugal", "Slovakia"]
    assert by_id(doc.rows)["115.4"].recommending_states == ["Spain", "Tunisia", "Portugal"]
    assert row.state_under_review == "Slovenia"
    assert row.themes == ["A12 Acceptance of international norms"]
    assert row.extra["position_source"] == "A/HRC/28/15/Add.1 - Para. 3"
    assert (doc.meta.country, doc.meta.mechanism, doc.meta.cycle) == ("Slovenia", "UPR", None)


@pytest.mark.shared
def test_uhri_jsonl(shared_corpus: Path, settings: Settings) -> None:
    doc = load_document(
        shared_corpus / "treaty_observations/uhri_sample_CESCR_Australia_E-C.12-AUS-CO-6.jsonl", settings
    )
    assert len(doc.rows) == 15
    first = doc.rows[0]
    assert first.rec_id == "0a0c9531-85fa-4408-a9db-bc816c2e1261"
    assert first.text.startswith(
        "Domestic application of the Covenant\n7. Reiterating its previous recommendation"
    )
    assert (first.state_under_review, first.symbol) == ("Australia", "E/C.12/AUS/CO/6")
    assert first.themes == ["Constitutional & legislative framework"]
    assert first.extra["annotation_type"] == "Recommendations"
    assert first.extra["body"] == "CESCR"
    meta = doc.meta
    assert (meta.kind, meta.mechanism, meta.symbol, meta.country) == (
        "recommendations_table",
        "CESCR",
        "E/C.12/AUS/CO/6",
        "Australia",
    )


def test_unknown_columns_name_what_was_found(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "asks.csv"
    path.write_text("No.,Ask,Addressed to\n1,Repeal the law,Ministry of Justice\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"no recommendation text column") as err:
        load_document(path, settings)
    assert "its columns are: no., ask, addressed_to" in err.value.reason
    assert "asks.csv.meta.toml" in err.value.reason


def test_sidecar_maps_the_columns(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "asks.csv"
    path.write_text(
        "No.,Ask,Addressed to,Answer,Tags\n"
        '1,Repeal the law,"Spain, France",Accepted,Justice; Detention\n'
        "2,,Chile,Noted,\n"
        "3,Fund the NHRI,Trinidad and Tobago,Partially accepted,NHRI\n",
        encoding="utf-8",
    )
    (tmp_path / "asks.csv.meta.toml").write_text(
        '[columns]\nrec_id = "No."\ntext = "Ask"\nrecommending_states = "Addressed to"\n'
        'response = "Answer"\nthemes = "Tags"\n',
        encoding="utf-8",
    )
    doc = load_document(path, settings)
    assert [(r.row_number, r.rec_id, r.text) for r in doc.rows] == [
        (1, "1", "Repeal the law"),
        (3, "3", "Fund the NHRI"),
    ]
    assert doc.rows[0].recommending_states == ["Spain", "France"]
    assert doc.rows[0].themes == ["Justice", "Detention"]
    assert doc.rows[1].recommending_states == ["Trinidad and Tobago"]
    assert [r.response for r in doc.rows] == ["supported", "supported_noted"]
    assert doc.warnings == ["row 2: empty recommendation text, skipped"]


def test_sidecar_mapping_to_a_missing_column(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "asks.tsv"
    path.write_text("Number\tWording\n1\tRepeal the law\n", encoding="utf-8")
    (tmp_path / "asks.meta.toml").write_text('[columns]\ntext = "Text of the ask"\n', encoding="utf-8")
    with pytest.raises(
        CorpusError,
        match="'Text of the ask', which the table does not have; its columns are: number, wording",
    ):
        load_document(path, settings)


def test_sidecar_mapping_an_unknown_field_names_the_sidecar(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "asks.csv"
    path.write_text("text\nRepeal the law\n", encoding="utf-8")
    sidecar = tmp_path / "asks.csv.meta.toml"
    sidecar.write_text('[columns]\nwording = "text"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="'wording' is not one of rec_id, text") as err:
        load_document(path, settings)
    assert err.value.path == str(sidecar)


def test_jsonl_bad_lines_are_skipped_with_warnings(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "obs.jsonl"
    path.write_text(
        '{"_id": "a", "text": "Adopt a federal human rights act.", "countries": ["Australia"], "body": "CESCR"}\n'
        "{not json\n"
        "\n"
        '{"_id": "b", "text": "   ", "countries": ["Australia"], "body": "CESCR"}\n'
        '["a list"]\n',
        encoding="utf-8",
    )
    doc = load_document(path, settings)
    assert [(r.row_number, r.rec_id) for r in doc.rows] == [(1, "a")]
    assert doc.warnings[0].startswith("row 2: not valid JSON")
    assert doc.warnings[1:] == [
        "row 5: a JSON list, not an object, skipped",
        "row 4: empty recommendation text, skipped",
    ]
    assert doc.meta.mechanism == "CESCR"


def test_table_with_header_only_is_empty(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("rec_id,text\n", encoding="utf-8")
    with pytest.raises(EmptyDocument, match="no row of the table has recommendation text"):
        load_document(path, settings)


def test_semicolon_separated_csv(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("paragraph;recommendation;position\n98.1;Ratify the CRC;Supported\n".encode("cp1252"))
    doc = load_document(path, settings)
    assert [(r.rec_id, r.text, r.response) for r in doc.rows] == [("98.1", "Ratify the CRC", "supported")]
