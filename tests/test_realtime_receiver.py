"""The webhook receiver over real HTTP (waitress on 127.0.0.1) against the sandbox: signed calls
are queued durably and redacted once; forged, stale, replayed, oversized and malformed calls are
refused; a full queue answers 503 with Retry-After; health, readiness and metrics answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from _sandbox_time import skip_ahead
from _waitress_server import WaitressThread
from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.policy import default_policy_path, load_policy
from gdprguard.realtime import Receiver, ReceiverSettings
from gdprguard.realtime.secrets import save_webhook_secret
from gdprguard.realtime.signatures import zendesk_signature
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

SECRET = "whsec-test-0123456789"
CARD = "4111 1111 1111 1111"
MY_NUMBER = "1234 5678 9018"  # valid check digit


@pytest.fixture
def desk() -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor="zendesk", seed=3, port=0, tickets=6, job_seconds=0.0
    ).start()
    yield server
    server.stop()


@pytest.fixture
def vault(home: Path) -> Iterator[Vault]:
    instance = Vault(Store(f"sqlite:///{home / 'rt.db'}"), FileKeyProvider(home / "master.key"))
    instance.initialise()
    yield instance
    instance.close()


class Running(WaitressThread):
    """A receiver served by waitress on a free port, workers not started (tests drive them)."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        super().__init__(receiver.app, threads=4)


def _receiver(vault: Vault, desk: Any, **settings: Any) -> Receiver:
    creds = desk.credentials
    config = ConnectorConfig(
        type="zendesk", url=creds["url"], email=creds["email"], token=creds["token"]
    )
    connector = build_connector("support", config, clock=FakeClock())
    save_webhook_secret(vault, "support", SECRET, actor="test")
    return Receiver(
        vault, {"support": connector}, load_policy(default_policy_path()),
        settings=ReceiverSettings(**settings),
    )  # fmt: skip


@pytest.fixture
def running(vault: Vault, desk: Any) -> Iterator[Running]:
    instance = Running(_receiver(vault, desk, readiness_cache_seconds=0))
    yield instance
    instance.close()


