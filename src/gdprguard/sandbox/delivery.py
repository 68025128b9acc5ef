"""Webhook calls leave the sandbox from one background thread, retried the way each helpdesk does.

Business rules are evaluated under the state lock (``webhooks.py``); what they produce is a
:class:`Delivery` (method, URL, body, headers) handed to :meth:`WebhookDispatcher.submit`, which
never blocks. The dispatcher's thread sends it, signs each attempt afresh (Zendesk:
``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256 of timestamp + body, with the timestamp of
that attempt), and schedules retries per the flavor's :class:`RetryRule`:

- Zendesk retries a 409 and a timeout, and a 429 or 503 whose ``Retry-After`` is under 60
  seconds (waiting that long); at most three retries here.
- Freshdesk retries a failure on the receiving end (5xx, 429, timeout, refused connection)
  5 minutes, then 30 minutes, then an hour later.

Time comes from ``clock`` and waiting from ``sleep`` (both replaceable: tests move a fake clock
instead of waiting). Every call and its attempts are kept in a log of ids, statuses and times
(``deliveries()``), never bodies or URLs. ``close()`` stops the thread and joins it.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

__all__ = [
    "FRESHDESK_RETRIES",
    "ZENDESK_RETRIES",
    "Delivery",
    "RetryRule",
    "WebhookDispatcher",
    "retry_delay",
    "zendesk_signature",
]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"


@dataclass(frozen=True)
class RetryRule:
    """When a failed webhook call is tried again, and after how long."""

    max_retries: int
    retry_statuses: frozenset[int]
    """answers retried whatever they say (after ``Retry-After`` if given, else ``schedule``)"""
    throttle_statuses: frozenset[int] = frozenset()
    """answers retried only with a ``Retry-After`` below ``max_retry_after`` (waiting that long)"""
    max_retry_after: float | None = None
    retry_timeouts: bool = True
    retry_connection_errors: bool = False
    schedule: tuple[float, ...] = (1.0,)
    """seconds before retry 1, 2, … when no ``Retry-After`` applies (the last one repeats)"""


ZENDESK_RETRIES = RetryRule(
    max_retries=3,
    retry_statuses=frozenset({409}),
    throttle_statuses=frozenset({429, 503}),
    max_retry_after=60.0,
    retry_timeouts=True,
    retry_connection_errors=False,
    schedule=(1.0, 2.0, 4.0),
)
FRESHDESK_RETRIES = RetryRule(
    max_retries=3,
    retry_statuses=frozenset({429, *range(500, 600)}),
    retry_timeouts=True,
    retry_connection_errors=True,
    schedule=(300.0, 1800.0, 3600.0),
)


def retry_delay(
    rule: RetryRule,
    retries_done: int,
    status: int | None,
    error: str | None,
    retry_after: float | None,
) -> float | None:
    """Seconds to wait before the next try of a failed call, or None when it is not retried."""
    if retries_done >= rule.max_retries:
        return None
    fallback = rule.schedule[min(retries_done, len(rule.schedule) - 1)]
    if error == "timeout":
        return fallback if rule.retry_timeouts else None
    if error is not None:
        return fallback if rule.retry_connection_errors else None
    if status in rule.throttle_statuses:
        if retry_after is None:
            return None
        if rule.max_retry_after is not None and retry_after >= rule.max_retry_after:
            return None
        return retry_after
    if status in rule.retry_statuses:
        return retry_after if retry_after is not None else fallback
    return None


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``base64(HMAC-SHA256(key=secret, msg=timestamp + body))``, as Zendesk signs webhooks.

    The key is the secret string's own bytes (not base64-decoded).
    """
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), None when absent or garbled."""
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Delivery:
    """One webhook call to make: what to send where, how to sign it, how to retry it.

    ``source`` names what produced it by id (``trigger_id`` and ``webhook_id``, or
    ``automation_id``); ``headers`` are the fixed ones (content type, authentication, custom
    headers); ``signing_secret`` makes each attempt carry Zendesk's signature headers.
    """

    id: str
    flavor: str
    source: dict[str, Any]
    ticket_id: int
    comment_id: int | None
    event: str
    method: str
    url: str
    body: bytes
    headers: dict[str, str]
    retry: RetryRule
    signing_secret: str | None = field(default=None, repr=False)


@dataclass
class _Record:
    """The log entry of one delivery: ids, status and attempts (no body, URL or headers)."""

    delivery: Delivery
    created_at: float
    status: str = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.id,
            "flavor": d.flavor,
            **d.source,
            "ticket_id": d.ticket_id,
            "comment_id": d.comment_id,
            "event": d.event,
            "method": d.method,
            "created_at": _iso(self.created_at),
            "status": self.status,
            "attempts": [dict(a) for a in self.attempts],
        }


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    record: _Record = field(compare=False)
    retries_done: int = field(default=0, compare=False)


class WebhookDispatcher:
    """Sends :class:`Delivery` objects from one background thread, with retries.

    ``enabled=False`` logs each delivery as ``disabled`` and sends nothing. ``clock`` gives Unix
    seconds (signature timestamps, retry times); ``sleep``, when set, replaces the thread's own
    interruptible wait for a retry that is not due yet (tests pass a function that moves their
    clock). ``timeout`` is the connect and read timeout of each call.
    """

    def __init__(
        self,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.enabled = enabled
        self.clock = clock
        self.timeout = timeout
        self.sleep: Callable[[float], None] | None = None
        self._cond = threading.Condition()
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._busy = 0
        self._records: list[_Record] = []
        self._thread: threading.Thread | None = None
        self._closing = False

    # --- producer side (any thread; the state lock may be held) --------------------------------

    def submit(self, delivery: Delivery) -> None:
        """Queue a call; returns at once."""
        with self._cond:
            record = _Record(delivery, self.clock())
            self._records.append(record)
            if not self.enabled:
                record.status = "disabled"
                return
            heapq.heappush(self._heap, _Job(self.clock(), next(self._seq), record))
            self._closing = False
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="gdprguard-sandbox-webhooks", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery so far, oldest first, with its attempts."""
        with self._cond:
            return [r.public() for r in self._records]

    def wait_idle(self, timeout: float = 5.0, *, retries: bool = True) -> bool:
        """Block until nothing is being sent or due, and (``retries``) no retry is scheduled
        either; False on timeout."""

        def idle() -> bool:
            if self._busy:
                return False
            if not self._heap:
                return True
            return not retries and self._heap[0].due > self.clock()

        with self._cond:
            return self._cond.wait_for(idle, timeout)

    @property
    def running(self) -> bool:
        """Whether the delivery thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (a call in flight finishes first); queued calls become ``cancelled``."""
        with self._cond:
            self._closing = True
            for job in self._heap:
                job.record.status = "cancelled"
            self._heap.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        with self._cond:
            if self._thread is thread and (thread is None or not thread.is_alive()):
                self._thread = None

    # --- the delivery thread -------------------------------------------------------------------

    def _run(self) -> None:
        session = requests.Session()
        session.trust_env = False  # loopback receivers must not go through a proxy
        try:
            while True:
                job, delay = self._next_job()
                if job is None and delay is None:
                    return
                if job is None:
                    sleep = self.sleep
                    if sleep is not None:
                        sleep(delay or 0.0)
                    continue
                try:
                    self._attempt(session, job)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()
        finally:
            session.close()

    def _next_job(self) -> tuple[_Job | None, float | None]:
        """The job to send now, or (None, delay) to wait, or (None, None) to stop."""
        with self._cond:
            while True:
                if self._closing:
                    return None, None
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0].due - self.clock()
                if delay <= 0:
                    self._busy += 1
                    return heapq.heappop(self._heap), None
                if self.sleep is not None:
                    return None, delay
                self._cond.wait(delay)  # a new call or close() wakes it early

    def _attempt(self, session: requests.Session, job: _Job) -> None:
        delivery = job.record.delivery
        sent_at = self.clock()
        headers = dict(delivery.headers)
        if delivery.signing_secret is not None:
            stamp = _iso(sent_at)
            headers[TIMESTAMP_HEADER] = stamp
            headers[SIGNATURE_HEADER] = zendesk_signature(
                delivery.signing_secret, stamp, delivery.body
            )
        status: int | None = None
        error: str | None = None
        retry_after: float | None = None
        try:
            response = session.request(
                delivery.method,
                delivery.url,
                data=delivery.body or None,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
            )
            status = response.status_code
            retry_after = _retry_after(response.headers.get("Retry-After"), self.clock())
            response.close()
        except requests.Timeout:
            error = "timeout"
        except requests.RequestException:
            error = "connection_error"
        delivered = status is not None and 200 <= status < 300
        delay = (
            None
            if delivered
            else retry_delay(delivery.retry, job.retries_done, status, error, retry_after)
        )
        with self._cond:
            record = job.record
            attempt: dict[str, Any] = {
                "number": job.retries_done + 1,
                "at": _iso(sent_at),
                "http_status": status,
                "error": error,
            }
            if delivered:
                attempt["outcome"] = record.status = "delivered"
            elif delay is not None:
                attempt["outcome"] = "retry"
                attempt["retry_in"] = delay
                if self._closing:
                    record.status = "cancelled"
                else:
                    record.status = "retrying"
                    heapq.heappush(
                        self._heap,
                        _Job(self.clock() + delay, next(self._seq), record, job.retries_done + 1),
                    )
            else:
                attempt["outcome"] = record.status = "failed"
            record.attempts.append(attempt)
        log.debug(
            "webhook delivery %s attempt %d: %s",
            delivery.id,
            job.retries_done + 1,
            status if status is not None else error,
        )
