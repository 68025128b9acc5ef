"""Worker processes: processing out of the interpreter that answers the helpdesk.

With ``gdprguard serve --worker-processes N`` the receiver process only takes webhooks; N
worker processes (started with ``spawn``) each build their own store connection, connectors and
detector through a picklable *build* function and run the same :class:`~.worker.EventWorker`
loop as the worker threads, claiming events from the store's queue.

Each child talks to the receiver over two one-way pipes of its own (nothing is shared between
children, so a child killed at any moment cannot leave a lock held):

* child to receiver: ``ready`` once built, ``idle`` when it found nothing to do, and each
  event's outcome (ids and counts, for the metrics and the drain rate);
* receiver to child: ``wake`` (new events; sent only to a child that said ``idle`` since the
  last one, so the pipe never fills) and ``stop``.

A child stops after the event in hand when told to, on SIGTERM (``systemctl stop`` signals the
whole unit), or when the receiver is gone; it ignores SIGINT (Ctrl-C reaches the whole process
group: the receiver decides). If a child dies on its own (killed, crashed), the receiver stops
the other children, queues again the events left ``processing`` (:meth:`EventQueue.recover`),
and starts a fresh set, waiting longer between restarts while they keep failing.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from .._exceptions import GdprGuardError
from .processor import RealtimeContext
from .queue import EventQueue
from .worker import EventWorker, OutcomeSink

__all__ = ["WorkerProcesses", "WorkerSetup"]

log = logging.getLogger(__name__)

_FIRST_DELAY = 1.0  # the wait before restarting the worker processes after a death
_MAX_DELAY = 60.0  # the longest, while restarts keep failing (doubling each time)
_STABLE_SECONDS = 30.0  # a set of children that lived this long resets the delay


@dataclass
class WorkerSetup:
    """What a worker process builds for itself: its queue, the unit of work's context, and
    how to release them at the end."""

    queue: EventQueue
    context: RealtimeContext
    close: Callable[[], None]


class _RelaySink:
    """An :class:`OutcomeSink` that sends the outcomes to the receiver."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def processed(self, connector: str, redacted: int, seconds: float, busy: float) -> None:
        self.connection.send(("processed", connector, redacted, seconds, busy))

    def failed(self, connector: str, dead: bool, busy: float) -> None:
        self.connection.send(("failed", connector, dead, busy))


class _Stop:
    """A child's stop flag: set by a ``stop`` message, SIGTERM, or the receiver's death."""

    def __init__(self, inbox: Connection, parent: int) -> None:
        self.inbox = inbox
        self.parent = parent
        self.flag = False

    def on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        self.flag = True

    def read(self, timeout: float = 0.0) -> None:
        """Take the receiver's messages, waiting up to *timeout* for the first (a ``wake``
        only ends the wait)."""
        try:
            while self.inbox.poll(timeout):
                timeout = 0.0
                self.flag |= self.inbox.recv() == "stop"
        except (EOFError, OSError):  # the receiver is gone
            self.flag = True

    def is_set(self) -> bool:
        if not self.flag:
            self.read()
            self.flag |= os.getppid() != self.parent
        return self.flag


def _child(
    build: Callable[[], WorkerSetup],
    inbox: Connection,
    outbox: Connection,
    parent: int,
    batch: int,
    poll_seconds: float,
) -> None:
    """A worker process's main function."""
    stop = _Stop(inbox, parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop.on_sigterm)
    try:
        setup = build()
    except Exception as exc:
        detail = str(exc) if isinstance(exc, GdprGuardError) else type(exc).__name__
        log.error("worker process could not start: %s", detail)
        raise SystemExit(3) from None
    try:
        worker = EventWorker(setup.queue, setup.context, _RelaySink(outbox), batch=batch)
        outbox.send(("ready",))
        while not stop.is_set():
            try:
                handled = worker.process_once(stop.is_set)
            except Exception as exc:  # the store unreachable: wait, then try again
                log.warning("worker process: %s; retrying", type(exc).__name__)
                handled = 0
            if not handled:
                outbox.send(("idle",))
                stop.read(poll_seconds)
    except (BrokenPipeError, EOFError):  # the receiver is gone
        pass
    finally:
        setup.close()


