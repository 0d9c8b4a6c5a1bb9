"""Markdown tables from result files: ``python -m benchmarks.report benchmarks/results/X.json ...``.

Each figure is printed as ``median [min-max]`` over its runs, with the load average(s) it was
measured under, so that BENCHMARKS.md can quote the files verbatim.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def mm(s: dict[str, Any] | None, digits: int = 2) -> str:
    """``median [min-max]`` of a summary."""
    if not s:
        return "-"
    f = f"{{:.{digits}f}}"
    return f"{f.format(s['median'])} [{f.format(s['min'])}-{f.format(s['max'])}]"


def loads(values: list[list[float]]) -> str:
    ones = [v[0] for v in values]
    return f"{min(ones):.1f}-{max(ones):.1f}" if ones else "-"


def indexing(r: dict[str, Any]) -> list[str]:
    b = r["pipeline_breakdown_s"]
    out = [
        f"Indexing, {r['passages']} passages ({r['distinct_texts']} distinct texts) from {r['files']} files, batch {r['batch_size']}, load {loads(r['load_average'])}",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| pipeline passages/s | {mm(r['pipeline_passages_per_s'], 1)} |",
        f"| limit (model alone) passages/s | {mm(r['limit_passages_per_s'], 1)} |",
        f"| pipeline / limit | {mm(r['ratio_pipeline_over_limit'], 3)} |",
        f"| pipeline / limit, model load excluded | {mm(r['ratio_without_model_load'], 3)} |",
        f"| pipeline seconds: total / model load / encoding / rest | {mm(b['seconds'], 1)} / {mm(b['model_load_s'], 1)} / {mm(b['embed_s'], 1)} / {mm(b['other_s'], 1)} |",
        f"| peak RSS pipeline / limit, MiB | {mm(r['pipeline_peak_rss_mib'], 0)} / {mm(r['limit_peak_rss_mib'], 0)} |",
    ]
    p = r.get("peer")
    if p:
        out += [
            f"| peer (LangChain + Chroma) seconds, {p['chunks']} chunks | {mm(p['peer_seconds'], 1)} |",
            f"| pipeline speed-up over the peer (same documents) | {mm(p['speedup_pipeline_over_peer'], 2)} |",
            "| peer seconds: model load / load+split / encoding / Chroma | "
            + " / ".join(
                mm(p["peer_breakdown_s"][k], 1)
                for k in ("model_load_s", "load_split_s", "embed_s", "chroma_s")
            )
            + " |",
            f"| peak RSS peer, MiB | {mm(p['peer_peak_rss_mib'], 0)} |",
        ]
    for b, v in (r.get("limit_batch_sizes") or {}).items():
        out.append(
            f"| model alone at batch {b}: passages/s; / limit at {r['batch_size']}; peak RSS MiB "
            f"| {mm(v['passages_per_s'], 1)}; {mm(v['ratio_over_limit'], 3)}; {mm(v['peak_rss_mib'], 0)} |"
        )
    for name, v in (r.get("variants") or {}).items():
        out += [
            f"| variant {name}: passages/s | {mm(v['passages_per_s'], 1)} |",
            f"| variant {name}: / limit | {mm(v['ratio_over_limit'], 3)} |",
            f"| variant {name}: speed-up over the pipeline | {mm(v['ratio_over_pipeline'], 3)} |",
        ]
    return out


def backends(r: dict[str, Any]) -> list[str]:
    out = []
    if "onnx_passages_per_s" in r:
        out += [
            f"Encoding, {r['passages']} passages, batch {r['batch_size']}, load {loads(r['load_average'])}",
            "",
            "| figure | value |",
            "| --- | --- |",
            f"| ONNX passages/s | {mm(r['onnx_passages_per_s'], 1)} |",
            f"| torch passages/s | {mm(r['torch_passages_per_s'], 1)} |",
            f"| ONNX / torch | {mm(r['speedup_onnx_over_torch'], 2)} |",
            "",
        ]
    out += [
        "| set | queries | pool | same top 10 (list) | same top 10 (set) | same top 100 | max abs diff | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, x in r["rankings"].items():
        out.append(
            f"| {name} | {x['queries']} | {x['pool_passages']} | {x['same_top10_list']:.0%} | {x['same_top10_set']:.0%} "
            f"| {x['same_top100_list']:.0%} | {x['max_abs_diff']:.1e} | {x['load_average'][0]} |"
        )
    return out


def latency(res: dict[str, Any]) -> list[str]:
    out = [
        "| size | Chroma | hybrid p50 / p95 / p99 ms | floor p50 / p95 / p99 ms | hybrid / floor p50 / p95 / p99 | RSS MiB | load |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in res.values():
        h, f, q = r["hybrid_ms"], r["floor_ms"], r["ratio"]
        out.append(
            f"| {r['passages']:,} | {r['chroma']} | {h['p50']} / {h['p95']} / {h['p99']} | {f['p50']} / {f['p95']} / {f['p99']} "
            f"| {q['p50']} / {q['p95']} / {q['p99']} | {r['rss_end_mib']['VmHWM']} | {r['load_average'][0]} |"
        )
    return out


def memory(res: dict[str, Any]) -> list[str]:
    steps = [p["step"] for p in next(iter(res.values()))["parts"]]
    out = [
        "| size | Chroma | " + " | ".join(steps) + " | peak MiB | Chroma server MiB |",
        "|" + " --- |" * (len(steps) + 4),
    ]
    for r in res.values():
        srv = r.get("chroma_server_rss_mib", {}).get("VmHWM", "-")
        out.append(
            f"| {r['passages']:,} | {r['chroma']} | "
            + " | ".join(f"+{p['delta_mib']}" for p in r["parts"])
            + f" | {r['peak_mib']} | {srv} |"
        )
    return out


def lexical_memory(res: dict[str, Any]) -> list[str]:
    out = [
        "| passages | mmap | RSS MiB | RSS after a query MiB | arrays MiB | vocabulary | disk MiB | load s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in res.values():
        out.append(
            f"| {r['passages']:,} | {r['mmap']} | {r['rss_mib']} | {r['rss_after_query_mib']} | {r['arrays_mib']} "
            f"| {r['vocabulary']:,} | {r['disk_mib']} | {r['load_s']} |"
        )
    return out


def load(res: dict[str, Any]) -> list[str]:
    out = [
        "| size | clients | requests | req/s | p50 ms | p99 ms | errors | server peak MiB | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size, r in res.items():
        for lv in r["levels"]:
            lat = lv["latency_ms"]
            out.append(
                f"| {size} | {lv['clients']} | {lv['requests']} | {lv['requests_per_s']} | {lat.get('p50')} | {lat.get('p99')} "
                f"| {lv['errors']} | {r.get('server_peak_rss_mib')} | {lv['load_average'][0]} |"
            )
    return out


def compare(res: dict[str, Any]) -> list[str]:
    out = []
    for size, r in res.items():
        a = r["answers_identical"]
        out += [
            f"{size}: answers identical to this tree on {', '.join(f'{k} {v}' for k, v in a.items() if k not in ('queries', 'queries_compared'))}"
            f" of {a['queries_compared']} deterministic queries (of {a['queries']})",
            "",
            "| library | hybrid p50 ms | floor p50 ms | overhead p50 ms | overhead p95 ms | ratio p50 | ratio p95 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, m in (r.get("memory") or {}).items():
            out.insert(-2, f"{name}: serving process peak RSS {m['peak_rss_mib']} MiB")
        for name, s in r["summary"].items():
            out.append(
                f"| {name} | {mm(s['hybrid_p50_ms'], 1)} | {mm(s['floor_p50_ms'], 1)} | {mm(s['overhead_p50_ms'], 1)} "
                f"| {mm(s['overhead_p95_ms'], 1)} | {mm(s['ratio_p50'], 2)} | {mm(s['ratio_p95'], 2)} |"
            )
        out.append("")
    return out


def main(paths: list[str]) -> None:
    for path in paths:
        d = json.loads(Path(path).read_text())
        print(
            f"## {path}\n\nstarted {d['started']}, finished {d.get('finished')}, library {d.get('library_at_start')}"
            f"/{d.get('library_at_end')}\n"
        )
        for key, fn in (
            ("indexing", indexing),
            ("backends", backends),
            ("latency", latency),
            ("memory", memory),
            ("lexical_memory", lexical_memory),
            ("load", load),
            ("compare", compare),
        ):
            if d.get(key):
                print(f"### {key}\n")
                print("\n".join(fn(d[key])) + "\n")
        for key in ("synthetic_builds", "profile"):
            if d.get(key):
                print(f"### {key}\n\n```\n{json.dumps(d[key], indent=1)}\n```\n")


if __name__ == "__main__":
    main(sys.argv[1:])
