"""The precedent finder: the adopted wordings that say the same thing as a draft, strongest first.

An advocate pastes an ask or a draft recommendation; the linker (``search_api.retrieval.Linker``)
ranks the recommendations of every country and cycle by meaning. Those that say the same thing
(similarity at least ``verdict_taken_up``, 91% pair precision, ``search_api.verdicts``) are listed
strongest first: supported before supported/noted before noted before no response recorded, then
by the strength of the wording (a field ``strength`` where the record has it, else UPR Info's
action category, 5 "specific action" before 3 "considering action": "Ratify the CRC" before
"Consider ratifying the CRC"; unknown last), then by similarity. Those only partly the same
(``verdict_partly``) follow, by similarity, as "worth a look"; when nothing reaches either, the
closest few are shown as such. No FastAPI here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hrsearch.settings import Settings
from search_api.filters import Filters
from search_api.retrieval import Hit, Linker, LinkResult
from search_api.service import hit_dict
from search_api.verdicts import Thresholds, similarity_words

POOL = 100  # recommendations ranked per search (the page shows those that say the same thing)
CLOSEST = 3  # shown when none says the same thing, nor partly
RESPONSE_ORDER = {"supported": 0, "supported_noted": 1, "noted": 2}


@dataclass
class PrecedentResult:
    text: str
    same: list[dict[str, Any]] = field(default_factory=list)  # says the same thing, strongest first
    partly: list[dict[str, Any]] = field(default_factory=list)  # partly the same, closest first
    closest: list[dict[str, Any]] = field(default_factory=list)  # when both are empty
    took_ms: float = 0.0
    capped: bool = False  # every recommendation looked at says the same: there may be more


def strength(metadata: dict[str, Any]) -> int | None:
    """How strong a recommendation's wording is (1 minimal ... 5 specific action): the record's
    ``strength`` when it has one, else UPR Info's ``action_category``; None when unknown."""
    for key in ("strength", "action_category"):
        value = metadata.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def _strongest(metadata: dict[str, Any], similarity: float) -> tuple[int, int, float]:
    return (RESPONSE_ORDER.get(metadata.get("response") or "", 3), -(strength(metadata) or 0), -similarity)


def strongest_first(h: dict[str, Any]) -> tuple[int, int, float]:
    """Sort key: supported first, then the strongest wording, then the closest in meaning."""
    return _strongest(h["metadata"], h["link"]["similarity"])


def strongest(
    linker: Linker, text: str, *, k: int, filters: Filters, settings: Settings, supported_only: bool = True
) -> LinkResult:
    """The page's order as one ranked list, for the MCP tool and the notebook API: those that say
    the same thing strongest first, then the rest closest first (the partly similar lead them),
    cut to ``k``; by default among the recommendations the State supported."""
    if supported_only:
        filters = replace(filters, values={**filters.values, "response": ["supported"]})
    res = linker.link(text, k=max(POOL, k), filters=filters, target="recommendation")
    t = Thresholds.of(settings)

    def sim(h: Hit) -> float:
        return float((h.link or {}).get("similarity", 0.0))

    same = sorted((h for h in res.hits if sim(h) >= t.taken_up), key=lambda h: _strongest(h.metadata, sim(h)))
    rest = sorted((h for h in res.hits if sim(h) < t.taken_up), key=lambda h: -sim(h))
    res.hits = (same + rest)[:k]
    return res


def find(linker: Linker, text: str, filters: Filters, settings: Settings) -> PrecedentResult:
    """The precedents of ``text`` among the recommendations that pass ``filters``."""
    res = linker.link(text, k=POOL, filters=filters, target="recommendation")
    t = Thresholds.of(settings)
    hits = []
    for h in res.hits:
        d = hit_dict(h) | {"link": h.link or {}}
        sim = float(d["link"].get("similarity", 0.0))
        d["similarity"] = sim
        d["words"] = similarity_words(sim, t)
        d["strength"] = strength(d["metadata"])
        hits.append(d)
    by_similarity = sorted(hits, key=lambda d: -d["similarity"])
    out = PrecedentResult(text=text, took_ms=res.took_ms)
    out.same = sorted((d for d in hits if d["similarity"] >= t.taken_up), key=strongest_first)
    out.partly = [d for d in by_similarity if t.partly <= d["similarity"] < t.taken_up]
    out.capped = len(out.same) >= POOL
    if not out.same and not out.partly:
        out.closest = by_similarity[:CLOSEST]
    return out
