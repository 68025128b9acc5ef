"""Run a rate-limited sandbox in its own process, for the benchmark's rate-limited rows.

``gdprguard sandbox serve`` has ``--rate-limit`` but no token-bucket size (its bucket holds a full
minute's allowance, so a short scan would never meet the limit); this launcher passes
``rate_burst`` too and otherwise behaves like the CLI: it prints one JSON line with the URL and
credentials once it listens, then serves until SIGTERM/SIGINT.

    python -m bench.connectors.serve --flavor zendesk --tickets 2000 --rate-limit 6000 --burst 100
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from gdprguard.sandbox import SandboxServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flavor", choices=("zendesk", "freshdesk"), default="zendesk")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--rate-limit", type=int, required=True, help="requests per minute")
    parser.add_argument("--burst", type=int, required=True, help="token-bucket size")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    settings = {"rate_limit": args.rate_limit, "rate_burst": args.burst}
    with SandboxServer(
        flavor=args.flavor, seed=args.seed, tickets=args.tickets, port=0, **settings
    ) as sandbox:
        print(json.dumps(dict(sandbox.credentials)), flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
