"""How long a sender refused with ``503`` should wait: ``Retry-After`` from the drain rate.

A full queue answers ``503 Service Unavailable`` with ``Retry-After``. A fixed value either
makes helpdesks wait long after room was made, or brings every refused sender back at once to
be refused again. :class:`RetryAfter` tells each one how long the workers need, at the rate
they empty the queue, to make room for it and for every sender refused before it that has not
come back yet::

    wait = ceil((depth - limit + 1 + promised) / drain rate), within [minimum, maximum]

*depth* is the queue's depth when the event was refused and *promised* the number of earlier
refusals whose own wait has not ended, so successive refusals get successively later times and
the retries arrive spread out at about the pace the queue drains. The drain rate
(:class:`DrainRate`) is what the workers achieve while they work: the number of workers times
the events finished (processed, or given up as dead) per second of a worker's time, over the
last 100 processing attempts. It is known after an idle spell too, when a rate per second of
wall time would be near zero; before the first attempt, each worker is assumed to finish one
event per second. When the recent attempts finished nothing (the helpdesk is down: events fail
and wait for their retry), the answer is the maximum. A fixed value may be configured instead.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["DrainRate", "RetryAfter"]


class DrainRate:
    """How fast *workers* empty the queue, from their last *samples* processing attempts
    (thread-safe)."""

    #: events per second one worker is assumed to finish before any attempt was measured
    ASSUMED_PER_WORKER = 1.0

    def __init__(self, workers: int, *, samples: int = 100) -> None:
        if workers < 1 or samples < 1:
            raise ValueError("workers and samples must be at least 1")
        self.workers = workers
        self._attempts: deque[tuple[float, bool]] = deque(maxlen=samples)
        self._lock = threading.Lock()

    def record(self, busy_seconds: float, finished: bool) -> None:
        """A worker spent *busy_seconds* on one attempt; *finished* if the event left the
        queue (processed, or dead), False if it waits for a retry."""
        with self._lock:
            self._attempts.append((max(busy_seconds, 0.0), finished))

    def per_second(self) -> float:
        """Events the workers finish per second while they work (0: none lately)."""
        with self._lock:
            if not self._attempts:
                return self.workers * self.ASSUMED_PER_WORKER
            busy = sum(seconds for seconds, _ in self._attempts)
            finished = sum(1 for _, done in self._attempts if done)
        if not finished:
            return 0.0
        return self.workers * finished / max(busy, 1e-3)


class RetryAfter:
    """The ``Retry-After`` seconds for each refused webhook (see the module's docstring)."""

    def __init__(
        self,
        drain: DrainRate,
        *,
        minimum: int = 1,
        maximum: int = 30,
        fixed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= minimum <= maximum:
            raise ValueError("Retry-After bounds must satisfy 1 <= minimum <= maximum")
        if fixed is not None and fixed < 1:
            raise ValueError("a fixed Retry-After must be at least 1 second")
        self.drain = drain
        self.minimum = minimum
        self.maximum = maximum
        self.fixed = fixed
        self.clock = clock
        self._promised: list[float] = []  # a heap of the moments refused senders come back
        self._lock = threading.Lock()

    def seconds(self, depth: int, limit: int) -> int:
        """The wait to tell a sender refused at queue *depth* (the queue's *limit* reached)."""
        if self.fixed is not None:
            return self.fixed
        now = self.clock()
        rate = self.drain.per_second()
        with self._lock:
            while self._promised and self._promised[0] <= now:
                heapq.heappop(self._promised)
            if rate <= 0:
                wait = self.maximum
            else:
                needed = max(depth - limit + 1, 1) + len(self._promised)
                wait = min(self.maximum, max(self.minimum, math.ceil(needed / rate)))
            heapq.heappush(self._promised, now + wait)
        return wait
