"""The sandbox calls webhooks as Zendesk and Freshdesk do: over real HTTP, signed, retried.

A loopback receiver (``RecordingServer``) stands in for ``gdprguard serve``. Signatures are
checked with an independent HMAC computation against the secret the Webhooks API hands out.
Retries never wait for real: the dispatcher's ``sleep`` moves the sandbox's clock instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from _recording_server import Answer, RecordingServer
from _sandbox_time import skip_ahead
from gdprguard.sandbox import SandboxServer

THREAD_NAME = "gdprguard-sandbox-webhooks"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BODY = json.dumps(
    {
        "ticket_id": "{{ticket.id}}",
        "comment_id": "{{ticket.latest_comment.id}}",
        "updated_at": "{{ticket.updated_at_with_timestamp}}",
    }
)
ON_CREATE_OR_COMMENT = {
    "all": [],
    "any": [
        {"field": "update_type", "operator": "is", "value": "Create"},
        {"field": "comment_is_public", "operator": "is", "value": "not_relevant"},
    ],
}


def ok(_method: str, _path: str) -> Answer:
    return 200, {}, None


def answers(*sequence: Answer) -> Callable[[str, str], Answer]:
    """Answer with each of *sequence* in turn, then repeat the last one."""
    left = list(sequence)

    def answer(_method: str, _path: str) -> Answer:
        return left.pop(0) if len(left) > 1 else left[0]

    return answer


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's documented scheme, computed here independently of the sandbox's code."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def header(seen: dict[str, Any], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in seen["headers"].items() if k.lower() == wanted), None)


@pytest.fixture
def receiver() -> Iterator[RecordingServer]:
    server = RecordingServer(ok)
    yield server
    server.close()


@pytest.fixture
def zd() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=5, tickets=6, job_seconds=0.0) as server:
        yield server


@pytest.fixture
def fd() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="freshdesk", seed=5, tickets=6, job_seconds=0.0) as server:
        yield server


def admin(server: SandboxServer) -> requests.Session:
    session = requests.Session()
    creds = server.credentials
    if server.config.flavor == "zendesk":
        session.auth = (creds["email"] + "/token", creds["token"])
    else:
        session.auth = (creds["api_key"], "X")
    return session


def install(server: SandboxServer, endpoint: str, **webhook: Any) -> tuple[str, str]:
    """Create a webhook and a trigger calling it on creation and on comments: (id, secret)."""
    s, api = admin(server), f"{server.url}/api/v2"
    document = {
        "name": "gdprguard",
        "endpoint": endpoint,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": ["conditional_ticket_events"],
        **webhook,
    }
    created = s.post(f"{api}/webhooks", json={"webhook": document})
    assert created.status_code == 201, created.text
    hook_id = created.json()["webhook"]["id"]
    trigger = {
        "title": "gdprguard",
        "conditions": ON_CREATE_OR_COMMENT,
        "actions": [{"field": "notification_webhook", "value": [hook_id, BODY]}],
    }
    made = s.post(f"{api}/triggers", json={"trigger": trigger})
    assert made.status_code == 201, made.text
    secret = s.get(f"{api}/webhooks/{hook_id}/signing_secret").json()["signing_secret"]
    assert secret["algorithm"] == "SHA256"
    return hook_id, secret["secret"]


def new_ticket(server: SandboxServer) -> int:
    """A ticket an end user opened (before any trigger exists: it calls nobody)."""
    answer = admin(server).post(
        f"{server.url}/_sandbox/tickets", json={"subject": "Order", "comment": "Hello"}
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["ticket_id"])


def add_comment(server: SandboxServer, tid: int, **extra: Any) -> int:
    answer = admin(server).post(
        f"{server.url}/_sandbox/tickets/{tid}/comments",
        json={"body": "Where is my order? Call me on 555-0100.", **extra},
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["comment_id"])


def verifies(seen: dict[str, Any], secret: str) -> bool:
    stamp = header(seen, "X-Zendesk-Webhook-Signature-Timestamp") or ""
    signature = header(seen, "X-Zendesk-Webhook-Signature") or ""
    return hmac.compare_digest(signature, expected_signature(secret, stamp, seen["body"]))


# --- Zendesk ----------------------------------------------------------------------------------


def test_a_new_comment_reaches_the_receiver_signed_within_a_second(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    tid = new_ticket(zd)
    hook_id, secret = install(zd, f"{receiver.url}/webhooks/support")
    started = time.perf_counter()
    cid = add_comment(zd, tid)
    assert zd.wait_for_webhooks(timeout=1.0)
    assert time.perf_counter() - started < 1.0
    assert len(receiver.seen) == 1
    seen = receiver.seen[0]
    assert (seen["method"], seen["path"]) == ("POST", "/webhooks/support")
    assert header(seen, "User-Agent") == "Zendesk Webhook"
    assert header(seen, "X-Zendesk-Webhook-Id") == hook_id
    assert header(seen, "Content-Type") == "application/json"
    assert ISO.match(header(seen, "X-Zendesk-Webhook-Signature-Timestamp") or "")
    assert verifies(seen, secret)
    assert not verifies(seen, secret + "x")
    body = json.loads(seen["body"])
    assert body["ticket_id"] == str(tid)
    assert body["comment_id"] == str(cid)
    assert ISO.match(body["updated_at"])
    [log] = zd.webhook_deliveries()
    assert log["id"] == header(seen, "X-Zendesk-Webhook-Invocation-Id")
    assert (log["webhook_id"], log["ticket_id"], log["comment_id"]) == (hook_id, tid, cid)
    assert (log["event"], log["status"]) == ("comment_added", "delivered")
    assert [a["http_status"] for a in log["attempts"]] == [200]


def test_api_creates_and_comments_fire_the_trigger_but_field_changes_do_not(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    install(zd, receiver.url)
    s, api = admin(zd), f"{zd.url}/api/v2"
    created = s.post(
        f"{api}/tickets", json={"ticket": {"subject": "Hi", "comment": {"body": "hello"}}}
    )
    assert created.status_code == 201
    tid = created.json()["ticket"]["id"]
    s.put(f"{api}/tickets/{tid}", json={"ticket": {"tags": ["vip"]}}).raise_for_status()
    s.put(
        f"{api}/tickets/{tid}",
        json={"ticket": {"comment": {"body": "internal", "public": False}}},
    ).raise_for_status()
    assert zd.wait_for_webhooks()
    bodies = [json.loads(seen["body"]) for seen in receiver.seen]
    with zd.state.lock:
        comment_ids = [str(c) for c in zd.state.data.tickets[tid].comment_ids]
    assert bodies == [
        {
            "ticket_id": str(tid),
            "comment_id": comment_ids[0],
            "updated_at": bodies[0]["updated_at"],
        },
        {
            "ticket_id": str(tid),
            "comment_id": comment_ids[1],
            "updated_at": bodies[1]["updated_at"],
        },
    ]
    assert [d["event"] for d in zd.webhook_deliveries()] == ["ticket_created", "comment_added"]


def test_a_new_ticket_through_the_control_endpoint_fires_with_its_ids(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    install(zd, receiver.url)
    answer = admin(zd).post(
        f"{zd.url}/_sandbox/tickets",
        json={
            "subject": "Card",
            "comment": "my card 4111 1111 1111 1111",
            "requester_email": "a@b.example",
        },
    )
    assert answer.status_code == 201
    ids = answer.json()
    assert zd.wait_for_webhooks()
    [seen] = receiver.seen
    body = json.loads(seen["body"])
    assert (body["ticket_id"], body["comment_id"]) == (
        str(ids["ticket_id"]),
        str(ids["comment_id"]),
    )
    with zd.state.lock:
        ticket = zd.state.data.tickets[ids["ticket_id"]]
        requester = zd.state.data.people[ticket.requester_id]
        assert (requester.email, requester.role) == ("a@b.example", "end-user")
        assert zd.state.data.comments[ids["comment_id"]].public


def test_inactive_triggers_and_webhooks_call_nobody(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    tid = new_ticket(zd)
    hook_id, _ = install(zd, receiver.url)
    s, api = admin(zd), f"{zd.url}/api/v2"
    patched = s.patch(
        f"{api}/webhooks/{hook_id}",
        data=json.dumps({"webhook": {"status": "inactive"}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 204
    assert s.get(f"{api}/webhooks/{hook_id}").json()["webhook"]["status"] == "inactive"
    add_comment(zd, tid)
    assert zd.wait_for_webhooks()
    assert receiver.seen == [] and zd.webhook_deliveries() == []


def test_a_503_is_retried_after_retry_after_with_a_fresh_signature(zd: SandboxServer) -> None:
    receiver = RecordingServer(answers((503, {"Retry-After": "7"}, None), (200, {}, None)))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        skip_ahead(zd, seconds)

    zd.webhook_dispatcher.sleep = sleep
    try:
        tid = new_ticket(zd)
        _, secret = install(zd, receiver.url)
        add_comment(zd, tid)
        assert zd.wait_for_webhooks()
    finally:
        receiver.close()
    first, second = receiver.seen
    assert sum(slept) == pytest.approx(7, abs=0.5)
    assert first["body"] == second["body"]
    assert header(first, "X-Zendesk-Webhook-Invocation-Id") == header(
        second, "X-Zendesk-Webhook-Invocation-Id"
    )
    stamps = [header(s, "X-Zendesk-Webhook-Signature-Timestamp") for s in (first, second)]
    assert stamps[0] != stamps[1]
    assert header(first, "X-Zendesk-Webhook-Signature") != header(
        second, "X-Zendesk-Webhook-Signature"
    )
    assert verifies(first, secret) and verifies(second, secret)
    [log] = zd.webhook_deliveries()
    assert log["status"] == "delivered"
    assert [(a["http_status"], a["outcome"]) for a in log["attempts"]] == [
        (503, "retry"),
        (200, "delivered"),
    ]
    assert log["attempts"][0]["retry_in"] == 7.0


@pytest.mark.parametrize(
    ("answer", "attempts"),
    [
        ((409, {}, None), 4),  # retried three times, then given up
        ((429, {"Retry-After": "120"}, None), 1),  # Retry-After of a minute or more: no retry
        ((503, {}, None), 1),  # no Retry-After: no retry
        ((400, {}, None), 1),
    ],
)
def test_which_failures_zendesk_retries(zd: SandboxServer, answer: Answer, attempts: int) -> None:
    receiver = RecordingServer(answers(answer))
    zd.webhook_dispatcher.sleep = lambda seconds: skip_ahead(zd, seconds)
    try:
        tid = new_ticket(zd)
        install(zd, receiver.url)
        add_comment(zd, tid)
        assert zd.wait_for_webhooks()
    finally:
        receiver.close()
    assert len(receiver.seen) == attempts
    [log] = zd.webhook_deliveries()
    assert log["status"] == "failed"
    assert len(log["attempts"]) == attempts


def test_a_reset_secret_signs_the_next_calls(zd: SandboxServer, receiver: RecordingServer) -> None:
    tid = new_ticket(zd)
    hook_id, old = install(zd, receiver.url)
    reset = admin(zd).post(f"{zd.url}/api/v2/webhooks/{hook_id}/signing_secret")
    assert reset.status_code == 201
    new = reset.json()["signing_secret"]["secret"]
    assert new != old
    add_comment(zd, tid)
    assert zd.wait_for_webhooks()
    [seen] = receiver.seen
    assert verifies(seen, new) and not verifies(seen, old)


def test_webhook_authentication_and_custom_headers_are_sent(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    tid = new_ticket(zd)
    install(
        zd,
        receiver.url,
        authentication={"type": "bearer_token", "data": {"token": "t0k"}, "add_position": "header"},
        custom_headers={"X-Tenant": "acme"},
    )
    listed = admin(zd).get(f"{zd.url}/api/v2/webhooks").json()
    assert listed["webhooks"][0]["authentication"] == {
        "type": "bearer_token",
        "add_position": "header",
    }
    assert listed["meta"]["has_more"] is False
    add_comment(zd, tid)
    assert zd.wait_for_webhooks()
    [seen] = receiver.seen
    assert header(seen, "Authorization") == "Bearer t0k"
    assert header(seen, "X-Tenant") == "acme"


def test_webhook_and_trigger_api_errors(zd: SandboxServer, receiver: RecordingServer) -> None:
    s, api = admin(zd), f"{zd.url}/api/v2"
    hook_id, _ = install(zd, receiver.url)
    bad = s.post(
        f"{api}/webhooks",
        json={"webhook": {"name": "x", "endpoint": "ftp://nowhere", "http_method": "POST",
                          "request_format": "json", "status": "active",
                          "subscriptions": ["conditional_ticket_events"]}},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "endpoint" in bad.json()["errors"][0]["detail"]
    missing = s.get(f"{api}/webhooks/01NOSUCHWEBHOOK000000000000")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "RecordNotFound"
    unknown_hook = s.post(
        f"{api}/triggers",
        json={"trigger": {"title": "t", "conditions": ON_CREATE_OR_COMMENT,
                          "actions": [{"field": "notification_webhook", "value": ["nope", "{}"]}]}},
    )  # fmt: skip
    assert unknown_hook.status_code == 422
    action = {"field": "notification_webhook", "value": [hook_id, "{}"]}
    unsupported = s.post(
        f"{api}/triggers",
        json={"trigger": {"title": "t", "conditions": {"all": [{"field": "via_id", "value": 4}]},
                          "actions": [action]}},
    )  # fmt: skip
    assert unsupported.status_code == 422
    assert "not emulated" in unsupported.json()["details"]["conditions"][0]["description"]
    agent = requests.Session()
    agent.auth = (zd.credentials["agent_email"] + "/token", zd.credentials["agent_token"])
    assert agent.get(f"{api}/webhooks").status_code == 403
    assert agent.post(f"{api}/webhooks/{hook_id}/signing_secret").status_code == 403
    [trigger] = s.get(f"{api}/triggers").json()["triggers"]
    assert s.delete(f"{api}/triggers/{trigger['id']}").status_code == 204
    assert s.delete(f"{api}/webhooks/{hook_id}").status_code == 204
    assert s.delete(f"{api}/webhooks/{hook_id}").status_code == 404
    assert s.get(f"{api}/triggers").json()["count"] == 0


def test_control_endpoints_refuse_bad_input(zd: SandboxServer) -> None:
    s = admin(zd)
    assert s.post(f"{zd.url}/_sandbox/tickets", json={"comment": "x"}).status_code == 400
    assert (
        s.post(f"{zd.url}/_sandbox/tickets/999999/comments", json={"body": "x"}).status_code == 404
    )
    refused = s.post(
        f"{zd.url}/_sandbox/automations", json={"url": "http://x", "events": ["reply"]}
    )
    assert refused.status_code == 404 and "/api/v2/webhooks" in refused.json()["description"]
    assert requests.post(f"{zd.url}/_sandbox/tickets", json={}).status_code == 401


def test_the_delivery_log_holds_ids_not_personal_data(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    tid = new_ticket(zd)
    install(zd, receiver.url)
    add_comment(zd, tid)
    assert zd.wait_for_webhooks()
    served = admin(zd).get(f"{zd.url}/_sandbox/webhook-deliveries").json()
    assert served == {"deliveries": zd.webhook_deliveries()}
    text = json.dumps(served)
    for leaked in ("555-0100", "Where is my order", receiver.url, "{{ticket"):
        assert leaked not in text


def test_delivery_can_be_switched_off(receiver: RecordingServer) -> None:
    with SandboxServer(flavor="zendesk", seed=5, tickets=6, webhook_delivery=False) as server:
        tid = new_ticket(server)
        install(server, receiver.url)
        add_comment(server, tid)
        assert server.wait_for_webhooks()
        [log] = server.webhook_deliveries()
        assert (log["status"], log["attempts"]) == ("disabled", [])
        assert not server.webhook_dispatcher.running
    assert receiver.seen == []


def test_stop_joins_the_delivery_thread_even_with_a_retry_pending() -> None:
    receiver = RecordingServer(answers((503, {"Retry-After": "30"}, None)))
    try:
        server = SandboxServer(flavor="zendesk", seed=5, tickets=6).start()
        tid = new_ticket(server)
        install(server, receiver.url)
        add_comment(server, tid)
        assert server.wait_for_webhooks(timeout=1.0, retries=False)  # first attempt made
        assert server.webhook_deliveries()[0]["status"] == "retrying"
        assert server.webhook_dispatcher.running
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 1.0
    finally:
        receiver.close()
    assert not any(t.name == THREAD_NAME for t in threading.enumerate())
    [log] = server.webhook_deliveries()
    assert log["status"] == "cancelled"
    assert len(receiver.seen) == 1


# --- Freshdesk --------------------------------------------------------------------------------


def test_a_freshdesk_automation_calls_with_its_header_and_no_signature(
    fd: SandboxServer, receiver: RecordingServer
) -> None:
    s = admin(fd)
    rule = s.post(
        f"{fd.url}/_sandbox/automations",
        json={
            "url": f"{receiver.url}/webhooks/fd",
            "events": ["ticket_created", "reply"],
            "headers": {"X-Gdprguard-Secret": "s3cret"},
            "body": {"ticket_id": "{{ticket.id}}"},
            "auth": {"username": "gg", "password": "pw"},
        },
    )
    assert rule.status_code == 201, rule.text
    shown = rule.json()["automation"]
    assert shown["header_names"] == ["X-Gdprguard-Secret"] and "s3cret" not in rule.text
    created = s.post(
        f"{fd.url}/_sandbox/tickets", json={"subject": "Help", "comment": "It broke"}
    ).json()
    tid = created["ticket_id"]
    s.post(f"{fd.url}/api/v2/tickets/{tid}/notes", json={"body": "internal"}).raise_for_status()
    add_comment(fd, tid)  # the requester replies
    assert fd.wait_for_webhooks()
    assert len(receiver.seen) == 2  # creation and the reply; the note is not subscribed
    for seen in receiver.seen:
        assert seen["path"] == "/webhooks/fd"
        assert json.loads(seen["body"]) == {"ticket_id": str(tid)}
        assert header(seen, "X-Gdprguard-Secret") == "s3cret"
        assert header(seen, "Authorization") == "Basic " + base64.b64encode(b"gg:pw").decode()
        assert header(seen, "X-Zendesk-Webhook-Signature") is None
    events = [d["event"] for d in fd.webhook_deliveries()]
    assert events == ["ticket_created", "reply"]
    listed = s.get(f"{fd.url}/_sandbox/automations").json()["automations"]
    assert [a["id"] for a in listed] == [shown["id"]]
    assert s.delete(f"{fd.url}/_sandbox/automations/{shown['id']}").status_code == 204


def test_freshdesk_retries_a_server_error_five_minutes_later(fd: SandboxServer) -> None:
    receiver = RecordingServer(answers((500, {}, None), (200, {}, None)))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        skip_ahead(fd, seconds)

    fd.webhook_dispatcher.sleep = sleep
    try:
        admin(fd).post(
            f"{fd.url}/_sandbox/automations",
            json={"url": receiver.url, "events": ["ticket_created"]},
        ).raise_for_status()
        admin(fd).post(
            f"{fd.url}/_sandbox/tickets", json={"subject": "x", "comment": "y"}
        ).raise_for_status()
        assert fd.wait_for_webhooks()
    finally:
        receiver.close()
    assert len(receiver.seen) == 2
    assert sum(slept) == pytest.approx(300, abs=0.5)
    [log] = fd.webhook_deliveries()
    assert [a["outcome"] for a in log["attempts"]] == ["retry", "delivered"]
    assert log["attempts"][0]["retry_in"] == 300.0
