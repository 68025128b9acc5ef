"""The sandbox counts successful writes per record, so tests can prove nothing was done twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from gdprguard.sandbox import SandboxServer


@pytest.fixture
def zd() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=21, tickets=20, job_seconds=0.0) as server:
        yield server


@pytest.fixture
def fd() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="freshdesk", seed=21, tickets=20, job_seconds=0.0) as server:
        yield server


def zendesk_session(server: SandboxServer) -> requests.Session:
    s = requests.Session()
    s.auth = (server.credentials["email"] + "/token", server.credentials["token"])
    return s


def freshdesk_session(server: SandboxServer) -> requests.Session:
    s = requests.Session()
    s.auth = (server.credentials["api_key"], "X")
    return s


def test_zendesk_writes_are_counted_per_record_and_action(zd: SandboxServer) -> None:
    s = zendesk_session(zd)
    api = f"{zd.url}/api/v2"
    assert zd.writes() == {"writes": {}, "actions": {}}
    with zd.state.lock:
        open_ticket = next(t for t in zd.state.live_tickets() if t.status != "closed")
        closed_ticket = next(t for t in zd.state.live_tickets() if t.status == "closed")
        comment = zd.state.comments_of(open_ticket)[0]
        attachment = next(iter(zd.state.data.attachments.values()))
    tid, cid = open_ticket.id, comment.id
    for _ in range(2):
        assert s.put(f"{api}/tickets/{tid}", json={"ticket": {"tags": ["x"]}}).ok
    word = comment.body.split()[0]
    assert s.put(f"{api}/tickets/{tid}/comments/{cid}/redact", json={"text": word}).ok
    assert (
        s.put(f"{api}/tickets/{closed_ticket.id}", json={"ticket": {"tags": ["y"]}}).status_code
        == 422
    )
    urls = [
        a["content_url"]
        for c in s.get(f"{api}/tickets/{attachment.ticket_id}/comments").json()["comments"]
        for a in c["attachments"]
        if a["id"] == attachment.id
    ]
    body = {"ticket_id": attachment.ticket_id, "external_attachment_urls": urls}
    assert s.put(f"{api}/comment_redactions/{attachment.comment_id}", json=body).ok
    assert s.delete(f"{api}/tickets/{tid}").status_code == 204
    purge = s.delete(f"{api}/deleted_tickets/{tid}")
    assert purge.ok
    s.get(purge.json()["job_status"]["url"])  # the job runs on the next request
    person = next(p["id"] for p in zd.ground_truth()["people"])
    assert s.put(f"{api}/users/{person}", json={"user": {"name": "Anon"}}).ok
    served = s.get(f"{zd.url}/_sandbox/writes").json()
    assert served == zd.writes()
    assert served["actions"] == {
        f"attachment:{attachment.id}": {"redact": 1},
        f"comment:{cid}": {"redact": 1},
        f"person:{person}": {"update": 1},
        f"ticket:{tid}": {"delete": 1, "purge": 1, "update": 2},
    }
    assert zd.ground_truth()["writes"] == {
        key: sum(v.values()) for key, v in served["actions"].items()
    }


def test_freshdesk_writes_are_counted_and_cascades_are_not(fd: SandboxServer) -> None:
    s = freshdesk_session(fd)
    api = f"{fd.url}/api/v2"
    with fd.state.lock:
        ticket = next(t for t in fd.state.live_tickets() if len(t.comment_ids) > 1)
        notes = [c for c in fd.state.comments_of(ticket)[1:] if c.kind == "note"]
        requester = ticket.requester_id
    assert s.put(f"{api}/tickets/{ticket.id}", json={"description": "<div>Edited</div>"}).ok
    if notes:
        assert s.put(f"{api}/conversations/{notes[0].id}", json={"body": "<p>n</p>"}).ok
    assert s.post(f"{api}/tickets/{ticket.id}/notes", json={"body": "<p>later</p>"}).ok
    assert s.delete(f"{api}/contacts/{requester}/hard_delete", params={"force": "true"}).ok
    actions = fd.writes()["actions"]
    assert actions[f"ticket:{ticket.id}"] == {"comment": 1, "update": 1}
    assert actions[f"person:{requester}"] == {"purge": 1}
    if notes:
        assert actions[f"comment:{notes[0].id}"] == {"update": 1}
    # the hard delete removed the contact's tickets: a cascade, not a write to each ticket
    assert all(key.split(":")[0] != "ticket" or key == f"ticket:{ticket.id}" for key in actions)
