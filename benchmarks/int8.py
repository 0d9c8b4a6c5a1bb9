"""fp32 against dynamic int8 (``HRSEARCH_EMBED_INT8``): the whole pipeline, side by side.

``python -m benchmarks.int8 --sample large --repeats 3`` indexes the same sample files into a new
index in fresh interpreters, fp32 and int8 in turn (fp32, int8; then int8, fp32; ...) so that
the machine's drift hits both alike, and reports the wall times, the embedding time and their
paired ratios, with the load average around each run. The quantized model is made before the
first run (it is cached), so no run pays for it. Quality is not measured here: the guard is
``hrsearch eval`` on whole-corpus indexes (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.proc import run_child
from benchmarks.sample import DEFAULT_CORPUS, SIZES, sample_files
from benchmarks.stats import load_average, paired_ratio, summary


def warm_int8() -> None:
    """Make the cached int8 model now, so that no measured run quantizes."""
    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder

    load_embedder(Settings(embed_int8=True))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sample", choices=SIZES, default="large")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/int8.json"))
    args = p.parse_args(argv)
    files = [str(f) for f in sample_files(args.corpus, args.sample)]
    warm_int8()
    runs: dict[str, list[dict[str, Any]]] = {"fp32": [], "int8": []}
    with tempfile.TemporaryDirectory(prefix="hrsearch-int8-") as tmp:
        for r in range(args.repeats):
            order = ("fp32", "int8") if r % 2 == 0 else ("int8", "fp32")
            for name in order:
                before = load_average()
                child = run_child(
                    "benchmarks.indexing:pipeline_once",
                    {"files": files, "index_dir": f"{tmp}/{name}"},
                    env={"HRSEARCH_EMBED_INT8": "true" if name == "int8" else "false"},
                )
                res = child.result | {"load_before": before, "load_after": load_average()}
                runs[name].append(res)
                print(name, json.dumps(res), flush=True)
    out = {
        "sample": args.sample,
        "files": len(files),
        "passages": runs["fp32"][0]["passages"],
        "runs": runs,
        "fp32_seconds": summary([r["seconds"] for r in runs["fp32"]]),
        "int8_seconds": summary([r["seconds"] for r in runs["int8"]]),
        "speedup_pipeline": paired_ratio(
            [r["seconds"] for r in runs["fp32"]], [r["seconds"] for r in runs["int8"]]
        ),
        "speedup_embedding": paired_ratio(
            [r["embed_s"] for r in runs["fp32"]], [r["embed_s"] for r in runs["int8"]]
        ),
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
