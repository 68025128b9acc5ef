"""Test processes run Python's cyclic garbage collector less often.

A test process holds a large, long-lived heap (detection models, SQLAlchemy metadata, every test
module and its fixtures) and allocates quickly: with the default thresholds (700, 10, 10) it
collects the youngest generation thousands of times a minute and walks the whole heap every few
seconds, about a twentieth of the suite's CPU time. Larger thresholds let short-lived objects
die before the collector looks at them. Only when cyclic garbage is freed changes; memory stays
small (a full collection still runs about once per million allocations) and pytest collects
everything before it reports unraisable exceptions at the end of the session.
"""

from __future__ import annotations

import gc

__all__ = ["collect_less_often"]

#: (youngest generation, middle, oldest): allocations, then collections of the generation below
THRESHOLDS = (10_000, 10, 10)


def collect_less_often() -> None:
    """Raise this process's collection thresholds (``gc.set_threshold``) to ``THRESHOLDS``."""
    gc.set_threshold(*THRESHOLDS)
