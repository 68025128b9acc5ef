"""Sweep benchmark: the shipped default policy over a sandbox helpdesk, end to end.

Rows, each against a sandbox in its own process (so client and server do not share a GIL):

* **plan, full** (rate limit off): every ticket read with its comments and people, detection on
  every comment, the policy decided, the plan saved. Tickets per second, API calls per 1,000
  tickets (the read side: tickets, comments, people), client CPU per ticket, and whether the run
  was bound by the API (client CPU well below wall time) or by the client's CPU.
* **plan, incremental**: the same right after, when nothing changed: what a frequent on-sight
  sweep costs.
* **apply** under a rate limit (Zendesk's default 700 requests/minute): plan and apply on a
  smaller sandbox; the share of wall time the client spent on its CPU (target: at most 10 %; the
  rest is the helpdesk's rate limit, which is the floor).

    python -m bench.sweep.run [--tickets 10000] [--apply-tickets 300] [--rate-limit 700]
        [--write-docs]
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._docs import replace_section
from bench.connectors.run import sandbox_process, server_command
from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.policy import default_policy_path, load_policy
from gdprguard.store import Store
from gdprguard.sweep import SweepEngine
from gdprguard.sweep.decide import policy_decider
from gdprguard.vault import FileKeyProvider, Vault


@dataclass
class Row:
    flavor: str
    run: str
    limit: str
    tickets: int
    actions: int
    calls: int
    seconds: float
    cpu: float

    @property
    def per_second(self) -> float:
        return self.tickets / self.seconds if self.seconds else 0.0

    @property
    def calls_per_1000(self) -> float:
        return 1000 * self.calls / self.tickets if self.tickets else 0.0

    @property
    def cpu_share(self) -> float:
        return self.cpu / self.seconds if self.seconds else 0.0


def _engine(tmp: Path, creds: dict[str, str], flavor: str) -> tuple[SweepEngine, Any]:
    if flavor == "zendesk":
        config = ConnectorConfig(
            type=flavor, url=creds["url"], email=creds["email"], token=creds["token"]
        )
    else:
        config = ConnectorConfig(type=flavor, url=creds["url"], token=creds["api_key"])
    connector = build_connector("support", config)
    vault = Vault(Store(f"sqlite:///{tmp / 'bench.db'}"), FileKeyProvider(tmp / "master.key"),
                  checkpoint_dir=tmp)  # fmt: skip
    path = default_policy_path()
    text = Path(str(path)).read_text(encoding="utf-8")
    policy = load_policy(path)
    caps = {"support": connector.capabilities}
    engine = SweepEngine(
        vault,
        {"support": connector},
        policy_decider(policy, caps),
        policy_name="default.yaml",
        policy_sha256=hashlib.sha256(text.encode()).hexdigest(),
        policy_text=text,
    )
    return engine, connector


def _timed(fn: Any) -> tuple[Any, float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - started, time.process_time() - cpu


def plan_rows(flavor: str, tickets: int) -> list[Row]:
    rows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        sandbox_process(server_command(flavor, tickets, None, 0)) as creds,
    ):
        engine, connector = _engine(Path(tmp), creds, flavor)
        engine.detector.analyze("warm up the detector", language="auto")
        summary, seconds, cpu = _timed(engine.plan)
        rows.append(Row(flavor, "plan, full", "none", summary.tickets, summary.actions,
                        connector.http.stats.requests, seconds, cpu))  # fmt: skip
        before = connector.http.stats.requests
        again, seconds, cpu = _timed(lambda: engine.plan(incremental=True))
        rows.append(Row(flavor, "plan, incremental", "none", max(again.tickets, 0), again.actions,
                        connector.http.stats.requests - before, seconds, cpu))  # fmt: skip
        engine.vault.close()
    return rows


def apply_rows(flavor: str, tickets: int, limit: int) -> list[Row]:
    """Plan, then apply, under the rate limit: two rows, so the applying sweep's own share of
    CPU is visible (planning is detection-bound; applying should be API-bound)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        sandbox_process(server_command(flavor, tickets, limit, max(10, limit // 10))) as creds,
    ):
        engine, connector = _engine(Path(tmp), creds, flavor)
        engine.detector.analyze("warm up the detector", language="auto")
        summary, plan_seconds, plan_cpu = _timed(engine.plan)
        planned = connector.http.stats.requests
        report, seconds, cpu = _timed(lambda: engine.apply(summary.plan_id))
        engine.vault.close()
    limited = f"{limit}/min"
    return [
        Row(flavor, "plan", limited, summary.tickets, summary.actions, planned, plan_seconds,
            plan_cpu),
        Row(flavor, "apply", limited, tickets, report.done + report.skipped,
            connector.http.stats.requests - planned, seconds, cpu),
    ]  # fmt: skip


def table(rows: list[Row]) -> str:
    lines = [
        "| Flavor | Run | Rate limit | Tickets | Actions | Tickets/s | API calls / 1,000 tickets "
        "| Client CPU / ticket | CPU share of wall time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        per_ticket = f"{1000 * r.cpu / r.tickets:.1f} ms" if r.tickets else "-"
        lines.append(
            f"| {r.flavor} | {r.run} | {r.limit} | {r.tickets:,} | {r.actions:,} | "
            f"{r.per_second:,.0f} | {r.calls_per_1000:,.0f} | {per_ticket} | "
            f"{100 * r.cpu_share:.0f} % |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--apply-tickets", type=int, default=300)
    parser.add_argument("--rate-limit", type=int, default=700)
    parser.add_argument("--flavors", default="zendesk,freshdesk")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for flavor in args.flavors.split(","):
        rows += plan_rows(flavor, args.tickets)
        rows += apply_rows(flavor, args.apply_tickets, args.rate_limit)
        for row in rows[-4:]:
            print(
                f"{row.flavor} {row.run}: {row.tickets} tickets, {row.actions} actions, "
                f"{row.calls} calls, {row.seconds:.1f} s wall, {row.cpu:.1f} s CPU",
                file=sys.stderr,
            )
    text = table(rows)
    print(text)
    if args.write_docs:
        write_docs(text, args)
    return 0


def write_docs(text: str, args: argparse.Namespace) -> None:
    command = (
        f"python -m bench.sweep.run --tickets {args.tickets} --apply-tickets "
        f"{args.apply_tickets} --rate-limit {args.rate_limit} --write-docs"
    )
    section = (
        f"Command: `{command}` (CPython {platform.python_version()}, the sandbox in its "
        "own process, SQLite store, the shipped `policies/default.yaml`).\n\n"
        f"{text}"
    )
    replace_section("sweep", "Sweeps", section)


if __name__ == "__main__":
    sys.exit(main())
