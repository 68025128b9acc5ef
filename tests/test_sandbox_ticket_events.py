"""The sandbox's incremental ticket-event export, as Zendesk documents it.

``GET /api/v2/incremental/ticket_events?start_time=…[&include=comment_events]``: one item per
ticket update with its child events, time-based paging (``end_time`` is the last update's
second and ``next_page`` starts there again), ``end_of_stream``, admin only, and the optional
10 requests/minute limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from gdprguard.sandbox import SandboxServer


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=13, tickets=40, incremental_lag_seconds=0) as server:
        yield server


def session(server: SandboxServer, *, agent: bool = False) -> requests.Session:
    creds = server.credentials
    s = requests.Session()
    who = "agent_" if agent else ""
    s.auth = (creds[f"{who}email"] + "/token", creds[f"{who}token"])
    return s


def api(server: SandboxServer, path: str) -> str:
    return f"{server.url}/api/v2{path}"


def walk(s: requests.Session, url: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item from start_time=0 to the end of the stream, and the number of calls."""
    items: list[dict[str, Any]] = []
    page = s.get(url, params={"start_time": 0, **params}).json()
    calls = 1
    while True:
        items += page["ticket_events"]
        assert page["count"] == len(page["ticket_events"])
        if page["end_of_stream"]:
            return items, calls
        assert f"start_time={page['end_time']}" in page["next_page"]
        page = s.get(page["next_page"]).json()
        calls += 1


def test_items_are_ticket_updates_with_comment_child_events(sb: SandboxServer) -> None:
    s = session(sb)
    page = s.get(api(sb, "/incremental/ticket_events.json"),
                 params={"start_time": 0, "include": "comment_events"}).json()  # fmt: skip
    assert page["end_of_stream"] and f"start_time={page['end_time']}" in page["next_page"]
    item = page["ticket_events"][0]
    assert {"id", "ticket_id", "timestamp", "created_at", "updater_id", "via", "system",
            "event_type", "child_events"} <= set(item)  # fmt: skip
    assert item["event_type"] == "Audit"
    comments = [c for i in page["ticket_events"] for c in i["child_events"]
                if c["event_type"] == "Comment"]  # fmt: skip
    with sb.state.lock:
        assert len(comments) == len(sb.state.data.comments)
        stored = sb.state.data.comments[comments[0]["id"]]
    first = comments[0]
    assert {"id", "author_id", "body", "html_body", "public", "attachments", "audit_id",
            "created_at"} <= set(first)  # fmt: skip
    assert first["body"] == stored.body and first["html_body"] == stored.html_body
    assert first["author_id"] == stored.author_id and first["public"] == stored.public
    assert any(c["attachments"] for c in comments)
    assert any(i["system"].get("ip_address") for i in page["ticket_events"])
    creates = [c for i in page["ticket_events"] for c in i["child_events"]
               if c["event_type"] == "Create"]  # fmt: skip
    assert {"subject", "status", "requester_id"} <= {c["field_name"] for c in creates}
    changes = [c for i in page["ticket_events"] for c in i["child_events"]
               if c["event_type"] == "Change"]  # fmt: skip
    assert changes and all("previous_value" in c for c in changes)


def test_without_the_sideload_comments_are_only_flagged(sb: SandboxServer) -> None:
    page = session(sb).get(api(sb, "/incremental/ticket_events"), params={"start_time": 0}).json()
    flags = [c for i in page["ticket_events"] for c in i["child_events"]
             if c["event_type"] == "Comment"]  # fmt: skip
    assert flags and all(c["comment_present"] is True and "body" not in c for c in flags)


def test_time_based_paging_repeats_the_last_second_and_never_splits_it(sb: SandboxServer) -> None:
    s = session(sb)
    everything = s.get(api(sb, "/incremental/ticket_events"), params={"start_time": 0}).json()
    want = {i["id"] for i in everything["ticket_events"]}
    items, calls = walk(s, api(sb, "/incremental/ticket_events"), per_page=7)
    assert calls >= len(want) // 7
    assert {i["id"] for i in items} == want  # nothing lost
    assert len(items) > len(want)  # the boundary seconds came twice
    stamps = [i["timestamp"] for i in items]
    assert stamps == sorted(stamps)
    page = s.get(api(sb, "/incremental/ticket_events"), params={"start_time": 0, "per_page": 1})
    body = page.json()
    assert {i["timestamp"] for i in body["ticket_events"]} == {body["end_time"]}


def test_admin_only_and_not_too_recent(sb: SandboxServer) -> None:
    url = api(sb, "/incremental/ticket_events")
    assert session(sb, agent=True).get(url, params={"start_time": 0}).status_code == 403
    assert session(sb).get(url).status_code == 400
    assert session(sb).get(url, params={"start_time": sb.state.now() + 60}).status_code == 400


def test_updates_through_the_api_appear_as_new_events() -> None:
    with SandboxServer(flavor="zendesk", seed=13, tickets=30, incremental_lag_seconds=0) as server:
        s = session(server)
        now = server.state.now()
        server.state.clock = lambda: now + 10  # the update happens "later", without waiting
        with server.state.lock:
            tid = next(t.id for t in server.state.live_tickets() if t.status != "closed")
        body = {"ticket": {"subject": "Renamed", "comment": {"body": "Noted.", "public": False}}}
        assert s.put(api(server, f"/tickets/{tid}"), json=body).ok
        server.state.clock = lambda: now + 20
        params = {"start_time": now + 5, "include": "comment_events"}
        page = s.get(api(server, "/incremental/ticket_events"), params=params).json()
        (item,) = page["ticket_events"]
        kinds = {c["event_type"]: c for c in item["child_events"]}
        assert item["ticket_id"] == tid and kinds["Comment"]["body"] == "Noted."
        assert kinds["Change"]["field_name"] == "subject"
        assert kinds["Change"]["value"] == "Renamed" and kinds["Change"]["previous_value"]


def test_the_optional_export_rate_limit_answers_429_with_retry_after() -> None:
    with SandboxServer(flavor="zendesk", seed=13, tickets=5, export_rate_limit=10) as server:
        s = session(server)
        url = api(server, "/incremental/ticket_events")
        codes = [s.get(url, params={"start_time": 0}).status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]
        refused = s.get(url, params={"start_time": 0})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert s.get(api(server, "/tickets/1")).status_code == 200  # other endpoints unaffected
