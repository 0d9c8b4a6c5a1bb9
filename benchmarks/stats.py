"""Summaries of repeated measurements: median and spread, percentiles, paired ratios, load."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (recorded next to every figure)."""
    return [round(x, 2) for x in os.getloadavg()]


def summary(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """Median, min, max and the interquartile range of repeated runs."""
    v = np.asarray(values, dtype=np.float64)
    q1, q3 = np.percentile(v, [25, 75]) if len(v) else (float("nan"), float("nan"))
    return {
        "median": round(float(np.median(v)), digits),
        "min": round(float(v.min()), digits),
        "max": round(float(v.max()), digits),
        "iqr": [round(float(q1), digits), round(float(q3), digits)],
        "runs": [round(float(x), digits) for x in v],
    }


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95 and p99 (and the mean) of latency samples in milliseconds."""
    v = np.asarray(samples_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(v, [50, 95, 99])
    return {
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "p99": round(float(p99), 2),
        "mean": round(float(v.mean()), 2),
        "n": len(v),
    }


def paired_ratio(numer: Sequence[float], denom: Sequence[float]) -> dict[str, Any]:
    """Summary of the ratios of paired runs (run i of one over run i of the other)."""
    return summary([a / b for a, b in zip(numer, denom, strict=True)])


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))
