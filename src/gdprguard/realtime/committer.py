"""Group commit: many webhooks made durable by one transaction.

Request threads hand their event to :meth:`GroupCommitter.accept` and wait. One writer thread
takes every event that has arrived, commits them together with
:meth:`~gdprguard.realtime.queue.EventQueue.accept_many` (one transaction, one fsync), and wakes
each waiting request with its own result (``queued``, ``coalesced``, ``replay`` or ``full``).
While a commit is on its way to the disk the next events gather, so batches grow with the load
and a lone webhook waits for nothing but its own commit. The guarantee is the one a commit per
webhook gives: :meth:`~GroupCommitter.accept` returns only after its event is in the store, and
if the commit fails every request of the batch gets the error (and answers accordingly).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .queue import AcceptResult, EventQueue, Incoming

__all__ = ["CommitFailed", "CommitterStopped", "GroupCommitter"]

log = logging.getLogger(__name__)


class CommitterStopped(RuntimeError):
    """The committer was stopped before the event could be handed to it."""


class CommitFailed(RuntimeError):
    """The batch holding the event could not be committed (its cause says why); nothing of
    that batch was kept."""


class _Waiter:
    """One request's event and, once the batch is committed, its result or the error."""

    __slots__ = ("done", "error", "event", "result")

    def __init__(self, event: Incoming) -> None:
        self.event = event
        self.done = threading.Event()
        self.result: AcceptResult | None = None
        self.error: BaseException | None = None


class GroupCommitter:
    """One writer thread committing whatever events arrived, in batches of up to *max_batch*.

    *on_commit* is called in the writer thread after each successful batch with its results
    (metrics, waking the workers); keep it short, the next batch waits for it.
    """

    def __init__(
        self,
        queue: EventQueue,
        *,
        max_batch: int = 256,
        on_commit: Callable[[list[AcceptResult]], None] | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.queue = queue
        self.max_batch = max_batch
        self.on_commit = on_commit
        self.batches = 0  # committed batches (for tests and the benchmark)
        self.committed = 0  # events in them
        self._pending: list[_Waiter] = []
        self._cond = threading.Condition()
        self._running = False
        self._stopped = False
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the writer thread runs."""
        return self._running

    @property
    def waiting(self) -> int:
        """Events handed over and not yet taken into a batch."""
        with self._cond:
            return len(self._pending)

    def start(self) -> None:
        """Start the writer thread (idempotent; the first :meth:`accept` starts it too)."""
        with self._cond:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._running:
            return
        self._running, self._stopped = True, False
        self._thread = threading.Thread(target=self._write, name="gdprguard-commit", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Commit what has been handed over, then stop the writer thread; later calls to
        :meth:`accept` raise :class:`CommitterStopped` (until :meth:`start`)."""
        with self._cond:
            self._running, self._stopped = False, True
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)

    def accept(self, event: Incoming) -> AcceptResult:
        """Hand *event* to the writer and wait until it is committed; its result.

        Raises :class:`CommitFailed` if the batch could not be committed (the store is
        unreachable), :class:`CommitterStopped` if the committer is not running.
        """
        waiter = _Waiter(event)
        with self._cond:
            if self._stopped:
                raise CommitterStopped("the receiver is stopping")
            self._start_locked()
            self._pending.append(waiter)
            if len(self._pending) == 1:
                self._cond.notify()
        waiter.done.wait()
        if waiter.error is not None:
            raise CommitFailed(type(waiter.error).__name__) from waiter.error
        assert waiter.result is not None
        return waiter.result

    def _next_batch(self) -> list[_Waiter] | None:
        with self._cond:
            while not self._pending:
                if not self._running:
                    return None
                self._cond.wait()
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            return batch

    def _write(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                results = self.queue.accept_many([w.event for w in batch])
            except Exception as exc:  # the store: every request of the batch answers an error
                log.warning("committing %d webhook event(s): %s", len(batch), type(exc).__name__)
                for waiter in batch:
                    waiter.error = exc
                    waiter.done.set()
                continue
            for waiter, result in zip(batch, results, strict=True):
                waiter.result = result
                waiter.done.set()
            self.batches += 1
            self.committed += len(batch)
            if self.on_commit is not None:
                try:
                    self.on_commit(results)
                except Exception as exc:  # metrics or a wake-up: never stop the writer
                    log.warning("after a commit: %s", type(exc).__name__)
