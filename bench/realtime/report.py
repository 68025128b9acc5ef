"""The real-time benchmark's table and notes, and its section of docs/benchmarks.md."""

from __future__ import annotations

import platform
import textwrap

from bench._docs import replace_section
from bench.realtime.ceiling import AcceptCeiling
from bench.realtime.model import Result, Scenario, percentile

__all__ = ["notes", "table", "write_docs"]

TARGET = 200  # webhooks per second


def _time(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.1f} s"


def table(results: list[Result]) -> str:
    """One row per run."""
    lines = [
        "| Run | Helpdesk limit | Queue limit | Tickets | Webhooks sent (rate) | "
        "Taken: queued / coalesced | 503 + Retry-After | Refused | Tickets processed (rate) | "
        "Time to redaction p50 / p99 | Max queue depth | Helpdesk calls (429s) | "
        "Drained after | Lost | Redacted twice |",
        "|---|---|---:|---:|---|---|---:|---:|---|---|---:|---|---:|---:|---:|",
    ]
    for r in results:
        s, rep, lat = r.scenario, r.report, r.latencies
        limit = f"{s.rate_limit}/min (bucket {s.bucket})" if s.rate_limit else "none"
        sent = f"{rep.sent:,} of {rep.events:,}" if rep.not_sent else f"{rep.sent:,}"
        refused = sum(rep.refused.values()) + rep.unsettled
        drained = f"{r.drain_seconds:,.1f} s" + ("" if r.drained else " (timed out)")
        lines.append(
            f"| {s.name} | {limit} | {s.queue_limit:,} | {r.verdict.tickets:,} | "
            f"{sent} ({rep.send_rate:,.0f}/s) | {rep.count('queued'):,} / "
            f"{rep.count('coalesced'):,} | {rep.answers.get(503, 0):,} | {refused} | "
            f"{len(r.processed):,} ({r.processing_rate:,.1f}/s) | "
            f"{_time(percentile(lat, 0.5))} / {_time(percentile(lat, 0.99))} | "
            f"{r.max_depth:,} | {r.api_calls:,} ({r.throttled}) | {drained} | "
            f"{r.verdict.lost} | {r.verdict.twice} |"
        )
    return "\n".join(lines)


def _bullet(text: str) -> str:
    return textwrap.fill(
        " ".join(text.split()), width=99, initial_indent="- ", subsequent_indent="  ",
        break_on_hyphens=False, break_long_words=False,
    )  # fmt: skip


def _outcome(r: Result) -> str:
    if not r.verdict.lost and not r.verdict.twice:
        return "Nothing lost, nothing written twice."
    return (
        f"**{r.verdict.lost} card numbers still there, {r.verdict.twice} comments written "
        "more than once.**"
    )


def _per_ticket(r: Result) -> float:
    return r.api_calls / len(r.processed) if r.processed else 0.0


def _mode(s: Scenario) -> str:
    if s.worker_processes:
        return f"`--worker-processes {s.worker_processes}`"
    return f"`--workers {s.workers}` (threads, the default)"


def _taking(r: Result) -> str:
    rate = r.report.send_rate
    if rate >= 0.95 * TARGET:
        return f"{rate:,.0f}/s, the {TARGET}/s target met"
    return f"{rate:,.0f}/s, {TARGET / max(rate, 0.1):.1f}× short of {TARGET}/s"


def _sharing(s: Scenario) -> str:
    if s.worker_processes:
        return (
            "On SQLite the worker processes and the receiver's writer take turns for the one "
            "write lock through SQLite's busy handler (sleep, try again); the receiver's "
            "batches absorb those waits, the workers lose time to them."
        )
    return (
        "The worker threads and the receiver's writer take turns for SQLite's one write lock "
        "on a lock inside the process, each handed it as soon as it is free; the threads "
        "share one interpreter (the GIL) with the answers."
    )


