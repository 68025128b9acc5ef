"""The sandbox helpdesk for the real-time benchmark, in its own process.

Like ``bench.connectors.serve`` (one JSON line with the URL and credentials once it listens, then
serving until SIGTERM/SIGINT; ``--rate-limit`` with a token-bucket size ``--burst``), plus two
benchmark-only endpoints on the same port, behind the API's credentials:

* ``GET /_bench/answers``: the API answers the sandbox gave, by status (``{"200": n, "429": n,
  …}``; only ``/api/`` calls count: the receiver's traffic), the sandbox process's CPU seconds
  and the time its threads waited for a free core.
* ``POST /_bench/planted`` ``[{"ticket_id", "comment_id", "value"}]``: card numbers the benchmark
  wrote into comments (through ``POST /_sandbox/tickets``), added to the ground truth as planted
  ``CREDIT_CARD`` values, so ``GET /_sandbox/ground-truth`` reports those still present.

    python bench/realtime/serve.py --tickets 0 [--rate-limit 700 --burst 70]

The benchmark starts it by file path, so it imports nothing from ``bench`` (the child process
need not find the repository on its path).
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from gdprguard.sandbox import SandboxServer
from gdprguard.sandbox.records import Planted

__all__ = ["BenchSandbox", "PlantedCard"]


class PlantedCard(BaseModel):
    """A card number the benchmark put into a comment."""

    model_config = ConfigDict(extra="forbid")

    ticket_id: int
    comment_id: int
    value: str = Field(min_length=12, max_length=32)


_CARDS = TypeAdapter(list[PlantedCard])


class BenchSandbox(SandboxServer):
    """The sandbox, counting its API answers by status and taking planted values over HTTP."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._answers: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        creds = self._secrets
        pair = f"{creds['email']}/token:{creds['token']}".encode()
        self._auth = "Basic " + base64.b64encode(pair).decode()

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/_bench/"):
            return self._bench(environ, start_response, path)
        if not path.startswith("/api/"):
            return super().wsgi(environ, start_response)

        def counting(status: str, headers: Any, exc_info: Any = None) -> Any:
            code = status.split(" ", 1)[0]
            with self._count_lock:
                self._answers[code] += 1
            return start_response(status, headers, exc_info)

        return super().wsgi(environ, counting)

    def _bench(self, environ: dict[str, Any], start_response: Any, path: str) -> Iterable[bytes]:
        given = str(environ.get("HTTP_AUTHORIZATION", ""))
        if not hmac.compare_digest(given.encode(), self._auth.encode()):
            return _answer(start_response, "401 UNAUTHORIZED", {"error": "Couldn't authenticate"})
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/_bench/answers" and method == "GET":
            with self._count_lock:
                document = {
                    "answers": dict(self._answers),
                    "cpu_seconds": time.process_time(),
                    "run_queue_seconds": _run_queue_seconds(),
                }
            return _answer(start_response, "200 OK", document)
        if path == "/_bench/planted" and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                cards = _CARDS.validate_json(environ["wsgi.input"].read(size))
            except ValidationError as exc:
                return _answer(start_response, "400 BAD REQUEST", {"error": str(exc)})
            with self.state.lock:
                comments = self.state.data.comments
                unknown = [c.comment_id for c in cards if c.comment_id not in comments]
                if unknown:
                    error = {"error": f"{len(unknown)} comment(s) not found"}
                    return _answer(start_response, "404 NOT FOUND", error)
                self.state.data.planted.extend(
                    Planted(c.ticket_id, c.comment_id, "body", "CREDIT_CARD", c.value)
                    for c in cards
                )
            return _answer(start_response, "201 CREATED", {"planted": len(cards)})
        return _answer(start_response, "404 NOT FOUND", {"error": "InvalidEndpoint"})


def _run_queue_seconds() -> float:
    """Time this process's threads spent waiting for a free core (Linux ``schedstat``)."""
    total = 0
    for stat in Path("/proc/self/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def _answer(start_response: Any, status: str, document: Any) -> list[bytes]:
    body = json.dumps(document).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tickets", type=int, default=0, help="seeded tickets besides the bench's")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per minute")
    parser.add_argument("--burst", type=int, default=None, help="token-bucket size")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    with BenchSandbox(
        flavor="zendesk",
        seed=args.seed,
        tickets=args.tickets,
        port=0,
        rate_limit=args.rate_limit,
        rate_burst=args.burst,
        webhook_delivery=False,
    ) as sandbox:
        print(json.dumps(dict(sandbox.credentials)), flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
