"""Run the benchmarks of issue 7 and write their figures to ``benchmarks/results/``.

``make bench`` runs ``python -m benchmarks.run --index-dir $(INDEX_DIR)``: every suite on the
``small`` sample and a 10k-passage index, about 10 minutes on 2 idle cores (three times that on a
busy machine). The large figures of BENCHMARKS.md come from::

    python -m benchmarks.run --index-dir /work/eval-index --sizes 10k,100k,1m \\
        --rankings-sets all --sample medium

``--index-dir`` names the real index whose catalog the synthetic indexes are made from (see
``benchmarks.synth``); when it holds no index, the index the indexing suite builds from the
sample is used instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks import backends, hostile_load, indexing, load, synth
from benchmarks.latency import dev_queries
from benchmarks.proc import ROOT, chroma_server, hrsearch_server, run_child
from benchmarks.sample import DEFAULT_CORPUS, SIZES, sample_files
from benchmarks.stats import load_average

LIBRARY_PACKAGES = ("hrsearch", "corpus", "indexer", "search_api", "evaluation")
SUITES = ("build", "indexing", "backends", "latency", "memory", "load", "hostile", "profile", "compare")
SIZE_NAMES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
CORPUS_SIZE = "corpus"  # a size that is the real index of --index-dir (no synthetic copy)


def library_fingerprint(root: Path = ROOT) -> str:
    """SHA-256 (first 12 hex digits) of the library's Python sources: which code a figure measured."""
    h = hashlib.sha256()
    for pkg in LIBRARY_PACKAGES:
        for f in sorted((root / pkg).rglob("*.py")):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument(
        "--index-dir", type=Path, help="real index whose passages and vectors make the synthetic indexes"
    )
    p.add_argument(
        "--work-dir", type=Path, default=Path(".hrsearch/bench"), help="scratch folder for benchmark indexes"
    )
    p.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus (default ../shared/corpus)"
    )
    p.add_argument(
        "--eval-dir", type=Path, default=DEFAULT_CORPUS.parent / "eval", help="the development sets"
    )
    p.add_argument("--suites", default=",".join(SUITES), help=f"comma-separated subset of {','.join(SUITES)}")
    p.add_argument("--sample", choices=SIZES, default="small", help="documents for the throughput suites")
    p.add_argument("--repeats", type=int, default=3, help="runs per throughput figure (median and spread)")
    p.add_argument("--batch-size", type=int, default=64, help="embedding batch size (the setting's default)")
    p.add_argument("--no-peer", action="store_true", help="skip the LangChain + Chroma peer")
    p.add_argument(
        "--limit-batch-sizes", default="", help="also time the model alone at these batch sizes (e.g. 16,32)"
    )
    p.add_argument(
        "--sizes",
        default="10k",
        help="index sizes for latency, memory and load: 10k,100k,1m, and corpus (the real index of --index-dir)",
    )
    p.add_argument("--no-server", action="store_true", help="skip the `chroma run` server variants")
    p.add_argument(
        "--rounds", type=int, default=5, help="passes over the 80 development queries per latency figure"
    )
    p.add_argument(
        "--rankings-sets",
        default="seed_asks_us_upr3,letters_qa",
        help="development sets for 'rankings unchanged' ('all' adds uprinfo_issues, 41k passages)",
    )
    p.add_argument("--load-levels", default="1,8,32", help="concurrent clients")
    p.add_argument("--load-requests", type=int, default=400, help="requests per concurrency level (at most)")
    p.add_argument("--load-seconds", type=float, default=60, help="seconds per concurrency level (at most)")
    p.add_argument(
        "--profile-size",
        default="",
        help="index size of the query profile (default: 100k if run, else the smallest)",
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild the synthetic indexes even if present")
    p.add_argument(
        "--compare-lib",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="a copy of the library (a patch applied) to measure against this tree: an extra pipeline "
        "arm in suite indexing; in suite compare, alternating latency runs and identical answers",
    )
    p.add_argument(
        "--compare-reference", default="this tree", help="the library the others are checked against (a NAME)"
    )
    p.add_argument(
        "--compare-repeats", type=int, default=3, help="alternations per library in the compare suite"
    )
    p.add_argument(
        "--hostile-seconds", type=float, default=30.0, help="how long the hostile-upload load lasts"
    )
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/bench-TIME.json)")
    return p.parse_args(argv)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = args.work_dir.resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        self.files = sample_files(args.corpus, args.sample)
        self.sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
        unknown = [s for s in self.sizes if s not in SIZE_NAMES and s != CORPUS_SIZE]
        if unknown:
            raise SystemExit(f"unknown size(s) {unknown}; use {', '.join(SIZE_NAMES)} or {CORPUS_SIZE}")
        if CORPUS_SIZE in self.sizes and not (
            args.index_dir and (args.index_dir / "catalog.sqlite").exists()
        ):
            raise SystemExit(f"size {CORPUS_SIZE} measures the real index of --index-dir, and there is none")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.out = args.out or ROOT / "benchmarks" / "results" / f"bench-{stamp}.json"
        self.results: dict[str, Any] = {
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            },
            "args": {k: str(v) for k, v in vars(args).items()},
            "library_at_start": library_fingerprint(),
            "sample_files": [str(f) for f in self.files],
        }

    def save(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
        self.results["library_at_end"] = library_fingerprint()
        self.out.write_text(json.dumps(self.results, indent=1))

    def record(self, key: str, value: Any) -> None:
        self.results[key] = value
        self.save()

    # --- sources and synthetic indexes ---------------------------------------------------------
    def source_catalog(self) -> Path:
        given = self.args.index_dir
        if given is not None and (given / "catalog.sqlite").exists():
            return (given / "catalog.sqlite").resolve()
        own = self.work / "index-pipeline"
        if not (own / "catalog.sqlite").exists():
            print(f"no index at {given}; indexing the sample to make one", flush=True)
            run_child(
                "benchmarks.indexing:pipeline_once",
                {"files": [str(f) for f in self.files], "index_dir": str(own)},
            )
        return own / "catalog.sqlite"

    def synthetic(self, size: str) -> Path:
        if size == CORPUS_SIZE:  # the real index itself, as it was built
            return Path(self.args.index_dir).resolve()
        n = SIZE_NAMES[size]
        source = self.source_catalog()
        target = self.work / f"synthetic-{size}"
        builds = self.results.setdefault("synthetic_builds", {})
        if not self.args.rebuild and synth.stamp_ok(target, source, n):
            if synth.restamp(str(target)):
                print(f"  {target}: relabelled with the current index configuration", flush=True)
            if added := synth.ensure_contexts(str(target), str(source)):
                print(f"  {target}: {added} context vectors copied from the source", flush=True)
            if synth.ensure_lexical(str(target)):
                print(f"  {target}: BM25 index rebuilt (stale or of an older version)", flush=True)
            builds.setdefault(size, {"reused": str(target)})
            return target
        print(f"building the {size} index at {target} from {source} ...", flush=True)
        load0 = load_average()
        c = run_child(
            "benchmarks.synth:build",
            {"source": str(source), "index_dir": str(target), "n": n},
            timeout=6 * 3600,
        )
        info = c.result | {"peak_rss_mib": c.peak_rss_mib, "load_average": [load0, load_average()]}
        synth.write_stamp(target, source, info)
        builds[size] = info
        self.save()
        print(f"  built in {c.result['seconds']} s, peak RSS {c.peak_rss_mib} MiB", flush=True)
        return target

    # --- suites --------------------------------------------------------------------------------
    def build(self) -> None:
        """Only make (or check) the synthetic indexes of ``--sizes``; the other suites use them."""
        for size in self.sizes:
            self.synthetic(size)

    def indexing(self) -> None:
        print(f"indexing throughput on {len(self.files)} files ...", flush=True)
        self.record(
            "indexing",
            indexing.run(
                self.files,
                self.work,
                self.args.repeats,
                self.args.batch_size,
                peer=not self.args.no_peer,
                libs=self.compare_libs(),
                limit_batches=tuple(int(b) for b in self.args.limit_batch_sizes.split(",") if b),
            ),
        )

    def backends(self) -> None:
        sets = (
            list(backends.POOLS) if self.args.rankings_sets == "all" else self.args.rankings_sets.split(",")
        )
        print(f"ONNX vs torch on {len(self.files)} files; rankings on {', '.join(sets)} ...", flush=True)
        c = run_child(
            "benchmarks.backends:compare",
            {
                "files": [str(f) for f in self.files],
                "corpus": str(self.args.corpus),
                "eval_dir": str(self.args.eval_dir),
                "sets": sets,
                "repeats": self.args.repeats,
                "batch_size": self.args.batch_size,
            },
        )
        self.record("backends", c.result | {"peak_rss_mib": c.peak_rss_mib})

    def _with_server(self, index_dir: Path, size: str, fn: Any) -> dict[str, Any]:
        srv = chroma_server(index_dir / "chroma", log=self.work / f"chroma-{size}.log")
        try:
            out = fn(srv.url)
            out["chroma_server_rss_mib"] = srv.memory()
        finally:
            srv.stop()
        return out

    def latency(self) -> None:
        res = self.results.setdefault("latency", {})
        for size in self.sizes:
            idx = self.synthetic(size)
            kw = {"index_dir": str(idx), "eval_dir": str(self.args.eval_dir), "rounds": self.args.rounds}
            print(f"latency at {size}, embedded Chroma ...", flush=True)
            c = run_child("benchmarks.latency:measure", kw)
            res[f"{size}-embedded"] = c.result | {"peak_rss_mib": c.peak_rss_mib}
            _say_latency(res[f"{size}-embedded"])
            self.save()
            if not self.args.no_server:
                print(f"latency at {size}, Chroma server ...", flush=True)

                def go(url: str, kw: dict[str, Any] = kw) -> dict[str, Any]:
                    c = run_child("benchmarks.latency:measure", kw | {"chroma_url": url})
                    return c.result | {"peak_rss_mib": c.peak_rss_mib}

                res[f"{size}-server"] = self._with_server(idx, size, go)
                _say_latency(res[f"{size}-server"])
                self.save()

    def memory(self) -> None:
        res = self.results.setdefault("memory", {})
        for size in self.sizes:
            idx = self.synthetic(size)
            print(f"serving memory at {size} ...", flush=True)
            c = run_child("benchmarks.memory:serving_parts", {"index_dir": str(idx)})
            res[f"{size}-embedded"] = c.result | {
                "peak_rss_mib": c.peak_rss_mib,
                "load_average": load_average(),
            }
            lexical = self.results.setdefault("lexical_memory", {})
            for mmap in (False, True):
                c = run_child("benchmarks.memory:lexical_alone", {"index_dir": str(idx), "mmap": mmap})
                lexical[f"{size}{'-mmap' if mmap else ''}"] = c.result
            if not self.args.no_server:

                def go(url: str, idx: Path = idx) -> dict[str, Any]:
                    c = run_child(
                        "benchmarks.memory:serving_parts", {"index_dir": str(idx), "chroma_url": url}
                    )
                    return c.result | {"peak_rss_mib": c.peak_rss_mib}

                res[f"{size}-server"] = self._with_server(idx, size, go) | {"load_average": load_average()}
            self.save()

    def load(self) -> None:
        res = self.results.setdefault("load", {})
        queries = dev_queries(self.args.eval_dir)
        levels = tuple(int(x) for x in self.args.load_levels.split(","))
        for size in self.sizes:
            idx = self.synthetic(size)
            print(f"concurrency at {size} against hrsearch serve (embedded Chroma) ...", flush=True)
            srv = hrsearch_server(idx, log=self.work / f"serve-{size}.log")
            try:
                out = load.run(srv, queries, levels, self.args.load_requests, self.args.load_seconds)
            finally:
                out["server_peak_rss_mib"] = srv.stop()
            res[f"{size}-embedded"] = out
            self.save()

    def hostile(self) -> None:
        """Serving under a hostile upload (``benchmarks.hostile_load``): p99 of ``/health`` and
        ``/search`` against its limit of 1,000 ms."""
        print(f"hostile upload load for {self.args.hostile_seconds:g} s ...", flush=True)
        work = self.work / "hostile"
        if work.exists():
            shutil.rmtree(work)
        out = hostile_load.run(work, self.args.hostile_seconds)
        out["load_average_after"] = load_average()
        self.record("hostile_load", out)
        self.save()
        f = out["figures"]
        print(
            f"  /health p99 {f['health']['p99_ms']} ms, /search p99 {f['search']['p99_ms']} ms "
            f"(limit {out['p99_limit_ms']:g}): {'met' if out['p99_under_limit'] else 'NOT met'}",
            flush=True,
        )

    def profile(self) -> None:
        res = self.results.setdefault("profile", {})
        size = self.args.profile_size or ("100k" if "100k" in self.sizes else self.sizes[0])
        idx = self.synthetic(size)
        rdir = ROOT / "benchmarks" / "results"
        print(f"profiling hybrid search at {size} ...", flush=True)
        c = run_child(
            "benchmarks.profiles:query_profile",
            {
                "index_dir": str(idx),
                "eval_dir": str(self.args.eval_dir),
                "out": str(rdir / f"profile-query-{size}.txt"),
            },
        )
        res[f"query-{size}"] = c.result | {"load_average": load_average()}
        print("profiling indexing ...", flush=True)
        c = run_child(
            "benchmarks.profiles:index_profile",
            {
                "files": [str(f) for f in self.files],
                "index_dir": str(self.work / "index-profile"),
                "out": str(rdir / f"profile-indexing-{self.args.sample}.txt"),
            },
        )
        res["indexing"] = c.result | {"load_average": load_average()}
        self.save()

    def compare_libs(self) -> dict[str, Path]:
        """``--compare-lib NAME=DIR`` options as {name: folder}."""
        out = {}
        for spec in self.args.compare_lib:
            name, _, path = spec.partition("=")
            out[name] = Path(path).resolve()
        return out

    def compare(self) -> None:
        libs: dict[str, Path | None] = {"this tree": None, **self.compare_libs()}
        if self.args.compare_reference != "this tree":
            libs.pop("this tree")
        if len(libs) < 2:
            print("compare: fewer than two libraries to compare; skipped", flush=True)
            return
        ref = libs[self.args.compare_reference]
        res = self.results.setdefault("compare", {})
        for size in self.sizes:
            idx = self.synthetic(size)
            kw = {"index_dir": str(idx), "eval_dir": str(self.args.eval_dir)}
            # Exact ties in the dense arm (duplicate passages) may come back in another order from
            # one process to the next; queries whose answers differ between two runs of this tree
            # are left out of the check.
            base = run_child("benchmarks.latency:answers", kw, lib=ref).result
            again = run_child("benchmarks.latency:answers", kw, lib=ref).result
            stable = [q for q in base if base[q] == again[q]]
            same: dict[str, Any] = {"queries_compared": len(stable), "queries": len(base)}
            memory: dict[str, Any] = {}
            for name, lib in libs.items():
                if name != self.args.compare_reference:
                    other = run_child("benchmarks.latency:answers", kw, lib=lib).result
                    same[name] = sum(other[q] == base[q] for q in stable)
                c = run_child("benchmarks.memory:serving_parts", {"index_dir": str(idx)}, lib=lib)
                memory[name] = c.result | {"peak_rss_mib": c.peak_rss_mib}
                print(f"  compare {size} {name}: serving peak RSS {c.peak_rss_mib} MiB", flush=True)
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in libs}
            names = list(libs)
            for r in range(self.args.compare_repeats):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    c = run_child(
                        "benchmarks.latency:measure", kw | {"rounds": self.args.rounds}, lib=libs[name]
                    )
                    runs[name].append(c.result)
                    print(
                        f"  compare {size} {name}: hybrid p50 {c.result['hybrid_ms']['p50']} ms, floor p50 "
                        f"{c.result['floor_ms']['p50']} ms, ratio {c.result['ratio']}, load {c.result['load_average'][0]}",
                        flush=True,
                    )
            res[size] = {
                "reference": self.args.compare_reference,
                "answers_identical": same,
                "memory": memory,
                "libs": {k: str(v) for k, v in libs.items()},
                "runs": runs,
                "summary": {name: _compare_summary(rs) for name, rs in runs.items()},
            }
            self.save()


