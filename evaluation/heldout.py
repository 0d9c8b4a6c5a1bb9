"""Choose on one set, report on another: held-out figures of a family of variants.

The linker's parameters were chosen on ``seed_asks_us_upr3``; its figure there is optimistic.
Over several linking sets (each in its languages), ``leave_one_set_out`` picks for each set the
variant with the best mean nDCG@10 on the *other* sets (over all their languages: a variant for
asks not in English is chosen on the others' Spanish and French too) and reports that variant on
the set left out, in every language: the held-out figure, the one that says how the linker does
on asks nobody tuned it on. Ties go to the earlier variant (the configured one first).

Beside each held-out figure, ``p_vs_dense``: the two-sided paired randomization test (sign flips
of the per-ask differences) of the held-out variant against plain dense search on the same asks,
when the run kept per-query figures. Some sets have 19-33 scored asks: a difference of a few
hundredths there is often noise, and the p-value says how often. It is the test of the report's
other p-values (Fisher's randomization test, ``evaluation.metrics``: its permutations and seed),
computed here from the per-query figures because the runs are not at hand; not with ranx's own
function, whose parallel permutations do not repeat from its seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from evaluation.metrics import N_PERMUTATIONS, RANDOM_SEED

METRIC = "ndcg@10"
# Sets a parameter of the configured linker was chosen on: never pooled as held out.
DEVELOPMENT = ("seed_asks_us_upr3",)


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
    per_query: Mapping[str, Any] = scores.get("_per_query", {})
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
                    **_p_vs(per_query.get(name, {}), chosen, "dense", metric),
                }
                for lang, name in sorted(bases[target].items())
                if chosen in scores[name]
            },
        }
    return out


def _p_vs(per_query: Mapping[str, Any], system: str, other: str, metric: str) -> dict[str, float]:
    """``{"p_vs_<other>": p}`` over the asks both systems were scored on, or nothing when the run
    kept no per-query figures for them."""
    a = per_query.get(system, {}).get(metric)
    b = per_query.get(other, {}).get(metric)
    if not a or not b:
        return {}
    qids = sorted(set(a) & set(b))
    if not qids:
        return {}
    return {f"p_vs_{other}": round(paired_p([a[q] for q in qids], [b[q] for q in qids]), 4)}


def paired_p(
    a: Sequence[float], b: Sequence[float], n: int = N_PERMUTATIONS, seed: int = RANDOM_SEED
) -> float:
    """Two-sided paired randomization test of "mean(a - b) = 0": how often flipping the sign of
    each pair's difference at random gives a mean at least as far from 0 as the one observed
    (with the observed assignment counted, so never 0). Seeded: the same figures every run."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if d.size == 0 or not np.any(d):
        return 1.0
    signs = np.random.default_rng(seed).choice((-1.0, 1.0), size=(n, d.size))
    null = np.abs((signs * d).mean(axis=1))
    return float((np.count_nonzero(null >= abs(d.mean()) - 1e-12) + 1) / (n + 1))


def pooled(
    scores: Mapping[str, Any],
    heldout: Mapping[str, Any] | None = None,
    *,
    development: Sequence[str] = DEVELOPMENT,
    baseline: str = "dense",
    metric: str = METRIC,
) -> dict[str, dict[str, Any]]:
    """Every held-out ask of every set pooled, per language: the linker's figure (or, given a
    ``heldout`` selection, the variant chosen for each set) against ``baseline`` on the same asks,
    with the paired randomization test over all of them.

    One set holds 19-33 scored asks: on the treaty set the standard error of the linker's
    difference from dense search is about 0.04 nDCG@10, so a gain of 0.05 there would need some
    180 asks to be seen four times in five. Pooled over the sets no parameter was chosen on
    (``development`` left out), the same test says whether the linker's gain is real across them.
    ``{language: {"sets", "asks", "system", baseline, "difference", "p"}}``; a set whose run kept
    no per-query figures for both systems is left out."""
    per_query: Mapping[str, Any] = scores.get("_per_query", {})
    bases = _by_base(scores)
    pairs: dict[str, tuple[list[float], list[float], list[str]]] = {}
    for base, langs in sorted(bases.items()):
        if base in development:
            continue
        system = heldout[base]["chosen"] if heldout and base in heldout else "linker"
        for lang, name in langs.items():
            a = per_query.get(name, {}).get(system, {}).get(metric)
            b = per_query.get(name, {}).get(baseline, {}).get(metric)
            if not a or not b:
                continue
            xs, ys, sets = pairs.setdefault(lang, ([], [], []))
            for q in sorted(set(a) & set(b)):
                xs.append(float(a[q]))
                ys.append(float(b[q]))
            sets.append(base)
    out: dict[str, dict[str, Any]] = {}
    for lang, (xs, ys, sets) in sorted(pairs.items(), key=lambda x: (x[0] != "en", x[0])):
        if not xs:
            continue
        mx, my = float(np.mean(xs)), float(np.mean(ys))
        out[lang] = {
            "sets": sets,
            "asks": len(xs),
            "system": round(mx, 4),
            baseline: round(my, 4),
            "difference": round(mx - my, 4),
            "p": round(paired_p(xs, ys), 4),
        }
    return out


def pooled_markdown(pool: Mapping[str, Mapping[str, Any]], baseline: str = "dense") -> str:
    """One row per language: sets, asks, the held-out system's mean, the baseline's, p."""
    if not pool:
        return ""
    lines = [
        f"| language | sets | asks | held out nDCG@10 | {baseline} | difference | p |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for lang, v in pool.items():
        lines.append(
            f"| {lang} | {len(v['sets'])} | {v['asks']} | **{v['system']:.3f}** | {v[baseline]:.3f} "
            f"| {v['difference']:+.3f} | {v['p']:.3f} |"
        )
    return "\n".join(lines) + "\n"  # a blank line before the next heading


def markdown(heldout: Mapping[str, Any], metric: str = METRIC) -> str:
    """One row per set and language: the held-out figure beside the systems compared."""
    if not heldout:
        return ""
    compare = sorted(
        {
            s
            for v in heldout.values()
            for lang in v["languages"].values()
            for s in lang
            if not s.startswith("p_")
        }
        - {"held_out"}
    )
    with_p = any("p_vs_dense" in lang for v in heldout.values() for lang in v["languages"].values())
    p_head, p_rule = (" p vs dense |", "---:|") if with_p else ("", "")
    lines = [
        f"| set | language | chosen on the other sets | held out {metric} | "
        + " | ".join(compare)
        + " |"
        + p_head,
        "|---|---|---|---:|" + "---:|" * len(compare) + p_rule,
    ]
    for target, v in heldout.items():
        for lang, figs in v["languages"].items():
            cells = " | ".join(f"{figs[s]:.3f}" if s in figs else "" for s in compare)
            p_cell = (f" {figs['p_vs_dense']:.3f} |" if "p_vs_dense" in figs else " |") if with_p else ""
            lines.append(
                f"| {target} | {lang} | {v['chosen']} | **{figs['held_out']:.3f}** | {cells} |{p_cell}"
            )
    return "\n".join(lines)
