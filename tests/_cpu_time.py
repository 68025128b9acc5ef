"""CPU time of a piece of work, for ratio tests of how detection scales (never a time limit).

A ratio test asks: does a piece of work on an input ten times larger take about ten times as
long (linear) or a hundred times (quadratic)? One measurement of CPU time is noisy on a shared
machine (another process evicting the caches, frequency scaling, a page-fault storm), so
:func:`growth_ratio` measures the short and long inputs in turns and keeps the best of each,
and :func:`assert_grows_linearly` confirms a ratio over the limit by measuring again: a real
quadratic step is over the limit every time, noise is not.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

__all__ = ["assert_grows_linearly", "best_cpu_seconds", "growth_ratio"]


def best_cpu_seconds(run: Callable[[], object], tries: int) -> float:
    """The least CPU time of this process over *tries* calls of *run*, the garbage collector
    off meanwhile (a collection landing in one run but not the other is noise, not scaling)."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(tries):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def growth_ratio(
    make: Callable[[int], Callable[[], object]], small: int, factor: int = 10, rounds: int = 3
) -> float:
    """Best CPU time of ``make(small * factor)()`` over best CPU time of ``make(small)()``,
    the two measured in alternation *rounds* times (the short one twice per round)."""
    make(max(small // factor, 1))()  # warm up: compiled patterns, dictionaries, caches
    short_run, long_run = make(small), make(small * factor)
    short = long = float("inf")
    for _ in range(rounds):
        short = min(short, best_cpu_seconds(short_run, 2))
        long = min(long, best_cpu_seconds(long_run, 1))
    return long / max(short, 1e-3)


def assert_grows_linearly(
    make: Callable[[int], Callable[[], object]],
    small: int,
    limit: float = 20.0,
    attempts: int = 3,
) -> None:
    """Fail when the work grows faster than linearly: a ten times larger input taking more than
    *limit* times as long in each of *attempts* measurements (linear is 10, quadratic 100)."""
    ratios: list[float] = []
    for _ in range(attempts):
        ratios.append(growth_ratio(make, small))
        if ratios[-1] <= limit:
            return
    raise AssertionError(
        f"ten times the input took {', '.join(f'{r:.1f}' for r in ratios)} times as long "
        f"(limit {limit:g}, linear is 10)"
    )
