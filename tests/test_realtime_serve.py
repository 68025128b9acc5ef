"""`gdprguard serve` as a real process: events queued when it is killed with SIGKILL are neither
lost nor redacted twice after a restart; with worker processes, a worker killed with SIGKILL is
replaced and SIGTERM stops the receiver and its workers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from _cli_helpdesk import prepare_workdir
from gdprguard.policy import default_policy_path
from gdprguard.realtime.signatures import zendesk_signature

sandbox = pytest.importorskip("gdprguard.sandbox")

SECRET = "whsec-serve-test-42"


def _luhn(prefix: str) -> str:
    """*prefix* with its Luhn check digit (a number detection accepts as a card)."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        digit = int(ch) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    number = prefix + str((10 - total % 10) % 10)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


CARDS = [_luhn(f"411111111111{n:03d}") for n in range(100, 120)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(workdir: Path, env: dict[str, str], port: int, *options: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gdprguard", "serve", "--policy", str(default_policy_path()),
         "--port", str(port), *(options or ("--workers", "1"))],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(process.communicate()[1])


def _post(port: int, ticket_id: str) -> int:
    body = json.dumps({"ticket_id": ticket_id}).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {
        "X-Zendesk-Webhook-Signature": zendesk_signature(SECRET, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    return requests.post(
        f"http://127.0.0.1:{port}/webhooks/support", data=body, headers=headers, timeout=10
    ).status_code


def _prepare(server: Any, tmp_path: Path) -> tuple[Path, dict[str, str], list[str]]:
    """A home connected to the sandbox with the webhook secret sealed, and a ticket with a
    card number per card of CARDS; returns the directory, the environment and the tickets."""
    workdir, env = prepare_workdir(tmp_path, "rt", server)
    subprocess.run(
        [sys.executable, "-c",
         "from gdprguard._config import load_settings; from gdprguard.vault import Vault; "
         "from gdprguard.realtime.secrets import save_webhook_secret; "
         "v = Vault.from_settings(load_settings()); "
         f"save_webhook_secret(v, 'support', {SECRET!r}, actor='test')"],
        cwd=workdir, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    creds = server.credentials
    auth = (f"{creds['email']}/token", creds["token"])
    tickets = []
    for card in CARDS:
        answer = requests.post(
            f"{creds['url']}/api/v2/tickets.json",
            json={"ticket": {"subject": "payment", "comment": {"body": f"card {card} ok"}}},
            auth=auth, timeout=10,
        )  # fmt: skip
        tickets.append(str(answer.json()["ticket"]["id"]))
    return workdir, env, tickets


def _redactions(server: Any, tickets: list[str]) -> tuple[list[str], list[int]]:
    """Cards still in the tickets, and how often each redacted record was written."""
    with server.state.lock:
        texts = "\n".join(
            c.body
            for tid in tickets
            for c in server.state.comments_of(server.state.data.tickets[int(tid)])
        )
    actions: dict[str, dict[str, int]] = server.state.writes.actions()
    return [card for card in CARDS if card in texts], [
        a["redact"] for a in actions.values() if "redact" in a
    ]


def _children(pid: int) -> list[int]:
    """The worker processes of the receiver *pid* (not multiprocessing's resource tracker)."""
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in listing.read_text().split():
            with contextlib.suppress(OSError):
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(int(child))
    return found


def _drained(port: int) -> bool:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        if "gdprguard_webhook_queue_depth 0.0" in metrics:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def server() -> Iterator[Any]:
    """A small Zendesk sandbox for the receiver to redact in."""
    instance = sandbox.SandboxServer(
        flavor="zendesk", seed=4, port=0, tickets=5, job_seconds=0.0
    ).start()
    yield instance
    instance.stop()


@pytest.mark.slow
def test_events_queued_at_a_sigkill_are_processed_once_after_a_restart(
    server: Any, tmp_path: Path
) -> None:
    workdir, env, tickets = _prepare(server, tmp_path)
    port = _free_port()
    process = _serve(workdir, env, port)
    codes = [_post(port, ticket) for ticket in tickets]
    process.send_signal(signal.SIGKILL)  # with most events still queued
    process.communicate(timeout=30)
    assert codes == [202] * len(tickets)
    database = workdir / ".gdprguard" / "gdprguard.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        pending = connection.execute(
            "SELECT count(*) FROM webhook_events WHERE status != 'done'"
        ).fetchone()[0]
    assert pending > 0, "the kill came after every event was processed"
    process = _serve(workdir, env, port)
    try:
        assert _drained(port)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    left, redactions = _redactions(server, tickets)
    assert not left  # none lost
    assert len(redactions) == len(tickets) and set(redactions) == {1}  # none twice


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds children in /proc")
def test_a_worker_process_killed_with_sigkill_is_replaced(server: Any, tmp_path: Path) -> None:
    workdir, env, tickets = _prepare(server, tmp_path)
    port = _free_port()
    process = _serve(workdir, env, port, "--worker-processes", "2")
    try:
        workers = _children(process.pid)
        codes = [_post(port, ticket) for ticket in tickets]
        os.kill(max(workers), signal.SIGKILL)  # whatever it holds is queued again
        assert codes == [202] * len(tickets)
        assert _drained(port)
        assert _post(port, tickets[0]) == 202  # still taking webhooks
        assert _drained(port)
        after = set(_children(process.pid))
        assert max(workers) not in after
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "worker process ended unexpectedly" in err
    for pid in after:  # SIGTERM stopped the workers too (the receiver waited for them)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    left, redactions = _redactions(server, tickets)
    assert not left
    assert len(redactions) == len(tickets) and set(redactions) == {1}
