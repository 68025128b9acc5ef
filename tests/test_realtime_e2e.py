"""Real-time redaction end to end: `gdprguard connector install-webhook`, `gdprguard serve` as a
real process, and the sandbox calling it, signed as Zendesk signs (or with Freshdesk's header),
when a ticket arrives; the card number and My Number are gone within 5 seconds."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from _cli_helpdesk import prepare_workdir
from gdprguard.policy import default_policy_path

sandbox = pytest.importorskip("gdprguard.sandbox")

CARD = "4111 1111 1111 1111"
MY_NUMBER = "1234 5678 9018"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gdprguard(workdir: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gdprguard", *argv], cwd=workdir, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(params=["zendesk", "freshdesk"])
def desk(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor=request.param, seed=8, port=0, tickets=4, job_seconds=0.0
    ).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_a_new_ticket_is_redacted_within_five_seconds(desk: Any, tmp_path: Path) -> None:
    workdir, env = prepare_workdir(tmp_path, "rt", desk)
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    installed = _gdprguard(workdir, env, "connector", "install-webhook", "support", "--url",
                           public)  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    creds = desk.credentials
    flavor = desk.config.flavor
    auth = (f"{creds['email']}/token", creds["token"]) if flavor == "zendesk" else (
        creds["api_key"], "X")  # fmt: skip
    if flavor == "freshdesk":  # the admin creates the printed rule by hand
        secret = re.search(r"rule\): (\S+)", installed.stderr)
        assert secret is not None and "X-Gdprguard-Secret" in installed.stdout
        rule = {"url": f"{public}/webhooks/support", "events": ["ticket_created", "note_added"],
                "headers": {"X-Gdprguard-Secret": secret.group(1)}}  # fmt: skip
        requests.post(f"{creds['url']}/_sandbox/automations", json=rule, auth=auth,
                      timeout=10).raise_for_status()  # fmt: skip
    else:
        assert "secret" not in installed.stdout.lower().replace("signing secret is sealed", "")
    serve = subprocess.Popen(
        [sys.executable, "-m", "gdprguard", "serve", "--policy", str(default_policy_path()),
         "--port", str(port)],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{public}/readyz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.05)
        created = requests.post(
            f"{creds['url']}/_sandbox/tickets",
            json={"subject": "payment", "comment": f"My card {CARD}, My Number {MY_NUMBER}."},
            auth=auth, timeout=10,
        )  # fmt: skip
        created.raise_for_status()
        ticket_id = int(created.json()["ticket_id"])
        started = time.monotonic()
        while True:
            with desk.state.lock:
                ticket = desk.state.data.tickets[ticket_id]
                text = "\n".join(c.body for c in desk.state.comments_of(ticket))
            if CARD not in text and MY_NUMBER not in text:
                break
            assert time.monotonic() - started < 5.0, "not redacted within 5 seconds"
            time.sleep(0.05)
        # a forged call is refused
        forged = requests.post(f"{public}/webhooks/support", data=json.dumps(
            {"ticket_id": str(ticket_id)}), headers={"Content-Type": "application/json"},
            timeout=10)  # fmt: skip
        assert forged.status_code == 401
        tested = _gdprguard(workdir, env, "connector", "test", "support", "--json")
        assert tested.returncode == 0, tested.stderr
        assert json.loads(tested.stdout)["webhook"]["events"] >= 1  # events do arrive
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=30)
    removed = _gdprguard(workdir, env, "connector", "install-webhook", "support", "--uninstall",
                         "--json")  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout)["secret_destroyed"] is True
