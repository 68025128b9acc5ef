"""Retry-After of a full queue: derived from the workers' drain rate and the queue's depth within
bounds (each refused sender told when its place will be free), or fixed; over real HTTP; and the
``--retry-after`` option."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from _cli_helpdesk import run_cli
from _waitress_server import WaitressThread
from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.policy import default_policy_path, load_policy
from gdprguard.realtime import Receiver, ReceiverSettings
from gdprguard.realtime.backpressure import DrainRate, RetryAfter
from gdprguard.realtime.secrets import save_webhook_secret
from gdprguard.realtime.signatures import zendesk_signature
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

SECRET = "whsec-retry-after-test"


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_drain_rate_is_what_the_workers_achieve_while_they_work() -> None:
    drain = DrainRate(2)
    assert drain.per_second() == 2.0  # nothing measured yet: one event per second per worker
    for _ in range(10):
        drain.record(0.25, finished=True)
    assert drain.per_second() == pytest.approx(8.0)  # 2 workers x 4 events per busy second
    for _ in range(10):
        drain.record(0.25, finished=False)  # failures take time and drain nothing
    assert drain.per_second() == pytest.approx(4.0)
    stuck = DrainRate(2, samples=5)
    for _ in range(5):
        stuck.record(0.1, finished=False)
    assert stuck.per_second() == 0.0


def test_each_refusal_is_told_when_its_place_will_be_free() -> None:
    clock = Clock()
    drain = DrainRate(2)
    for _ in range(4):
        drain.record(0.5, finished=True)  # 4 events per second
    retry = RetryAfter(drain, minimum=1, maximum=30, clock=clock)
    waits = [retry.seconds(depth=100, limit=100) for _ in range(12)]
    assert waits == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]  # ceil((1 + earlier refusals) / 4)
    assert retry.seconds(depth=120, limit=100) == 9  # ceil((21 + 12 waiting) / 4)
    clock.now += 1.5  # the first four came back (or gave up): they no longer count
    assert retry.seconds(depth=100, limit=100) == 3  # ceil((1 + 9) / 4)
    assert retry.seconds(depth=10_000, limit=100) == 30  # never beyond the maximum
    clock.now += 100
    stuck = DrainRate(1, samples=2)
    stuck.record(1.0, finished=False)
    assert RetryAfter(stuck, maximum=45, clock=clock).seconds(100, 100) == 45
    assert RetryAfter(drain, fixed=17, clock=clock).seconds(10_000, 100) == 17
    with pytest.raises(ValueError, match="minimum"):
        RetryAfter(drain, minimum=10, maximum=5)


@pytest.fixture
def vault(home: Path) -> Iterator[Vault]:
    instance = Vault(Store(f"sqlite:///{home / 'ra.db'}"), FileKeyProvider(home / "master.key"))
    instance.initialise()
    save_webhook_secret(instance, "support", SECRET, actor="test")
    yield instance
    instance.close()


def _running(vault: Vault, clock: Clock, **settings: Any) -> WaitressThread:
    config = ConnectorConfig(type="zendesk", url="http://127.0.0.1:9", email="a@example.com",
                             token="unused")  # fmt: skip  # never called: no worker runs here
    receiver = Receiver(
        vault, {"support": build_connector("support", config)}, load_policy(default_policy_path()),
        settings=ReceiverSettings(queue_limit=1, **settings), monotonic=clock,
    )  # fmt: skip
    return WaitressThread(receiver.app, threads=2)


def _post(server: WaitressThread, ticket: str) -> Any:
    body = json.dumps({"ticket_id": ticket}).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {
        "X-Zendesk-Webhook-Signature": zendesk_signature(SECRET, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    return requests.post(f"{server.url}/webhooks/support", data=body, headers=headers, timeout=10)


def test_a_full_queue_answers_with_a_derived_retry_after(vault: Vault) -> None:
    clock = Clock()
    server = _running(vault, clock, workers=2, retry_after_max_seconds=20)
    try:
        assert _post(server, "1").status_code == 202
        answers = [_post(server, str(ticket)) for ticket in range(2, 7)]
        assert {a.status_code for a in answers} == {503}
        assert {a.json()["error"] for a in answers} == {"queue-full"}
        # two workers, nothing processed yet: 2 events/s assumed
        assert [int(a.headers["Retry-After"]) for a in answers] == [1, 1, 2, 2, 3]
        metrics = requests.get(f"{server.url}/metrics", timeout=10).text
        assert 'reason="queue-full"} 5.0' in metrics
    finally:
        server.close()


def test_a_fixed_retry_after(vault: Vault) -> None:
    server = _running(vault, Clock(), retry_after_seconds=7)
    try:
        assert _post(server, "1").status_code == 202
        refused = _post(server, "2")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "7"
    finally:
        server.close()


def test_retry_after_option_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "serve", "--policy", str(default_policy_path()), "--retry-after", "soon"
    )
    assert code == 2 and "--retry-after" in err and "auto" in err
    assert "Traceback" not in err


def test_a_retry_after_zendesk_would_not_honour_is_warned_about(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "gdprguard.toml").write_text(
        '[connectors.support]\ntype = "zendesk"\nurl = "http://127.0.0.1:9"\n'
        'email = "a@example.com"\ntoken = "unused"\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(
        capsys, "serve", "--policy", str(default_policy_path()), "--retry-after-max", "90"
    )
    assert "under 60 s" in err and "--retry-after-max 30" in err
    assert code == 2 and "gdprguard init" in err  # then: no home here
