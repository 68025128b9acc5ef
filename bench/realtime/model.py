"""What one run of the real-time benchmark is set to do, and what it measured."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.realtime.desk import Verdict
from bench.realtime.receiver import EventRow
from bench.realtime.sender import SendReport

__all__ = ["Result", "Scenario", "Usage", "percentile"]


@dataclass(frozen=True)
class Usage:
    """A process's CPU time, and the time its threads waited for a free core, over a run."""

    cpu: float
    run_queue: float


@dataclass(frozen=True)
class Scenario:
    """One run's settings."""

    name: str
    tickets: int
    rate: float
    seconds: float
    queue_limit: int
    workers: int
    threads: int
    rate_limit: int | None = None
    bucket: int | None = None
    worker_processes: int = 0
    """``serve --worker-processes`` (0: ``--workers`` threads in the receiver process)"""
    window: bool = False
    """first attempts only within ``seconds`` (else every event is sent, however long it takes)"""

    @property
    def events(self) -> int:
        """Webhooks scheduled."""
        return max(1, round(self.rate * self.seconds))


@dataclass
class Result:
    """What one run measured."""

    scenario: Scenario
    report: SendReport
    rows: dict[int, EventRow]
    verdict: Verdict
    max_depth: int
    drained: bool
    receiver: Usage
    sandbox: Usage
    busy_seconds: float
    """wall time over which the CPU times were taken (sending and draining)"""
    api: dict[str, int] = field(default_factory=dict)
    """the helpdesk's answers to the receiver in this run, by status"""
    log_warnings: dict[str, int] = field(default_factory=dict)
    """warning lines the receiver logged, by logger"""
    sending_cpu: float = 0.0
    """the receiver process's CPU time until the sender was done (the rest: draining)"""
    sent_at: float = 0.0
    """``time.time()`` when the sender was done"""
    workers_cpu: float = 0.0
    """the worker processes' CPU time over the run (0 with worker threads)"""
    sending_workers_cpu: float = 0.0
    """the worker processes' CPU time until the sender was done"""
    commits: int = 0
    """group commits of the queue (``/metrics``), and the webhooks they made durable"""
    committed: int = 0

    @property
    def batch_mean(self) -> float:
        """Webhooks per group commit, on average."""
        return self.committed / self.commits if self.commits else 0.0

    def cpu_split(self) -> tuple[float, float] | None:
        """Estimated CPU seconds per webhook taken and per ticket processed. With worker
        processes each is measured in its own processes; with threads, the draining phase
        gives the cost of a ticket and the sending phase what is left per webhook. None
        without tickets processed (after the sending, with threads)."""
        accepted = len(self.report.accepted)
        if self.scenario.worker_processes:
            if not self.processed or not accepted:
                return None
            return self.sending_cpu / accepted, self.workers_cpu / len(self.processed)
        during = sum(1 for r in self.processed if (r.finished or 0.0) <= self.sent_at)
        after = len(self.processed) - during
        if after <= 0 or not accepted:
            return None
        per_ticket = (self.receiver.cpu - self.sending_cpu) / after
        per_webhook = (self.sending_cpu - per_ticket * during) / accepted
        return max(per_webhook, 0.0), per_ticket

    @property
    def latencies(self) -> list[float]:
        """Seconds from each accepted webhook's first POST to the end of the processing of the
        queue event its answer named (the one that redacted its ticket)."""
        values = []
        for accepted in self.report.accepted:
            row = self.rows.get(accepted.event_id) if accepted.event_id is not None else None
            if row is not None and row.finished is not None:
                values.append(max(0.0, row.finished - accepted.first_sent))
        return values

    @property
    def processed(self) -> list[EventRow]:
        """Queue events processed (each: one ticket read, checked and redacted if needed)."""
        return [r for r in self.rows.values() if r.status == "done" and r.finished is not None]

    @property
    def last_finished(self) -> float:
        return max((r.finished or 0.0 for r in self.processed), default=self.report.first_send)

    @property
    def drain_seconds(self) -> float:
        """From the first webhook sent to the last event processed."""
        return self.last_finished - self.report.first_send

    @property
    def processing_rate(self) -> float:
        """Tickets processed per second, from the first event's arrival to the last's end."""
        done = self.processed
        if not done:
            return 0.0
        span = self.last_finished - min(r.received for r in done)
        return len(done) / span if span > 0 else 0.0

    def rate_between(self, start: float, end: float) -> float:
        """Tickets processed per second between two ``time.time()`` moments."""
        done = sum(
            1 for r in self.processed if r.finished is not None and start < r.finished <= end
        )
        return done / (end - start) if end > start else 0.0

    @property
    def api_calls(self) -> int:
        """Helpdesk API calls the receiver made in this run."""
        return sum(self.api.values())

    @property
    def throttled(self) -> int:
        """429s the helpdesk answered the receiver."""
        return self.api.get("429", 0)


def percentile(values: list[float], q: float) -> float:
    """The *q*-quantile (0..1) of *values*, nearest-rank; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]