class _Child:
    """The receiver's handle on one worker process."""

    def __init__(self, process: BaseProcess, inbox: Connection, outbox: Connection) -> None:
        self.process = process
        self.inbox = inbox  # what the child sends
        self.outbox = outbox  # what the child reads
        self.ready = False
        self.idle = False

    def send(self, message: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a dead child: the supervisor sees it
            self.outbox.send(message)

    def close(self) -> None:
        self.inbox.close()
        self.outbox.close()


class WorkerProcesses:
    """*count* worker processes running :class:`EventWorker` over the store's queue.

    *build* runs in each child and must be picklable (a module-level function, or a
    ``functools.partial`` of one with picklable arguments). Outcomes reported by the children
    go to *sink*, in a supervisor thread of the receiver.
    """

    def __init__(
        self,
        build: Callable[[], WorkerSetup],
        count: int,
        *,
        queue: EventQueue,
        sink: OutcomeSink,
        batch: int = 5,
        poll_seconds: float = 0.5,
        stop_seconds: float = 10.0,
    ) -> None:
        if count < 1:
            raise ValueError("at least one worker process")
        self.build = build
        self.count = count
        self.queue = queue
        self.sink = sink
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.stop_seconds = stop_seconds
        self.restarts = 0
        # spawn, never fork: the receiver has threads (and their locks) at any moment
        self._context = multiprocessing.get_context("spawn")
        self._children: list[_Child] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    # -- the receiver's side ------------------------------------------------------------------

    def start(self) -> None:
        """Start the children and the supervisor thread."""
        self._stopping.clear()
        self._spawn()
        self._supervisor = threading.Thread(
            target=self._supervise, name="gdprguard-worker-processes", daemon=True
        )
        self._supervisor.start()

    def stop(self, timeout: float | None = None) -> None:
        """Tell the children to stop after the event in hand; kill those still running after
        *timeout* seconds (their events are queued again at the next start)."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout if timeout is not None else self.stop_seconds + 5)
            self._supervisor = None
        self._stop_children(timeout if timeout is not None else self.stop_seconds)

    def wake(self) -> None:
        """Tell idle children there is work (cheap; safe from any thread)."""
        with self._lock:
            for child in self._children:
                if child.idle:
                    child.idle = False
                    child.send("wake")

    def problems(self) -> list[str]:
        """Why the worker processes are not ready ([] when every one is)."""
        with self._lock:
            waiting = sum(1 for c in self._children if not c.ready)
        return [f"worker processes: {waiting} of {self.count} starting"] if waiting else []

    @property
    def pids(self) -> list[int]:
        """The children's process ids."""
        with self._lock:
            return [c.process.pid for c in self._children if c.process.pid is not None]

    # -- children -----------------------------------------------------------------------------

    def _spawn(self) -> None:
        children = []
        for number in range(self.count):
            to_child_read, to_child_write = self._context.Pipe(duplex=False)
            from_child_read, from_child_write = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=_child,
                args=(self.build, to_child_read, from_child_write, os.getpid(), self.batch,
                      self.poll_seconds),
                name=f"gdprguard-worker-{number}", daemon=True,
            )  # fmt: skip
            process.start()
            to_child_read.close()
            from_child_write.close()
            children.append(_Child(process, from_child_read, to_child_write))
        with self._lock:
            self._children = children

    def _stop_children(self, timeout: float) -> None:
        with self._lock:
            children, self._children = self._children, []
        for child in children:
            child.send("stop")
        deadline = time.monotonic() + timeout
        for child in children:
            child.process.join(max(0.0, deadline - time.monotonic()))
        for child in children:
            if child.process.is_alive():
                log.warning("worker process %s did not stop in time; killing it", child.process.pid)
                child.process.kill()
                child.process.join(5)
            child.close()

    # -- the supervisor -----------------------------------------------------------------------

    def _supervise(self) -> None:
        started, delay = time.monotonic(), _FIRST_DELAY
        while not self._stopping.is_set():
            with self._lock:
                children = list(self._children)
            by_key: dict[Any, _Child] = {}
            for child in children:
                by_key[child.inbox] = child
                by_key[child.process.sentinel] = child
            dead: list[_Child] = []
            for ready in wait(list(by_key), timeout=0.5):
                child = by_key[ready]
                if ready is child.inbox:
                    if not self._receive(child):
                        dead.append(child)
                elif child not in dead:
                    dead.append(child)
            if not dead or self._stopping.is_set():
                continue
            codes = ", ".join(str(c.process.exitcode) for c in dead)
            log.warning("worker process ended unexpectedly (exit %s); restarting the worker "
                        "processes and queueing their events in flight again", codes)  # fmt: skip
            self._stop_children(self.stop_seconds)
            # wait before the restart: longer while restarts keep failing, and never restart
            # into a shutdown (SIGTERM reaches the children too, maybe before the receiver)
            failing = time.monotonic() - started < _STABLE_SECONDS
            delay = min(delay * 2, _MAX_DELAY) if failing else _FIRST_DELAY
            if self._stopping.wait(delay):
                return
            try:
                recovered = self.queue.recover()
            except Exception as exc:  # the store: try again at the next restart
                log.warning("re-queueing events in flight: %s", type(exc).__name__)
                recovered = 0
            if recovered:
                log.info("re-queued %d event(s) left in flight by the worker processes", recovered)
            self.restarts += 1
            started = time.monotonic()
            self._spawn()

    def _receive(self, child: _Child) -> bool:
        """Handle the messages waiting from *child*; False when its pipe is closed."""
        try:
            while child.inbox.poll():
                message = child.inbox.recv()
                kind = message[0]
                if kind == "processed":
                    self.sink.processed(*message[1:])
                elif kind == "failed":
                    self.sink.failed(*message[1:])
                elif kind in ("ready", "idle"):
                    with self._lock:
                        child.ready = True
                        child.idle = kind == "idle"
        except (EOFError, OSError):
            return False
        return True