def _throughput(r: Result, ceiling: AcceptCeiling, load: float) -> list[str]:
    s, rep = r.scenario, r.report
    taken, rate = len(rep.accepted), rep.send_rate
    window = max(r.sent_at - rep.first_send, 1e-9)
    split = r.cpu_split()
    one, grouped = ceiling.single, ceiling.grouped
    where = (
        "The receiver process only takes webhooks (the worker processes do the rest)"
        if s.worker_processes
        else "The receiver process also runs the worker threads"
    )
    cost = (
        f"; taking a webhook cost about {split[0] * 1000:.1f} ms of its CPU"
        if split is not None
        else ""
    )
    sending = r.rate_between(rep.first_send, r.sent_at)
    after = r.rate_between(r.sent_at, r.last_finished)
    per_ticket = (
        f" A ticket cost about {split[1] * 1000:.0f} ms of CPU in a worker process."
        if split is not None and s.worker_processes
        else ""
    )
    return [
        _bullet(
            f"**Taking webhooks: {_taking(r)}.** The sender, set to {s.rate:,.0f}/s for "
            f"{s.seconds:,.0f} s ({rep.events:,} webhooks over {s.tickets:,} tickets), got "
            f"{rep.sent:,} out in that window, using {100 * rep.cpu_seconds / window:.0f} % of "
            f"a core; each of its {s.threads} connections waits for its answer, so a slow "
            f"receiver would show as a lower rate. {where}; it was busy for "
            f"{100 * r.sending_cpu / window:.0f} % of a core while webhooks arrived{cost}. "
            "Before its 202 a webhook is committed to the queue together with those that "
            "arrived meanwhile (group commit: one SQLite write transaction and one fsync, WAL "
            f"with `synchronous=FULL`, for the whole batch): {r.commits:,} commits took "
            f"{r.batch_mean:.1f} webhooks each on average. `EventQueue.accept_many` alone, "
            f"in-process, costs {one.wall_ms:.1f} ms per webhook committed one at a time "
            f"({one.cpu_ms:.1f} ms of it CPU: {one.per_second:,.0f}/s) and "
            f"{grouped.wall_ms:.2f} ms committed {grouped.batch} at a time "
            f"({grouped.cpu_ms:.2f} ms CPU: {grouped.per_second:,.0f}/s); the statements "
            "are built once and take the whole batch each. The rest of a webhook's cost is "
            "waitress, Flask, the signature check and pydantic's parse of the body."
        ),
        _bullet(
            f"**Processing: {after:,.1f} tickets/s once the webhooks stopped, {sending:,.1f}/s "
            f"while they arrived ({r.processing_rate:,.1f}/s overall) with {_mode(s)}; "
            f"{TARGET} tickets/s would need {TARGET / max(after, 0.01):,.0f}× the first.** Each "
            f"ticket takes {_per_ticket(r):.1f} helpdesk calls (the ticket, its comments, its "
            "people, the redaction), about four SQLite commits besides the claim (subject "
            "index, journal intent, journal completion with its audit entry, event done) plus "
            f"an fsync of the audit checkpoint file, and detection on its comment.{per_ticket} "
            "Two cores are shared by the receiver, its workers, the sandbox (also Python) and "
            f"the sender: over the {r.busy_seconds:,.0f} s `gdprguard serve` used "
            f"{r.receiver.cpu:,.1f} s of CPU and its threads waited {r.receiver.run_queue:,.1f} "
            f"s in all for a free core; the sandbox used {r.sandbox.cpu:,.1f} s and waited "
            f"{r.sandbox.run_queue:,.1f} s (load average up to {load:.1f} on 2 cores). "
            f"{_sharing(s)}"
        ),
        _bullet(
            f"Webhooks beyond the processing rate are coalesced: {rep.count('coalesced'):,} of "
            f"{taken:,} found their ticket still waiting, so the queue never held more than "
            f"{r.max_depth:,} events, and time to redaction is the wait behind that backlog "
            f"(p50 {_time(percentile(r.latencies, 0.5))}). Each ticket was announced about "
            f"every {s.tickets / max(rate, 0.1):,.0f} s here; if every webhook named a new "
            "ticket, the backlog would grow by the difference between the two rates for as "
            "long as the traffic lasts, until the queue limit answers 503."
        ),
    ]


def _processes(r: Result, first: Result | None) -> list[str]:
    s = r.scenario
    split = r.cpu_split()
    costs = (
        f"; about {split[0] * 1000:.1f} ms of the receiver's CPU per webhook and "
        f"{split[1] * 1000:.0f} ms of a worker's per ticket"
        if split is not None
        else ""
    )
    than = ""
    if first is not None:
        than = (
            f" (against {first.report.send_rate:,.0f}/s and {first.processing_rate:,.1f} "
            f"tickets/s with {_mode(first.scenario)})"
        )
    return [
        _bullet(
            f"**With worker processes** ({_mode(s)}, the same run otherwise): webhooks taken "
            f"at {_taking(r)}, {r.batch_mean:.1f} per commit, tickets processed at "
            f"{r.processing_rate:,.1f}/s overall{than}{costs}. The receiver process then only "
            "takes webhooks, but on SQLite each worker process waits for the database's one "
            "write lock in SQLite's busy handler, which sleeps and tries again rather than "
            "queueing (worker threads queue on a lock inside the process and are handed it at "
            "once); a profile (py-spy) of a worker process during such a run shows most of its "
            "time in `BEGIN IMMEDIATE`. So on SQLite, threads (the default) process more. "
            "PostgreSQL has no single writer (this benchmark runs SQLite only): there, and to "
            "keep the work of the tickets away from the answers, use worker processes."
        )
    ]


