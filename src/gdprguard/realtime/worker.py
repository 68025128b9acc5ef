"""The worker loop: claim due events from the store's queue and run the unit of work on each.

:class:`EventWorker` is the only processing path, whether it runs in a thread of the receiver
(``--workers``) or in a worker process (``--worker-processes``, :mod:`.processes`): claim up to
a few due events, run :func:`~gdprguard.realtime.processor.redact_ticket` on each, mark it
done or failed (retried later with backoff), and report the outcome to an
:class:`OutcomeSink` (the receiver's metrics and drain rate, directly or through a pipe). Asked
to stop, it finishes the event in hand and gives back the claimed events it has not started.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from .._exceptions import HelpdeskError
from .processor import RealtimeContext, redact_ticket
from .queue import EventQueue, QueuedEvent

__all__ = ["EventWorker", "OutcomeSink", "Signal"]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class OutcomeSink(Protocol):
    """Where a worker reports what it did (ids and counts only)."""

    def processed(self, connector: str, redacted: int, seconds: float, busy: float) -> None:
        """An event was processed: *redacted* comments changed, *seconds* since it arrived,
        *busy* seconds of the worker's time."""

    def failed(self, connector: str, dead: bool, busy: float) -> None:
        """Processing an event failed after *busy* seconds; *dead* when it is not retried."""


class Signal(Protocol):
    """``threading.Event`` or ``multiprocessing.Event``."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...

    def clear(self) -> None: ...


class EventWorker:
    """Claims and processes events of *queue* with *context* (one at a time)."""

    def __init__(
        self,
        queue: EventQueue,
        context: RealtimeContext,
        sink: OutcomeSink,
        *,
        batch: int = 5,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.queue = queue
        self.context = context
        self.sink = sink
        self.batch = batch
        self.clock = clock

    def process_once(
        self, stopping: Callable[[], bool] = lambda: False, *, batch: int | None = None
    ) -> int:
        """Claim and process up to *batch* (default ``self.batch``) due events; returns how
        many were handled. Once *stopping* says so, the claimed events not started yet are
        given back."""
        events = self.queue.claim(batch or self.batch)
        for handled, event in enumerate(events):
            if handled and stopping():
                self.queue.release(e.id for e in events[handled:])
                return handled
            self.process(event)
        return len(events)

    def process(self, event: QueuedEvent) -> None:
        """Run the unit of work on one claimed event and record its outcome."""
        started = time.monotonic()
        try:
            outcome = redact_ticket(self.context, event.connector, event.ticket_id)
        except Exception as exc:
            code = type(exc).__name__
            if isinstance(exc, HelpdeskError) and exc.status:
                code += f" {exc.status}"
            status = self.queue.fail(event, code)
            self.sink.failed(event.connector, status == "dead", time.monotonic() - started)
            log.warning("event %d (%s ticket %s): %s; %s", event.id, event.connector,
                        event.ticket_id, code, status)  # fmt: skip
            return
        self.queue.done(event.id, outcome.model_dump())
        elapsed = (self.clock() - event.received_at).total_seconds()
        busy = time.monotonic() - started
        self.sink.processed(event.connector, outcome.redacted, max(elapsed, 0.0), busy)

    def run(
        self,
        stop: Signal,
        wake: Signal,
        *,
        poll_seconds: float,
        alive: Callable[[], bool] = lambda: True,
    ) -> None:
        """Process events until *stop* is set (or *alive* turns false); when idle, wait for
        *wake* or *poll_seconds*."""

        def stopping() -> bool:
            return stop.is_set() or not alive()

        while not stopping():
            try:
                handled = self.process_once(stopping)
            except Exception as exc:  # the store unreachable: wait, then try again
                log.warning("worker: %s; retrying", type(exc).__name__)
                handled = 0
            if not handled:
                wake.wait(poll_seconds)
                wake.clear()
