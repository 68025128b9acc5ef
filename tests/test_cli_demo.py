"""`gdprguard demo`, the README's main-job command, run in-process: the whole tour against the
sandbox over real HTTP; the export it leaves verifies; nothing else is left behind (not in the
working directory, the temporary directory or the user's home), nothing keeps running, and that
holds when it fails or is interrupted too."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gdprguard.cli.main import main
from gdprguard.dsar.package import verify_export

sandbox = pytest.importorskip("gdprguard.sandbox")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def temp_root() -> Iterator[Path]:
    """A fresh $TMPDIR for the demo's temporary home (in memory where /dev/shm exists)."""
    parent = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    root = Path(tempfile.mkdtemp(prefix="gg-demo-test-", dir=parent))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def workdir(
    tmp_path: Path, temp_root: Path, monkeypatch: pytest.MonkeyPatch, _isolated_home: Path
) -> Iterator[Path]:
    """An empty working directory; $TMPDIR is *temp_root*; $GDPRGUARD_HOME is empty."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp_root))
    before = sorted(_isolated_home.iterdir())
    yield work
    assert sorted(_isolated_home.iterdir()) == before, "the demo touched GDPRGUARD_HOME"


def _sandbox_threads() -> list[str]:
    """The sandbox's serving thread and request threads still alive (a request thread sees its
    connection closed a moment after the client closed it: give it that moment)."""
    found = [
        t
        for t in threading.enumerate()
        if t.name == "gdprguard-sandbox" or "process_request" in t.name
    ]
    for thread in found:
        thread.join(timeout=5)
    return [t.name for t in found if t.is_alive()]


def _personal_values(seed: int, tickets: int) -> set[str]:
    """Names, addresses, numbers the sandbox plants with this seed (what must never be shown)."""
    anchor = int(datetime.now(UTC).timestamp()) // 86400 * 86400
    data = sandbox.generate(seed, tickets, anchor)
    values = {
        value
        for person in data.people.values()
        for value in (person.name, person.email, person.phone)
        if value and len(value) >= 6
    }
    values.update(p.value for p in data.planted if p.type != "DATE_TIME" and len(p.value) >= 6)
    return values


def _assert_left_only(work: Path, temp_root: Path, names: list[str]) -> None:
    assert sorted(p.name for p in work.iterdir()) == names
    assert list(temp_root.iterdir()) == [], "the temporary home was not removed"
    assert _sandbox_threads() == [], "the sandbox is still running"


@pytest.mark.slow
def test_the_readme_demo_shows_every_job_and_leaves_only_the_export(
    workdir: Path, temp_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "demo", "--out", "export.zip")
    assert code == 0, err
    for heading in (
        "Personal data found:",
        "Retention sweep with the shipped policy default.yaml",
        "Data-subject export (request req-",
        "Erasure (request req-",
        "Audit log: OK,",
    ):
        assert heading in out, heading
    assert "English" in out and "Japanese" in out and "JP_MY_NUMBER" in out
    assert "redact-personal-data-after-1y" in out and "delete-solved-after-3y" in out
    assert "): completed" in out and "a new search finds 0 ticket(s) and 0 person record(s)" in out
    export = workdir / "export.zip"
    report = verify_export(export)
    assert report.ok, report.problems
    assert str(export) in out and f"verified  OK, {report.files_checked} files checked" in out
    assert hashlib.sha256(export.read_bytes()).hexdigest() in out
    # progress and notes on stderr, results on stdout; nothing personal in either
    assert "demo: scanning every comment" in err and "Personal data found" not in err
    shown = out + err
    leaked = [v for v in _personal_values(7, 120) if v in shown]
    assert leaked == []
    _assert_left_only(workdir, temp_root, ["export.zip"])
    # A second run will not overwrite the export (and does nothing at all).
    before = export.read_bytes()
    code, out, err = _run(capsys, "demo", "--out", "export.zip")
    assert code == 2 and out == ""
    assert "export.zip already exists; pass --overwrite" in err and "Traceback" not in err
    assert export.read_bytes() == before
    _assert_left_only(workdir, temp_root, ["export.zip"])


@pytest.mark.slow
def test_json_report_on_a_small_helpdesk_overwrites_when_asked(
    workdir: Path, temp_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = workdir / "demo.zip"
    target.write_bytes(b"an older export")
    code, out, err = _run(
        capsys, "demo", "--out", "demo.zip", "--overwrite", "--json", "--tickets", "40",
        "--seed", "3",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)  # one JSON document on stdout, nothing else
    assert document["ok"] is True and document["sandbox"]["tickets"] == 40
    scan = document["scan"]
    assert scan["tickets"] == 40 and scan["comments"]["en"] > 0 and scan["comments"]["ja"] > 0
    assert scan["total"] == sum(sum(c.values()) for c in scan["findings"].values()) > 0
    assert scan["findings"]["EMAIL_ADDRESS"]["en"] > 0 and scan["findings"]["PERSON"]["ja"] > 0
    sweep = document["sweep"]
    assert sweep["status"] == "applied" and sweep["failed"] == 0 and sweep["done"] > 0
    assert sweep["done"] + sweep["skipped"] == sweep["actions"]
    export = document["export"]
    assert export["path"] == str(target) and export["verified"] is True
    assert export["counts"]["tickets"] > 0 and export["counts"]["people"] == 1
    assert verify_export(target).ok
    erasure = document["erasure"]
    assert erasure["status"] == "completed" and erasure["failed"] == 0
    assert erasure["subject"] != export["subject"] and erasure["keys_shredded"] >= 1
    assert document["audit"]["ok"] is True and document["audit"]["entries"] > sweep["done"]
    leaked = [v for v in _personal_values(3, 40) if v in out + err]
    assert leaked == []
    _assert_left_only(workdir, temp_root, ["demo.zip"])


def test_ctrl_c_in_the_middle_stops_everything_and_leaves_nothing(
    workdir: Path, temp_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    import gdprguard.cli.demo as demo_cli

    real_info = demo_cli.info

    def info(line: str) -> None:  # Ctrl-C as the sweep starts to change the helpdesk
        real_info(line)
        if "applying plan" in line:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(demo_cli, "info", info)
    code, out, err = _run(capsys, "demo", "--tickets", "20")  # the fewest it takes
    assert code == 130, err
    assert "interrupted by SIGINT" in err and out == ""
    _assert_left_only(workdir, temp_root, [])


def test_a_failing_step_exits_1_and_leaves_nothing(
    workdir: Path, temp_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    from gdprguard._exceptions import HelpdeskError
    from gdprguard.dsar.service import DsarService

    def export(*_args: Any, **_kwargs: Any) -> Any:
        raise HelpdeskError("the helpdesk answered 503", status=503)

    monkeypatch.setattr(DsarService, "export", export)
    code, out, err = _run(capsys, "demo", "--tickets", "20")
    assert code == 1 and out == ""
    assert "the helpdesk answered 503" in err and "Traceback" not in err
    _assert_left_only(workdir, temp_root, [])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "demo.txt"], "name it *.zip"),
        (["--out", "missing/demo.zip"], "does not exist"),
        (["--tickets", "5"], "--tickets"),
    ],
)
def test_bad_options_are_usage_errors_that_do_nothing(
    workdir: Path,
    temp_root: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code, out, err = _run(capsys, "demo", *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    _assert_left_only(workdir, temp_root, [])


def test_an_erasure_subject_with_open_tickets_has_them_solved_first() -> None:
    from gdprguard.demo import _solve_open_tickets, _subjects

    server = sandbox.SandboxServer(flavor="zendesk", seed=3, port=0, tickets=30, job_seconds=0.0)
    with server.state.lock:  # nobody has only solved tickets
        for ticket in server.state.live_tickets():
            ticket.status = "open"
    exported = _subjects(server, exclude=set())[0][0]
    erased = _subjects(server, exclude={exported}, erasure=True)[0][0]
    assert erased != exported
    requested = [t for t in server.state.live_tickets() if t.requester_id == erased]
    assert _solve_open_tickets(server, erased) == len(requested) > 0
    assert {t.status for t in requested} == {"solved"}
    assert _solve_open_tickets(server, erased) == 0
    others = [t for t in server.state.live_tickets() if t.requester_id != erased]
    assert {t.status for t in others} == {"open"}
