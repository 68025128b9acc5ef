"""Long operations (applying an erasure or a sweep) run in a background thread, with progress;
housekeeping (deleting expired exports) runs periodically beside them.

The page that started one shows its progress and polls ``/jobs/ID.json``; the work itself is
journaled by the engines, so a console restarted mid-way loses only the progress display: the
plan shows as ``applying`` and a retry finishes it.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from .._exceptions import GdprGuardError

__all__ = ["Job", "JobBusyError", "Jobs", "ProgressCallback", "Tick", "only_phase"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int | None], None]
#: blocks until periodic work should run again; False ends it (tests pass their own)
Tick = Callable[[], bool]
JobState = Literal["running", "done", "failed"]


class JobBusyError(GdprGuardError):
    """Something is already being applied to the same request or plan."""


class Job(BaseModel):
    """One background operation: what, for whom, how far, and how it ended (ids and counts)."""

    job_id: str
    kind: str
    target: str = Field(description="the request or plan it works on")
    owner: str = Field(description="the console account that started it")
    connectors: list[str] = Field(
        default_factory=list, description="the configured helpdesks it works on"
    )
    state: JobState = "running"
    phase: str = ""
    done: int = 0
    total: int | None = None
    started_at: datetime
    finished_at: datetime | None = None
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = Field(default=None, description="gdprguard's message, never data")

    @property
    def percent(self) -> int | None:
        """How far, in percent, when the total is known."""
        if self.state != "running":
            return 100
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class Jobs:
    """The console's background jobs (kept in memory; the engines keep the real state)."""

    def __init__(self, *, keep: int = 200) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self._threads: list[threading.Thread] = []
        self._periodic: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(
        self,
        kind: str,
        target: str,
        owner: str,
        work: Callable[[ProgressCallback], dict[str, Any]],
        *,
        connectors: Iterable[str] = (),
    ) -> Job:
        """Run *work(progress)* in a thread; ``JobBusyError`` if *target* has one running.

        *connectors* names the configured helpdesks the work uses (a connector is not removed
        while a job runs on it)."""
        with self._lock:
            if any(j.target == target and j.state == "running" for j in self._jobs.values()):
                raise JobBusyError(f"{target} is already being applied; wait for it to finish")
            job = Job(
                job_id=secrets.token_hex(8),
                kind=kind,
                target=target,
                owner=owner,
                connectors=sorted(connectors),
                started_at=datetime.now(UTC),
            )
            self._jobs[job.job_id] = job
            self._trim()
        thread = threading.Thread(
            target=self._run, args=(job.job_id, work), name=f"console-{kind}", daemon=True
        )
        self._threads.append(thread)
        thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        """A copy of the job (None if unknown)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.model_copy(deep=True)

    def latest_for(self, target: str) -> Job | None:
        """The newest job on *target*, if any."""
        with self._lock:
            found = [j for j in self._jobs.values() if j.target == target]
            return max(found, key=lambda j: j.started_at).model_copy(deep=True) if found else None

    def running_on(self, connector: str) -> Job | None:
        """A running job that uses the helpdesk *connector*, if any."""
        with self._lock:
            for job in self._jobs.values():
                if job.state == "running" and connector in job.connectors:
                    return job.model_copy(deep=True)
        return None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every started job to end (tests and shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def every(
        self, name: str, seconds: float, work: Callable[[], object], *, tick: Tick | None = None
    ) -> None:
        """Run *work()* every *seconds* in a background thread until :meth:`stop` (*tick*, for
        tests, replaces the timer). A failure is logged by type and the next run still comes."""
        wait: Tick = tick or (lambda: not self._stopping.wait(seconds))

        def loop() -> None:
            while wait():
                try:
                    work()
                except Exception as exc:  # the type only: a message may carry data
                    log.error("console %s failed: %s", name, type(exc).__name__)

        thread = threading.Thread(target=loop, name=f"console-{name}", daemon=True)
        self._periodic.append(thread)
        thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """End the periodic work (jobs already running finish on their own)."""
        self._stopping.set()
        for thread in self._periodic:
            thread.join(timeout)

    def _update(self, job_id: str, **values: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = job.model_copy(update=values)

    def _run(self, job_id: str, work: Callable[[ProgressCallback], dict[str, Any]]) -> None:
        def progress(phase: str, done: int, total: int | None) -> None:
            self._update(job_id, phase=phase, done=done, total=total)

        try:
            result = work(progress)
        except GdprGuardError as exc:
            self._update(job_id, state="failed", error=str(exc), finished_at=datetime.now(UTC))
            return
        except Exception as exc:  # a bug: the type only, the message may carry data
            log.error("console job %s failed: %s", job_id, type(exc).__name__)
            self._update(
                job_id,
                state="failed",
                error=f"internal error ({type(exc).__name__})",
                finished_at=datetime.now(UTC),
            )
            return
        self._update(job_id, state="done", result=result, finished_at=datetime.now(UTC))

    def _trim(self) -> None:
        finished = sorted(
            (j for j in self._jobs.values() if j.state != "running"), key=lambda j: j.started_at
        )
        for job in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[job.job_id]


def only_phase(phase: str, progress: ProgressCallback) -> ProgressCallback:
    """*progress* for one phase of the work (the steps applied, not the searches around them)."""

    def report(what: str, done: int, total: int | None) -> None:
        if what == phase:
            progress(what, done, total)

    return report
