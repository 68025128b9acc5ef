"""The Freshdesk flavor of the sandbox, exercised with plain HTTP the way the public docs show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from _sandbox_time import skip_ahead
from gdprguard.sandbox import SandboxServer

SINCE = {"updated_since": "2015-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="freshdesk", seed=7, tickets=120) as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="freshdesk", seed=11, tickets=30, job_seconds=0.0) as server:
        yield server


def session(server: SandboxServer, *, agent: bool = False) -> requests.Session:
    s = requests.Session()
    key = server.credentials["agent_api_key" if agent else "api_key"]
    s.auth = (key, "X")
    return s


def api(server: SandboxServer, path: str) -> str:
    return f"{server.url}/api/v2{path}"


def test_api_key_auth(sb: SandboxServer) -> None:
    assert session(sb).get(api(sb, "/agents/me")).json()["role_ids"] == [1]
    agent = session(sb, agent=True).get(api(sb, "/agents/me"))
    assert agent.json()["role_ids"] == [4]
    bad = requests.get(api(sb, "/tickets"), auth=("not-a-key", "X"))
    assert bad.status_code == 401
    assert bad.json() == {
        "code": "invalid_credentials",
        "message": "You have to be logged in to perform this action.",
    }
    assert requests.get(api(sb, "/tickets")).status_code == 401


def test_agent_key_cannot_delete(sb: SandboxServer) -> None:
    denied = session(sb, agent=True).delete(api(sb, "/tickets/1"))
    assert denied.status_code == 403 and denied.json()["code"] == "access_denied"
    assert session(sb).get(api(sb, "/tickets/1")).json().get("deleted") is None


def test_list_defaults_to_last_30_days_and_pages_with_link_header(sb: SandboxServer) -> None:
    s = session(sb)
    assert s.get(api(sb, "/tickets")).json() == []  # the seeded history is older than 30 days
    url: str | None = api(sb, "/tickets?per_page=50&order_by=updated_at&order_type=asc")
    params: dict[str, Any] = dict(SINCE)
    ids: list[int] = []
    while url:
        response = s.get(url, params=params)
        params = {}
        ids += [t["id"] for t in response.json()]
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert sorted(ids) == list(range(1, 121)) and len(ids) == 120
    first = s.get(api(sb, "/tickets"), params={**SINCE, "per_page": 1}).json()[0]
    assert "description" not in first
    assert {"id", "subject", "status", "priority", "source", "custom_fields"} <= set(first)


def test_page_limits(sb: SandboxServer) -> None:
    s = session(sb)
    beyond = s.get(api(sb, "/tickets"), params={**SINCE, "page": 301})
    assert beyond.status_code == 400
    error = beyond.json()["errors"][0]
    assert error["field"] == "page" and error["code"] == "invalid_value"
    assert "300th page" in error["message"]
    assert s.get(api(sb, "/tickets"), params={**SINCE, "per_page": 101}).status_code == 400


def test_ticket_show_with_conversations(sb: SandboxServer) -> None:
    s = session(sb)
    ticket = s.get(api(sb, "/tickets/3"), params={"include": "conversations,requester"}).json()
    assert ticket["description"].startswith("<div>") and ticket["description_text"]
    assert ticket["requester"]["id"] == ticket["requester_id"]
    listed = s.get(api(sb, "/tickets/3/conversations")).json()
    assert [c["id"] for c in ticket["conversations"]] == [c["id"] for c in listed][:10]
    for conversation in listed:
        assert {"body", "body_text", "incoming", "private", "user_id", "source"} <= set(
            conversation
        )


def test_search_contacts_and_tickets_with_caps(sb: SandboxServer) -> None:
    s = session(sb)
    person = next(p for p in sb.ground_truth()["people"] if p["email"] and p["phone"])
    by_email = s.get(
        api(sb, "/search/contacts"), params={"query": f"\"email:'{person['email']}'\""}
    )
    assert [c["id"] for c in by_email.json()["results"]] == [person["id"]]
    by_phone = s.get(
        api(sb, "/search/contacts"), params={"query": f"\"phone:'{person['phone']}'\""}
    )
    assert person["id"] in [c["id"] for c in by_phone.json()["results"]]
    unquoted = s.get(api(sb, "/search/contacts"), params={"query": f"email:{person['email']}"})
    assert unquoted.status_code == 400
    closed = s.get(api(sb, "/search/tickets"), params={"query": '"status:5"'}).json()
    assert closed["total"] > 30 and len(closed["results"]) == 30
    assert (
        s.get(api(sb, "/search/tickets"), params={"query": '"status:5"', "page": 11}).status_code
        == 400
    )
    by_list = s.get(api(sb, "/contacts"), params={"email": person["email"]}).json()
    assert [c["id"] for c in by_list] == [person["id"]]


def test_notes_are_editable_replies_are_not(fresh: SandboxServer) -> None:
    s = session(fresh)
    note = s.post(api(fresh, "/tickets/1/notes"), json={"body": "<p>call 090-1234-5678</p>"})
    assert note.status_code == 201 and note.json()["private"] is True
    edited = s.put(
        api(fresh, f"/conversations/{note.json()['id']}"), json={"body": "<p>call ▇</p>"}
    )
    assert edited.status_code == 200 and edited.json()["body_text"] == "call ▇"
    reply = s.post(api(fresh, "/tickets/1/reply"), json={"body": "<p>Thanks!</p>"})
    refused = s.put(api(fresh, f"/conversations/{reply.json()['id']}"), json={"body": "<p>x</p>"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "inconsistent_state"
    assert s.delete(api(fresh, f"/conversations/{reply.json()['id']}")).status_code == 204
    ids = [c["id"] for c in s.get(api(fresh, "/tickets/1/conversations")).json()]
    assert reply.json()["id"] not in ids and note.json()["id"] in ids


def test_description_edit_updates_ground_truth(fresh: SandboxServer) -> None:
    s = session(fresh)
    item = next(p for p in fresh.ground_truth()["planted"] if p["field"] == "description")
    tid = item["ticket_id"]
    html = s.get(api(fresh, f"/tickets/{tid}")).json()["description"]
    redacted = html.replace(item["value"], "█" * len(item["value"]))
    assert s.put(api(fresh, f"/tickets/{tid}"), json={"description": redacted}).status_code == 200
    still = [
        p
        for p in fresh.ground_truth()["planted"]
        if p["ticket_id"] == tid and p["field"] == "description" and p["value"] == item["value"]
    ]
    assert still == []


def test_ticket_delete_restore_and_bulk_delete(fresh: SandboxServer) -> None:
    s = session(fresh)
    assert s.delete(api(fresh, "/tickets/2")).status_code == 204
    assert s.get(api(fresh, "/tickets/2")).json()["deleted"] is True
    trash = s.get(api(fresh, "/tickets"), params={"filter": "deleted"}).json()
    assert [t["id"] for t in trash] == [2]
    assert s.put(api(fresh, "/tickets/2/restore")).status_code == 204
    assert "deleted" not in s.get(api(fresh, "/tickets/2")).json()
    job = s.post(api(fresh, "/tickets/bulk_delete"), json={"bulk_action": {"ids": [3, 4]}})
    assert job.status_code == 202
    for _ in range(40):
        status = s.get(job.json()["href"]).json()
        if status["status"] == "SUCCESS":
            break
        skip_ahead(fresh, 0.05)
    assert status["data"] == [{"id": 3, "success": True}, {"id": 4, "success": True}]


def test_contact_soft_and_hard_delete(fresh: SandboxServer) -> None:
    s = session(fresh)
    with fresh.state.lock:
        requested = {t.requester_id for t in fresh.state.live_tickets()}
    person = next(p for p in fresh.ground_truth()["people"] if p["id"] in requested)
    pid = person["id"]
    refused = s.delete(api(fresh, f"/contacts/{pid}/hard_delete"))
    assert refused.status_code == 400
    assert s.delete(api(fresh, f"/contacts/{pid}")).status_code == 204
    assert s.get(api(fresh, f"/contacts/{pid}")).json()["deleted"] is True
    deleted = s.get(api(fresh, "/contacts"), params={"state": "deleted"}).json()
    assert [c["id"] for c in deleted] == [pid]
    assert s.delete(api(fresh, f"/contacts/{pid}/hard_delete?force=True")).status_code == 204
    assert s.get(api(fresh, f"/contacts/{pid}")).status_code == 404
    truth = fresh.ground_truth()
    assert pid not in [p["id"] for p in truth["people"]]
    with fresh.state.lock:
        gone = {t.id for t in fresh.state.data.tickets.values() if t.requester_id == pid}
    assert gone == set()


def test_force_hard_delete_without_soft_delete(fresh: SandboxServer) -> None:
    s = session(fresh)
    pid = fresh.ground_truth()["people"][1]["id"]
    assert (
        s.delete(api(fresh, f"/contacts/{pid}/hard_delete"), params={"force": "true"}).status_code
        == 204
    )
    assert s.get(api(fresh, f"/contacts/{pid}")).status_code == 404


def test_rate_limit_headers_and_429() -> None:
    with SandboxServer(
        flavor="freshdesk", seed=1, tickets=3, rate_limit=60, rate_burst=5
    ) as server:
        s = session(server)
        first = s.get(api(server, "/tickets/1"), params={"include": "conversations"})
        assert first.headers["x-ratelimit-total"] == "60"
        assert first.headers["x-ratelimit-used-currentrequest"] == "3"
        assert first.headers["x-ratelimit-remaining"] == "2"
        second = s.get(api(server, "/tickets/1"))
        assert second.headers["x-ratelimit-remaining"] == "1"
        s.get(api(server, "/tickets/1"))
        limited = s.get(api(server, "/tickets/1"))
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_ground_truth_uses_freshdesk_fields(sb: SandboxServer) -> None:
    served = session(sb).get(f"{sb.url}/_sandbox/ground-truth").json()
    fields = {p["field"] for p in served["planted"]}
    assert "description" in fields and "body" in fields and "subject" in fields
    assert not any(f.startswith(("metadata.", "via.")) for f in fields)
    assert "custom_fields.cf_contact_phone" in fields
