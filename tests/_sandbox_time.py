"""Move a sandbox's clocks forward instead of sleeping (tests never wait for real time)."""

from __future__ import annotations

import time
from typing import Any


def skip_ahead(server: Any, seconds: float) -> None:
    """Make *server*'s record clock and rate-limit clock run *seconds* ahead from now on."""
    shift = float(getattr(server, "_test_clock_shift", 0.0)) + seconds
    server._test_clock_shift = shift
    server.state.clock = lambda: time.time() + shift
    server.limiter.clock = lambda: time.monotonic() + shift
