"""The whole corpus: index all of ``../shared/corpus`` from nothing, and the model alone beside it.

``python -m benchmarks.whole --out benchmarks/results/whole-corpus.json`` runs
``hrsearch index CORPUS --index-dir DIR --json`` in a child process (wall time, peak resident
memory, the index report), then measures the limit: the embedding model alone, same backend and
batch size, encoding a uniform random sample of the distinct passage texts of the index it built.
Encoding all of them alone would take as long as indexing itself, and a sample of several thousand
texts gives the model's rate on this corpus's length mix to within a few per cent.

The ratio compares like with like: the pipeline encodes each distinct text once, so the limit
in passages per second is the model's rate on distinct texts times passages / distinct texts.
``--index-report FILE`` reuses the JSON of an index run made before (for example by
``make demo``) instead of indexing again.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.proc import ROOT, run_child
from benchmarks.sample import DEFAULT_CORPUS
from benchmarks.stats import load_average, summary


def model_on_sample(index_dir: str, n: int, batch_size: int, backend: str, seed: int) -> dict[str, Any]:
    """Child task: the embedder alone encoding ``n`` distinct passage texts of an index."""
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder

    con = sqlite3.connect(f"file:{Path(index_dir) / 'catalog.sqlite'}?mode=ro", uri=True)
    texts = list(dict.fromkeys(r[0] for r in con.execute("SELECT text FROM passages ORDER BY id")))
    con.close()
    sample = random.Random(seed).sample(texts, min(n, len(texts)))
    settings = Settings(index_dir=Path(index_dir), embed_batch_size=batch_size, embed_backend=backend)
    embedder = load_embedder(settings)
    t0 = time.perf_counter()
    embedder.embed_passages(sample)
    seconds = time.perf_counter() - t0
    return {
        "texts": len(sample),
        "seconds": round(seconds, 3),
        "texts_per_s": round(len(sample) / seconds, 2),
    }


def index_whole(corpus: Path, index_dir: Path) -> dict[str, Any]:
    """``hrsearch index`` over the whole corpus in a child process: its report, wall time, peak RSS."""
    import resource

    load0 = load_average()
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "hrsearch.cli", "index", str(corpus), "--index-dir", str(index_dir), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):  # 1: some files failed, the rest is indexed
        raise SystemExit(f"hrsearch index failed ({p.returncode}): {p.stderr[-2000:]}")
    report = json.loads(p.stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "report": report,
        "wall_s": round(wall, 1),
        "peak_rss_mib": round(peak, 1),
        "load_average": [load0, load_average()],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--index-dir", type=Path, help="where to build (default: a temporary folder)")
    ap.add_argument(
        "--index-report", type=Path, help="JSON of an earlier `hrsearch index --json` run to reuse"
    )
    ap.add_argument("--sample", type=int, default=6000, help="distinct texts the model alone encodes per run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--backend", default="onnx")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "whole-corpus.json")
    args = ap.parse_args(argv)

    tmp = None
    if args.index_report:
        run = {"report": json.loads(args.index_report.read_text()), "reused": str(args.index_report)}
    else:
        if args.index_dir is None:
            tmp = tempfile.TemporaryDirectory(prefix="hrsearch-whole-")
            args.index_dir = Path(tmp.name)
        run = index_whole(args.corpus, args.index_dir)
    report = run["report"]
    index_dir = Path(report["index_dir"])
    # A run from nothing embeds each distinct text once: its own counts are the like-for-like ones.
    passages, distinct = report["passages_total"], report["passages_embedded"]
    runs = []
    for r in range(args.repeats):
        c = run_child(
            "benchmarks.whole:model_on_sample",
            {
                "index_dir": str(index_dir),
                "n": args.sample,
                "batch_size": args.batch_size,
                "backend": args.backend,
                "seed": r,
            },
        )
        runs.append(c.result | {"load_average": load_average()})
        print(f"model alone, run {r + 1}: {c.result['texts_per_s']} texts/s", flush=True)
    rate = summary([x["texts_per_s"] for x in runs], 2)
    pipeline_ps = report["passages_total"] / report["seconds"]
    limit_ps = rate["median"] * passages / distinct
    result = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "index_run": run,
        "passages": passages,
        "distinct_texts": distinct,
        "pipeline_passages_per_s": round(pipeline_ps, 2),
        "pipeline_embedded_per_s": round(report["passages_embedded"] / report["seconds"], 2),
        "model_alone_texts_per_s": rate,
        "model_alone_runs": runs,
        "limit_passages_per_s": round(limit_ps, 2),
        "ratio": round(pipeline_ps / limit_ps, 3),
        "batch_size": args.batch_size,
        "backend": args.backend,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(
        json.dumps({k: v for k, v in result.items() if k not in ("index_run", "model_alone_runs")}, indent=1)
    )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
