"""Indexing throughput: the whole pipeline against its limit, the model alone.

Both run on the same real passages in fresh interpreters, interleaved (limit, pipeline, peer;
then pipeline, peer, limit; ...) so that the machine's drift hits all alike. The pipeline is ``run_index`` on the
sample files into an empty index (read, segment, embed, catalog, Chroma, BM25). The limit is the
configured embedder encoding the texts the pipeline embeds (each distinct text once, as the
pipeline does) with the same batch size, nothing else. Throughput is over the same N passages:
N / seconds. The peer (``benchmarks.peer``) indexes the same files in the same rotation; its
ratio is of wall times over the same documents.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.proc import run_child
from benchmarks.stats import load_average, paired_ratio, summary


def _settings(index_dir: str, batch_size: int, backend: str) -> Any:
    from hrsearch.settings import Settings

    return Settings(
        index_dir=Path(index_dir), chroma_url="", embed_batch_size=batch_size, embed_backend=backend
    )


class _TimedEmbedder:
    """Implements ``Embedder`` around the real one, adding up the time spent encoding."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.seconds = 0.0
        self.texts = 0

    def embed_passages(self, texts: Sequence[str]) -> Any:
        t0 = time.perf_counter()
        out = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        return out

    def embed_queries(self, texts: Sequence[str]) -> Any:
        return self.inner.embed_queries(texts)


def pipeline_once(
    files: list[str], index_dir: str, batch_size: int = 64, backend: str = "onnx"
) -> dict[str, Any]:
    """Child task: index ``files`` into a new index; the report plus where the time went."""
    from indexer.embedder import load_embedder
    from indexer.pipeline import run_index

    shutil.rmtree(index_dir, ignore_errors=True)
    settings = _settings(index_dir, batch_size, backend)
    box: dict[str, Any] = {}

    def factory() -> Any:
        t0 = time.perf_counter()
        box["embedder"] = _TimedEmbedder(load_embedder(settings))
        box["load_s"] = time.perf_counter() - t0
        return box["embedder"]

    report = run_index([Path(f) for f in files], settings, factory, rebuild=True)
    emb = box["embedder"]
    return {
        "seconds": report.seconds,
        "passages": report.passages_added,
        "passages_embedded": report.passages_embedded,
        "files_failed": report.files_failed,
        "model_load_s": round(box["load_s"], 3),
        "embed_s": round(emb.seconds, 3),
        "other_s": round(report.seconds - emb.seconds - box["load_s"], 3),
    }


def model_once(files: list[str], batch_size: int = 64, backend: str = "onnx") -> dict[str, Any]:
    """Child task: the embedder alone encoding the distinct passage texts of ``files``."""
    from benchmarks.sample import sample_passages
    from indexer.embedder import load_embedder

    texts = sample_passages([Path(f) for f in files])
    distinct = list(dict.fromkeys(texts))
    settings = _settings("/nonexistent", batch_size, backend)
    t0 = time.perf_counter()
    embedder = load_embedder(settings)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder.embed_passages(distinct)
    return {
        "seconds": round(time.perf_counter() - t0, 3),
        "passages": len(texts),
        "distinct": len(distinct),
        "model_load_s": round(load_s, 3),
    }


