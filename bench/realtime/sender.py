"""A webhook sender for the benchmark: Zendesk-signed calls at a fixed rate, never dropping one.

Events are due at ``start + i / rate``; a pool of threads, each with its own keep-alive
connection, sends them in due order (a thread that falls behind sends at once, so the achieved
rate shows whether the sender or the receiver kept up). Each attempt is signed afresh as Zendesk
signs it (base64 HMAC-SHA256 of timestamp + body, the timestamp of that attempt). A 503 is sent
again after its ``Retry-After``; a broken connection after a second; a 409 (the receiver saw
this very signature: an earlier attempt got through) counts as accepted. Nothing is given up.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from gdprguard.realtime.signatures import zendesk_signature

__all__ = ["Accepted", "SendReport", "Sender", "WebhookEvent"]

#: the body gdprguard's Zendesk trigger sends (``connectors/_zendesk_webhook.py``), plus an index
_TRIGGER_KEYS = ("ticket_id", "comment_id", "updated_at")
RECONNECT_SECONDS = 1.0


@dataclass
class WebhookEvent:
    """One webhook call to make: which ticket and comment it announces."""

    index: int
    ticket_id: int
    comment_id: int
    first_sent: float | None = None  # time.time() of the first attempt
    attempts: int = 0


@dataclass(frozen=True)
class Accepted:
    """An event the receiver took (``queued`` or ``coalesced``, or a ``replay`` of one)."""

    index: int
    ticket_id: int
    status: str
    event_id: int | None
    first_sent: float
    accepted: float
    attempts: int


@dataclass
class SendReport:
    """What the sender did and got back."""

    events: int
    accepted: list[Accepted] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # error codes of 4xx answers
    retry_after: Counter[int] = field(default_factory=Counter)  # Retry-After values of 503s
    connection_errors: int = 0
    unsettled: int = 0  # events still not taken when the time ran out
    not_sent: int = 0  # events whose first attempt did not start within the sending window
    cpu_seconds: float = 0.0  # the sending process's CPU time while sending
    first_send: float = 0.0  # time.time()
    last_first_send: float = 0.0  # the last event's first attempt
    last_answer: float = 0.0

    @property
    def sent(self) -> int:
        """Events whose first attempt was made."""
        return self.events - self.not_sent

    @property
    def send_rate(self) -> float:
        """First attempts per second while sending."""
        span = self.last_first_send - self.first_send
        return (self.sent - 1) / span if span > 0 and self.sent > 1 else 0.0

    def count(self, status: str) -> int:
        """Accepted events of one receiver status."""
        return sum(1 for a in self.accepted if a.status == status)


class Sender:
    """Sends :class:`WebhookEvent` s to ``URL/webhooks/CONNECTOR`` at a fixed rate."""

    def __init__(self, url: str, connector: str, secret: str, *, threads: int = 16) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = f"/webhooks/{connector}"
        self.secret = secret
        self.threads = threads
        self._heap: list[tuple[float, int, WebhookEvent]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._open = 0
        self._deadline = 0.0
        self._window_end = float("inf")
        self._report = SendReport(events=0)

    def run(
        self,
        events: list[WebhookEvent],
        rate: float,
        *,
        window: float | None = None,
        timeout: float = 900.0,
    ) -> SendReport:
        """Send the events (first attempts due at *rate* per second) and return when every one
        sent was taken. With a *window* (seconds), an event not started by then is not sent
        (``not_sent``: the receiver answered slower than the rate). After *timeout* seconds the
        sender stops (``unsettled`` counts what was sent but not taken)."""
        self._report = SendReport(events=len(events))
        cpu = time.process_time()
        start = time.monotonic() + 0.05
        self._deadline = start + timeout
        self._window_end = start + window if window is not None else float("inf")
        self._heap = [(start + e.index / rate, next(self._seq), e) for e in events]
        heapq.heapify(self._heap)
        self._open = len(events)
        workers = [
            threading.Thread(target=self._work, name=f"bench-sender-{n}", daemon=True)
            for n in range(self.threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self._report.unsettled = self._open
        self._report.cpu_seconds = time.process_time() - cpu
        return self._report

    # -- one thread ---------------------------------------------------------------------------

    def _next(self) -> WebhookEvent | None:
        with self._cond:
            while True:
                if self._open == 0 or time.monotonic() > self._deadline:
                    return None
                if not self._heap:
                    self._cond.wait(0.5)
                    continue
                due, _, event = self._heap[0]
                now = time.monotonic()
                if due <= now:
                    heapq.heappop(self._heap)
                    if event.first_sent is None and now > self._window_end:
                        self._report.not_sent += 1
                        self._open -= 1
                        if self._open == 0:
                            self._cond.notify_all()
                        continue
                    return event
                self._cond.wait(min(due - now, 0.5))

    def _later(self, event: WebhookEvent, seconds: float) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + seconds, next(self._seq), event))
            self._cond.notify()

    def _settle(self, accepted: Accepted | None = None) -> None:
        with self._cond:
            if accepted is not None:
                self._report.accepted.append(accepted)
            self._open -= 1
            if self._open == 0:
                self._cond.notify_all()

    def _work(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            while (event := self._next()) is not None:
                connection = self._send(connection, event)
        finally:
            connection.close()

    def _send(
        self, connection: http.client.HTTPConnection, event: WebhookEvent
    ) -> http.client.HTTPConnection:
        now = time.time()
        report = self._report
        if event.first_sent is None:
            event.first_sent = now
            with self._cond:
                report.first_send = min(report.first_send or now, now)
                report.last_first_send = max(report.last_first_send, now)
        event.attempts += 1
        stamp = datetime.fromtimestamp(now, UTC)
        body = json.dumps(
            dict(
                zip(
                    _TRIGGER_KEYS,
                    (str(event.ticket_id), str(event.comment_id), stamp.isoformat()),
                    strict=True,
                )
            )
            | {"bench_event": event.index}
        ).encode()
        timestamp = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Zendesk Webhook",
            "X-Zendesk-Webhook-Signature": zendesk_signature(self.secret, timestamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        }
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            response = connection.getresponse()
            status, payload = response.status, response.read()
            retry_after = response.getheader("Retry-After")
        except (OSError, http.client.HTTPException):
            connection.close()
            with self._cond:
                report.connection_errors += 1
            self._later(event, RECONNECT_SECONDS)
            return http.client.HTTPConnection(self.host, self.port, timeout=60)
        answered = time.time()
        with self._cond:
            report.answers[status] += 1
            report.last_answer = max(report.last_answer, answered)
        if status in (202, 409):
            document = json.loads(payload) if status == 202 else {"status": "replay"}
            event_id = document.get("event")
            self._settle(
                Accepted(
                    event.index,
                    event.ticket_id,
                    str(document["status"]),
                    int(event_id) if event_id is not None else None,
                    event.first_sent,
                    answered,
                    event.attempts,
                )
            )
        elif status == 503:
            seconds = int(retry_after) if retry_after and retry_after.isdigit() else 1
            with self._cond:
                report.retry_after[seconds] += 1
            self._later(event, seconds)
        else:  # refused for good (401, 400, 404, 413): a benchmark bug, reported
            try:
                code = str(json.loads(payload).get("error", status))
            except ValueError:
                code = str(status)
            with self._cond:
                report.refused[code] += 1
            self._settle()
        return connection
