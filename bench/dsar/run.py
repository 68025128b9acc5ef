"""Data-subject request benchmark: one subject's export and erasure on a large sandbox.

For each flavor, against a sandbox of ``--tickets`` tickets in its own process:

* **index build**: the first search walks the helpdesk once to build the subject index (a sweep
  does the same as a side effect); later searches only read what changed since;
* **export**: locate one subject (index + people search + the few tickets named) and write the
  export ZIP;
* **naive export** (the baseline): what a tool without an index does: walk every ticket with its
  comments and run detection, told who the subject is, on every comment;
* **erase**: plan and apply the erasure of the same subject, then the re-search.

Each row gives wall time and API calls; the ratio compares the export with the naive baseline
in the same run.

    python -m bench.dsar.run [--tickets 10000] [--flavors zendesk,freshdesk] [--write-docs]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench._docs import replace_section
from bench.connectors.run import sandbox_process, server_command
from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.detect import Detector, KnownSubject
from gdprguard.dsar.models import Identifier
from gdprguard.dsar.service import DsarService
from gdprguard.pipeline import TicketWalker
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault


@dataclass
class Row:
    flavor: str
    run: str
    seconds: float
    calls: int
    found: str


def _connector(creds: dict[str, str], flavor: str) -> Any:
    if flavor == "zendesk":
        config = ConnectorConfig(
            type=flavor, url=creds["url"], email=creds["email"], token=creds["token"]
        )
    else:
        config = ConnectorConfig(type=flavor, url=creds["url"], token=creds["api_key"])
    return build_connector("support", config)


def _truth(creds: dict[str, str], flavor: str) -> dict[str, Any]:
    auth = (
        (f"{creds['email']}/token", creds["token"]) if flavor == "zendesk"
        else (creds["api_key"], "X")
    )  # fmt: skip
    response = requests.get(f"{creds['url']}/_sandbox/ground-truth", auth=auth, timeout=300)
    response.raise_for_status()
    return dict(response.json())


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def flavor_rows(flavor: str, tickets: int) -> list[Row]:
    rows: list[Row] = []
    with (
        tempfile.TemporaryDirectory() as tmp_name,
        sandbox_process(server_command(flavor, tickets, None, 0)) as creds,
    ):
        tmp = Path(tmp_name)
        truth = _truth(creds, flavor)
        person = max(
            (p for p in truth["people"] if p.get("email")),
            key=lambda p: len(p.get("requested", [])) + len(p.get("cc", [])),
        )
        connector = _connector(creds, flavor)
        detector = Detector()
        detector.analyze("warm up the detector", language="auto")
        vault = Vault(Store(f"sqlite:///{tmp / 'bench.db'}"), FileKeyProvider(tmp / "master.key"),
                      checkpoint_dir=tmp)  # fmt: skip
        vault.initialise()
        service = DsarService(vault, {"support": connector}, detector=detector)
        stats = connector.http.stats

        # index build: the first search of an empty index walks the helpdesk once
        before = stats.requests
        _, seconds = _timed(lambda: service.locator().index.refresh(connector, detector))
        rows.append(Row(flavor, "index build (once)", seconds, stats.requests - before,
                        f"{tickets:,} tickets indexed"))  # fmt: skip

        identifiers = [Identifier(kind="email", value=person["email"])]
        record = service.request_for("access", identifiers)
        before = stats.requests
        outcome, seconds = _timed(lambda: service.export(record.request_id, tmp / "export.zip"))
        counts = outcome.counts
        rows.append(Row(flavor, "export", seconds, stats.requests - before,
                        f"{counts['tickets']} tickets, {counts['mentions']} mentions"))  # fmt: skip

        def naive() -> int:
            phones = (person["phone"],) if person.get("phone") else ()
            known = KnownSubject(names=(person["name"],), emails=(person["email"],), phones=phones)
            walker = TicketWalker(connector, vault.store, stream="bench-naive")
            found = 0
            for bundle in walker.walk(full=True):
                hit = any(
                    f.recognizer == "KnownSubjectRecognizer"
                    for c in bundle.comments
                    for f in detector.analyze(c.body, language="auto", known_subject=known)
                )
                found += hit or bundle.ticket.requester_id == str(person["id"])
            return found

        before = stats.requests
        found, seconds = _timed(naive)
        rows.append(Row(flavor, "naive export (full walk)", seconds, stats.requests - before,
                        f"{found} tickets"))  # fmt: skip

        erase_record = service.request_for("erasure", identifiers)

        def erase() -> Any:
            plan = service.plan_erasure(erase_record.request_id, block_if_open=False)
            return service.apply_erasure(plan.plan_id)

        before = stats.requests
        erased, seconds = _timed(erase)
        report = erased.report
        done = report.done if report is not None else 0
        rows.append(Row(flavor, "erase (plan, apply, re-search)", seconds,
                        stats.requests - before, f"{done} changes, {erased.status}"))  # fmt: skip
        connector.close()
        vault.close()
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| Flavor | Run | Wall time | API calls | Result | vs. naive export |",
        "|---|---|---|---|---|---|",
    ]
    naive = {r.flavor: r for r in rows if r.run.startswith("naive")}
    for r in rows:
        base = naive.get(r.flavor)
        ratio = _versus(r, base) if r.run == "export" and base is not None else ""
        lines.append(
            f"| {r.flavor} | {r.run} | {r.seconds:,.1f} s | {r.calls:,} | {r.found} | {ratio} |"
        )
    return "\n".join(lines)


def _versus(row: Row, base: Row) -> str:
    speed = f"{base.seconds / row.seconds:,.0f}× faster" if row.seconds else ""
    if row.calls <= base.calls:
        calls = f"{base.calls / max(row.calls, 1):,.1f}× fewer calls"
    else:
        calls = f"{row.calls / max(base.calls, 1):,.1f}× the calls"
    return f"{speed}, {calls}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--flavors", default="zendesk,freshdesk")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for flavor in args.flavors.split(","):
        rows += flavor_rows(flavor, args.tickets)
        for row in rows[-4:]:
            print(f"{row.flavor} {row.run}: {row.seconds:.1f} s, {row.calls} calls, {row.found}",
                  file=sys.stderr)  # fmt: skip
    text = table(rows)
    print(text)
    if args.write_docs:
        write_docs(text, args)
    return 0


def write_docs(text: str, args: argparse.Namespace) -> None:
    command = f"python -m bench.dsar.run --tickets {args.tickets} --write-docs"
    section = (
        f"Command: `{command}` (CPython {platform.python_version()}, the sandbox in its "
        "own process with no rate limit, SQLite store; the subject is the seeded person on the "
        "most tickets).\n\n"
        f"{text}"
    )
    replace_section("dsar", "Data-subject requests", section)


if __name__ == "__main__":
    sys.exit(main())