def _signed(body: bytes, *, at: datetime | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "X-Zendesk-Webhook-Signature": zendesk_signature(secret, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def _new_ticket(desk: Any, text: str) -> str:
    creds = desk.credentials
    response = requests.post(
        f"{creds['url']}/api/v2/tickets.json",
        json={"ticket": {"subject": "Order question", "comment": {"body": text}}},
        auth=(f"{creds['email']}/token", creds["token"]),
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["ticket"]["id"])


def _post(running: Running, payload: Any, headers: dict[str, str] | None = None) -> Any:
    body = json.dumps(payload).encode()
    return requests.post(
        f"{running.url}/webhooks/support", data=body,
        headers=headers if headers is not None else _signed(body), timeout=10,
    )  # fmt: skip


def _texts(desk: Any, ticket_id: str) -> str:
    with desk.state.lock:
        ticket = desk.state.data.tickets[int(ticket_id)]
        return "\n".join(c.body for c in desk.state.comments_of(ticket))


def test_a_signed_event_is_queued_then_redacted_once(running: Running, desk: Any) -> None:
    ticket_id = _new_ticket(desk, f"My card is {CARD} and my My Number is {MY_NUMBER}.")
    answer = _post(running, {"ticket_id": ticket_id})
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    assert running.receiver.queue.depth() == 1  # committed before the answer
    assert running.receiver.process_once() == 1
    text = _texts(desk, ticket_id)
    assert CARD not in text and MY_NUMBER not in text
    assert "411111" in text.replace(" ", "")  # the rule keeps the first six digits
    writes = dict(desk.state.writes.totals())
    # the helpdesk retries (signed again, later): accepted, processed, nothing re-written
    body = json.dumps({"ticket_id": ticket_id}).encode()
    later = _signed(body, at=datetime.now(UTC) + timedelta(seconds=2))
    assert _post(running, {"ticket_id": ticket_id}, later).status_code == 202
    assert running.receiver.process_once() == 1
    assert dict(desk.state.writes.totals()) == writes
    metrics = requests.get(f"{running.url}/metrics", timeout=10).text
    assert 'gdprguard_webhook_events_processed_total{connector="support"} 2.0' in metrics
    assert "gdprguard_time_to_redaction_seconds_bucket" in metrics


def test_forged_stale_replayed_and_malformed_calls_are_refused(running: Running, desk: Any) -> None:
    ticket_id = _new_ticket(desk, "hello")
    body = json.dumps({"ticket_id": ticket_id}).encode()

    def post(data: bytes, headers: dict[str, str], path: str = "support") -> Any:
        return requests.post(f"{running.url}/webhooks/{path}", data=data, headers=headers,
                             timeout=10)  # fmt: skip

    assert post(body, {}).json()["error"] == "missing-signature"
    assert post(body, _signed(body, secret="wrong")).status_code == 401
    tampered = _signed(body)
    assert post(body.replace(b"}", b" }"), tampered).status_code == 401
    old = datetime.now(UTC) - timedelta(minutes=6)
    assert post(body, _signed(body, at=old)).json()["error"] == "stale-timestamp"
    headers = _signed(body)
    assert post(body, headers).status_code == 202
    assert post(body, headers).status_code == 409  # the same signature again: a replay
    big = json.dumps({"ticket_id": ticket_id, "pad": "x" * 300_000}).encode()
    assert post(big, _signed(big)).status_code == 413
    junk = b"not json"
    answer = post(junk, _signed(junk))
    assert answer.status_code == 400 and answer.json()["error"] == "bad-json"
    nothing = json.dumps({"hello": 1}).encode()
    assert post(nothing, _signed(nothing)).json()["error"] == "no-ticket-id"
    assert post(body, _signed(body), path="sales").status_code == 404
    assert running.receiver.queue.depth() == 1
    metrics = requests.get(f"{running.url}/metrics", timeout=10).text
    assert 'reason="bad-signature"' in metrics and 'reason="replay"' in metrics


def test_a_full_queue_answers_503_with_retry_after(vault: Vault, desk: Any) -> None:
    running = Running(_receiver(vault, desk, queue_limit=2))
    try:
        for ticket in ("1", "2"):
            assert _post(running, {"ticket_id": ticket}).status_code == 202
        full = _post(running, {"ticket_id": "3"})
        assert full.status_code == 503 and int(full.headers["Retry-After"]) > 0
        body = json.dumps({"ticket_id": "1"}).encode()  # a ticket already waiting adds no work
        later = _signed(body, at=datetime.now(UTC) + timedelta(seconds=3))
        assert _post(running, {"ticket_id": "1"}, later).json()["status"] == "coalesced"
        running.receiver.process_once()
        assert _post(running, {"ticket_id": "3"}).status_code == 202  # the sender's retry
    finally:
        running.close()


def test_health_readiness_and_a_failing_helpdesk(
    running: Running, desk: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert requests.get(f"{running.url}/healthz", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{running.url}/readyz", timeout=10).status_code == 200
    ticket_id = _new_ticket(desk, f"card {CARD}")
    assert _post(running, {"ticket_id": ticket_id}).status_code == 202
    desk.stop()  # the helpdesk goes away: the event fails and waits for a retry
    running.receiver.process_once()
    [event] = running.receiver.queue.events(failed=True)
    assert event.status == "failed" and event.last_error
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"ticket {ticket_id}" in logged and CARD not in logged  # ids and codes only
    assert requests.get(f"{running.url}/readyz", timeout=10).status_code == 503


def test_events_lost_while_down_are_caught_up_at_the_next_start(vault: Vault, desk: Any) -> None:
    first = _receiver(vault, desk)
    assert first.catch_up() == 0  # the first start only marks where the stream stands
    ticket_id = _new_ticket(desk, f"paid with {CARD}")  # its webhook never arrived
    skip_ahead(desk, 120)  # Zendesk's change stream lags a minute behind
    again = _receiver(vault, desk)
    assert again.catch_up() >= 1
    while again.process_once():
        pass
    assert CARD not in _texts(desk, ticket_id)


def test_a_key_rotation_by_an_operator_does_not_stop_the_receiver(
    vault: Vault, desk: Any, home: Path
) -> None:
    import subprocess
    import sys

    running = Running(_receiver(vault, desk))
    try:
        ticket_id = _new_ticket(desk, f"card {CARD}")
        rotated = subprocess.run(
            [sys.executable, "-c",
             "from pathlib import Path; from gdprguard.store import Store; "
             "from gdprguard.vault import FileKeyProvider, Vault; "
             f"v = Vault(Store('sqlite:///{home / 'rt.db'}'), FileKeyProvider(Path('{home}') / "
             "'master.key')); print(v.rotate(actor='operator').model_dump_json())"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert rotated.returncode == 0, rotated.stderr
        assert _post(running, {"ticket_id": ticket_id}).status_code == 202
        assert running.receiver.process_once() == 1
        assert CARD not in _texts(desk, ticket_id)
        [event] = running.receiver.queue.events()
        assert event.status == "done"
    finally:
        running.close()


def test_a_stopping_worker_finishes_its_event_and_gives_back_the_others(
    running: Running, desk: Any
) -> None:
    tickets = [_new_ticket(desk, f"card {CARD}") for _ in range(3)]
    for ticket_id in tickets:
        assert _post(running, {"ticket_id": ticket_id}).status_code == 202
    worker = running.receiver.worker
    assert worker.process_once(lambda: True, batch=3) == 1  # asked to stop: one done
    queue = running.receiver.queue
    assert queue.counts() == {"done": 1, "queued": 2}
    assert {e.attempts for e in queue.events() if e.status == "queued"} == {0}
    assert running.receiver.process_once() == 2
    assert all(CARD not in _texts(desk, t) for t in tickets)
