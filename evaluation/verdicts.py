"""Verdicts you can trust: taken up / partly / not taken up, calibrated on some sets, scored on others.

A linking set graded on the blind pool says, per ask, whether its review took it up: some
recommendation graded 2 (it asks the State for what the ask demands) means **taken up**, a best
grade of 1 (the same issue, a weaker or partial action) **partly**, nothing **not taken up**.
The system's verdict is the rule of ``search_api.verdicts`` on the best similarity among the
linker's matches in the review (as ``hrsearch align`` computes it). Thresholds are chosen on the
other sets (the pair maximising verdict accuracy there) and scored on the set left out:
accuracy, and per band the precision (how often an ask the system puts in the band is judged
so). The configured thresholds are scored beside them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from search_api.verdicts import VERDICTS, Thresholds, verdict

GRID = tuple(round(0.30 + 0.025 * i, 3) for i in range(25))  # 0.30 .. 0.90


def judged_verdict(grades: Mapping[str, int]) -> str:
    best = max(grades.values(), default=0)
    return "taken up" if best >= 2 else "partly" if best >= 1 else "not taken up"


def verdict_rows(ctx: Any, qs: Any, scope: Any) -> list[dict[str, Any]]:
    """Per ask: its judged verdict and the linker's best similarity in its review (every ask of
    the set, scored or not: an ask nobody recommended is a verdict too)."""
    from search_api.filters import Filters
    from search_api.retrieval import Linker

    linker = Linker(ctx.searcher, ctx.settings)
    rows = []
    for qid, text in qs.queries.items():
        hits = linker.link(text, k=ctx.settings.align_matches, filters=Filters.parse(scope.filters(qid))).hits
        best = max((float((h.link or {}).get("similarity", 0.0)) for h in hits), default=0.0)
        rows.append({"qid": qid, "judged": judged_verdict(qs.qrels.get(qid, {})), "best_similarity": best})
    return rows


def scored(rows: Sequence[Mapping[str, Any]], t: Thresholds) -> dict[str, Any]:
    """Accuracy, per-band precision and the confusion counts of verdicts under ``t``."""
    said = [verdict(float(r["best_similarity"]), t) for r in rows]
    judged = [str(r["judged"]) for r in rows]
    confusion = {j: {s: 0 for s in VERDICTS} for j in VERDICTS}
    for j, s in zip(judged, said, strict=True):
        confusion[j][s] += 1
    precision = {}
    for band in VERDICTS:
        n = sum(1 for s in said if s == band)
        precision[band] = (
            round(sum(1 for j, s in zip(judged, said, strict=True) if s == band and j == band) / n, 4)
            if n
            else None
        )
    return {
        "asks": len(rows),
        "accuracy": round(sum(j == s for j, s in zip(judged, said, strict=True)) / len(rows), 4)
        if rows
        else None,
        "any_uptake_accuracy": round(
            sum((j != "not taken up") == (s != "not taken up") for j, s in zip(judged, said, strict=True))
            / len(rows),
            4,
        )
        if rows
        else None,
        "precision": precision,
        "confusion": confusion,
        "thresholds": {"taken_up": t.taken_up, "partly": t.partly},
    }


def best_thresholds(rows: Sequence[Mapping[str, Any]]) -> Thresholds:
    """The (taken up, partly) pair of ``GRID`` with the best accuracy on ``rows`` (ties: the
    higher thresholds, the cautious side)."""
    best: tuple[float, float, float] | None = None
    for up in GRID:
        for partly in GRID:
            if partly > up:
                continue
            acc = scored(rows, Thresholds(up, partly))["accuracy"] or 0.0
            key = (acc, up, partly)
            if best is None or key > best:
                best = key
    assert best is not None
    return Thresholds(best[1], best[2])


def held_out(
    rows_by_set: Mapping[str, Sequence[Mapping[str, Any]]], configured: Thresholds
) -> dict[str, Any]:
    """Each set (in each language) scored with thresholds chosen on the *other* sets in English,
    and with the configured thresholds."""
    out: dict[str, Any] = {}
    for target, rows in rows_by_set.items():
        base = target.partition("[")[0]
        others = [s for s in rows_by_set if "[" not in s and s != base]
        dev = [r for s in others for r in rows_by_set[s]]
        if not dev or not rows:
            continue
        chosen = best_thresholds(dev)
        out[target] = {
            "held_out": scored(rows, chosen),
            "configured": scored(rows, configured),
            "chosen_on": others,
        }
    return out


def markdown(result: Mapping[str, Any]) -> str:
    if not result:
        return ""
    lines = [
        "| set | asks | thresholds (chosen on the others) | accuracy held out | precision taken up / partly / not | accuracy with the configured thresholds |",
        "|---|---:|---|---:|---|---:|",
    ]
    for name, v in result.items():
        h, c = v["held_out"], v["configured"]
        p = h["precision"]
        prec = " / ".join("–" if p[b] is None else f"{p[b]:.2f}" for b in VERDICTS)
        t = h["thresholds"]
        lines.append(
            f"| {name} | {h['asks']} | {t['taken_up']:.3f} / {t['partly']:.3f} | **{h['accuracy']:.3f}** | {prec} | {c['accuracy']:.3f} |"
        )
    return "\n".join(lines)
