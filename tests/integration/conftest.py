"""A small real index shared by the MCP and notebook tests: the United States' third-cycle
recommendations, the two letters, and the UPR Info recommendations that speak of the death
penalty (real rows, with responses and action categories)."""

from __future__ import annotations

import csv
import shutil

import pytest

from hrsearch.settings import Settings
from indexer.pipeline import run_index

DEATH_PENALTY_ROWS = 300


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:  # type: ignore[no-untyped-def]
    from tests.conftest import SHARED_CORPUS

    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent; tests on a real small index skipped")
    docs = tmp_path_factory.mktemp("small-docs")
    (docs / "letters").mkdir()
    for f in (SHARED_CORPUS / "letters").glob("*.txt"):
        shutil.copy(f, docs / "letters" / f.name)
    shutil.copy(SHARED_CORPUS / "recommendations" / "us_upr_cycle3_recommendations.csv", docs)
    source = SHARED_CORPUS / "recommendations" / "upr_info_sessions01-20_recommendations.csv"
    with (
        source.open(encoding="utf-8", newline="") as f,
        (docs / "uprinfo_death_penalty.csv").open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        n = 0
        for row in reader:
            if "death penalty" in row["recommendation"].lower():
                writer.writerow(row)
                n += 1
                if n == DEATH_PENALTY_ROWS:
                    break
    settings = Settings(index_dir=tmp_path_factory.mktemp("small-index"))
    assert not run_index([docs], settings, lambda: embedder).files_failed
    return settings