def _throttled(r: Result) -> str:
    if not r.throttled:
        return "the connector paces itself on the rate-limit headers"
    return (
        "the connector paces itself on the rate-limit headers, and waits out the "
        "`Retry-After` of a 429 that gets through before it tries again"
    )


def _limited(r: Result) -> list[str]:
    s = r.scenario
    limit, bucket = s.rate_limit or 0, s.bucket or s.rate_limit or 0
    allowance = bucket + limit / 60 * r.drain_seconds
    floor = max(0.0, (r.api_calls - bucket) / (limit / 60)) if limit else 0.0
    return [
        _bullet(
            f"**At {limit} requests/min** (a token bucket of {bucket}, so the limit binds "
            f"within seconds): {len(r.processed):,} tickets ({_per_ticket(r):.1f} calls each, "
            f"{r.api_calls:,} calls) drained {r.drain_seconds:,.1f} s after the first "
            f"webhook. The limit allowed {allowance:,.0f} calls in that time and makes "
            f"{r.api_calls:,} calls take at least {floor:,.1f} s: the helpdesk's limit, not "
            f"the receiver, set the pace. 429s: {r.throttled} ({_throttled(r)}). {_outcome(r)}"
        )
    ]


def _burst(r: Result) -> list[str]:
    s, rep = r.scenario, r.report
    given = sorted(rep.retry_after.elements())
    waits = "none"
    if given:
        waits = f"from {given[0]} s to {given[-1]} s, median {given[len(given) // 2]} s"
    attempts = max((a.attempts for a in rep.accepted), default=1)
    return [
        _bullet(
            f"**Burst**: {rep.events:,} webhooks set to go at {s.rate:,.0f}/s (10× the target, "
            f"for {s.seconds:g} s, one new ticket each) against a queue limit of "
            f"{s.queue_limit}. They went out at {rep.send_rate:,.0f}/s. "
            f"{rep.answers.get(503, 0):,} answers were 503 with Retry-After ({waits}): "
            "derived from the workers' drain rate and the queue's depth, each refused sender "
            "is told when a place should be free for it after those refused before it, so the "
            "retries come back spread out instead of together. The sender waited that long "
            f"and tried again; every webhook was taken after at most {attempts} attempts and "
            f"the queue was drained {r.drain_seconds:,.1f} s after the first webhook. The p99 "
            f"time to redaction includes those waits. {_outcome(r)}"
        ),
    ]


def notes(results: list[Result], ceiling: AcceptCeiling, load: float) -> str:
    """The bullets under the table, with this run's numbers."""
    lines: list[str] = []
    first = next((r for r in results if r.scenario.name == "throughput"), None)
    for r in results:
        if r.scenario.name == "throughput":
            lines += _throughput(r, ceiling, load)
        elif r.scenario.name == "throughput-processes":
            lines += _processes(r, first)
        elif r.scenario.name == "rate-limited":
            lines += _limited(r)
        elif r.scenario.name == "burst":
            lines += _burst(r)
    return "\n".join(lines)


def write_docs(
    command: str,
    text: str,
    results: list[Result],
    ceiling: AcceptCeiling,
    loads: tuple[float, float],
) -> None:
    """Replace the ``realtime`` section of docs/benchmarks.md."""
    mode = _mode(results[0].scenario) if results else "its defaults"
    intro = (
        f"`gdprguard serve` with {mode} unless a row says otherwise, the starter policy of "
        "`gdprguard init` and a SQLite store, as its own process on 127.0.0.1, against the sandbox "
        "helpdesk (Zendesk flavor) in another, and a sender posting webhooks signed as Zendesk "
        "signs them, with the body gdprguard's trigger sends, from a pool of keep-alive "
        "connections. The sandbox holds "
        "tickets whose first comment carries a card number; the shipped realtime rule "
        "redacts it (first six and last four digits kept). *Time to redaction* runs from a "
        "webhook's first POST to the end of the processing of the queue event its 202 named "
        "(`finished_at` in the queue table, read from the home's SQLite file). *Lost* counts "
        "announced card numbers still anywhere in the helpdesk (the sandbox's ground truth); "
        "*redacted twice* counts comments written more than once (`/_sandbox/writes`). "
        f"CPython {platform.python_version()} on 2 cores shared with other work (load "
        f"average {loads[0]:.1f} at the start, {loads[1]:.1f} at the end), so rates vary "
        "between runs."
    )
    body = (
        f"{textwrap.fill(intro, width=99, break_on_hyphens=False)}\n\n{text}\n\n"
        f"{notes(results, ceiling, max(loads))}\n\nCommand: `{command}`"
    )
    replace_section("realtime", "Real-time redaction", body)
