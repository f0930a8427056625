"""Shared helpers for bench scripts: timing by repetition, medians, the result line."""

import statistics
import time
from collections.abc import Callable


def median_rate(work: Callable[[], int], *, repeats: int) -> float:
    """Run `work` (which returns how many items it did) `repeats` times; median items/s."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        items = work()
        rates.append(items / (time.perf_counter() - started))
    return statistics.median(rates)


def line(
    name: str, figure: float, unit: str, baseline: float, baseline_unit: str | None = None
) -> str:
    ratio = figure / baseline if baseline else float("nan")
    return f"{name}: {figure:,.0f} {unit} | baseline {baseline:,.0f} {baseline_unit or unit} | ratio {ratio:.2f}"