def _compare_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    from benchmarks.stats import summary

    out: dict[str, Any] = {}
    for p in ("p50", "p95", "p99"):
        out[f"hybrid_{p}_ms"] = summary([r["hybrid_ms"][p] for r in runs], 2)
        out[f"floor_{p}_ms"] = summary([r["floor_ms"][p] for r in runs], 2)
        out[f"ratio_{p}"] = summary([r["ratio"][p] for r in runs])
        out[f"overhead_{p}_ms"] = summary([r["hybrid_ms"][p] - r["floor_ms"][p] for r in runs], 2)
    return out


def _say_latency(r: dict[str, Any]) -> None:
    h, f = r["hybrid_ms"], r["floor_ms"]
    print(
        f"  {r['passages']} passages, {r['chroma']}: hybrid p50/p95/p99 {h['p50']}/{h['p95']}/{h['p99']} ms, "
        f"floor {f['p50']}/{f['p95']}/{f['p99']} ms, ratio p50 {r['ratio']['p50']}, load {r['load_average'][0]}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in ("index_dir", "corpus", "eval_dir", "out"):
        if getattr(args, name) is not None:
            setattr(args, name, getattr(args, name).resolve())
    bench = Bench(args)
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    for s in suites:
        if s not in SUITES:
            raise SystemExit(f"unknown suite {s!r}; choose from {', '.join(SUITES)}")
    print(f"results -> {bench.out} (load average {load_average()})", flush=True)
    for s in SUITES:
        if s in suites:
            getattr(bench, s)()
    bench.save()
    if bench.results["library_at_start"] != bench.results["library_at_end"]:
        print("note: the library's sources changed during the run (see library_at_start/_end)")
    print(f"done: {bench.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
