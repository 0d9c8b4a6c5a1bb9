"""UN symbols, country names and language detection: pure functions, exact values."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.countries import (
    BY_ISO3,
    COUNTRIES,
    country_from_code,
    country_from_slug,
    normalise_country,
    split_states,
)
from corpus.language import detect_language
from corpus.symbols import (
    find_symbols,
    metadata_from_symbol,
    own_symbol,
    parse_symbol,
    symbol_from_filename,
    undocs_url,
    upr_cycle_for_session,
)


@pytest.mark.parametrize(
    ("stem", "symbol"),
    [
        ("A_HRC_WG.6_50_USA_3", "A/HRC/WG.6/50/USA/3"),
        ("A_HRC_59_15_Add.1__cycle4__g2505828", "A/HRC/59/15/Add.1"),
        ("A_HRC_DEC_14_105__cycle1__g1014611", "A/HRC/DEC/14/105"),
        ("UPR_WG_report_USA_2011_A-HRC-16-11", "A/HRC/16/11"),
        ("A-HRC-WG.6-48-SVN-3_stakeholders_summary_Slovenia_2024", "A/HRC/WG.6/48/SVN/3"),
        ("A-HRC-59-15-Add.1_WG_report_addendum_Slovenia_2025", "A/HRC/59/15/Add.1"),
        ("CAT_C_GC_4", "CAT/C/GC/4"),
        ("CEDAW_C_GC_40", "CEDAW/C/GC/40"),
        ("CRPD_C_GC_8", "CRPD/C/GC/8"),
        ("CERD_C_USA_CO_10-12", "CERD/C/USA/CO/10-12"),
        ("CERD-C-USA-CO-10-12", "CERD/C/USA/CO/10-12"),
        ("uhri_sample_CESCR_Australia_E-C.12-AUS-CO-6", "E/C.12/AUS/CO/6"),
        ("CCPR_C_USA_CO_4", "CCPR/C/USA/CO/4"),
        ("unitedstatesofamerica2011", None),
        ("A_report_2020", None),
        ("cycle4__infographic-slovenia", None),
    ],
)
def test_symbol_from_filename(stem: str, symbol: str | None) -> None:
    assert symbol_from_filename(stem) == symbol


def test_own_symbol_prefers_the_header_over_draft_and_cited_symbols() -> None:
    head = (
        "Human Rights Council\nReport of the Working Group on the Universal Periodic Review*\n"
        "United States of America\n* Previously issued as document A/HRC/WG.6/9/L.9.  The annex ...\n"
        " United Nations A/HRC/16/11\nGeneral Assembly Distr.: General\n4 January 2011\n"
        "(a) A national report (A/HRC/WG.6/9/USA/1);"
    )
    assert own_symbol(head) == ("A/HRC/16/11", "A/HRC/WG.6/9/L.9")


def test_own_symbol_without_header_keeps_only_the_draft() -> None:
    head = "* Previously issued under document symbol A/HRC/WG.6/8./L.8.\n(a) A national report (A/HRC/WG.6/8/ARM/1);"
    assert own_symbol(head) == (None, "A/HRC/WG.6/8/L.8")


def test_symbols_broken_by_extraction_are_repaired() -> None:
    assert find_symbols("United Nations A\n/HRC/WG.6/29/BRB/3\nGeneral Assembly") == ["A/HRC/WG.6/29/BRB/3"]
    assert find_symbols("United Nations \n CAT /C/GC/3 \n") == ["CAT/C/GC/3"]
    assert find_symbols("symbol A/HRC/WG,6/8/L.1.  The annex") == ["A/HRC/WG.6/8/L.1"]
    assert find_symbols("see A/53/44 and A/53/44/Corr.1, annex IX") == ["A/53/44", "A/53/44/Corr.1"]


@pytest.mark.parametrize(
    ("symbol", "mechanism", "kind", "session", "country"),
    [
        ("A/HRC/WG.6/50/USA/3", "UPR", "stakeholder_summary", 50, "United States of America"),
        ("A/HRC/WG.6/50/USA/2", "UPR", "compilation", 50, "United States of America"),
        ("A/HRC/WG.6/48/SVN/1", "UPR", "national_report", 48, "Slovenia"),
        ("A/HRC/WG.6/5/L.8", "UPR", "outcome_report", 5, None),
        ("A/HRC/WG.6/7/SVN/2/Corr.1", "UPR", "compilation", 7, "Slovenia"),
        ("A/HRC/46/15", "HRC", None, None, None),
        ("A/HRC/46/15/Add.1", "HRC", None, None, None),
        ("A/HRC/DEC/14/105", "HRC", None, None, None),
        ("CERD/C/USA/CO/10-12", "CERD", "concluding_observations", None, "United States of America"),
        ("E/C.12/AUS/CO/6", "CESCR", "concluding_observations", None, "Australia"),
        ("CCPR/C/USA/CO/4", "CCPR", "concluding_observations", None, "United States of America"),
        ("CAT/C/GC/4", "CAT", "general_comment", None, None),
        ("CEDAW/C/GC/40", "CEDAW", "general_comment", None, None),
        ("CRPD/C/GC/8", "CRPD", "general_comment", None, None),
        ("CED/C/GC/1", "CED", "general_comment", None, None),
    ],
)
def test_parse_symbol(
    symbol: str, mechanism: str, kind: str | None, session: int | None, country: str | None
) -> None:
    info = parse_symbol(symbol)
    assert (info.mechanism, info.kind, info.session, info.country) == (mechanism, kind, session, country)


def test_metadata_from_symbol_states_only_certain_facts() -> None:
    assert metadata_from_symbol("A/HRC/WG.6/36/USA/3") == {
        "kind": "stakeholder_summary",
        "mechanism": "UPR",
        "country": "United States of America",
        "session": 36,
        "cycle": 3,
    }
    # An HRC report may or may not be a UPR report: nothing certain beyond the symbol itself.
    assert metadata_from_symbol("A/HRC/46/15") == {
        "kind": None,
        "mechanism": None,
        "country": None,
        "session": None,
        "cycle": None,
    }


@pytest.mark.parametrize(
    ("session", "cycle"),
    [
        (1, 1),
        (12, 1),
        (13, 2),
        (26, 2),
        (27, 3),
        (36, 3),
        (40, 3),
        (41, 4),
        (50, 4),
        (54, 4),
        (0, None),
        (55, None),
    ],
)
def test_upr_cycle_for_session(session: int, cycle: int | None) -> None:
    assert upr_cycle_for_session(session) == cycle


def test_country_list_holds_193_members_and_two_observers() -> None:
    assert len(COUNTRIES) == 195
    assert len(BY_ISO3) == 195
    assert {"Holy See", "State of Palestine", "South Sudan", "Slovenia"} <= set(COUNTRIES)
    assert BY_ISO3["USA"] == "United States of America"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Bolivarian Republic of Venezuela", "Venezuela (Bolivarian Republic of)"),
        ("Venezuela", "Venezuela (Bolivarian Republic of)"),
        ("Macedonia", "North Macedonia"),
        ("The former Yugoslav Republic of Macedonia", "North Macedonia"),
        ("Cote d'Ivoire", "Côte d'Ivoire"),
        ("Côte d’Ivoire", "Côte d'Ivoire"),
        ("Democratic People ’ s Republic of Korea", "Democratic People's Republic of Korea"),
        ("DPR Korea", "Democratic People's Republic of Korea"),
        ("Republic of Korea *", "Republic of Korea"),
        ("Libyan Arab Jamahiriya", "Libya"),
        ("St Kitts & Nevis", "Saint Kitts and Nevis"),
        ("São Tomé and Príncipe", "Sao Tome and Principe"),
        ("Czech Republic", "Czechia"),
        ("Turkey", "Türkiye"),
        ("United States", "United States of America"),
        ("Kosovo", None),
        ("ACT Group", None),
        ("", None),
    ],
)
def test_normalise_country(name: str, canonical: str | None) -> None:
    assert normalise_country(name) == canonical


def test_country_from_code_and_slug() -> None:
    assert country_from_code("SVN") == "Slovenia"
    assert country_from_code("BRN") == "Brunei Darussalam"
    assert country_from_code("BHS") == "Bahamas"
    assert country_from_code("ROM") == "Romania"  # pre-ISO code still seen in old UN symbols
    assert country_from_code("XYZ") is None
    assert country_from_slug("unitedstatesofamerica") == "United States of America"
    assert country_from_slug("bosniaandherzegovina") == "Bosnia and Herzegovina"
    assert country_from_slug("democraticpeoplesrepublicofkorea") == "Democratic People's Republic of Korea"
    assert country_from_slug("guineabissau") == "Guinea-Bissau"
    assert country_from_slug("korea") is None  # ambiguous: North or South


@pytest.mark.parametrize(
    ("raw", "states"),
    [
        ("Portugal, Slovakia", ["Portugal", "Slovakia"]),
        ("Spain, Tunisia, Portugal", ["Spain", "Tunisia", "Portugal"]),
        ("Trinidad and Tobago and Bosnia and Herzegovina", ["Trinidad and Tobago", "Bosnia and Herzegovina"]),
        ("Czech Republic and Slovakia", ["Czechia", "Slovakia"]),
        ("ACT Group; Liechtenstein", ["ACT Group", "Liechtenstein"]),
        ("Iran, Islamic Republic of, Cuba", ["Iran (Islamic Republic of)", "Cuba"]),
        ("&#40;Unknown&#41;", []),
        ("", []),
    ],
)
def test_split_states(raw: str, states: list[str]) -> None:
    assert split_states(raw) == states


def test_detect_language_is_deterministic_and_refuses_short_text() -> None:
    english = "The Working Group recommends that the State ratify the Convention against Torture. " * 3
    french = "Le Groupe de travail recommande que l'État ratifie la Convention contre la torture. " * 3
    assert detect_language(english) == "en"
    assert detect_language(french) == "fr"
    assert {detect_language(english) for _ in range(5)} == {"en"}
    assert detect_language("Slovenia 2025") is None
    assert detect_language("") is None


@pytest.mark.parametrize(
    ("symbol", "url"),
    [
        ("A/HRC/46/15", "https://undocs.org/A/HRC/46/15"),
        ("A/HRC/WG.6/50/USA/3", "https://undocs.org/A/HRC/WG.6/50/USA/3"),
        ("A/HRC/59/15/Add.1", "https://undocs.org/A/HRC/59/15/Add.1"),
        ("E/C.12/AUS/CO/6", "https://undocs.org/E/C.12/AUS/CO/6"),
        ("CAT/C/GC/4", "https://undocs.org/CAT/C/GC/4"),
        (" A/HRC/16/11 ", "https://undocs.org/A/HRC/16/11"),
        ("UPRINFO-000001", None),  # a database row id, not a UN symbol
        ("A/HRC", None),
        ("", None),
        (None, None),
    ],
)
def test_undocs_url(symbol: str | None, url: str | None) -> None:
    assert undocs_url(symbol) == url


@pytest.mark.shared
def test_records_link_to_the_un_original(shared_corpus: Path) -> None:
    from corpus.loader import load_document
    from hrsearch.settings import Settings
    from indexer.fields import EXPORTED, SHOWN
    from indexer.records import passage_record
    from indexer.segmentation import segment

    assert "source_url" in SHOWN and "source_url" in EXPORTED
    for name, url in (
        ("recommendations/us_upr_cycle3_recommendations.csv", "https://undocs.org/A/HRC/46/15"),
        ("pdf/UPR_WG_report_USA_2011_A-HRC-16-11.pdf", "https://undocs.org/A/HRC/16/11"),
        ("recommendations/upr_info_sessions01-19_voluntary_pledges.csv", None),  # no symbol known
    ):
        doc = load_document(shared_corpus / name, Settings())
        first = passage_record(segment(doc, Settings())[0], doc, name)
        assert first["source_url"] == url, name
