"""The real documents the throughput benchmarks index, and their passages.

``small`` (the default of ``make bench``) mixes the formats and kinds of ../shared/corpus: the
US recommendations table (CSV), a UPR Working Group report as PDF, a treaty-body JSONL, a general
comment, a stakeholder submission and the two letters, about 930 passages. ``medium`` adds Working
Group reports as text, a DOCX thematic list and UN compilations (about 2,300 passages); ``large``
adds 25 more Working Group reports (about 9,000 passages).
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

SMALL = (
    "recommendations/us_upr_cycle3_recommendations.csv",
    "letters/000_12e2e18f93ed9b55.txt",
    "letters/001_e83354df6d6c8eba.txt",
    "pdf/UPR_WG_report_USA_2011_A-HRC-16-11.pdf",
    "treaty_observations/general_comments/CEDAW_C_GC_35.txt",
    "treaty_observations/uhri_sample_CESCR_Australia_E-C.12-AUS-CO-6.jsonl",
    "submissions/A_HRC_WG.6_50_USA_3.txt",
    "outcome_reports/slovenia/A_HRC_59_15_Add.1__cycle4__g2505828.txt",
)
MEDIUM = (
    "outcome_reports/upr_wg_reports_2008_2014/unitedstatesofamerica2011.txt",
    "outcome_reports/upr_wg_reports_2008_2014/china2009.txt",
    "outcome_reports/slovenia/A_HRC_59_15__cycle4__g2502644.txt",
    "recommendations/slovenia/UPR34_Slovenia_Thematic_list_of_Recommendations.docx",
    "upr_documents/A_HRC_WG.6_50_USA_2.txt",
    "upr_documents/slovenia/A_HRC_WG.6_48_SVN_2__cycle4__g2419943.txt",
)
LARGE_EXTRA_REPORTS = 25
SIZES = ("small", "medium", "large")


def sample_files(corpus: Path, size: str = "small") -> list[Path]:
    """The sample's files (all must exist: a benchmark on a silently smaller sample misleads)."""
    files = [corpus / f for f in SMALL]
    if size in ("medium", "large"):
        files += [corpus / f for f in MEDIUM]
    if size == "large":
        reports = sorted((corpus / "outcome_reports" / "upr_wg_reports_2008_2014").glob("*.txt"))
        files += [r for r in reports if r not in files][:LARGE_EXTRA_REPORTS]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"benchmark sample files missing: {', '.join(missing)}")
    return files


def sample_passages(files: list[Path]) -> list[str]:
    """The texts the pipeline embeds for ``files``: the library's own reading and segmentation."""
    from corpus.loader import load_document
    from hrsearch.settings import Settings
    from indexer.segmentation import segment

    settings = Settings()
    texts: list[str] = []
    for f in files:
        texts += [p.text for p in segment(load_document(f, settings), settings)]
    return texts
