"""Test helpers for code that uses connectors: a clock that never really waits."""

from __future__ import annotations

import threading

__all__ = ["FakeClock"]


class FakeClock:
    """A :class:`~gdprguard.connectors.http.Clock` whose ``sleep`` advances time instantly.

    ``sleeps`` records every requested wait, so tests can assert on backoff and Retry-After.
    ``real_fraction`` > 0 also really sleeps that fraction of each wait (for servers whose rate
    windows run on real time).
    """

    def __init__(self, start: float = 1000.0, real_fraction: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.real_fraction = real_fraction
        self._lock = threading.Lock()
        self._event = threading.Event()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)
        if self.real_fraction > 0 and seconds > 0:
            self._event.wait(seconds * self.real_fraction)
