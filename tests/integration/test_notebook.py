"""The notebook API on a real small index: records that pandas takes as they are, meaning kept."""

from __future__ import annotations

import pandas as pd
import pytest

from hrsearch.errors import QueryError
from hrsearch.settings import Settings
from search_api.notebook import NotebookIndex, open_index
from tests.server_mode import store_env

pytestmark = [pytest.mark.model]
US = "United States of America"


@pytest.fixture(scope="module")
def ix(small_index: Settings, embedder) -> NotebookIndex:  # type: ignore[no-untyped-def]
    return NotebookIndex(small_index, embedder)


def test_search_records_make_a_dataframe(ix: NotebookIndex) -> None:
    hits = ix.search("abolish the death penalty", k=8, country=US, kind="recommendation")
    df = pd.DataFrame(hits)
    assert len(df) == 8 and list(df["rank"]) == list(range(1, 9))
    assert {"id", "citation", "text", "recommending_state", "response", "cycle", "score"} <= set(df.columns)
    assert df["text"].str.lower().str.contains("death penalty|capital punishment").all()
    assert df["citation"].str.startswith("A/HRC/46/15, para. 26.").all()
    assert set(df["response"]) <= {"supported", "noted", "supported_noted"}
    assert (df["cycle"] == 3).all()


def test_link_and_precedent(ix: NotebookIndex) -> None:
    linked = pd.DataFrame(ix.link("end capital punishment", k=5))
    assert (linked["kind"] == "recommendation").all() and linked["similarity"].between(0, 1).all()
    prec = ix.precedent("abolish the death penalty", k=6)
    assert prec and all(r["response"] == "supported" for r in prec)
    back = ix.link_passage(prec[0]["id"], k=3, target="recommendation")
    assert prec[0]["id"] not in {r["id"] for r in back}


def test_align_rows_per_ask_and_match(ix: NotebookIndex) -> None:
    rows = ix.align(US, 3, asks=["lift sanctions against the International Criminal Court"])
    df = pd.DataFrame(rows)
    assert (df["verdict"] == "taken up").all()
    assert df.iloc[0]["rec_citation"].startswith("A/HRC/46/15, para. 26.")
    assert "International Criminal Court" in df.iloc[0]["rec_text"]


def test_passage_in_context(ix: NotebookIndex) -> None:
    pid = ix.search("International Criminal Court sanctions", k=1, country=US)[0]["id"]
    ctx = ix.passage(pid, neighbours=1)
    assert [r["current"] for r in ctx].count(True) == 1 and 2 <= len(ctx) <= 3


def test_limits_and_filters_are_the_apis(ix: NotebookIndex) -> None:
    with pytest.raises(QueryError) as e:
        ix.search("death penalty", k=10_000)
    assert e.value.field == "k"
    with pytest.raises(QueryError) as e:
        ix.search("death penalty", colour="red")
    assert e.value.field == "colour"


def test_open_index_by_path(small_index: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in store_env(small_index).items():  # open_index reads the store from the environment
        monkeypatch.setenv(k, v)
    with open_index(small_index.index_dir) as opened:
        assert opened.search("death penalty", k=1)[0]["citation"]
