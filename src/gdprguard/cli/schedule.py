"""``gdprguard schedule``: run sweeps from cron or a systemd timer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from .._exceptions import ConfigError, GdprGuardError
from ._common import emit_json, info

__all__ = ["register"]


def _executable() -> str:
    found = shutil.which("gdprguard")
    return found or f"{sys.executable} -m gdprguard"


def _install_cron(line: str, marker: str) -> str:
    from ..sweep.schedule import ScheduledSweep

    crontab = shutil.which("crontab")
    if crontab is None:
        raise ConfigError(
            "--install needs the crontab command, which is not installed; install cron, or use "
            "--format systemd"
        )
    current = subprocess.run([crontab, "-l"], capture_output=True, text=True, check=False)
    existing = current.stdout if current.returncode == 0 else ""
    merged = ScheduledSweep.merge_crontab(existing, line, marker)
    written = subprocess.run([crontab, "-"], input=merged, text=True, capture_output=True)
    if written.returncode != 0:
        raise GdprGuardError(f"crontab refused the new table (exit {written.returncode})")
    return "installed in your crontab (crontab -l shows it)"


def _install_systemd(units: dict[str, str], name: str) -> str:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    directory = base / "systemd" / "user"
    directory.mkdir(parents=True, exist_ok=True)
    for file_name, text in units.items():
        (directory / file_name).write_text(text, encoding="utf-8")
    return (
        f"wrote {directory}/{name}.service and .timer; enable with: "
        f"systemctl --user daemon-reload && systemctl --user enable --now {name}.timer"
    )


def register(app: typer.Typer) -> None:
    """Add the ``schedule`` command to *app*."""

    @app.command("schedule")
    def schedule_command(
        ctx: typer.Context,
        policy: Annotated[Path, typer.Option("--policy", help="the policy file the sweep applies")],
        every: Annotated[
            str, typer.Option("--every", help='a cron expression, e.g. "0 3 * * *" (03:00 daily)')
        ],
        connector: Annotated[
            str | None, typer.Option("--connector", help="only this connector")
        ] = None,
        output_format: Annotated[
            Literal["cron", "systemd"], typer.Option("--format", help="cron line or systemd units")
        ] = "cron",
        install: Annotated[
            bool, typer.Option("--install", help="write it (crontab, or systemd user units)")
        ] = False,
        json_output: Annotated[bool, typer.Option("--json", help="one JSON document")] = False,
    ) -> None:
        """Print (or install) what runs `gdprguard sweep --policy P --apply` on a schedule.

        \b
        Example: gdprguard schedule --policy policies/default.yaml --every "0 3 * * *"
        """
        from .._home import home_dir
        from ..sweep.schedule import CronExpression, ScheduledSweep

        expression = CronExpression.parse(every)
        if not policy.is_file():
            raise ConfigError(f"policy file {policy} does not exist")
        root = ctx.find_root().obj
        config = getattr(root, "config_path", None)
        scheduled = ScheduledSweep(
            every=expression,
            policy=policy.resolve(),
            executable=_executable(),
            workdir=Path.cwd(),
            home=home_dir(create=False).resolve(),
            config=Path(config).resolve() if config else None,
            connector=connector,
        )
        name = "gdprguard-sweep" + (f"-{connector}" if connector else "")
        if output_format == "cron":
            text = {"crontab": scheduled.cron_line()}
        else:
            text = scheduled.systemd_units(name)
        note = None
        if install:
            if output_format == "cron":
                note = _install_cron(scheduled.cron_line(), scheduled.marker)
            else:
                note = _install_systemd(text, name)
        if json_output:
            emit_json({"format": output_format, "files": text, "installed": install})
        else:
            for file_name, content in text.items():
                if output_format == "systemd":
                    sys.stdout.write(f"# {file_name}\n")
                sys.stdout.write(content if content.endswith("\n") else content + "\n")
        if note:
            info(note)
        info(
            "secrets written as env:VAR in gdprguard.toml must be set where the schedule runs "
            "(cron has almost no environment; systemd reads ~/.config/gdprguard/env)"
        )
