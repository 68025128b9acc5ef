"""CPU time of a piece of work, for ratio tests of how detection scales (never a time limit)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

__all__ = ["best_cpu_seconds"]


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
