"""Scheduling sweeps: a cron line or a systemd service and timer, from a cron expression.

gdprguard does not run a scheduler of its own: the system's is more reliable (it survives
reboots, logs, and alerts). ``gdprguard schedule`` writes what the system needs, and the sweep's
own lock keeps an overlapping run from doing anything.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .._exceptions import InputError

__all__ = ["CronExpression", "ScheduledSweep"]

_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_PART = re.compile(r"^(\*|\d+|\d+-\d+)(/\d+)?$")


@dataclass(frozen=True)
class CronExpression:
    """A validated five-field cron expression (``0 3 * * *``, ``@daily``, ``*/15 * * * 1-5``)."""

    text: str
    fields: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> CronExpression:
        """Validate *text*; ``InputError`` naming the bad field and how to write it otherwise."""
        expanded = _MACROS.get(text.strip().lower(), text.strip())
        parts = expanded.split()
        if len(parts) != 5:
            raise InputError(
                f"--every needs five cron fields (minute hour day-of-month month day-of-week), "
                f'e.g. "0 3 * * *" for 03:00 every day; got {len(parts)}'
            )
        fields = tuple(
            _normalise(part, name, low, high)
            for part, (name, low, high) in zip(parts, _FIELDS, strict=True)
        )
        return cls(text.strip(), fields)

    def on_calendar(self) -> str:
        """The same schedule as a systemd ``OnCalendar=`` value."""
        minute, hour, dom, month, dow = self.fields
        days = "" if dow == "*" else _systemd_days(dow) + " "
        return (
            f"{days}*-{_systemd(month)}-{_systemd(dom)} "
            f"{_systemd(hour, pad=True)}:{_systemd(minute, pad=True)}:00"
        )


def _normalise(part: str, name: str, low: int, high: int) -> str:
    names = _MONTHS if name == "month" else _DAYS if name == "day of week" else {}
    items = []
    for item in part.lower().split(","):
        for word, number in names.items():
            item = re.sub(rf"\b{word}\b", str(number), item)
        match = _PART.match(item)
        if match is None:
            raise InputError(
                f"--every: the {name} field {part!r} is not valid cron; use a number, *, a range "
                "like 1-5, a list like 1,15 or a step like */15"
            )
        base = match.group(1)
        numbers = [] if base == "*" else [int(n) for n in base.split("-")]
        if any(not low <= n <= high for n in numbers) or (
            len(numbers) == 2 and numbers[0] > numbers[1]
        ):
            raise InputError(f"--every: the {name} field {part!r} is outside {low}-{high}")
        if match.group(2) and int(match.group(2)[1:]) == 0:
            raise InputError(f"--every: a step of 0 in the {name} field never fires")
        items.append(item)
    return ",".join(items)


def _systemd(field: str, *, pad: bool = False) -> str:
    if field == "*":
        return "*"
    out = []
    for item in field.split(","):
        base, _, step = item.partition("/")
        if base == "*":
            base = "0" if pad else "1"
            text = f"{int(base):02d}" if pad else base
            out.append(f"{text}/{step}" if step else "*")
            continue
        if "-" in base:
            first, last = (int(n) for n in base.split("-"))
            text = f"{first:02d}..{last:02d}" if pad else f"{first}..{last}"
        else:
            text = f"{int(base):02d}" if pad else base
        out.append(f"{text}/{step}" if step else text)
    return ",".join(out)


def _systemd_days(field: str) -> str:
    out = []
    for item in field.split(","):
        base, _, step = item.partition("/")
        if step:
            raise InputError(
                "--every: a step in the day-of-week field has no systemd equivalent; list the "
                "days instead (e.g. 1,3,5)"
            )
        if "-" in base:
            first, last = (int(n) for n in base.split("-"))
            out.append(f"{_SYSTEMD_DAYS[first]}..{_SYSTEMD_DAYS[last]}")
        elif base == "*":
            return ""
        else:
            out.append(_SYSTEMD_DAYS[int(base)])
    return ",".join(out)


@dataclass(frozen=True)
class ScheduledSweep:
    """What to run and when: ``gdprguard sweep --policy P --apply`` on a cron schedule."""

    every: CronExpression
    policy: Path
    executable: str
    workdir: Path
    home: Path
    config: Path | None = None
    connector: str | None = None

    def command(self) -> list[str]:
        """The sweep command line."""
        args = [self.executable]
        if self.config is not None:
            args += ["--config", str(self.config)]
        args += ["sweep", "--policy", str(self.policy), "--apply", "--json"]
        if self.connector:
            args += ["--connector", self.connector]
        return args

    @property
    def marker(self) -> str:
        """The comment that identifies this schedule's cron line (for replacing it)."""
        suffix = f" {self.connector}" if self.connector else ""
        return f"# gdprguard sweep {self.policy}{suffix}"

    def cron_line(self) -> str:
        """A crontab line: runs in the working directory, appends the JSON report to a log."""
        log = self.home / "sweep.log"
        command = " ".join(shlex.quote(a) for a in self.command())
        return (
            f"{self.every.text} cd {shlex.quote(str(self.workdir))} && "
            f"GDPRGUARD_HOME={shlex.quote(str(self.home))} {command} "
            f">> {shlex.quote(str(log))} 2>&1 {self.marker}"
        )

    def systemd_units(self, name: str = "gdprguard-sweep") -> dict[str, str]:
        """``NAME.service`` and ``NAME.timer`` file contents."""
        service = "\n".join(
            [
                "[Unit]",
                f"Description=gdprguard retention sweep ({self.policy.name})",
                "",
                "[Service]",
                "Type=oneshot",
                f"WorkingDirectory={self.workdir}",
                f"Environment=GDPRGUARD_HOME={self.home}",
                "# secrets named as env:VAR in gdprguard.toml, one VAR=value per line",
                "EnvironmentFile=-%h/.config/gdprguard/env",
                "ExecStart=" + " ".join(shlex.quote(a) for a in self.command()),
                "",
            ]
        )
        timer = "\n".join(
            [
                "[Unit]",
                f"Description=Run the gdprguard retention sweep ({self.every.text})",
                "",
                "[Timer]",
                f"OnCalendar={self.every.on_calendar()}",
                "Persistent=true",
                "",
                "[Install]",
                "WantedBy=timers.target",
                "",
            ]
        )
        return {f"{name}.service": service, f"{name}.timer": timer}

    @staticmethod
    def merge_crontab(existing: str, line: str, marker: str) -> str:
        """*existing* crontab text with this schedule's line added or replaced (idempotent)."""
        kept = [row for row in existing.splitlines() if not row.rstrip().endswith(marker)]
        while kept and not kept[-1].strip():
            kept.pop()
        return "\n".join([*kept, line]) + "\n"
