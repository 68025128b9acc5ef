"""``install_webhook`` against the sandbox: idempotent, reversible, and the secret never shows.

The Zendesk connector talks to the sandbox's Webhooks and Triggers APIs over real HTTP; the
installed trigger is then exercised end to end (a comment arrives, the receiver gets a call
that verifies with the returned secret). Freshdesk cannot install anything through its API: it
refuses and points to the instructions for the rules an admin creates by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator

import pytest
import requests

from _recording_server import Answer, RecordingServer
from gdprguard._config import ConnectorConfig
from gdprguard._exceptions import ConfigError, PermissionDeniedError
from gdprguard.connectors import Capabilities, UnsupportedOperationError, WebhookInstall
from gdprguard.connectors.freshdesk import FreshdeskConnector, freshdesk_automation_instructions
from gdprguard.connectors.zendesk import ZendeskConnector
from gdprguard.sandbox import SandboxServer

NAME = "gdprguard-support"


def ok(_method: str, _path: str) -> Answer:
    return 200, {}, None


@pytest.fixture
def zd() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=8, tickets=4, job_seconds=0.0) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[RecordingServer]:
    server = RecordingServer(ok)
    yield server
    server.close()


def connector(server: SandboxServer, *, agent: bool = False) -> ZendeskConnector:
    creds = server.credentials
    email, token = (
        (creds["agent_email"], creds["agent_token"]) if agent else (creds["email"], creds["token"])
    )
    config = ConnectorConfig(type="zendesk", url=server.url, email=email, token=token)
    return ZendeskConnector.from_config("support", config)


def counts(server: SandboxServer) -> tuple[int, int]:
    with server.state.lock:
        return len(server.automations.webhooks), len(server.automations.triggers)


def test_installing_twice_leaves_one_webhook_and_one_trigger(zd: SandboxServer) -> None:
    zendesk = connector(zd)
    url = "https://gdprguard.example.com/webhooks/support"
    first = zendesk.install_webhook(url, name=NAME)
    second = zendesk.install_webhook(url, name=NAME)
    assert isinstance(first, WebhookInstall)
    assert (second.webhook_id, second.trigger_ids) == (first.webhook_id, first.trigger_ids)
    assert second.secret.get_secret_value() == first.secret.get_secret_value()
    assert counts(zd) == (1, 1)
    with zd.state.lock:
        hook = zd.automations.webhooks[first.webhook_id]
        [trigger] = zd.automations.triggers.values()
        assert hook.secret == first.secret.get_secret_value()
        assert (hook.spec.name, hook.spec.endpoint, hook.spec.status) == (NAME, url, "active")
        assert hook.spec.subscriptions == ["conditional_ticket_events"]
        assert str(trigger.id) == first.trigger_ids[0] and trigger.spec.title == NAME
        [action] = trigger.spec.actions
        assert action.webhook_id == first.webhook_id
        assert json.loads(action.body) == {
            "ticket_id": "{{ticket.id}}",
            "comment_id": "{{ticket.latest_comment.id}}",
            "updated_at": "{{ticket.updated_at_with_timestamp}}",
        }


def test_the_installed_trigger_calls_the_receiver_with_a_verifiable_signature(
    zd: SandboxServer, receiver: RecordingServer
) -> None:
    installed = connector(zd).install_webhook(f"{receiver.url}/webhooks/support", name=NAME)
    session = requests.Session()
    session.auth = (zd.credentials["email"] + "/token", zd.credentials["token"])
    created = session.post(
        f"{zd.url}/_sandbox/tickets", json={"subject": "Card", "comment": "4111 1111 1111 1111"}
    ).json()
    note = session.post(
        f"{zd.url}/_sandbox/tickets/{created['ticket_id']}/comments",
        json={"body": "private", "public": False},
    ).json()
    assert zd.wait_for_webhooks()
    bodies = [json.loads(seen["body"]) for seen in receiver.seen]
    assert [(b["ticket_id"], b["comment_id"]) for b in bodies] == [
        (str(created["ticket_id"]), str(created["comment_id"])),
        (str(created["ticket_id"]), str(note["comment_id"])),  # private comments too
    ]
    key = installed.secret.get_secret_value().encode()
    for seen in receiver.seen:
        stamp = seen["headers"]["X-Zendesk-Webhook-Signature-Timestamp"]
        mac = hmac.new(key, stamp.encode() + seen["body"], hashlib.sha256).digest()
        assert seen["headers"]["X-Zendesk-Webhook-Signature"] == base64.b64encode(mac).decode()


def test_a_new_url_repoints_the_webhook_and_a_stale_trigger_is_replaced(
    zd: SandboxServer,
) -> None:
    zendesk = connector(zd)
    first = zendesk.install_webhook("https://old.example.com/webhooks/support", name=NAME)
    with zd.state.lock:  # someone edits the trigger by hand: it no longer matches ours
        zd.automations.triggers[int(first.trigger_ids[0])].spec.conditions.any.pop()
    moved = zendesk.install_webhook("https://new.example.com/webhooks/support", name=NAME)
    assert moved.webhook_id == first.webhook_id
    assert moved.secret.get_secret_value() == first.secret.get_secret_value()
    assert moved.trigger_ids != first.trigger_ids
    assert counts(zd) == (1, 1)
    with zd.state.lock:
        assert zd.automations.webhooks[moved.webhook_id].spec.endpoint == (
            "https://new.example.com/webhooks/support"
        )


def test_uninstall_removes_what_install_made_and_nothing_else(zd: SandboxServer) -> None:
    zendesk = connector(zd)
    zendesk.install_webhook("https://a.example.com/hook", name="someone-else")
    zendesk.install_webhook("https://gdprguard.example.com/hook", name=NAME)
    assert counts(zd) == (2, 2)
    assert zendesk.uninstall_webhook(name=NAME) == 2
    assert zendesk.uninstall_webhook(name=NAME) == 0
    assert counts(zd) == (1, 1)
    with zd.state.lock:
        assert [h.spec.name for h in zd.automations.webhooks.values()] == ["someone-else"]


def test_the_secret_never_appears_in_reprs_or_logs(
    zd: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        installed = connector(zd).install_webhook("https://x.example.com/hook", name=NAME)
    secret = installed.secret.get_secret_value()
    assert len(secret) >= 32
    for shown in (
        repr(installed),
        str(installed),
        installed.model_dump_json(),
        json.dumps(installed.model_dump(mode="json")),
        caplog.text,
    ):
        assert secret not in shown


def test_bad_input_and_missing_rights_are_refused(zd: SandboxServer) -> None:
    with pytest.raises(ConfigError, match="absolute http"):
        connector(zd).install_webhook("gdprguard.example.com/hook", name=NAME)
    with pytest.raises(ConfigError, match="name"):
        connector(zd).install_webhook("https://x.example.com/hook", name=" ")
    with pytest.raises(PermissionDeniedError, match="admin"):
        connector(zd, agent=True).install_webhook("https://x.example.com/hook", name=NAME)
    assert counts(zd) == (0, 0)


def test_capabilities_say_who_can_install() -> None:
    assert ZendeskConnector.capabilities.webhook_install is True
    assert FreshdeskConnector.capabilities.webhook_install is False
    third_party = Capabilities(
        permanent_ticket_delete=False,
        permanent_person_delete=False,
        redactable_comment_kinds=frozenset(),
        attachment_redaction="delete",
        bulk_comment_export=False,
        closed_ticket_updates=True,
        closed_ticket_redaction=False,
        archives_closed_tickets=False,
    )
    assert third_party.webhook_install is False


def test_freshdesk_refuses_and_points_to_the_instructions() -> None:
    config = ConnectorConfig(type="freshdesk", url="http://127.0.0.1:9", token="key")
    freshdesk = FreshdeskConnector.from_config("helpdesk", config)
    with pytest.raises(UnsupportedOperationError, match="freshdesk_automation_instructions"):
        freshdesk.install_webhook("https://x.example.com/webhooks/helpdesk", name=NAME)
    with pytest.raises(UnsupportedOperationError, match="by hand"):
        freshdesk.uninstall_webhook(name=NAME)


def test_freshdesk_instructions_name_everything_but_the_secret() -> None:
    url = "https://gdprguard.example.com/webhooks/helpdesk"
    text = freshdesk_automation_instructions(url, "X-Gdprguard-Secret", "s3cr3t-value")
    for needed in (
        url,
        "X-Gdprguard-Secret",
        '{"ticket_id": "{{ticket.id}}"}',
        "Ticket creation",
        "Ticket updates",
        "Trigger webhook",
        "POST",
        "Reply is sent",
        "Note is added",
    ):
        assert needed in text
    assert "s3cr3t-value" not in text
    shown = freshdesk_automation_instructions(
        url, "X-Gdprguard-Secret", "s3cr3t-value", include_secret=True
    )
    assert "X-Gdprguard-Secret: s3cr3t-value" in shown
    with pytest.raises(ConfigError, match="header name"):
        freshdesk_automation_instructions(url, "X Secret", "s3cr3t-value")
    with pytest.raises(ConfigError, match="absolute"):
        freshdesk_automation_instructions("/webhooks/helpdesk", "X-Gdprguard-Secret", "s")


def test_the_instructions_drive_the_sandboxs_freshdesk_rule(receiver: RecordingServer) -> None:
    """What the instructions describe, entered as the sandbox's stand-in rule, delivers."""
    with SandboxServer(flavor="freshdesk", seed=8, tickets=4) as server:
        session = requests.Session()
        session.auth = (server.credentials["api_key"], "X")
        rule = {
            "url": f"{receiver.url}/webhooks/helpdesk",
            "events": ["ticket_created", "reply", "note_added"],
            "headers": {"X-Gdprguard-Secret": "s3cr3t-value"},
            "body": '{"ticket_id": "{{ticket.id}}"}',
        }
        session.post(f"{server.url}/_sandbox/automations", json=rule).raise_for_status()
        created = session.post(
            f"{server.url}/_sandbox/tickets", json={"subject": "x", "comment": "y"}
        ).json()
        assert server.wait_for_webhooks()
    [seen] = receiver.seen
    assert seen["headers"]["X-Gdprguard-Secret"] == "s3cr3t-value"
    assert json.loads(seen["body"]) == {"ticket_id": str(created["ticket_id"])}
