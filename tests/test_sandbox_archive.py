"""Zendesk archiving in the sandbox: closed for 120 days → gone from lists, there everywhere else.

A five-year history is mostly archived in a real account; these tests pin down where an
archived ticket shows and what it still allows, so code that walks the list endpoint fails here
instead of silently missing old tickets in production.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from gdprguard.sandbox import SandboxServer

BLOCK = "\u2587"
DAY = 86400


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    with SandboxServer(
        flavor="zendesk", seed=5, tickets=60, job_seconds=0.0, incremental_lag_seconds=0
    ) as server:
        yield server


def session(server: SandboxServer) -> requests.Session:
    s = requests.Session()
    s.auth = (server.credentials["email"] + "/token", server.credentials["token"])
    return s


def api(server: SandboxServer, path: str) -> str:
    return f"{server.url}/api/v2{path}"


def archived_ids(server: SandboxServer) -> set[int]:
    with server.state.lock:
        return {t.id for t in server.state.live_tickets() if server.state.is_archived(t)}


def list_ids(s: requests.Session, url: str) -> list[int]:
    ids: list[int] = []
    next_url: str | None = url
    while next_url:
        body = s.get(next_url, params={"page[size]": 100} if next_url == url else None).json()
        ids += [t["id"] for t in body["tickets"]]
        next_url = body["links"]["next"] if body["meta"]["has_more"] else None
    return ids


def test_most_old_tickets_are_archived_and_lists_leave_them_out(sb: SandboxServer) -> None:
    archived = archived_ids(sb)
    assert len(archived) > 30  # most of a five-year history
    s = session(sb)
    listed = set(list_ids(s, api(sb, "/tickets.json")))
    assert listed and not listed & archived
    assert listed | archived == set(range(1, 61))
    with sb.state.lock:
        requester = next(sb.state.data.tickets[t].requester_id for t in sorted(archived))
        own = {t.id for t in sb.state.tickets_of(requester, "requested")}
    requested = set(list_ids(s, api(sb, f"/users/{requester}/tickets/requested")))
    assert requested == own - archived


def test_archived_tickets_remain_in_exports_search_and_direct_reads(sb: SandboxServer) -> None:
    s = session(sb)
    tid = min(archived_ids(sb))
    ticket = s.get(api(sb, f"/tickets/{tid}")).json()["ticket"]
    assert ticket["status"] == "closed"
    assert s.get(api(sb, f"/tickets/{tid}/comments")).json()["comments"]
    exported = s.get(api(sb, "/incremental/tickets/cursor"), params={"start_time": 0}).json()
    assert tid in {t["id"] for t in exported["tickets"]}
    events = s.get(api(sb, "/incremental/ticket_events"), params={"start_time": 0}).json()
    assert tid in {e["ticket_id"] for e in events["ticket_events"]}
    found = s.get(api(sb, "/search"), params={"query": f"requester:{ticket['requester_id']}"})
    assert tid in {r["id"] for r in found.json()["results"]}


def test_archived_tickets_refuse_updates_but_allow_redaction_and_deletion(
    sb: SandboxServer,
) -> None:
    s = session(sb)
    tid = min(archived_ids(sb))
    refused = s.put(api(sb, f"/tickets/{tid}"), json={"ticket": {"subject": "x"}})
    assert refused.status_code == 422
    assert refused.json()["details"]["status"][0]["description"].startswith("Status: closed")
    comment = s.get(api(sb, f"/tickets/{tid}/comments")).json()["comments"][0]
    word = comment["plain_body"].split()[0]
    tagged = comment["html_body"].replace(word, f"<redact>{word}</redact>", 1)
    redacted = s.put(api(sb, f"/comment_redactions/{comment['id']}"),
                     json={"ticket_id": tid, "html_body": tagged})  # fmt: skip
    assert redacted.status_code == 200 and BLOCK in redacted.json()["comment"]["body"]
    assert s.delete(api(sb, f"/tickets/{tid}")).status_code == 204
    assert s.delete(api(sb, f"/deleted_tickets/{tid}")).status_code == 200


def test_a_ticket_closed_now_is_archived_120_days_later(sb: SandboxServer) -> None:
    s = session(sb)
    with sb.state.lock:
        tid = next(t.id for t in sb.state.live_tickets() if t.status not in ("closed",))
    assert s.put(api(sb, f"/tickets/{tid}"), json={"ticket": {"status": "closed"}}).ok
    assert tid in list_ids(s, api(sb, "/tickets"))
    now = sb.state.now()
    sb.state.clock = lambda: now + 121 * DAY  # the sandbox's own clock, no real waiting
    assert tid not in list_ids(s, api(sb, "/tickets"))
    assert tid in archived_ids(sb)


def test_archiving_can_be_switched_off() -> None:
    with SandboxServer(flavor="zendesk", seed=5, tickets=20, archive_after_days=None) as server:
        assert archived_ids(server) == set()
        assert len(list_ids(session(server), api(server, "/tickets"))) == 20
