"""The verdict rule: what a similarity between an ask and a recommendation means, in words.

One rule for linking (each hit's ``match``), alignment reports (each ask's verdict) and the
evaluation (verdict accuracy and band precision). The thresholds are properties of the model
(``Settings.verdict_taken_up``, ``verdict_partly``, ``link_same_threshold``; per-model defaults
in ``hrsearch.settings.MODEL_THRESHOLDS``), calibrated in docs/LINKING.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from hrsearch.settings import Settings

VERDICTS = ("taken up", "partly", "not taken up")


@dataclass(frozen=True)
class Thresholds:
    taken_up: float
    partly: float
    same: float = 1.01  # above any similarity unless set

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        return cls(settings.verdict_taken_up, settings.verdict_partly, settings.link_same_threshold)


def verdict(similarity: float, t: Thresholds) -> str:
    """``taken up`` / ``partly`` / ``not taken up`` for an ask's best similarity."""
    if similarity >= t.taken_up:
        return "taken up"
    if similarity >= t.partly:
        return "partly"
    return "not taken up"


def match_label(similarity: float, settings: Settings) -> str:
    """How close a pair is, in words: ``same`` wording, ``takes up``, ``partly``, or ``weak``."""
    t = Thresholds.of(settings)
    if similarity >= t.same:
        return "same"
    return {"taken up": "takes up", "partly": "partly", "not taken up": "weak"}[verdict(similarity, t)]


# What a similarity means, in the words the pages show (the figure itself goes on hover). The
# bands are the calibrated thresholds above; on ``seed_asks_us_upr3`` (docs/LINKING.md, Verdict
# calibration: 4,511 ask-recommendation pairs) a pair at or above ``taken_up`` (0.60) is judged
# relevant 91% of the time, one in the ``partly`` band (0.45-0.60) 21%, one below it 0.8%.
SIMILARITY_WORDS = {
    "taken up": "says the same thing",
    "partly": "partly the same: worth a look",
    "not taken up": "different",
}


def similarity_words(similarity: float, t: Thresholds) -> str:
    """A similarity in plain words: ``says the same thing``, ``partly the same: worth a look``
    or ``different`` (the English message; pages translate it)."""
    return SIMILARITY_WORDS[verdict(similarity, t)]
