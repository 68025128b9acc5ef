"""Per-endpoint rate limits: Zendesk's ``Zendesk-RateLimit-<name>`` headers.

Besides the account-wide allowance (``ratelimit-*``, ``x-rate-limit*``, read by
:class:`~gdprguard.connectors.http.RateBudget`), some Zendesk endpoints have a limit of their
own and say so in a header named after it::

    zendesk-ratelimit-tickets-index: total=100; remaining=99; resets=41
    zendesk-ratelimit-incremental-exports: total=10; remaining=9; resets=42

(``total`` the allocation, ``remaining`` what is left of it, ``resets`` the seconds until it
refreshes.) The spelling ``zendesk-rate-limit-<name>`` is read too. One name covers a family of
endpoints (``incremental-exports``: every incremental export), so :class:`EndpointLimits` keeps
one allowance per name and learns which requests draw on it from the answers that carry it;
a connector can also declare a family up front by path prefix. When a family's allowance is used
up, only requests of that family wait for its reset; other endpoints go on at full speed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["EndpointAllowance", "EndpointLimits", "parse_endpoint_limit", "route_key"]

_PREFIXES = ("zendesk-ratelimit-", "zendesk-rate-limit-")
_PAIR = re.compile(r"([a-z_]+)\s*=\s*(-?\d+(?:\.\d+)?)")
_ID_SEGMENT = re.compile(r"/(?:\d+|V3-[0-9a-f]+)(?=/|$)")
#: reset values beyond this are not durations (an epoch timestamp, a broken header): ignored
MAX_RESET_SECONDS = 86400.0


@dataclass(frozen=True)
class EndpointAllowance:
    """One parsed ``Zendesk-RateLimit-<name>`` header."""

    name: str
    total: int | None
    remaining: int
    resets: float | None


def parse_endpoint_limit(header: str, value: str) -> EndpointAllowance | None:
    """``("zendesk-ratelimit-search-index", "total=2500; remaining=2499; resets=30")`` → an
    allowance; None for any other header or a value without ``remaining``."""
    lowered = header.lower()
    prefix = next((p for p in _PREFIXES if lowered.startswith(p)), None)
    if prefix is None or len(lowered) == len(prefix):
        return None
    numbers = {key: float(number) for key, number in _PAIR.findall(value.lower())}
    if "remaining" not in numbers:
        return None
    resets = numbers.get("resets")
    if resets is not None and not 0 <= resets <= MAX_RESET_SECONDS:
        resets = None
    total = numbers.get("total")
    return EndpointAllowance(
        name=lowered[len(prefix) :],
        total=int(total) if total is not None else None,
        remaining=int(numbers["remaining"]),
        resets=resets,
    )


def route_key(method: str, path: str) -> str:
    """``GET /api/v2/tickets/42/comments.json`` → ``GET /api/v2/tickets/{id}/comments``: the
    endpoint a request goes to, whatever record it names."""
    if path.endswith(".json"):
        path = path[: -len(".json")]
    return f"{method.upper()} {_ID_SEGMENT.sub('/{id}', path.rstrip('/'))}"


@dataclass
class _State:
    remaining: int
    resets_at: float | None


@dataclass
class EndpointLimits:
    """The per-endpoint allowances of one helpdesk, and which requests draw on which.

    ``window`` is assumed for a header that gives no ``resets``.
    """

    window: float = 60.0
    _declared: list[tuple[str, str, str | None]] = field(default_factory=list)
    _learned: dict[str, set[str]] = field(default_factory=dict)
    _state: dict[str, _State] = field(default_factory=dict)

    def declare(self, name: str, path_prefix: str, method: str | None = None) -> None:
        """Requests whose path starts with *path_prefix* (and of *method*, if given) draw on
        the limit *name*, before any answer has said so."""
        self._declared.append((name.lower(), path_prefix, method.upper() if method else None))

    def families(self, method: str, path: str) -> set[str]:
        """The limits a request to *path* draws on (declared or learned)."""
        found = set(self._learned.get(route_key(method, path), ()))
        upper = method.upper()
        for name, prefix, only in self._declared:
            if path.startswith(prefix) and (only is None or only == upper):
                found.add(name)
        return found

    def observe(self, method: str, path: str, headers: Mapping[str, str], now: float) -> None:
        """Remember every per-endpoint allowance an answer reports, and that this endpoint
        draws on it."""
        seen: set[str] = set()
        for header, value in headers.items():
            allowance = parse_endpoint_limit(header, value)
            if allowance is None:
                continue
            seen.add(allowance.name)
            resets = allowance.resets if allowance.resets is not None else self.window
            self._state[allowance.name] = _State(allowance.remaining, now + resets)
        if seen:
            self._learned.setdefault(route_key(method, path), set()).update(seen)

    def delay(self, method: str, path: str, now: float) -> float:
        """Seconds to wait before a request to *path*: until the latest reset among its
        families that have nothing left, else 0."""
        wait = 0.0
        for name in self.families(method, path):
            state = self._state.get(name)
            if state is None or state.resets_at is None:
                continue
            if state.resets_at <= now:
                del self._state[name]  # refreshed: the next answer reports the new allowance
                continue
            if state.remaining <= 0:
                wait = max(wait, state.resets_at - now)
        return wait

    def spend(self, method: str, path: str) -> None:
        """Count one request against its families until an answer reports their allowance."""
        for name in self.families(method, path):
            state = self._state.get(name)
            if state is not None:
                state.remaining -= 1

    def remaining(self, name: str) -> int | None:
        """What is left of limit *name*, as last reported (None: unknown or refreshed)."""
        state = self._state.get(name.lower())
        return None if state is None else state.remaining
