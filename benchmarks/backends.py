"""The accelerated backend: ONNX Runtime (the default) against torch, on the same passages.

Throughput: both embedders encode the sample's distinct passage texts with the same batch size,
alternating which goes first, in one process (the letters_qa pool is that sample, which holds the
two letters and much more). Rankings: each development set's queries and pool
are encoded with both backends, and the exact dense top 10 (cosine, brute force) of each query
is compared; the lexical arm does not depend on the backend, so equal dense rankings (checked
to depth 100, the fusion depth) mean equal hybrid rankings.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.stats import load_average, paired_ratio, summary

# development set -> pool files (relative to the corpus); None = the throughput sample's files
POOLS: dict[str, tuple[str, ...] | None] = {
    "seed_asks_us_upr3": ("recommendations/us_upr_cycle3_recommendations.csv",),
    "letters_qa": None,
    "uprinfo_issues": ("recommendations/upr_info_sessions01-20_recommendations.csv",),
}


def _embedder(backend: str, batch_size: int) -> Any:
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder

    return load_embedder(Settings(embed_backend=backend, embed_batch_size=batch_size))


def _top(q: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    scores = q @ p.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def compare(
    files: list[str], corpus: str, eval_dir: str, sets: list[str], repeats: int = 3, batch_size: int = 64
) -> dict[str, Any]:
    """Child task: throughput of both backends and the agreement of their rankings."""
    from benchmarks.sample import sample_passages
    from evaluation.datasets import load_set

    texts = list(dict.fromkeys(sample_passages([Path(f) for f in files])))
    onnx, torch = _embedder("onnx", batch_size), _embedder("torch", batch_size)
    assert type(onnx).__name__ == "OnnxEmbedder", "the ONNX backend fell back to torch"
    secs: dict[str, list[float]] = {"onnx": [], "torch": []}
    vectors: dict[str, np.ndarray] = {}
    loads = []
    for r in range(repeats):
        for name in ("onnx", "torch") if r % 2 == 0 else ("torch", "onnx"):
            loads.append(load_average())
            t0 = time.perf_counter()
            vectors[name] = (onnx if name == "onnx" else torch).embed_passages(texts)
            secs[name].append(time.perf_counter() - t0)
            print(
                f"  backends {name} run {r + 1}/{repeats}: {secs[name][-1]:.1f} s, load {loads[-1][0]}",
                flush=True,
            )
    rate = {k: [len(texts) / s for s in v] for k, v in secs.items()}
    out: dict[str, Any] = {
        "passages": len(texts),
        "batch_size": batch_size,
        "load_average": loads,
        "rankings": {},
    }
    if repeats:  # 0 = rankings only
        out |= {
            "onnx_passages_per_s": summary(rate["onnx"], 1),
            "torch_passages_per_s": summary(rate["torch"], 1),
            "speedup_onnx_over_torch": paired_ratio(rate["onnx"], rate["torch"]),
        }
    for name in sets:
        qs = load_set(Path(eval_dir) / name)
        pool_files = POOLS[name]
        t0 = time.perf_counter()
        q_o, q_t = (
            onnx.embed_queries(list(qs.queries.values())),
            torch.embed_queries(list(qs.queries.values())),
        )
        if pool_files:
            pool = sample_passages([Path(corpus) / f for f in pool_files])
            p_o, p_t = onnx.embed_passages(pool), torch.embed_passages(pool)
        elif vectors:  # the throughput sample, already encoded by both
            pool, p_o, p_t = texts, vectors["onnx"], vectors["torch"]
        else:
            pool = texts
            p_o, p_t = onnx.embed_passages(pool), torch.embed_passages(pool)
        top_o, top_t = _top(q_o, p_o, 100), _top(q_t, p_t, 100)
        same10 = [bool(np.array_equal(a[:10], b[:10])) for a, b in zip(top_o, top_t, strict=True)]
        set10 = [set(a[:10]) == set(b[:10]) for a, b in zip(top_o, top_t, strict=True)]
        same100 = [bool(np.array_equal(a, b)) for a, b in zip(top_o, top_t, strict=True)]
        first_diff = [
            int(np.argmax(a != b)) + 1 for a, b in zip(top_o, top_t, strict=True) if not np.array_equal(a, b)
        ]
        cos = np.sum(p_o * p_t, axis=1)
        out["rankings"][name] = {
            "queries": len(qs.queries),
            "pool_passages": len(pool),
            "same_top10_list": round(sum(same10) / len(same10), 4),
            "same_top10_set": round(sum(set10) / len(set10), 4),
            "same_top100_list": round(sum(same100) / len(same100), 4),
            "first_differing_rank": sorted(first_diff),
            "max_abs_diff": float(np.abs(np.concatenate([p_o - p_t, q_o - q_t])).max()),
            "min_cosine_passage": float(cos.min()),
            "seconds": round(time.perf_counter() - t0, 1),
            "load_average": load_average(),
        }
        print(f"  rankings {name}: {out['rankings'][name]['same_top10_list']:.2%} same top 10", flush=True)
    return out