def run(
    files: list[Path],
    work: Path,
    repeats: int,
    batch_size: int = 64,
    peer: bool = True,
    libs: dict[str, Path] | None = None,
    limit_batches: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Interleaved runs of the limit, the pipeline and the peer; throughputs, ratios, peak RSS.

    ``libs`` adds, per name, the pipeline of another copy of the library (a patch applied) as one
    more arm of the rotation; ``limit_batches`` adds the model alone at other batch sizes (speed
    and peak memory of the encoder against its batch size).
    """
    fs = [str(f) for f in files]
    pipe: list[dict[str, Any]] = []
    limit: list[dict[str, Any]] = []
    peers: list[dict[str, Any]] = []
    variants: dict[str, list[dict[str, Any]]] = {name: [] for name in libs or {}}
    batches: dict[int, list[dict[str, Any]]] = {b: [] for b in limit_batches}
    loads = []
    arms = [
        "limit",
        "pipeline",
        *(["peer"] if peer else []),
        *(f"pipeline@{n}" for n in variants),
        *(f"limit@{b}" for b in batches),
    ]
    for r in range(repeats):
        for what in arms[r % len(arms) :] + arms[: r % len(arms)]:  # rotate which goes first
            loads.append(load_average())
            if what == "limit":
                c = run_child("benchmarks.indexing:model_once", {"files": fs, "batch_size": batch_size})
                limit.append(c.result | {"peak_rss_mib": c.peak_rss_mib, "load": loads[-1][0]})
            elif what == "pipeline":
                c = run_child(
                    "benchmarks.indexing:pipeline_once",
                    {"files": fs, "index_dir": str(work / "index-pipeline"), "batch_size": batch_size},
                )
                pipe.append(c.result | {"peak_rss_mib": c.peak_rss_mib, "load": loads[-1][0]})
            elif what.startswith("limit@"):
                b = int(what.partition("@")[2])
                c = run_child("benchmarks.indexing:model_once", {"files": fs, "batch_size": b})
                batches[b].append(c.result | {"peak_rss_mib": c.peak_rss_mib, "load": loads[-1][0]})
            elif what.startswith("pipeline@"):
                name = what.partition("@")[2]
                assert libs is not None
                c = run_child(
                    "benchmarks.indexing:pipeline_once",
                    {"files": fs, "index_dir": str(work / "index-variant"), "batch_size": batch_size},
                    lib=libs[name],
                )
                variants[name].append(c.result | {"peak_rss_mib": c.peak_rss_mib, "load": loads[-1][0]})
            else:
                c = run_child("benchmarks.peer:index_once", {"files": fs, "path": str(work / "peer-chroma")})
                peers.append(c.result | {"peak_rss_mib": c.peak_rss_mib, "load": loads[-1][0]})
            print(
                f"  indexing {what} run {r + 1}/{repeats}: {c.result['seconds']:.1f} s, load {loads[-1][0]}",
                flush=True,
            )
    n = pipe[0]["passages"]
    if pipe[0]["passages_embedded"] != limit[0]["distinct"]:
        print(
            f"  note: pipeline embedded {pipe[0]['passages_embedded']} texts, the limit {limit[0]['distinct']}"
        )
    pipe_rate = [n / p["seconds"] for p in pipe]
    limit_rate = [n / x["seconds"] for x in limit]
    steady = [n / (p["seconds"] - p["model_load_s"]) for p in pipe]
    return {
        "passages": n,
        "distinct_texts": limit[0]["distinct"],
        "files": len(files),
        "batch_size": batch_size,
        "pipeline_passages_per_s": summary(pipe_rate, 1),
        "limit_passages_per_s": summary(limit_rate, 1),
        "ratio_pipeline_over_limit": paired_ratio(pipe_rate, limit_rate),
        "ratio_without_model_load": paired_ratio(steady, limit_rate),
        "pipeline_breakdown_s": {
            k: summary([p[k] for p in pipe]) for k in ("seconds", "model_load_s", "embed_s", "other_s")
        },
        "runs": {"pipeline": pipe, "limit": limit},
        "pipeline_peak_rss_mib": summary([p["peak_rss_mib"] for p in pipe], 1),
        "limit_peak_rss_mib": summary([x["peak_rss_mib"] for x in limit], 1),
        "files_failed": pipe[0]["files_failed"],
        "load_average": loads,
        "peer": _peer_summary(pipe, peers) if peers else None,
        "limit_batch_sizes": {
            str(b): {
                "passages_per_s": summary([n / x["seconds"] for x in xs], 1),
                "ratio_over_limit": paired_ratio([n / x["seconds"] for x in xs], limit_rate),
                "peak_rss_mib": summary([x["peak_rss_mib"] for x in xs], 1),
                "runs": xs,
            }
            for b, xs in batches.items()
        },
        "variants": {
            name: {
                "lib": str(libs[name]) if libs else "",
                "passages_per_s": summary([n / v["seconds"] for v in vs], 1),
                "ratio_over_limit": paired_ratio([n / v["seconds"] for v in vs], limit_rate),
                "ratio_over_pipeline": paired_ratio([p["seconds"] for p in pipe], [v["seconds"] for v in vs]),
                "breakdown_s": {
                    k: summary([v[k] for v in vs]) for k in ("seconds", "model_load_s", "embed_s", "other_s")
                },
                "peak_rss_mib": summary([v["peak_rss_mib"] for v in vs], 1),
                "runs": vs,
            }
            for name, vs in variants.items()
        },
    }


def _peer_summary(pipe: list[dict[str, Any]], peers: list[dict[str, Any]]) -> dict[str, Any]:
    """The peer on the same documents: time ratio (= throughput ratio in documents/s), memory."""
    return {
        "chunks": peers[0]["chunks"],
        "peer_seconds": summary([p["seconds"] for p in peers], 1),
        "pipeline_seconds": summary([p["seconds"] for p in pipe], 1),
        "speedup_pipeline_over_peer": paired_ratio(
            [p["seconds"] for p in peers], [p["seconds"] for p in pipe]
        ),
        "peer_chunks_per_s": summary([p["chunks"] / p["seconds"] for p in peers], 1),
        "peer_breakdown_s": {
            k: summary([p[k] for p in peers]) for k in ("model_load_s", "load_split_s", "embed_s", "chroma_s")
        },
        "peer_peak_rss_mib": summary([p["peak_rss_mib"] for p in peers], 1),
        "pipeline_peak_rss_mib": summary([p["peak_rss_mib"] for p in pipe], 1),
        "runs": peers,
    }
