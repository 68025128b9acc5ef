"""``gdprguard demo``: scan, retention sweep, DSAR export and erasure against a sandbox helpdesk,
in a temporary home that is removed afterwards (see :mod:`gdprguard.demo`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import JsonOption, emit_json, info, result, warn
from ._jobs import Progress
from ._table import table

if TYPE_CHECKING:
    from ..demo import DemoReport

__all__ = ["register"]

_LANGUAGES = {"en": "English", "ja": "Japanese"}
#: a step's progress shows only once it has run this long (short steps would flicker)
_QUIET_SECONDS = 1.0
_COUNT_LABELS = {
    "people": "person records",
    "tickets": "tickets",
    "mentions": "mentions in other tickets",
    "comments_by_subject": "comments by them",
    "problems": "records deleted or unreadable since they were indexed",
}


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to *app*."""
    from ..demo import DEFAULT_EXPORT_NAME, DEFAULT_SEED, DEFAULT_TICKETS

    @app.command("demo")
    def demo_command(
        out: Annotated[
            Path,
            typer.Option(
                "--out", metavar="FILE.zip", help="where to write the data-subject export"
            ),
        ] = Path(DEFAULT_EXPORT_NAME),
        overwrite: Annotated[bool, typer.Option("--overwrite", help="replace FILE.zip")] = False,
        seed: Annotated[
            int, typer.Option("--seed", metavar="N", help="seed of the sandbox's synthetic data")
        ] = DEFAULT_SEED,
        tickets: Annotated[
            int,
            typer.Option("--tickets", min=20, max=2000, metavar="N", help="sandbox tickets"),
        ] = DEFAULT_TICKETS,
        json_output: JsonOption = False,
    ) -> None:
        """Show what gdprguard does, end to end, on a sandbox helpdesk, in under a minute.

        In a temporary home, starts the sandbox (English and Japanese tickets), scans every
        comment for personal data, applies the shipped default retention policy, exports one
        person's data and erases another's, and verifies the audit log. Your configuration and
        ./.gdprguard are not touched; only the export file is left behind.

        \b
        Example: gdprguard demo --out demo-export.zip
        """
        from ..demo import run_demo

        progress = _StepProgress()
        try:
            report = run_demo(
                out,
                overwrite=overwrite,
                seed=seed,
                tickets=tickets,
                progress=progress,
                note=lambda line: info(f"demo: {line}"),
            )
        finally:
            progress.done()
        if json_output:
            emit_json({"ok": report.ok, **report.model_dump(mode="json")})
        else:
            _print(report)
        if not report.ok:
            warn("a step of the demo did not succeed; see the summary above")
            raise typer.Exit(1)


class _StepProgress:
    """A fresh :class:`Progress` for each step, so rates and time left are the step's own;
    steps done within a second print nothing."""

    def __init__(self) -> None:
        self._what: str | None = None
        self._current = Progress()
        self._started = time.monotonic()

    def __call__(self, what: str, done: int, total: int | None) -> None:
        if what != self._what:
            self._current.done()
            self._what, self._current = what, Progress()
            self._started = time.monotonic()
        if time.monotonic() - self._started < _QUIET_SECONDS:
            return
        self._current(what, done, total)

    def done(self) -> None:
        self._current.done()


def _print(report: DemoReport) -> None:
    sandbox = report.sandbox
    result(
        f"gdprguard demo: a sandbox {sandbox['flavor']} helpdesk with {sandbox['tickets']} "
        f"tickets (seed {sandbox['seed']}), connected as {report.connector!r}"
    )
    _print_scan(report)
    _print_sweep(report)
    _print_export(report)
    _print_erasure(report)
    audit = report.audit
    result("")
    result(
        f"Audit log: {'OK' if audit.ok else 'DOES NOT VERIFY'}, {audit.entries} entries verified"
    )
    result("")
    result(
        f"Done in {report.seconds:.1f} s. The sandbox and the temporary home are gone; only the "
        "export is left."
    )


def _print_scan(report: DemoReport) -> None:
    scan = report.scan
    languages = ", ".join(f"{n} {_LANGUAGES[lang]}" for lang, n in scan.comments.items())
    result("")
    result(
        f"Personal data found: {scan.total} findings in {sum(scan.comments.values())} comments "
        f"of {scan.tickets} tickets ({languages})"
    )
    rows: list[list[object]] = [
        [kind, counts.get("en", 0), counts.get("ja", 0), sum(counts.values())]
        for kind, counts in scan.findings.items()
    ]
    totals = [sum(c.get(lang, 0) for c in scan.findings.values()) for lang in ("en", "ja")]
    rows.append(["all types", *totals, scan.total])
    for line in table(["entity type", "English", "Japanese", "total"], rows):
        result(line)


def _print_sweep(report: DemoReport) -> None:
    sweep = report.sweep
    result("")
    result(f"Retention sweep with the shipped policy {sweep.policy} (plan {sweep.plan_id})")
    result(
        f"  {sweep.actions} actions planned on {sweep.tickets} tickets, {sweep.held} under a "
        "legal hold"
    )
    rows: list[list[object]] = []
    for rule, actions in sorted(sweep.per_rule.items()):
        for action, outcomes in sorted(actions.items()):
            counts = [outcomes.get(key, 0) for key in ("done", "skipped", "failed")]
            rows.append([rule, action, *counts])
    for line in table(["rule", "action", "done", "skipped", "failed"], rows):
        result(line)
    result(
        f"  {sweep.status}: {sweep.done} done ({sweep.unchanged} already so), {sweep.skipped} "
        f"skipped, {sweep.failed} failed"
    )


def _print_export(report: DemoReport) -> None:
    export = report.export
    counts = ", ".join(
        f"{_COUNT_LABELS.get(key, key.replace('_', ' '))} {value}"
        for key, value in export.counts.items()
    )
    result("")
    result(f"Data-subject export (request {export.request_id}, {export.subject})")
    for line in table(
        None,
        [
            ["file", f"{export.path} ({export.bytes} bytes)"],
            ["sha256", export.sha256],
            ["found", counts],
            [
                "verified",
                f"{'OK' if export.verified else 'FAILED'}, {export.files_checked} "
                "files checked (gdprguard dsar verify FILE checks it again)",
            ],
        ],
    ):
        result(line)


def _print_erasure(report: DemoReport) -> None:
    erasure = report.erasure
    result("")
    result(f"Erasure (request {erasure.request_id}, {erasure.subject}): {erasure.status}")
    if erasure.tickets_solved_first:
        result(
            f"  first solved {erasure.tickets_solved_first} open ticket(s) of theirs in the "
            "sandbox: an erasure waits until the subject's tickets are resolved"
        )
    planned = ", ".join(f"{action} {count}" for action, count in erasure.planned.items())
    held = f"; {erasure.held} ticket(s) kept under a legal hold" if erasure.held else ""
    result(f"  plan {erasure.plan_id}: {planned or 'nothing to do'}{held}")
    result(
        f"  applied: {erasure.done} done ({erasure.unchanged} already so), {erasure.skipped} "
        f"skipped, {erasure.failed} failed, {erasure.keys_shredded} key(s) shredded"
    )
    remaining = erasure.remaining
    result(
        f"  a new search finds {remaining.get('tickets', 0)} ticket(s) and "
        f"{remaining.get('people', 0)} person record(s) of theirs"
    )
