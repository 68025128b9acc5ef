"""The real-time benchmark's table and notes, and its section of docs/benchmarks.md."""

from __future__ import annotations

import platform
import textwrap

from bench._docs import replace_section
from bench.realtime.ceiling import AcceptCeiling
from bench.realtime.model import Result, percentile

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


def _throughput(r: Result, ceiling: AcceptCeiling, load: float) -> list[str]:
    s, rep = r.scenario, r.report
    taken, rate = len(rep.accepted), rep.send_rate
    if rate >= 0.95 * TARGET:
        head = f"**Taking webhooks: {rate:,.0f}/s, the {TARGET}/s target met.**"
    else:
        short = TARGET / max(rate, 0.1)
        head = f"**Taking webhooks: {rate:,.0f}/s, {short:.1f}× short of {TARGET}/s.**"
    window = max(r.sent_at - rep.first_send, 1e-9)
    split = r.cpu_split()
    costs = (
        f"Taking a webhook cost about {split[0] * 1000:.1f} ms of its CPU and processing a "
        f"ticket about {split[1] * 1000:.0f} ms (estimated from the CPU time while sending "
        "and while draining), both in the one interpreter: at that cost it could take at "
        f"most {1 / max(split[0], 1e-6):,.0f} webhooks/s doing nothing else. "
        if split is not None
        else ""
    )
    sending = r.rate_between(rep.first_send, r.sent_at)
    after = r.rate_between(r.sent_at, r.last_finished)
    return [
        _bullet(
            f"{head} The sender, set to {s.rate:,.0f}/s for {s.seconds:,.0f} s ({rep.events:,} "
            f"webhooks over {s.tickets:,} tickets), got {rep.sent:,} out in that window, using "
            f"{100 * rep.cpu_seconds / window:.0f} % of a core: the receiver set the pace "
            f"(each of the {s.threads} connections waits for its answer). The receiver is one "
            f"Python process and was busy for {100 * r.sending_cpu / window:.0f} % of a core "
            f"while webhooks arrived. {costs}Before its 202 a webhook is committed to the "
            "queue in one SQLite write transaction (count the pending events, record the "
            "signature against replays, look for a waiting event "
            "of the ticket, insert) in WAL mode with `synchronous=FULL`, an fsync per webhook. "
            "`EventQueue.accept` alone, in-process and one at a time, takes "
            f"{ceiling.wall_ms:.1f} ms ({ceiling.cpu_ms:.1f} ms of it CPU): "
            f"{ceiling.per_second:,.0f}/s; waitress, Flask, the signature check and pydantic "
            "come on top. 200/s needs less CPU per webhook and the workers out of the process "
            "that answers the helpdesk (`redact_ticket` is a plain function of a connector "
            "and a ticket for that reason)."
        ),
        _bullet(
            f"**Processing: {after:,.1f} tickets/s once the webhooks stopped, {sending:,.1f}/s "
            f"while they arrived ({r.processing_rate:,.1f}/s overall) with {s.workers} workers; "
            f"{TARGET} tickets/s would need {TARGET / max(after, 0.01):,.0f}× the first.** Each "
            f"ticket takes {_per_ticket(r):.1f} helpdesk calls (the ticket, its comments, its "
            "people, the redaction), about four SQLite commits besides the claim (subject "
            "index, journal intent, journal completion with its audit entry, event done) plus "
            "an fsync of the audit checkpoint file, and detection on its comment. While "
            "webhooks arrive the accepts take SQLite's write lock many times a second, and a "
            "worker waiting for it sleeps in SQLite's busy handler (up to 100 ms at a time) "
            "instead of queueing for it (a lock around the store's write transactions inside "
            "the process would make them take turns); they also share the interpreter. Over "
            f"the {r.busy_seconds:,.0f} s the receiver used {r.receiver.cpu:,.1f} s of CPU and "
            f"its threads waited {r.receiver.run_queue:,.1f} s in all for a free core; the "
            f"sandbox (also Python) used {r.sandbox.cpu:,.1f} s and waited "
            f"{r.sandbox.run_queue:,.1f} s (load average up to {load:.1f} on 2 cores)."
        ),
        _bullet(
            f"Webhooks beyond the processing rate are coalesced: {rep.count('coalesced'):,} of "
            f"{taken:,} found their ticket still waiting, so the queue never held more than "
            f"{r.max_depth:,} events, and time to redaction is the wait behind that backlog "
            f"(p50 {_time(percentile(r.latencies, 0.5))}). Each ticket was announced about "
            f"every {s.tickets / max(rate, 0.1):,.0f} s here; if every webhook named a new "
            "ticket, the backlog would grow by the difference between the two rates for as "
            "long as the traffic lasts."
        ),
    ]


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
            f"the receiver, set the pace. 429s: {r.throttled} (the connector paces itself on "
            f"the rate-limit headers). {_outcome(r)}"
        )
    ]


def _burst(r: Result) -> list[str]:
    s, rep = r.scenario, r.report
    waits = ", ".join(f"{n:,} × {seconds} s" for seconds, n in sorted(rep.retry_after.items()))
    attempts = max((a.attempts for a in rep.accepted), default=1)
    return [
        _bullet(
            f"**Burst**: {rep.events:,} webhooks set to go at {s.rate:,.0f}/s (10× the target, "
            f"for {s.seconds:g} s, one new ticket each) against a queue limit of "
            f"{s.queue_limit}. They went out at {rep.send_rate:,.0f}/s: a burst first shows as "
            "slower answers, each waiting its turn in the receiver. "
            f"{rep.answers.get(503, 0):,} answers were 503 with Retry-After ({waits or 'none'}; "
            "the receiver's fixed value, which `gdprguard serve` has no flag for); the sender "
            "waited that long and tried again, and every webhook was taken after at most "
            f"{attempts} attempts. The p99 time to redaction includes those waits. "
            f"{_outcome(r)}"
        ),
        _bullet(
            f"The burst is short ({rep.events:,} webhooks, not 6,000 as at 2,000/s for 3 s) "
            "because a full "
            "queue refuses every webhook, even one for a ticket that is already waiting and "
            "would only be coalesced: each Retry-After round takes in about the queue limit "
            "plus what the workers finish meanwhile, so 6,000 webhooks over a few hundred "
            "tickets would need dozens of 30-second rounds. Checking for a waiting event "
            "before the limit would let those through."
        ),
    ]


def notes(results: list[Result], ceiling: AcceptCeiling, load: float) -> str:
    """The bullets under the table, with this run's numbers."""
    lines: list[str] = []
    for r in results:
        if r.scenario.name == "throughput":
            lines += _throughput(r, ceiling, load)
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
    workers = results[0].scenario.workers if results else 2
    intro = (
        f"`gdprguard serve` (`--workers {workers}`, the starter policy of `gdprguard init`, SQLite "
        "store) as its own process on 127.0.0.1, against the sandbox helpdesk (Zendesk flavor) "
        "in another, and a sender posting webhooks signed as Zendesk signs them, with the body "
        "gdprguard's trigger sends, from a pool of keep-alive connections. The sandbox holds "
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
