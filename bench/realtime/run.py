"""Load test of the webhook receiver: ``gdprguard serve`` as its own process, on loopback.

Four runs, each with a fresh home (``gdprguard init --non-interactive``, the sandbox as
connector ``support``, a sealed webhook secret), a fresh sandbox helpdesk in its own process
(Zendesk flavor, ``bench/realtime/serve.py``) holding tickets whose first comment carries a card
number, a receiver processing with ``--workers`` threads (or ``--worker-processes``
processes), and a sender posting Zendesk-signed webhooks (``ticket_id``, ``comment_id``: what
gdprguard's trigger sends):

* **throughput**: no helpdesk rate limit; ``--rate`` webhooks/s for ``--seconds``, cycling
  through ``--tickets`` tickets (a first attempt not started within the window is not sent);
* **throughput-processes**: the same with ``--compare-processes`` worker processes, to compare;
* **rate-limited**: the helpdesk at ``--rate-limit`` requests/min (a token bucket of
  ``--bucket``); ``--rate`` webhooks/s for ``--limited-seconds`` over ``--limited-tickets``
  tickets, then the time until the queue is drained;
* **burst**: ``--burst-rate`` webhooks/s for ``--burst-seconds``, one new ticket each, against
  ``--burst-queue-limit``: the receiver answers 503 with ``Retry-After`` and the sender tries
  again after it, until every webhook is taken.

Each run reports what the sender sent and got back, the receiver's processing rate, the time from
a webhook's POST to the end of the processing that redacted its ticket (``finished_at`` of the
queue event the answer named, from the home's SQLite file read-only), the largest queue depth
(``/metrics``, polled), the helpdesk calls and 429s (counted by the sandbox), and at the end
whether any announced card number is still in the helpdesk (the sandbox's ground truth) or any
comment was written twice (``/_sandbox/writes``). Exit 1 if either happened.

    python -m bench.realtime.run [--quick] [--rate 200] [--seconds 60] [--worker-processes 0]
                                 [--compare-processes 2] [--only throughput,burst] [--write-docs]
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.connectors.run import sandbox_process
from bench.realtime.ceiling import measure_accept
from bench.realtime.desk import BenchTicket, answers, open_tickets, verdict
from bench.realtime.model import Result, Scenario, Usage, percentile
from bench.realtime.receiver import (
    CONNECTOR,
    MetricsPoller,
    ReceiverProcess,
    add_connector,
    prepare_home,
    read_events,
    run_receiver,
)
from bench.realtime.report import table, write_docs
from bench.realtime.sender import Sender, SendReport, WebhookEvent

SERVE = Path(__file__).resolve().with_name("serve.py")

#: ``--quick``: small enough for a test
QUICK = {
    "tickets": 40, "rate": 40.0, "seconds": 2.0,
    "limited_tickets": 8, "limited_seconds": 0.5, "bucket": 20,
    "burst_rate": 400.0, "burst_seconds": 0.05, "burst_queue_limit": 12,
    "only": "throughput,rate-limited,burst",
}  # fmt: skip


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sandbox_command(scenario: Scenario) -> list[str]:
    command = [sys.executable, str(SERVE), "--tickets", "0"]
    if scenario.rate_limit is not None:
        bucket = scenario.bucket or scenario.rate_limit
        command += ["--rate-limit", str(scenario.rate_limit), "--burst", str(bucket)]
    return command


def _events(tickets: list[BenchTicket], count: int) -> list[WebhookEvent]:
    cycle = itertools.cycle(tickets)
    return [
        WebhookEvent(i, t.ticket_id, t.comment_id)
        for i, t in zip(range(count), cycle, strict=False)
    ]


def _wait_drained(receiver: ReceiverProcess, report: SendReport, timeout: float) -> bool:
    """Until every accepted event is processed (or dead), and nothing else is pending."""
    wanted = {a.event_id for a in report.accepted if a.event_id is not None}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = read_events(receiver.database)
        pending = [r for r in rows.values() if r.status not in ("done", "dead")]
        if not pending and wanted <= rows.keys():
            return True
        time.sleep(0.25)
    return False


def run_scenario(scenario: Scenario, *, drain_timeout: float = 900.0) -> Result:
    """Set up, send, wait for the queue to drain, check the helpdesk."""
    _log(f"[{scenario.name}] sandbox with {scenario.tickets} tickets, home, receiver")
    secret = secrets.token_urlsafe(32)
    with (
        tempfile.TemporaryDirectory(prefix="gdprguard-bench-rt-") as tmp,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        workdir = Path(tmp) / "work"
        home = pool.submit(prepare_home, workdir, secret)  # meanwhile: the sandbox and tickets
        with sandbox_process(_sandbox_command(scenario)) as creds:
            tickets = open_tickets(creds, scenario.tickets)
            env = home.result()
            add_connector(workdir, env, creds)
            result = _measure(scenario, workdir, env, creds, tickets, secret, drain_timeout)
    _summary(result)
    return result


def _measure(
    scenario: Scenario,
    workdir: Path,
    env: dict[str, str],
    creds: dict[str, str],
    tickets: list[BenchTicket],
    secret: str,
    drain_timeout: float,
) -> Result:
    """Run the receiver, send, wait for the drain, and read the outcome."""
    with run_receiver(
        workdir, env, workers=scenario.workers, queue_limit=scenario.queue_limit,
        worker_processes=scenario.worker_processes,
    ) as receiver:  # fmt: skip
        events = _events(tickets, scenario.events)
        before = answers(creds)
        started = time.perf_counter()
        cpu_before, wait_before = receiver.cpu_seconds(), receiver.run_queue_seconds()
        workers_before = receiver.workers_cpu_seconds()
        sender = Sender(receiver.url, CONNECTOR, secret, threads=scenario.threads)
        _log(f"[{scenario.name}] sending {len(events)} webhooks at {scenario.rate:g}/s")
        with MetricsPoller(receiver.url) as poller:
            window = scenario.seconds if scenario.window else None
            report = sender.run(events, scenario.rate, window=window, timeout=drain_timeout)
            sending_cpu, sent_at = receiver.cpu_seconds() - cpu_before, time.time()
            sending_workers = receiver.workers_cpu_seconds() - workers_before
            _log(
                f"[{scenario.name}] sent {report.sent} at {report.send_rate:,.0f}/s (sender CPU "
                f"{report.cpu_seconds:.1f} s); answers {dict(report.answers)}; draining"
            )
            drained = _wait_drained(receiver, report, drain_timeout)
            poller.poll()
        after = answers(creds)
        workers_cpu = receiver.workers_cpu_seconds() - workers_before
        usage = Usage(
            receiver.cpu_seconds() - cpu_before + workers_cpu,
            receiver.run_queue_seconds() - wait_before,
        )
        busy = time.perf_counter() - started
        rows = read_events(receiver.database)
        warnings = receiver.log_warnings()
    announced = {a.ticket_id for a in report.accepted}
    outcome = verdict(creds, [t for t in tickets if t.ticket_id in announced])
    counted = before["answers"]
    api = {code: n - int(counted.get(code, 0)) for code, n in after["answers"].items()}
    sandbox = Usage(
        float(after["cpu_seconds"]) - float(before["cpu_seconds"]),
        float(after["run_queue_seconds"]) - float(before["run_queue_seconds"]),
    )
    return Result(
        scenario, report, rows, outcome, poller.max_depth, drained, usage, sandbox, busy,
        {code: n for code, n in api.items() if n}, warnings, sending_cpu, sent_at,
        workers_cpu, sending_workers, poller.commits, poller.committed,
    )  # fmt: skip


def _summary(r: Result) -> None:
    lat, rep = r.latencies, r.report
    _log(
        f"[{r.scenario.name}] accepted {len(rep.accepted)} (queued {rep.count('queued')}, "
        f"coalesced {rep.count('coalesced')}), 503s {rep.answers.get(503, 0)}, processed "
        f"{len(r.processed)} at {r.processing_rate:.1f}/s ("
        f"{r.rate_between(rep.first_send, rep.last_first_send):.1f}/s while sending), p50 "
        f"{percentile(lat, 0.5):.2f} s, "
        f"p99 {percentile(lat, 0.99):.2f} s, max depth {r.max_depth}, drained after "
        f"{r.drain_seconds:.1f} s, helpdesk answers {r.api}, lost {r.verdict.lost}, twice "
        f"{r.verdict.twice}; in {r.busy_seconds:.1f} s the receiver used {r.receiver.cpu:.1f} s "
        f"of CPU (waited {r.receiver.run_queue:.1f} s for a core), the sandbox "
        f"{r.sandbox.cpu:.1f} s (waited {r.sandbox.run_queue:.1f} s); receiver log warnings "
        f"{r.log_warnings or 'none'}; CPU per webhook and per ticket {r.cpu_split()}"
    )


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The runs for these arguments (those named by ``--only``, in this order)."""
    common = {"workers": args.workers, "threads": args.threads}
    processes = args.worker_processes
    burst_tickets = args.burst_tickets or round(args.burst_rate * args.burst_seconds)
    every = [
        Scenario("throughput", args.tickets, args.rate, args.seconds, args.queue_limit,
                 window=True, worker_processes=processes, **common),
        Scenario("throughput-processes", args.tickets, args.rate, args.seconds,
                 args.queue_limit, window=True, worker_processes=args.compare_processes,
                 **common),
        Scenario("rate-limited", args.limited_tickets, args.rate, args.limited_seconds,
                 args.queue_limit, rate_limit=args.rate_limit, bucket=args.bucket,
                 worker_processes=processes, **common),
        Scenario("burst", burst_tickets, args.burst_rate, args.burst_seconds,
                 args.burst_queue_limit, worker_processes=processes, **common),
    ]  # fmt: skip
    wanted = set(args.only.split(","))
    if args.compare_processes in (0, processes):  # nothing to compare with
        wanted.discard("throughput-processes")
    return [s for s in every if s.name in wanted]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (``--quick`` changes the defaults of the flags not given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="a small run, for tests (about a minute)")
    add("--tickets", type=int, default=500, help="tickets of the throughput run")
    add("--rate", type=float, default=200.0, help="webhooks per second")
    add("--seconds", type=float, default=60.0, help="sending window of the throughput run")
    add("--queue-limit", type=int, default=10_000, help="serve --queue-limit (first two runs)")
    add("--workers", type=int, default=2, help="serve --workers")
    add("--worker-processes", type=int, default=0, help="serve --worker-processes (0: threads)")
    add(
        "--compare-processes",
        type=int,
        default=2,
        help="worker processes of the throughput-processes run (0: no such run)",
    )
    add("--threads", type=int, default=16, help="sender threads (keep-alive connections)")
    add("--limited-tickets", type=int, default=100, help="tickets of the rate-limited run")
    add("--limited-seconds", type=float, default=2.0, help="sending time, rate-limited run")
    add("--rate-limit", type=int, default=700, help="helpdesk requests per minute")
    add("--bucket", type=int, default=70, help="token-bucket size of that limit")
    add("--burst-rate", type=float, default=2000.0, help="webhooks per second in the burst")
    add("--burst-seconds", type=float, default=0.1, help="length of the burst")
    add("--burst-tickets", type=int, default=None, help="default: one per burst webhook")
    add("--burst-queue-limit", type=int, default=100, help="serve --queue-limit in the burst")
    add(
        "--only",
        default="throughput,throughput-processes,rate-limited,burst",
        help="runs to do, comma-separated",
    )
    add("--write-docs", action="store_true", help="put the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.quick:
        given = {a.split("=", 1)[0] for a in (argv if argv is not None else sys.argv[1:])}
        for key, value in QUICK.items():
            if f"--{key.replace('_', '-')}" not in given:
                setattr(args, key, value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = os.getloadavg()[0]
    ceiling = measure_accept()
    single, grouped = ceiling.single, ceiling.grouped
    _log(
        f"EventQueue.accept_many alone: {single.per_second:,.0f}/s one per commit, "
        f"{grouped.per_second:,.0f}/s {grouped.batch} per commit; load average {load:.1f}"
    )
    results = [run_scenario(s) for s in scenarios(args)]
    text = table(results)
    print(text)
    if args.write_docs:
        command = " ".join(["python -m bench.realtime.run", *(argv or sys.argv[1:])])
        write_docs(command, text, results, ceiling, (load, os.getloadavg()[0]))
    failed = [r.scenario.name for r in results if r.verdict.lost or r.verdict.twice]
    failed += [r.scenario.name for r in results if not r.drained]
    if failed:
        _log(f"FAILED: lost, redacted twice or not drained in {', '.join(sorted(set(failed)))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
