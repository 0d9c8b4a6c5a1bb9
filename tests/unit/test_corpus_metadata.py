"""Metadata inferred from real UN documents and letters, exact values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from corpus.loader import load_document
from hrsearch.settings import Settings

pytestmark = pytest.mark.shared


def meta_of(shared_corpus: Path, settings: Settings, rel: str) -> dict[str, Any]:
    return load_document(shared_corpus / rel, settings).meta.to_dict()


def subset(meta: dict[str, Any], keys: str) -> tuple[Any, ...]:
    return tuple(meta[k] for k in keys.split())


KEYS = "symbol kind country mechanism session cycle year language"


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (
            # No own symbol on the extracted first page: the draft symbol stands in.
            "outcome_reports/upr_wg_reports_2008_2014/unitedstatesofamerica2011.txt",
            ("A/HRC/WG.6/9/L.9", "outcome_report", "United States of America", "UPR", 9, 1, 2011, "en"),
        ),
        (
            "submissions/A_HRC_WG.6_50_USA_3.txt",
            (
                "A/HRC/WG.6/50/USA/3",
                "stakeholder_summary",
                "United States of America",
                "UPR",
                50,
                4,
                2025,
                "en",
            ),
        ),
        (
            "upr_documents/A_HRC_WG.6_50_USA_2.txt",
            ("A/HRC/WG.6/50/USA/2", "compilation", "United States of America", "UPR", 50, 4, 2025, "en"),
        ),
        (
            "outcome_reports/upr_wg_reports_2008_2014/bosniaandherzegovina2014.txt",
            ("A/HRC/28/17", "outcome_report", "Bosnia and Herzegovina", "UPR", 20, 2, 2014, "en"),
        ),
        (
            "outcome_reports/upr_wg_reports_2008_2014/democraticpeoplesrepublicofkorea2010.txt",
            (
                "A/HRC/13/13",
                "outcome_report",
                "Democratic People's Republic of Korea",
                "UPR",
                6,
                1,
                2010,
                "en",
            ),
        ),
        (
            # "korea" alone is ambiguous; the title page says "Republic of Korea".
            "outcome_reports/upr_wg_reports_2008_2014/korea2008.txt",
            ("A/HRC/8/40", "outcome_report", "Republic of Korea", "UPR", 2, 1, 2008, "en"),
        ),
        (
            "outcome_reports/slovenia/A_HRC_59_15__cycle4__g2502644.txt",
            ("A/HRC/59/15", "outcome_report", "Slovenia", "UPR", None, 4, 2025, "en"),
        ),
        (
            "outcome_reports/slovenia/A_HRC_43_15_Add.1__cycle3__g2004192.txt",
            ("A/HRC/43/15/Add.1", "outcome_addendum", "Slovenia", "UPR", None, 3, 2020, "en"),
        ),
        (
            "outcome_reports/slovenia/A_HRC_DEC_14_105__cycle1__g1014611.txt",
            ("A/HRC/DEC/14/105", "other", "Slovenia", "UPR", None, 1, 2010, "en"),
        ),
        (
            "upr_documents/slovenia/A_HRC_WG.6_20_SVN_1__cycle2__g1413493.txt",
            ("A/HRC/WG.6/20/SVN/1", "national_report", "Slovenia", "UPR", 20, 2, 2014, "en"),
        ),
        (
            # The text is the corrigendum, more precise than the file name's A/HRC/WG.6/7/SVN/2.
            "upr_documents/slovenia/A_HRC_WG.6_7_SVN_2__cycle1__g0917825.txt",
            ("A/HRC/WG.6/7/SVN/2/Corr.1", "compilation", "Slovenia", "UPR", 7, 1, 2009, "en"),
        ),
        (
            "submissions/slovenia/A_HRC_WG.6_48_SVN_3__cycle4__g2420410.txt",
            ("A/HRC/WG.6/48/SVN/3", "stakeholder_summary", "Slovenia", "UPR", 48, 4, 2024, "en"),
        ),
        (
            "submissions/worldwidelaw_upr_sample/A_HRC_WG.6_33_BRN_3__stakeholder_summary.txt",
            ("A/HRC/WG.6/33/BRN/3", "stakeholder_summary", "Brunei Darussalam", "UPR", 33, 3, 2019, "en"),
        ),
        (
            "upr_documents/worldwidelaw_upr_sample/A_HRC_WG.6_29_BHS_1__national_report.txt",
            ("A/HRC/WG.6/29/BHS/1", "national_report", "Bahamas", "UPR", 29, 3, 2017, "en"),
        ),
        (
            "upr_documents/worldwidelaw_upr_sample/A_HRC_WG.6_32_AFG_2__un_compilation.txt",
            ("A/HRC/WG.6/32/AFG/2", "compilation", "Afghanistan", "UPR", 32, 3, 2018, "en"),
        ),
        (
            "treaty_observations/general_comments/CAT_C_GC_4.txt",
            ("CAT/C/GC/4", "general_comment", None, "CAT", None, None, 2018, "en"),
        ),
        (
            # No symbol in the text (it starts with the table of contents): the file name gives it.
            "treaty_observations/general_comments/CEDAW_C_GC_40.txt",
            ("CEDAW/C/GC/40", "general_comment", None, "CEDAW", None, None, None, "en"),
        ),
        (
            "treaty_observations/general_comments/CRPD_C_GC_8.txt",
            ("CRPD/C/GC/8", "general_comment", None, "CRPD", None, None, 2022, "en"),
        ),
        (
            "letters/000_12e2e18f93ed9b55.txt",
            (None, "letter", "United States of America", "UPR", None, 3, 2021, "en"),
        ),
        (
            "letters/001_e83354df6d6c8eba.txt",
            (None, "letter", None, "UPR", None, 2, 2016, "en"),
        ),
        (
            # OCR of a scanned letter from the High Commissioner: a salutation, no UN header.
            "upr_documents/slovenia/cycle4__session48-hc-letter-republic-slovenia-eng.txt",
            (None, "letter", "Slovenia", "UPR", 48, 4, None, "en"),
        ),
        (
            "upr_documents/slovenia/cycle3__Advance_questions_to_Slovenia_Add1.txt",
            (None, "other", "Slovenia", "UPR", None, 3, None, "en"),
        ),
    ],
)
def test_inferred_metadata(
    shared_corpus: Path, settings: Settings, rel: str, expected: tuple[Any, ...]
) -> None:
    assert subset(meta_of(shared_corpus, settings, rel), KEYS) == expected


def test_titles(shared_corpus: Path, settings: Settings) -> None:
    assert meta_of(shared_corpus, settings, "submissions/A_HRC_WG.6_50_USA_3.txt")["title"] == (
        "Summary of stakeholders' submissions on the United States of America"
    )
    gc4 = meta_of(shared_corpus, settings, "treaty_observations/general_comments/CAT_C_GC_4.txt")
    assert gc4["title"] == (
        "General comment No. 4 (2017) on the implementation of article 3 of the Convention in the context of article 22"
    )


def test_draft_symbol_is_kept_next_to_the_own_symbol(shared_corpus: Path, settings: Settings) -> None:
    meta = meta_of(shared_corpus, settings, "outcome_reports/slovenia/A_HRC_14_15__cycle1__g1012049.txt")
    assert (meta["symbol"], meta["extra"]) == ("A/HRC/14/15", {"draft_symbol": "A/HRC/WG.6/7/L.14"})
    assert (meta["session"], meta["cycle"]) == (7, 1)


def _sources_table(shared_corpus: Path) -> dict[str, tuple[str | None, str | None]]:
    """File -> (symbol found, draft symbol) from the table of WG reports in SOURCES.md."""
    table: dict[str, tuple[str | None, str | None]] = {}
    for line in (shared_corpus / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (\S+\.txt) \| \S+ \| \d{4} \| (\S*) \| (\S*) \|", line)
        if m:
            table[m.group(1)] = (m.group(2) or None, m.group(3) or None)
    return table


# The text's issue date differs from the year in the file name: guinea2014.txt is byte-identical to
# guinea2010.txt (the 2010 report, see SOURCES.md); syria2011 and timorleste2011 are dated January 2012.
YEAR_DIFFERS = {"guinea2014.txt": 2010, "syria2011.txt": 2012, "timorleste2011.txt": 2012}


def test_all_262_wg_reports(shared_corpus: Path, settings: Settings) -> None:
    """Every 2008-2014 WG report: kind, country, year and session found; symbols as listed in SOURCES.md."""
    folder = shared_corpus / "outcome_reports/upr_wg_reports_2008_2014"
    table = _sources_table(shared_corpus)
    assert len(table) == 262
    wrong: list[str] = []
    for name, (listed_symbol, listed_draft) in sorted(table.items()):
        meta = load_document(folder / name, settings).meta
        # SOURCES.md lists the own symbol where the first page has one, else only L. drafts.
        if meta.symbol != (listed_symbol or listed_draft or meta.symbol):
            wrong.append(f"{name}: symbol {meta.symbol}, listed {listed_symbol or listed_draft}")
        if meta.kind != "outcome_report" or meta.mechanism != "UPR" or meta.country is None:
            wrong.append(f"{name}: {meta.kind} {meta.mechanism} {meta.country}")
        if meta.cycle is None or (meta.session is None and name != "samoa2011.txt"):
            wrong.append(f"{name}: session {meta.session} cycle {meta.cycle}")
        file_year = int(name[-8:-4])
        if meta.year != YEAR_DIFFERS.get(name, file_year):
            wrong.append(f"{name}: year {meta.year}")
    assert wrong == []
