"""A recommendation found in two sources (a Working Group report and the UPR Info table) is shown
as one recommendation "also in" the other source, not as the same text "also made by" its own
recommending State; the same wording made again in another review stays "also made by"."""

from __future__ import annotations

from search_api.i18n import translator
from search_api.pages import templates
from search_api.retrieval.hits import also_made_by, same_recommendation

REPORT = {
    "kind": "recommendation",
    "title": "Report of the Working Group on the Universal Periodic Review",
    "rec_id": "127.24",
    "recommending_state": "Uzbekistan",
    "country": "Portugal",
    "session": 19,
    "cycle": 2,
    "year": 2014,
}
ROW = {
    "kind": "recommendation",
    "rec_id": "UPRINFO-039650",
    "recommending_state": "Uzbekistan",
    "country": "Portugal",
    "session": 19,
    "response": "supported",
    "file": "/c/upr_info.csv",
}


def test_one_recommendation_in_two_sources() -> None:
    assert same_recommendation(REPORT, ROW)
    copy = also_made_by("row:1", ROW, REPORT)
    assert copy["same_recommendation"] and copy["response"] == "supported"
    assert (
        copy["citation"]
        == "upr_info.csv, recommendation UPRINFO-039650 by Uzbekistan to Portugal, UPR session 19"
    )


def test_the_same_wording_in_another_review_or_by_another_state_is_not_the_same_recommendation() -> None:
    assert not same_recommendation(REPORT, {**ROW, "session": 33})
    assert not same_recommendation(REPORT, {**ROW, "recommending_state": "Togo"})
    assert not same_recommendation(REPORT, {**ROW, "country": "Spain"})
    # nothing to tell the reviews apart: not claimed to be one recommendation
    assert not same_recommendation({**REPORT, "session": None, "cycle": None, "year": None}, ROW)
    assert not also_made_by("row:1", ROW)["same_recommendation"]  # no lead given


def _card(copies: list[dict[str, object]], lang: str = "en") -> str:
    hit = {
        "id": "r:1",
        "kind": "recommendation",
        "citation": "Report of the Working Group on the Universal Periodic Review: Portugal, 2014, para. 127.24 (Uzbekistan)",
        "metadata": {"recommending_state": "Uzbekistan", "country": "Portugal", "year": 2014},
        "text": "Investigate all allegations of illegal use of force",
        "highlight": "Investigate all allegations of illegal use of force",
        "highlight_sentence": "Investigate all allegations of illegal use of force",
        "also_made_by": copies,
    }
    return templates.env.get_template("_hit.html").render(h=hit, _=translator(lang), action_categories={})


def test_the_card_says_also_in_with_the_response_and_keeps_also_made_by_for_other_states() -> None:
    same = also_made_by("row:1", ROW, REPORT)
    other = also_made_by("row:2", {**ROW, "recommending_state": "Togo", "rec_id": "UPRINFO-2"}, REPORT)
    html = _card([same, other])
    assert "Also in:" in html and "UPRINFO-039650" in html and "(supported)" in html
    assert "Same text also made by:" in html and "Togo" in html
    alone = _card([same])
    assert "Same text also made by:" not in alone and "Also in:" in alone
    assert "También en:" in _card([same], "es")
    assert "Também em:" in _card([same], "pt")
