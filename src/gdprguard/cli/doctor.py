"""``gdprguard doctor``: check the set-up and say how to fix each problem.

A report, not a usage error: it exits 1 when any check fails, 0 otherwise (warnings included),
and never creates or changes anything.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .._exceptions import ConfigError
from ._checks import Check, run_checks
from ._common import JsonOption, app_state, emit_json, result
from ._output import paint

__all__ = ["register"]

_LABELS = {"ok": "ok", "info": "info", "warn": "WARN", "fail": "FAIL", "skip": "skip"}
_COLOURS = {"ok": "green", "info": "blue", "warn": "yellow", "fail": "red", "skip": "white"}


def register(app: typer.Typer) -> None:
    """Add the ``doctor`` command to *app*."""

    @app.command("doctor")
    def doctor_command(
        ctx: typer.Context,
        json_output: JsonOption = False,
        connectors: Annotated[
            bool,
            typer.Option(
                "--connectors/--no-connectors",
                help="log in to each configured helpdesk (needs the network)",
            ),
        ] = True,
    ) -> None:
        """Check configuration, home, keys, database, connectors, detection and extras.

        Each problem comes with its fix. Exit 1 if any check fails; nothing is created or
        changed.

        \b
        Example: gdprguard doctor --json
        """
        state = app_state(ctx)
        try:
            home = state.home
        except ConfigError:
            home = None  # reported by the configuration check
        checks: list[Check] = []
        for check in run_checks(state.config_path, home, connectors=connectors):
            checks.append(check)
            if not json_output:
                _print(check)
        failed = [c for c in checks if c.status == "fail"]
        warned = [c for c in checks if c.status == "warn"]
        if json_output:
            emit_json({"ok": not failed, "checks": [c.model_dump() for c in checks]})
        else:
            verdict = (
                f"{len(failed)} check{'s' if len(failed) != 1 else ''} failed"
                if failed
                else "all checks passed"
            )
            if warned:
                verdict += f", {len(warned)} warning{'s' if len(warned) != 1 else ''}"
            result("")
            result(verdict)
        if failed:
            raise typer.Exit(1)


def _print(check: Check) -> None:
    label = paint(f"{_LABELS[check.status]:<5}", sys.stdout, fg=_COLOURS[check.status], bold=True)
    result(f"{label} {check.name:<18} {check.message}")
    if check.fix:
        result(f"{'':<5} {'':<18} fix: {check.fix}")
