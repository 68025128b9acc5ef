"""`gdprguard schedule`: cron expressions, their systemd equivalents, and installing them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gdprguard import InputError
from gdprguard.cli.main import main
from gdprguard.sweep.schedule import CronExpression, ScheduledSweep


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [
        ("0 3 * * *", "*-*-* 03:00:00"),
        ("@daily", "*-*-* 00:00:00"),
        ("*/15 * * * 1-5", "Mon..Fri *-*-* *:00/15:00"),
        ("30 2 1 * *", "*-*-1 02:30:00"),
        ("0 4 * jan,jul sun", "Sun *-1,7-* 04:00:00"),
        ("5 0-6/2 * * *", "*-*-* 00..06/2:05:00"),
    ],
)
def test_cron_to_systemd(cron: str, calendar: str) -> None:
    assert CronExpression.parse(cron).on_calendar() == calendar


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 3 * *", "five cron fields"),
        ("61 3 * * *", "outside 0-59"),
        ("0 25 * * *", "outside 0-23"),
        ("0 3 * * mon-", "not valid cron"),
        ("*/0 3 * * *", "never fires"),
        ("0 5-3 * * *", "outside"),
    ],
)
def test_bad_cron_expressions(cron: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        CronExpression.parse(cron)


def _sweep(tmp_path: Path) -> ScheduledSweep:
    return ScheduledSweep(
        every=CronExpression.parse("0 3 * * *"),
        policy=tmp_path / "policy dir" / "default.yaml",
        executable="/usr/bin/gdprguard",
        workdir=tmp_path,
        home=tmp_path / ".gdprguard",
    )


def test_cron_line_quotes_paths_and_is_replaced_not_duplicated(tmp_path: Path) -> None:
    scheduled = _sweep(tmp_path)
    line = scheduled.cron_line()
    assert line.startswith("0 3 * * * cd ")
    assert "'" + str(tmp_path / "policy dir" / "default.yaml") + "'" in line
    assert "sweep --policy" in line and "--apply" in line and line.endswith(scheduled.marker)
    table = "MAILTO=ops\n# other job\n5 * * * * /bin/true\n"
    once = ScheduledSweep.merge_crontab(table, line, scheduled.marker)
    twice = ScheduledSweep.merge_crontab(once, line, scheduled.marker)
    assert once == twice and once.count(scheduled.marker) == 1 and "/bin/true" in once


def test_systemd_units(tmp_path: Path) -> None:
    units = _sweep(tmp_path).systemd_units()
    assert set(units) == {"gdprguard-sweep.service", "gdprguard-sweep.timer"}
    assert "OnCalendar=*-*-* 03:00:00" in units["gdprguard-sweep.timer"]
    assert "Persistent=true" in units["gdprguard-sweep.timer"]
    assert "Type=oneshot" in units["gdprguard-sweep.service"]


def test_cli_prints_and_installs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "default.yaml"
    policy.write_text("rules: []\n")
    code = main(["schedule", "--policy", str(policy), "--every", "0 3 * * *"])
    out, err = capsys.readouterr()
    assert code == 0 and out.count("\n") == 1 and "sweep --policy" in out
    assert "env:VAR" in err
    # --install with a crontab that keeps its table in a file (a real program on PATH)
    bin_dir, table = tmp_path / "bin", tmp_path / "crontab.txt"
    bin_dir.mkdir()
    fake = bin_dir / "crontab"
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-l" ]; then cat "{table}" 2>/dev/null || exit 1; '
        f'else cat > "{table}"; fi\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for _ in range(2):
        assert main(["schedule", "--policy", str(policy), "--every", "@daily", "--install"]) == 0
    assert table.read_text().count("# gdprguard sweep") == 1
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    code = main(
        ["schedule", "--policy", str(policy), "--every", "0 3 * * *", "--format", "systemd",
         "--install"]
    )  # fmt: skip
    assert code == 0
    assert (tmp_path / "xdg" / "systemd" / "user" / "gdprguard-sweep.timer").is_file()
    capsys.readouterr()
    code = main(["schedule", "--policy", str(tmp_path / "missing.yaml"), "--every", "@daily"])
    _, err = capsys.readouterr()
    assert code == 2 and "does not exist" in err
