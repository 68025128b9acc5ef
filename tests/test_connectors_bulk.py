"""Bulk reading against the sandbox: archived tickets, the comment-event stream, bookmarks.

The oracle is the sandbox's state and the per-ticket endpoints: the bulk stream must return
exactly the comments ``iter_comments`` returns, with the same text, HTML, metadata and
attachments, for archived tickets too, and resume from any bookmark without loss or repeat.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gdprguard._config import ConnectorConfig
from gdprguard._exceptions import ConfigError
from gdprguard.connectors import SyncState, UnsupportedOperationError, build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.sandbox import SandboxServer

BLOCK = "\u2587"


@pytest.fixture
def zendesk() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=3, tickets=40, job_seconds=0.0) as sb:
        yield sb


@pytest.fixture
def freshdesk() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="freshdesk", seed=3, tickets=20, job_seconds=0.0) as sb:
        yield sb


def connect(sb: SandboxServer, name: str = "support") -> Any:
    creds = sb.credentials
    cfg = ConnectorConfig(
        type=sb.config.flavor, url=creds["url"], email=creds.get("email"),
        token=creds.get("token") or creds["api_key"],
    )  # fmt: skip
    return build_connector(name, cfg, clock=FakeClock())


def test_iter_tickets_includes_archived_tickets_and_marks_them(zendesk: SandboxServer) -> None:
    connector = connect(zendesk)
    tickets = list(connector.iter_tickets())
    with zendesk.state.lock:
        archived = {str(t.id) for t in zendesk.state.live_tickets() if zendesk.state.is_archived(t)}
    assert len(tickets) == 40 and len({t.id for t in tickets}) == 40
    assert archived and {t.id for t in tickets if t.archived} == archived
    assert all(t.connector == "support" and t.closed for t in tickets if t.archived)
    caps = connector.capabilities
    some = next(t for t in tickets if t.archived)
    assert caps.ticket_actions(some) == {"redact_comment", "redact_attachment", "delete", "purge"}
    assert connector.get_ticket(some.id).archived
    # the list endpoint alone would have missed them
    listed = {
        str(t["id"])
        for t in connector.http.get("/api/v2/tickets", {"per_page": 100}).body["tickets"]
    }
    assert not listed & archived


def test_iter_tickets_also_sees_tickets_too_recent_for_the_export(zendesk: SandboxServer) -> None:
    connector = connect(zendesk)
    payload = {"ticket": {"subject": "New", "comment": {"body": "Hello"}, "requester_id": 10007}}
    created = connector.http.request("POST", "/api/v2/tickets", json_body=payload).body
    fresh = str(created["ticket"]["id"])
    assert fresh in {
        t.id for t in connector.iter_tickets()
    }  # the export leaves out the last minute
    assert fresh not in {t.id for t in connector.export_tickets()}


def test_requested_tickets_include_archived_ones(zendesk: SandboxServer) -> None:
    connector = connect(zendesk)
    with zendesk.state.lock:
        ticket = next(t for t in zendesk.state.live_tickets() if zendesk.state.is_archived(t))
        want = {str(t.id) for t in zendesk.state.tickets_of(ticket.requester_id, "requested")}
    got = [t.id for t in connector.iter_tickets_by_requester(str(ticket.requester_id))]
    assert len(got) == len(set(got)) and set(got) == want and str(ticket.id) in got


def test_comment_stream_equals_per_ticket_comments(zendesk: SandboxServer) -> None:
    connector = connect(zendesk)
    per_ticket = {c.id: c for t in connector.iter_tickets() for c in connector.iter_comments(t.id)}
    before = connector.http.stats.requests
    export = connector.export_comment_events()
    streamed = list(export)
    assert connector.http.stats.requests - before == 1  # 40 tickets: one page
    assert export.state.end_of_stream and export.state.stream == "comment_events"
    assert [c.id for c in streamed] == sorted(
        {c.id for c in streamed}, key=[c.id for c in streamed].index
    )
    assert {c.id for c in streamed} == set(per_ticket)
    for comment in streamed:
        one = per_ticket[comment.id]
        assert comment.model_dump(exclude={"created_at"}) == one.model_dump(exclude={"created_at"})
        assert comment.created_at == one.created_at
    assert any(c.metadata["system"].get("ip_address") for c in streamed)


def test_comment_stream_shows_redactions_and_resumes_from_any_bookmark(
    zendesk: SandboxServer,
) -> None:
    connector = connect(zendesk)
    connector.event_page_size = 9  # several pages; page boundaries repeat their last second
    full = [c.id for c in connector.export_comment_events()]
    assert len(full) == len(set(full)) > 100
    for stop_after in (1, 8, 9, 10, 57, len(full) - 1):
        export = connector.export_comment_events()
        got = [next(export).id for _ in range(stop_after)]
        saved = SyncState.model_validate_json(export.state.model_dump_json())
        resumed = connector.export_comment_events(saved)
        got += [c.id for c in resumed]
        assert got == full, stop_after
        assert resumed.state.end_of_stream

    first = next(iter(connector.export_comment_events()))
    word = first.body.split()[0]
    connector.redact_comment(first, [word])
    again = next(c for c in connector.export_comment_events() if c.id == first.id)
    assert BLOCK * len(word) in again.body and word not in (again.html_body or "")


def test_polling_from_the_end_returns_only_new_comments(zendesk: SandboxServer) -> None:
    connector = connect(zendesk)
    export = connector.export_comment_events()
    list(export)
    end = export.state
    with zendesk.state.lock:
        tid = next(t.id for t in zendesk.state.live_tickets() if t.status != "closed")
    now = zendesk.state.now()
    body = {"ticket": {"comment": {"body": "Call me on 090-1234-5678", "public": False}}}
    connector.http.request("PUT", f"/api/v2/tickets/{tid}", json_body=body)
    zendesk.state.clock = lambda: now + 120  # past the export's one-minute lag, without waiting
    new = list(connector.export_comment_events(end))
    assert [(c.ticket_id, c.body) for c in new] == [(str(tid), "Call me on 090-1234-5678")]


def test_bookmarks_belong_to_one_connector_and_stream(zendesk: SandboxServer) -> None:
    support, sales = connect(zendesk, "support"), connect(zendesk, "sales")
    export = support.export_tickets()
    next(export)
    bookmark = export.state
    assert bookmark.connector == "support" and bookmark.stream == "tickets"
    with pytest.raises(ConfigError, match="belongs to connector 'support', not 'sales'"):
        sales.export_tickets(bookmark)
    with pytest.raises(ConfigError, match="tickets stream, not comment_events"):
        support.export_comment_events(bookmark)
    old = SyncState.model_validate(
        {"version": 1, "helpdesk": "zendesk", "position": bookmark.position,
         "done_ids": list(bookmark.done_ids)}
    )  # fmt: skip
    resumed = sales.export_tickets(old)  # a bookmark from before connector names: accepted
    assert {t.id for t in resumed} | set(bookmark.done_ids) == {str(i) for i in range(1, 41)}
    assert resumed.state.connector == "sales"


def test_freshdesk_has_no_bulk_comment_stream_and_says_so(freshdesk: SandboxServer) -> None:
    connector = connect(freshdesk)
    assert connector.capabilities.bulk_comment_export is False
    with pytest.raises(UnsupportedOperationError, match="iter_comments"):
        connector.export_comment_events()
    tickets = list(connector.iter_tickets())
    assert all(t.connector == "support" and not t.archived for t in tickets)
    comments = [c for c in connector.iter_comments(tickets[0].id)]
    assert comments and all(c.connector == "support" for c in comments)
    assert {c.kind for t in tickets for c in connector.iter_comments(t.id)} >= {
        "description",
        "reply",
    }


def test_contact_points_are_typed_fields(zendesk: SandboxServer, freshdesk: SandboxServer) -> None:
    with zendesk.state.lock:
        copied = {str(t.id): t.collaborator_ids for t in zendesk.state.live_tickets()}
        senders = {str(t.id): t.via_from for t in zendesk.state.live_tickets()}
    for ticket in connect(zendesk).iter_tickets():
        assert ticket.cc_ids == [str(p) for p in copied[ticket.id]]
        assert ticket.submitter_id == ticket.requester_id and ticket.extra == {}
        sender = senders[ticket.id]
        assert (ticket.sender.address if ticket.sender else None) == (sender or {}).get("address")
        assert set(ticket.contact_ids()) == {str(p) for p in copied[ticket.id]} - {
            ticket.requester_id
        }
    with freshdesk.state.lock:
        emails = {
            str(t.id): [freshdesk.state.data.people[p].email for p in t.collaborator_ids]
            for t in freshdesk.state.live_tickets()
        }
    tickets = list(connect(freshdesk).iter_tickets())
    assert any(t.cc_emails for t in tickets)
    for ticket in tickets:
        assert ticket.cc_emails == emails[ticket.id] == ticket.contact_emails()
