"""Choose on one set, report on another: held-out figures of a family of variants.

The linker's parameters were chosen on ``seed_asks_us_upr3``; its figure there is optimistic.
Over several linking sets (each in its languages), ``leave_one_set_out`` picks for each set the
variant with the best mean nDCG@10 on the *other* sets (over all their languages: a variant for
asks not in English is chosen on the others' Spanish and French too) and reports that variant on
the set left out, in every language: the held-out figure, the one that says how the linker does
on asks nobody tuned it on. Ties go to the earlier variant (the configured one first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

METRIC = "ndcg@10"


def _by_base(scores: Mapping[str, Mapping[str, Mapping[str, float]]]) -> dict[str, dict[str, str]]:
    """``{base set: {language: set name}}`` from set names such as ``usa_asks[es]``."""
    out: dict[str, dict[str, str]] = {}
    for name in scores:
        if name.startswith("_"):
            continue
        base, _, rest = name.partition("[")
        out.setdefault(base, {})[rest.rstrip("]") or "en"] = name
    return out


def leave_one_set_out(
    scores: Mapping[str, Mapping[str, Mapping[str, float]]],
    candidates: Sequence[str],
    *,
    compare: Sequence[str] = ("naive", "dense", "linker"),
    metric: str = METRIC,
) -> dict[str, Any]:
    """For every base set on which every candidate ran: the candidate chosen on the others (by
    mean ``metric`` over their languages), and its figures beside those of ``compare`` in each
    language.

    ``scores`` is ``{set: {system: {metric: value}}}`` (``metrics.json`` of a run)."""
    bases = _by_base(scores)
    eligible = [
        b for b, langs in bases.items() if "en" in langs and all(c in scores[langs["en"]] for c in candidates)
    ]
    out: dict[str, Any] = {}
    for target in eligible:
        others = [b for b in eligible if b != target]
        if not others:
            continue

        dev_sets = [
            name for b in others for name in bases[b].values() if all(c in scores[name] for c in candidates)
        ]

        def dev(c: str, dev_sets: list[str] = dev_sets) -> float:
            return sum(scores[name][c][metric] for name in dev_sets) / len(dev_sets)

        chosen = max(candidates, key=lambda c: (dev(c), -candidates.index(c)))
        out[target] = {
            "chosen": chosen,
            "chosen_on": dev_sets,
            "development_score": round(dev(chosen), 4),
            "languages": {
                lang: {
                    "held_out": scores[name][chosen][metric],
                    **{s: scores[name][s][metric] for s in compare if s in scores[name]},
                }
                for lang, name in sorted(bases[target].items())
                if chosen in scores[name]
            },
        }
    return out


def markdown(heldout: Mapping[str, Any], metric: str = METRIC) -> str:
    """One row per set and language: the held-out figure beside the systems compared."""
    if not heldout:
        return ""
    compare = sorted(
        {s for v in heldout.values() for lang in v["languages"].values() for s in lang} - {"held_out"}
    )
    lines = [
        f"| set | language | chosen on the other sets | held out {metric} | " + " | ".join(compare) + " |",
        "|---|---|---|---:|" + "---:|" * len(compare),
    ]
    for target, v in heldout.items():
        for lang, figs in v["languages"].items():
            cells = " | ".join(f"{figs[s]:.3f}" if s in figs else "" for s in compare)
            lines.append(f"| {target} | {lang} | {v['chosen']} | **{figs['held_out']:.3f}** | {cells} |")
    return "\n".join(lines)
