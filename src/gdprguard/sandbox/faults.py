"""Rate limiting (token bucket) and seeded fault injection for the sandbox.

Faults are decided by a hash of (seed, method, path and query, how many times that exact request
was seen before), so the same sequence of requests meets the same faults in every run, even when
requests arrive concurrently, and a retried request gets a fresh draw.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "FaultInjector", "RateDecision", "RateLimiter"]

#: Fault kinds: HTTP 5xx answers, a slow answer, a dropped connection before the request is
#: handled (``drop``) or after it was handled but before the answer is sent (``drop_after``).
FAULT_KINDS = ("500", "502", "503", "504", "slow", "drop", "drop_after")

#: Limit the headers advertise when no rate limit is configured.
NOMINAL_LIMIT = 700


@dataclass(frozen=True)
class RateDecision:
    """Outcome of charging a request against the budget."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after: int


class RateLimiter:
    """A token bucket: ``per_minute`` requests per minute with a burst of ``burst`` requests.

    ``per_minute=None`` never refuses and reports a nominal limit of 700 with nothing used.
    """

    def __init__(
        self,
        per_minute: int | None,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute is not None and per_minute <= 0:
            raise ValueError("rate limit must be a positive number of requests per minute")
        self.per_minute = per_minute
        self.capacity = float(burst if burst is not None else (per_minute or NOMINAL_LIMIT))
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self.lock = threading.Lock()

    def charge(self, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens if available."""
        if self.per_minute is None:
            return RateDecision(True, NOMINAL_LIMIT, NOMINAL_LIMIT, 60, 0)
        rate = self.per_minute / 60.0
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * rate)
            self.stamp = now
            allowed = self.tokens >= cost
            if allowed:
                self.tokens -= cost
            missing = max(0.0, cost - self.tokens)
            retry_after = 0 if allowed else max(1, math.ceil(missing / rate))
            reset = math.ceil((self.capacity - self.tokens) / rate)
            return RateDecision(allowed, self.per_minute, int(self.tokens), reset, retry_after)


class FaultInjector:
    """Decides, reproducibly, which requests fail and how."""

    def __init__(
        self, rate: float, seed: int, kinds: tuple[str, ...] = ("500", "503", "slow", "drop")
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = [k for k in kinds if k not in FAULT_KINDS]
        if unknown or not kinds:
            raise ValueError(f"fault kinds must be among {', '.join(FAULT_KINDS)}")
        self.rate = rate
        self.seed = seed
        self.kinds = kinds
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        self.injected: list[tuple[str, str]] = []  # (kind, method + path), for tests and docs

    def decide(self, method: str, target: str) -> str | None:
        """The fault for this request, or None."""
        if self.rate <= 0.0:
            return None
        key = f"{method} {target}"
        with self.lock:
            occurrence = self.seen.get(key, 0)
            self.seen[key] = occurrence + 1
        digest = hashlib.sha256(f"{self.seed}\x00{key}\x00{occurrence}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        kind = self.kinds[int.from_bytes(digest[8:12], "big") % len(self.kinds)]
        with self.lock:
            self.injected.append((kind, key))
        return kind
