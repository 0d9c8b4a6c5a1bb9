"""Stage 5: adjustments after fusion.

Search: the **country boost** (passages of a State the query names, under review or
recommending, gain a fixed amount: score fusion only, where a fixed amount means the same on every
query) and the **lead-in penalty** (a short passage that only introduces a list).
Linking: **theme feedback**, the themes of the best few candidates (labels from the data, or the
tagger's) form a distribution, and candidates that share a strong theme are raised. It turns
"ensure economic and social rights" into the housing, work and poverty recommendations that
share those themes (docs/LINKING.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.snapshot import Ranked, Snapshot
from search_api.filters import Filters
from search_api.retrieval.params import RankingParams

LEAD_IN_MAX_CHARS = 300


def introduces_list(text: str) -> bool:
    """Whether a passage only introduces the list that follows it.

    "The recommendations below did not enjoy the support of Tanzania:", "In the course of the
    discussion, the following recommendations were made to the United States of America:": a
    short paragraph ending with a colon. It names the country and the words of the question
    ("recommendations", "support"), so both arms rank it high, and it answers nothing: its
    content is the list, which is segmented into passages of its own. 1,217 of the whole
    corpus's 109,995 passages."""
    t = text.rstrip()
    return len(t) < LEAD_IN_MAX_CHARS and t.endswith(":")


def boost_and_penalise(
    fused: Ranked, scope: Filters | None, snapshot: Snapshot, params: RankingParams
) -> Ranked:
    """The fused ranking with the country boost (when ``scope`` names States) and the lead-in
    penalty, in one pass; best first."""
    boost = params.country_boost if scope is not None else 0.0
    of_named = (
        snapshot.filters.of_values(("country", "recommending_state"), scope.values["country"])
        if scope is not None and boost > 0
        else None
    )
    penalty = params.lead_in_penalty
    if of_named is None and penalty <= 0:
        return fused
    pos = snapshot.position

    def adjusted(pid: str, score: float) -> float:
        p = pos.get(pid)
        if p is None:
            return score
        if of_named is not None and of_named[p]:
            score += boost
        if penalty > 0 and introduces_list(snapshot.texts[p]):
            score -= penalty
        return score

    return sorted(((pid, adjusted(pid, s)) for pid, s in fused), key=lambda x: (-x[1], x[0]))


def feedback_themes(record: Mapping[str, Any]) -> list[str]:
    """The themes a passage votes with: the data's own labels when it has any (exact, and in one
    taxonomy per source), else the tagger's (``tags`` with source ``model``), else ``themes``."""
    if record.get("labels"):
        return list(record["labels"])
    tags = record.get("tags") or []
    modelled = [t["theme"] for t in tags if t.get("source") == "model"]
    return modelled or list(record.get("themes") or [])


def theme_boost(
    cos: np.ndarray, base: np.ndarray, themes: Sequence[Sequence[str]], top: int, temperature: float
) -> np.ndarray:
    """For each candidate, the weight of its strongest theme among the best ``top`` candidates.

    The best candidates (by ``base``) vote for their themes with softmax(temperature * cos)
    weights; a candidate's boost is the largest vote any of its themes received (0..1).
    """
    if top <= 0 or len(base) == 0:
        return np.zeros(len(base))
    best = np.argsort(-base, kind="stable")[:top]
    w = np.exp(temperature * (cos[best] - cos[best].max()))
    w /= w.sum()
    votes: dict[str, float] = {}
    for i, wi in zip(best, w, strict=True):
        for th in themes[i]:
            votes[th] = votes.get(th, 0.0) + float(wi)
    return _voted(themes, votes)


def ask_theme_votes(text: str, vector: np.ndarray) -> dict[str, float] | None:
    """The ask's own themes as the theme tagger reads it (its probability per label), from the
    query's vector and English text; None where the tagger cannot read it (no model, or an index
    of another model than the one it was trained on)."""
    from indexer.tagger import TaggerUnavailableError, load_tagger

    try:
        tagger = load_tagger()
        probs = tagger.proba(np.asarray(vector, dtype=np.float32)[None, :], [text])[0]
    except TaggerUnavailableError:
        return None
    return {label: float(p) for label, p in zip(tagger.labels, probs, strict=True)}


def _voted(themes: Sequence[Sequence[str]], votes: Mapping[str, float]) -> np.ndarray:
    """Each candidate's strongest theme's vote. A candidate with no theme at all (no label, no
    tag) is unknown, not off-theme: it gets the average boost of the candidates that have themes,
    so labelled data does not crowd it out."""
    boost = np.array([max((votes.get(th, 0.0) for th in ts), default=0.0) for ts in themes], dtype=np.float64)
    has = np.array([bool(ts) for ts in themes])
    if has.any() and not has.all():
        boost[~has] = float(boost[has].mean())
    return boost


def top_themes(themes: Sequence[Sequence[str]], base: np.ndarray, top: int) -> set[str]:
    """The themes of the best ``top`` candidates by ``base``."""
    best = np.argsort(-base, kind="stable")[:top]
    return {th for i in best for th in themes[i]}


@dataclass(frozen=True)
class ThemeFeedback:
    """What theme feedback did to each candidate (the linker shows it)."""

    boost: dict[str, float]
    shared: dict[str, list[str]]  # a candidate's themes among the best candidates' themes


def uses_ask_votes(params: RankingParams, crosslingual: bool) -> bool:
    """Whether ``params.theme_source`` takes the ask's own theme votes for this ask ("ask-en":
    only an English one, not one read through a translation), so the tagger runs only then."""
    return params.theme_source in ("ask", "both") or (params.theme_source == "ask-en" and not crosslingual)


def theme_feedback(
    fused: Ranked,
    cosine: Mapping[str, float],
    snapshot: Snapshot,
    params: RankingParams,
    ask: Mapping[str, float] | None = None,
) -> tuple[Ranked, ThemeFeedback]:
    """``fused`` (in tie-break order) with ``theme_weight`` x the theme boost added, in the same
    order; ``cosine`` is each candidate's dense score (the votes' weights); ``ask``: the ask's own
    theme probabilities (``ask_theme_votes``), used as ``params.theme_source`` says."""
    ids = [pid for pid, _ in fused]
    base = np.array([s for _, s in fused], dtype=np.float64)
    floor = min(cosine.values(), default=0.0)
    cos = np.array([cosine.get(pid, floor) for pid in ids], dtype=np.float64)
    themes = [feedback_themes(snapshot.records[snapshot.position[pid]]) for pid in ids]
    boost = theme_boost(cos, base, themes, params.theme_top, params.theme_temperature)
    if ask is not None and params.theme_source != "top":
        own = _voted(themes, ask)
        boost = (boost + own) / 2.0 if params.theme_source == "both" else own
    final = base + params.theme_weight * boost
    best = top_themes(themes, base, params.theme_top)
    feedback = ThemeFeedback(
        boost={pid: float(b) for pid, b in zip(ids, boost, strict=True)},
        shared={pid: sorted(set(ts) & best) for pid, ts in zip(ids, themes, strict=True)},
    )
    return [(pid, float(f)) for pid, f in zip(ids, final, strict=True)], feedback
