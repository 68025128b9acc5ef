"""`gdprguard sweep` end to end: the shipped default policy against the sandbox over real HTTP,
on SQLite and PostgreSQL; bad input; and a sweep killed with SIGKILL at random points."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _cli_helpdesk import add_connector, prepare_workdir, run_cli
from gdprguard.policy import default_policy_path

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")


def _start(flavor: str, tickets: int = 30, seed: int = 7) -> Any:
    return sandbox.SandboxServer(
        flavor=flavor, seed=seed, port=0, tickets=tickets, job_seconds=0.0
    ).start()


@pytest.fixture(params=["zendesk", "freshdesk"])
def helpdesk(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = _start(request.param)
    yield server
    server.stop()


def test_plan_review_apply_and_a_second_sweep_changes_nothing(
    store_config: Path,
    helpdesk: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_connector(store_config, helpdesk, monkeypatch)
    policy = str(default_policy_path())
    with helpdesk.state.lock:  # two tickets under a legal hold (the shipped policy's tag)
        held = sorted(helpdesk.state.data.tickets)[:2]
        held_records = set()
        for tid in held:
            ticket = helpdesk.state.data.tickets[tid]
            ticket.tags.append("legal_hold")
            held_records.add(f"ticket:{tid}")
            held_records.update(f"comment:{c.id}" for c in helpdesk.state.comments_of(ticket))
    before = helpdesk.ground_truth()
    code, out, err = run_cli(capsys, "sweep", "--policy", policy)
    assert code == 0, err
    plan_id = out.strip()
    assert plan_id.startswith("pl-") and "review it, then apply it" in err
    assert helpdesk.ground_truth() == before  # planning changes nothing
    code, out, err = run_cli(capsys, "sweep", "--apply", "--plan", plan_id, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["status"] == "applied" and report["failed"] == 0 and report["done"] > 0
    truth = helpdesk.ground_truth()
    for value in {p["value"] for p in before["planted"]}:
        assert value not in out + err  # reports hold ids and counts, never personal data
    assert len(truth["planted"]) < len(before["planted"])
    writes = dict(helpdesk.state.writes.totals())
    assert writes and not held_records & set(writes)  # legal holds intact
    held_before = [p for p in before["planted"] if p["ticket_id"] in held]
    assert held_before and all(p in truth["planted"] for p in held_before)
    # A second sweep (plan and apply at once, as a schedule runs it) changes nothing.
    code, out, err = run_cli(capsys, "sweep", "--policy", policy, "--apply", "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["done"] == again["unchanged"] and again["failed"] == 0
    assert dict(helpdesk.state.writes.totals()) == writes
    assert helpdesk.ground_truth() == truth
    code, out, _ = run_cli(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"]
    # Nothing gdprguard keeps (database, write-ahead log, keys, checkpoints) holds a planted
    # value in clear: plans and the journal keep references; originals are sealed.
    values = {p["value"] for p in before["planted"] if len(p["value"]) >= 6}
    for path in store_config.parent.rglob("*"):
        if path.is_file() and path.suffix != ".yaml":
            data = path.read_bytes()
            leaked = [v for v in values if v.encode() in data]
            assert leaked == [], path.name


def test_bad_input_is_a_clear_usage_error(
    store_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = str(default_policy_path())
    code, _, err = run_cli(capsys, "sweep", "--policy", policy)
    assert code == 2 and "no helpdesk is configured" in err
    server = _start("zendesk", tickets=5)
    try:
        add_connector(store_config, server, monkeypatch)
        code, _, err = run_cli(capsys, "sweep")
        assert code == 2 and "--policy FILE" in err
        code, _, err = run_cli(capsys, "sweep", "--policy", str(tmp_path / "missing.yaml"))
        assert code == 2 and "does not exist" in err
        broken = tmp_path / "broken.yaml"
        broken.write_text("rules:\n  - name: x\n    acton: delete\n", encoding="utf-8")
        code, _, err = run_cli(capsys, "sweep", "--policy", str(broken))
        assert code == 2 and "broken.yaml:3" in err
        code, _, err = run_cli(capsys, "sweep", "--policy", policy, "--connector", "sales")
        assert code == 2 and "sales is not configured" in err
        code, _, err = run_cli(capsys, "sweep", "--plan", "pl-x")
        assert code == 2 and "add --apply" in err
        code, _, err = run_cli(capsys, "sweep", "--apply", "--plan", "pl-nope")
        assert code == 2 and "no saved plan" in err
    finally:
        server.stop()


# -- SIGKILL at random points ---------------------------------------------------------------


def _sweep(workdir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    policy = str(default_policy_path())
    return subprocess.Popen(
        [sys.executable, "-m", "gdprguard", "sweep", "--policy", policy, "--apply", "--json"],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _journal_rows(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            return int(connection.execute("SELECT count(*) FROM journal").fetchone()[0])
    except sqlite3.Error:
        return 0


def _state(server: Any) -> Any:
    truth = server.ground_truth()
    return sorted(json.dumps(p, sort_keys=True) for p in truth["planted"]), truth["people"]


KILL_TICKETS, KILL_SEED = 24, 21


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, int]]:
    """The state an uninterrupted sweep leaves (planted values, people, writes per record)."""
    server = _start("zendesk", tickets=KILL_TICKETS, seed=KILL_SEED)
    try:
        workdir, env = prepare_workdir(tmp_path_factory.mktemp("reference"), "run", server)
        done = _sweep(workdir, env)
        _, err = done.communicate(timeout=600)
        assert done.returncode == 0, err
        units = _journal_rows(workdir / ".gdprguard" / "gdprguard.db")
        yield _state(server), dict(server.state.writes.totals()), units
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sweep_killed_with_sigkill_ends_like_an_uninterrupted_one(
    tmp_path: Path, seed: int, uninterrupted: tuple[Any, Any, int]
) -> None:
    expected, expected_writes, units = uninterrupted
    assert units >= 10
    kill_after = random.Random(seed).randint(1, units - 1)  # journal rows before the kill
    victim = _start("zendesk", tickets=KILL_TICKETS, seed=KILL_SEED)
    try:
        workdir, env = prepare_workdir(tmp_path, "victim", victim)
        database = workdir / ".gdprguard" / "gdprguard.db"
        run = _sweep(workdir, env)
        deadline = time.monotonic() + 300
        while _journal_rows(database) < kill_after and run.poll() is None:
            assert time.monotonic() < deadline, "the sweep never reached the kill point"
            time.sleep(0.005)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        assert run.returncode == -signal.SIGKILL
        rerun = _sweep(workdir, env)
        _, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert "finishing interrupted plan" in err
        assert _state(victim) == expected
        assert dict(victim.state.writes.totals()) == expected_writes  # nothing done twice
        check = subprocess.run(
            [sys.executable, "-m", "gdprguard", "audit", "verify"],
            cwd=workdir, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert check.returncode == 0, check.stderr
    finally:
        victim.stop()


def test_an_overlapping_scheduled_run_says_so_and_stops_cleanly(
    store_config: Path,
    helpdesk: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gdprguard.pipeline import StoreLock
    from gdprguard.store import Store

    add_connector(store_config, helpdesk, monkeypatch)
    url = store_config.read_text(encoding="utf-8").split('url = "', 1)[1].split('"', 1)[0]
    with Store(url) as store:
        running = StoreLock(store, "sweep:support")
        running.acquire()  # another sweep of this connector is under way
        writes = dict(helpdesk.state.writes.totals())
        code, out, err = run_cli(
            capsys, "sweep", "--policy", str(default_policy_path()), "--apply", "--json"
        )
        running.release()
    assert code == 0 and json.loads(out) == {"status": "already-running"}
    assert "already running" in err and "this run stops here" in err
    assert dict(helpdesk.state.writes.totals()) == writes
