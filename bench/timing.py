"""Small timing helpers: percentiles over repeated calls."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 5) -> dict[str, float]:
    """p50 and p95 in milliseconds of `repeat` calls after `warmup` unmeasured ones."""
    return timed_together([fn], repeat, warmup)[0]


def timed_together(fns: list[Callable[[], Any]], repeat: int, warmup: int = 5) -> list[dict[str, float]]:
    """`timed` for several functions called in turn, one call of each per round: what the machine
    does meanwhile weighs on all of them alike, so their ratios hold on a busy shared machine."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, own in zip(fns, samples, strict=True):
            start = time.perf_counter()
            fn()
            own.append((time.perf_counter() - start) * 1000)
    return [{"p50": statistics.median(s), "p95": percentile(s, 95)} for s in samples]


class Stopwatch:
    """with Stopwatch() as sw: ...; sw.seconds"""

    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
