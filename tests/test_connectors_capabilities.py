"""Capabilities, config notes and the markup that makes redaction complete (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from gdprguard._config import ConnectorConfig
from gdprguard._exceptions import ConfigError
from gdprguard.connectors import Capabilities, config_notes, get_connector_class
from gdprguard.connectors._zendesk_json import event_comments, ticket
from gdprguard.connectors.freshdesk import FreshdeskConnector
from gdprguard.connectors.redact_markup import apply_redactions, mark_redacted_elements
from gdprguard.connectors.zendesk import ZendeskConnector
from gdprguard.models import Comment, Ticket

ZD, FD = ZendeskConnector.capabilities, FreshdeskConnector.capabilities


def _ticket(**fields: Any) -> Ticket:
    return Ticket(id="1", **fields)


@pytest.mark.parametrize(
    ("caps", "fields", "allowed"),
    [
        (ZD, {"status": "open"}, {"update_fields", "add_comment", "redact_comment",
                                  "redact_attachment", "delete", "purge"}),
        (ZD, {"status": "closed"}, {"redact_comment", "redact_attachment", "delete", "purge"}),
        (ZD, {"status": "closed", "archived": True},
         {"redact_comment", "redact_attachment", "delete", "purge"}),
        (ZD, {"status": "deleted", "deleted": True}, {"purge"}),
        (FD, {"status": "closed"}, {"update_fields", "add_comment", "redact_comment",
                                    "redact_attachment", "delete"}),
        (FD, {"status": "open", "deleted": True}, set()),
    ],
    ids=["zd-open", "zd-closed", "zd-archived", "zd-deleted", "fd-closed", "fd-deleted"],
)  # fmt: skip
def test_ticket_actions_follow_the_tickets_state(
    caps: Capabilities, fields: dict[str, Any], allowed: set[str]
) -> None:
    assert caps.ticket_actions(_ticket(**fields)) == allowed


def test_comment_redactability_per_helpdesk() -> None:
    reply = Comment(id="2", ticket_id="1", body="x", kind="reply", redactable=False)
    note = Comment(id="3", ticket_id="1", body="x", kind="note")
    comment = Comment(id="4", ticket_id="1", body="x")
    assert FD.can_redact(note) and not FD.can_redact(reply)
    assert ZD.can_redact(comment, _ticket(status="closed", archived=True))
    assert not ZD.can_redact(comment, _ticket(status="deleted", deleted=True))
    assert FD.permanent_ticket_delete is False and ZD.bulk_comment_export is True
    with pytest.raises(ValueError):
        Capabilities.model_validate({**ZD.model_dump(), "surprise": True})
    with pytest.raises(ValueError):
        ZD.bulk_comment_export = False  # type: ignore[misc]  # frozen


def test_config_notes_replace_type_checks_above_the_connectors() -> None:
    def cfg(kind: str, email: str | None) -> ConnectorConfig:
        return ConnectorConfig(type=kind, url="https://x.example", email=email, token="env:T")

    assert config_notes(cfg("zendesk", None)) == [
        "no email given, so the token is sent as an OAuth bearer token"
    ]
    assert config_notes(cfg("zendesk", "a@b.example")) == []
    assert "email is not used" in config_notes(cfg("freshdesk", "a@b.example"))[0]


def test_a_connector_class_without_capabilities_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    import gdprguard.connectors.registry as registry

    class Bare:
        type: ClassVar[str] = "bare"

        @classmethod
        def from_config(cls, name: str, config: ConnectorConfig, **options: Any) -> Bare:
            return cls()

    monkeypatch.setattr(registry, "_load", lambda target: Bare)
    fake = EntryPoint("bare", "somewhere:Bare", "gdprguard.connectors")
    monkeypatch.setattr(registry, "entry_points", lambda group: [fake])
    with pytest.raises(ConfigError, match="declares no capabilities"):
        get_connector_class("bare")


def test_links_images_and_attributes_holding_a_value_are_marked() -> None:
    markup = (
        '<div><p>Mail <a href="mailto:taro@example.jp" rel="noreferrer"><redact>'
        'taro@example.jp</redact></a>, call <a href="tel:+81-90-1234-5678">me</a>, '
        '<a href="https://example.com/u">profile</a>, <a href="https://example.com/p">'
        "<redact>Yamada Taro</redact></a></p><img src=\"x.png\" alt='TARO@example.jp'/>"
        '<img src="ok.png"></div>'
    )
    marked = mark_redacted_elements(markup, ["taro@example.jp", "090-1234-5678", "Yamada Taro"])
    assert marked.count(" redact") == 4
    assert '<a href="mailto:taro@example.jp" rel="noreferrer" redact>' in marked
    assert '<a href="tel:+81-90-1234-5678" redact>' in marked  # same national number
    assert '<a href="https://example.com/p" redact>' in marked  # its whole text is redacted
    assert "alt='TARO@example.jp' redact/>" in marked and '<img src="ok.png">' in marked
    assert '<a href="https://example.com/u">' in marked
    done = apply_redactions(marked)
    assert "taro" not in done.lower() and "1234" not in done and "Yamada" not in done
    assert "me" in done and "profile" in done and '<img src="ok.png">' in done
    assert done.count("\u2587") == len("taro@example.jp") + len("Yamada Taro")


def test_percent_and_entity_encoded_attributes_are_caught() -> None:
    markup = '<a href="mailto:taro%40example.jp">write</a><a title="taro&#64;example.jp">x</a>'
    assert mark_redacted_elements(markup, ["taro@example.jp"]).count(" redact") == 2
    assert mark_redacted_elements("<p>nothing here</p>", ["taro@example.jp"]) == (
        "<p>nothing here</p>"
    )


def test_zendesk_archived_is_inferred_from_closed_and_four_months_quiet() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    old = (now - timedelta(days=121)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ticket({"id": 1, "status": "closed", "updated_at": old}, "s", now).archived
    assert not ticket({"id": 1, "status": "closed", "updated_at": recent}, "s", now).archived
    assert not ticket({"id": 1, "status": "solved", "updated_at": old}, "s", now).archived


def test_ticket_events_without_comment_bodies_yield_no_comments() -> None:
    flagged = {"ticket_id": 5, "child_events": [{"id": 9, "event_type": "Comment",
                                                 "comment_present": True}]}  # fmt: skip
    assert event_comments(flagged, "s") == []
    full = {"ticket_id": 5, "created_at": "2024-01-01T00:00:00Z", "system": {"ip_address": "1"},
            "child_events": [{"id": 9, "event_type": "Comment", "body": "hi", "public": False,
                              "author_id": 3, "attachments": []}]}  # fmt: skip
    (only,) = event_comments(full, "s")
    assert (only.id, only.ticket_id, only.body, only.public, only.author_id) == (
        "9",
        "5",
        "hi",
        False,
        "3",
    )
    assert only.metadata["system"] == {"ip_address": "1"} and only.connector == "s"
    assert only.created_at is not None
