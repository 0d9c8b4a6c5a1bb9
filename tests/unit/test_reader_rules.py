"""The rules that decide what a reader is shown, as pure functions: the relevance floor, the
precedent finder's order, what the State under review did, similarities in words."""

from __future__ import annotations

from search_api.alignment import Match, response_of_state
from search_api.precedents import strength, strongest_first
from search_api.retrieval.floor import above_floor
from search_api.verdicts import Thresholds, similarity_words


def test_the_floor_keeps_the_fused_order_then_adds_what_lies_beyond_by_meaning() -> None:
    ranked = [("a", 0.9, 0), ("b", 0.8, 1), ("c", 0.7, 2)]
    dense = [("b", 0.70), ("a", 0.40), ("c", 0.50)]
    beyond = [("e", 0.46), ("d", 0.60), ("f", 0.10)]
    cut = above_floor(ranked, dense, 0.45, 3, beyond=beyond, positions={"d": 3, "e": 4, "f": 5})
    assert [c[0] for c in cut.kept] == ["b", "c", "d", "e"] and not cut.weak
    assert cut.kept[2] == ("d", 0.0, 3)  # past the pool: no fused score


def test_nothing_above_the_floor_gives_the_closest_few_marked_weak() -> None:
    ranked = [("a", 0.9, 0), ("b", 0.8, 1), ("c", 0.7, 2), ("d", 0.6, 3)]
    cut = above_floor(ranked, [("a", 0.3), ("b", 0.2), ("c", 0.1), ("d", 0.1)], 0.45, 3)
    assert cut.weak and [c[0] for c in cut.kept] == ["a", "b", "c"]


def test_the_floor_says_when_the_search_stopped_before_it() -> None:
    ranked = [("a", 0.9, 0)]
    deep = above_floor(ranked, [("a", 0.9)], 0.45, 3, beyond=[("b", 0.8)], positions={"b": 1}, looked_at=2)
    assert deep.more
    shallow = above_floor(ranked, [("a", 0.9)], 0.45, 3, beyond=[("b", 0.3)], positions={"b": 1}, looked_at=2)
    assert not shallow.more


def _hit(text: str, response: str | None, category: int | None, similarity: float) -> dict[str, object]:
    meta: dict[str, object] = {"response": response}
    if category is not None:
        meta["action_category"] = category
    return {"text": text, "metadata": meta, "link": {"similarity": similarity}}


def test_precedents_supported_first_then_the_strongest_wording_then_the_closest() -> None:
    hits = [
        _hit("Consider ratifying the CRC", "supported", 3, 0.97),
        _hit("Ratify the CRC (noted)", "noted", 5, 0.99),
        _hit("Ratify the CRC", "supported", 5, 0.95),
        _hit("Ratify the CRC, unknown strength", "supported", None, 0.99),
        _hit("Ratify the CRC promptly", "supported", 5, 0.96),
        _hit("Ratify the CRC, no response", None, 5, 0.99),
    ]
    order = [h["text"] for h in sorted(hits, key=strongest_first)]
    assert order == [
        "Ratify the CRC promptly",
        "Ratify the CRC",
        "Consider ratifying the CRC",
        "Ratify the CRC, unknown strength",
        "Ratify the CRC (noted)",
        "Ratify the CRC, no response",
    ]


def test_strength_is_the_records_own_field_where_it_has_one() -> None:
    assert strength({"strength": 4, "action_category": 5}) == 4
    assert strength({"action_category": 3}) == 3
    assert strength({}) is None


def _match(response: str | None) -> Match:
    return Match("p", "1", "t", "X", response, 3, 36, "c", 0.7, 1.0, "takes up")


def test_what_the_state_under_review_did() -> None:
    assert response_of_state([_match("noted")]) == "noted"
    assert response_of_state([_match("supported"), _match("noted")]) == "supported and noted"
    assert response_of_state([_match("supported_noted")]) == "supported and noted"
    assert response_of_state([_match(None)]) == "no response yet"
    assert response_of_state([]) is None


def test_similarities_in_words() -> None:
    t = Thresholds(0.6, 0.45)
    assert similarity_words(0.97, t) == "says the same thing"
    assert similarity_words(0.5, t) == "partly the same: worth a look"
    assert similarity_words(0.2, t) == "different"
