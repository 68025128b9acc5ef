"""The Zendesk flavor of the sandbox, exercised with plain HTTP the way the public docs show."""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from _sandbox_time import skip_ahead
from gdprguard.sandbox import SandboxServer

BLOCK = "\u2587"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxServer]:
    """A read-mostly sandbox shared by the module (tests here must not mutate it).

    Nothing is archived, so list pagination runs over all 250 tickets; archiving has its own
    tests (test_sandbox_archive.py).
    """
    with SandboxServer(flavor="zendesk", seed=7, tickets=250, archive_after_days=None) as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[SandboxServer]:
    """A small sandbox a test may change."""
    with SandboxServer(
        flavor="zendesk", seed=11, tickets=30, job_seconds=0.0, incremental_lag_seconds=0
    ) as server:
        yield server


def session(server: SandboxServer, *, agent: bool = False) -> requests.Session:
    creds = server.credentials
    s = requests.Session()
    if agent:
        s.auth = (creds["agent_email"] + "/token", creds["agent_token"])
    else:
        s.auth = (creds["email"] + "/token", creds["token"])
    return s


def api(server: SandboxServer, path: str) -> str:
    return f"{server.url}/api/v2{path}"


# --- auth ----------------------------------------------------------------------------------


def test_api_token_basic_auth_and_bearer(sb: SandboxServer) -> None:
    ok = session(sb).get(api(sb, "/users/me.json"))
    assert ok.status_code == 200
    assert ok.json()["user"]["role"] == "admin"
    bearer = requests.get(
        api(sb, "/users/me"), headers={"Authorization": f"Bearer {sb.credentials['token']}"}
    )
    assert bearer.status_code == 200
    assert bearer.json()["user"]["email"] == sb.credentials["email"]


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("admin@sandbox.example.com/token", "wrong"),
        ("admin@sandbox.example.com", "TOKEN"),  # password-style basic auth is refused
        ("someone@else.example/token", "TOKEN"),
    ],
    ids=["missing", "bad-token", "password-basic", "wrong-email"],
)
def test_bad_credentials_get_401_with_documented_body(
    sb: SandboxServer, auth: tuple[str, str] | None
) -> None:
    if auth is not None and auth[1] == "TOKEN":
        auth = (auth[0], sb.credentials["token"])
    response = requests.get(api(sb, "/tickets.json"), auth=auth)
    assert response.status_code == 401
    assert response.json() == {"error": "Couldn't authenticate you"}
    bad_bearer = requests.get(api(sb, "/tickets"), headers={"Authorization": "Bearer nope"})
    assert bad_bearer.status_code == 401


def test_agent_credential_is_forbidden_admin_endpoints(sb: SandboxServer) -> None:
    agent = session(sb, agent=True)
    assert agent.get(api(sb, "/users/me")).json()["user"]["role"] == "agent"
    assert agent.get(api(sb, "/tickets/1")).status_code == 200
    for method, path in [
        ("GET", "/incremental/tickets/cursor?start_time=0"),
        ("DELETE", "/tickets/1"),
        ("DELETE", "/deleted_users/10020"),
        ("PUT", "/tickets/1/comments/100001/redact"),
    ]:
        response = agent.request(method, api(sb, path), json={"text": "x"})
        assert response.status_code == 403, path
        assert response.json()["error"] == "Forbidden"
    assert session(sb).get(api(sb, "/tickets/1")).status_code == 200  # nothing was deleted


# --- shapes and errors -----------------------------------------------------------------------


def test_ticket_comment_user_shapes(sb: SandboxServer) -> None:
    s = session(sb)
    ticket = s.get(api(sb, "/tickets/1.json")).json()["ticket"]
    for key in ("url", "id", "via", "subject", "description", "status", "requester_id", "tags"):
        assert key in ticket
    assert {f["id"] for f in ticket["custom_fields"]} == {360000101, 360000102, 360000103}
    comments = s.get(api(sb, "/tickets/1/comments.json")).json()["comments"]
    first = comments[0]
    assert first["type"] == "Comment"
    assert first["html_body"].startswith('<div class="zd-comment"')
    assert first["plain_body"] == first["body"] == ticket["description"]
    user = s.get(api(sb, f"/users/{ticket['requester_id']}")).json()["user"]
    assert user["role"] == "end-user" and "@" in user["email"]
    with_ip = [
        c
        for t in range(1, 20)
        for c in s.get(api(sb, f"/tickets/{t}/comments")).json()["comments"]
        if c["metadata"]["system"].get("ip_address")
    ]
    system = with_ip[0]["metadata"]["system"]
    assert {"client", "ip_address", "location", "latitude", "longitude"} <= set(system)


def test_error_bodies(sb: SandboxServer) -> None:
    s = session(sb)
    missing = s.get(api(sb, "/tickets/999999.json"))
    assert missing.status_code == 404
    assert missing.json() == {"error": "RecordNotFound", "description": "Not found"}
    too_many = s.get(api(sb, "/tickets/show_many"), params={"ids": ",".join(map(str, range(101)))})
    assert too_many.status_code == 400
    assert too_many.json() == {
        "error": "TooManyValues",
        "description": "Parameter  cannot specify more than 100 values",
        "max_count": 100,
    }
    invalid = s.put(api(sb, "/users/10020"), json={"nothing": True})
    assert invalid.status_code == 422
    assert invalid.json()["error"] == "RecordInvalid"


# --- pagination ------------------------------------------------------------------------------


def test_cursor_pagination_walks_every_ticket_once(sb: SandboxServer) -> None:
    s = session(sb)
    url: str | None = api(sb, "/tickets.json?page[size]=100")
    seen: list[int] = []
    pages = 0
    while url:
        body = s.get(url).json()
        pages += 1
        seen += [t["id"] for t in body["tickets"]]
        assert body["links"]["next"] is not None  # even on the last page
        url = body["links"]["next"] if body["meta"]["has_more"] else None
    assert pages == 3
    assert seen == sorted(set(seen)) and len(seen) == 250
    # going back from the second page
    second = s.get(api(sb, "/tickets?page[size]=100")).json()["links"]["next"]
    back = s.get(s.get(second).json()["links"]["prev"]).json()
    assert [t["id"] for t in back["tickets"]] == list(range(1, 101))


def test_cursor_sort_descending_and_size_limit(sb: SandboxServer) -> None:
    s = session(sb)
    body = s.get(api(sb, "/tickets"), params={"page[size]": 5, "sort": "-updated_at"}).json()
    stamps = [t["updated_at"] for t in body["tickets"]]
    assert stamps == sorted(stamps, reverse=True)
    following = s.get(body["links"]["next"]).json()["tickets"]
    assert following[0]["updated_at"] <= stamps[-1]
    assert s.get(api(sb, "/tickets"), params={"page[size]": 101}).status_code == 400


def test_offset_pagination_and_its_100_page_limit(sb: SandboxServer) -> None:
    s = session(sb)
    first = s.get(api(sb, "/tickets.json"), params={"per_page": 100}).json()
    assert first["count"] == 250 and first["previous_page"] is None
    assert "page=2" in first["next_page"]
    last = s.get(api(sb, "/tickets.json"), params={"per_page": 100, "page": 3}).json()
    assert len(last["tickets"]) == 50 and last["next_page"] is None
    capped = s.get(api(sb, "/tickets.json"), params={"per_page": 500}).json()
    assert len(capped["tickets"]) == 100  # per_page is capped at 100
    assert s.get(api(sb, "/tickets"), params={"page": 101, "per_page": 10}).status_code == 400


def test_comments_support_both_pagination_styles(sb: SandboxServer) -> None:
    s = session(sb)
    offset = s.get(api(sb, "/tickets/2/comments.json")).json()
    cursor = s.get(api(sb, "/tickets/2/comments"), params={"page[size]": 1}).json()
    assert cursor["comments"][0]["id"] == offset["comments"][0]["id"]
    assert cursor["meta"]["has_more"] == (offset["count"] > 1)


# --- search ----------------------------------------------------------------------------------


def test_search_caps_and_result_types(sb: SandboxServer) -> None:
    s = session(sb)
    body = s.get(api(sb, "/search.json"), params={"query": "type:ticket", "per_page": 100}).json()
    assert body["count"] == 250
    assert {r["result_type"] for r in body["results"]} == {"ticket"}
    too_far = s.get(api(sb, "/search"), params={"query": "type:ticket", "page": 11})
    assert too_far.status_code == 422
    assert too_far.json()["error"] == "invalid"
    person = s.get(api(sb, "/users/10020")).json()["user"]
    users = s.get(api(sb, "/search"), params={"query": f"type:user email:{person['email']}"})
    assert [u["id"] for u in users.json()["results"]] == [10020]


def test_search_export_requires_filter_type_and_pages_by_cursor(sb: SandboxServer) -> None:
    s = session(sb)
    assert s.get(api(sb, "/search/export"), params={"query": "status:closed"}).status_code == 400
    in_query = s.get(
        api(sb, "/search/export"), params={"query": "type:ticket", "filter[type]": "ticket"}
    )
    assert in_query.status_code == 400
    ids: list[int] = []
    params: dict[str, Any] = {"query": "status:closed", "filter[type]": "ticket", "page[size]": 40}
    url: str | None = api(sb, "/search/export")
    while url:
        body = s.get(url, params=params).json()
        params = {}
        assert "count" not in body
        ids += [r["id"] for r in body["results"]]
        url = body["links"]["next"] if body["meta"]["has_more"] else None
    expected = s.get(api(sb, "/search/count"), params={"query": "type:ticket status:closed"})
    assert len(ids) == len(set(ids)) == expected.json()["count"] > 40


def test_users_search_by_email_phone_and_name(sb: SandboxServer) -> None:
    s = session(sb)
    person = next(p for p in sb.ground_truth()["people"] if p["phone"] and p["email"])
    for query in (person["email"], person["phone"], person["name"]):
        found = s.get(api(sb, "/users/search.json"), params={"query": query}).json()["users"]
        assert person["id"] in [u["id"] for u in found], query


# --- incremental exports ---------------------------------------------------------------------


def test_incremental_time_based_never_splits_a_timestamp(fresh: SandboxServer) -> None:
    s = session(fresh)
    with fresh.state.lock:  # give three tickets the same timestamp
        stamp = min(t.updated_at for t in fresh.state.live_tickets())
        for tid in (5, 6, 7):
            fresh.state.data.tickets[tid].updated_at = stamp
    body = s.get(api(fresh, "/incremental/tickets.json"), params={"start_time": 0, "per_page": 1})
    page = body.json()
    assert [t["generated_timestamp"] for t in page["tickets"]] == [stamp] * page["count"]
    assert page["count"] >= 3 and not page["end_of_stream"]
    seen = [t["id"] for t in page["tickets"]]
    url = page["next_page"]
    while True:
        page = s.get(url, params={"per_page": 7}).json()
        seen += [t["id"] for t in page["tickets"]]
        url = page["next_page"]
        if page["end_of_stream"]:
            break
    assert sorted(seen) == list(range(1, 31)) and len(seen) == 30
    assert "start_time=" in url  # resume polling from here
    with fresh.state.lock:
        target = next(t.id for t in fresh.state.live_tickets() if t.status != "closed")
    skip_ahead(fresh, 1.1)
    changed = s.put(api(fresh, f"/tickets/{target}"), json={"ticket": {"tags": ["changed"]}})
    assert changed.status_code == 200
    skip_ahead(fresh, 1.1)  # the current second is still excluded with a lag of 0
    again = s.get(url).json()
    assert [t["id"] for t in again["tickets"]] == [target]


def test_incremental_cursor_based_and_the_lag_window(fresh: SandboxServer) -> None:
    s = session(fresh)
    page = s.get(api(fresh, "/incremental/tickets/cursor.json"), params={"start_time": 0}).json()
    assert page["end_of_stream"] and len(page["tickets"]) == 30
    assert page["before_url"] is None and page["after_cursor"]
    decoded = base64.b64decode(page["after_cursor"]).decode()
    assert decoded.endswith("|") and "||" in decoded
    s.delete(api(fresh, "/tickets/4"))
    skip_ahead(fresh, 1.1)
    after = s.get(page["after_url"]).json()
    assert [(t["id"], t["status"]) for t in after["tickets"]] == [(4, "deleted")]
    assert s.get(after["after_url"]).json()["tickets"] == []


def test_incremental_export_excludes_the_last_minute_by_default() -> None:
    with SandboxServer(flavor="zendesk", seed=2, tickets=5) as server:
        s = session(server)
        assert s.delete(api(server, "/tickets/2")).status_code == 204
        page = s.get(api(server, "/incremental/tickets/cursor"), params={"start_time": 0}).json()
        assert 2 not in [t["id"] for t in page["tickets"]]
        assert len(page["tickets"]) == 4
        too_recent = s.get(api(server, "/incremental/tickets"), params={"start_time": time.time()})
        assert too_recent.status_code == 400


# --- redaction -------------------------------------------------------------------------------


def _open_ticket_with_text(server: SandboxServer, closed: bool) -> tuple[int, int, str]:
    with server.state.lock:
        for item in server.ground_truth()["planted"]:
            if item["field"] != "body" or item["type"] != "EMAIL_ADDRESS":
                continue
            ticket = server.state.data.tickets[item["ticket_id"]]
            if (ticket.status == "closed") == closed:
                return item["ticket_id"], item["comment_id"], item["value"]
    raise AssertionError("no suitable comment")


def test_legacy_redaction_uses_blocks_and_refuses_closed_tickets(fresh: SandboxServer) -> None:
    s = session(fresh)
    tid, cid, value = _open_ticket_with_text(fresh, closed=False)
    response = s.put(api(fresh, f"/tickets/{tid}/comments/{cid}/redact.json"), json={"text": value})
    assert response.status_code == 200
    comment = response.json()["comment"]
    assert value not in comment["body"] and BLOCK * len(value) in comment["body"]
    assert value not in comment["html_body"]
    assert not any(
        p["comment_id"] == cid and p["value"] == value for p in fresh.ground_truth()["planted"]
    )
    ctid, ccid, cvalue = _open_ticket_with_text(fresh, closed=True)
    refused = s.put(api(fresh, f"/tickets/{ctid}/comments/{ccid}/redact"), json={"text": cvalue})
    assert refused.status_code == 422


def test_comment_redactions_with_redact_tags_work_on_closed_tickets(fresh: SandboxServer) -> None:
    s = session(fresh)
    tid, cid, value = _open_ticket_with_text(fresh, closed=True)
    comments = s.get(api(fresh, f"/tickets/{tid}/comments")).json()["comments"]
    html_body = next(c for c in comments if c["id"] == cid)["html_body"]
    tagged = html_body.replace(value, f"<redact>{value}</redact>")
    tampered = s.put(
        api(fresh, f"/comment_redactions/{cid}"),
        json={"ticket_id": tid, "html_body": tagged.replace("<redact>", "<redact>extra ")},
    )
    assert tampered.status_code == 422
    response = s.put(
        api(fresh, f"/comment_redactions/{cid}.json"), json={"ticket_id": tid, "html_body": tagged}
    )
    assert response.status_code == 200
    comment = response.json()["comment"]
    assert value not in comment["html_body"] and value not in comment["plain_body"]
    assert BLOCK * len(value) in comment["body"]
    missing_ticket = s.put(api(fresh, f"/comment_redactions/{cid}"), json={"html_body": tagged})
    assert missing_ticket.status_code == 422


def test_attachment_redaction(fresh: SandboxServer) -> None:
    s = session(fresh)
    with fresh.state.lock:
        attachment = next(
            a
            for a in fresh.state.data.attachments.values()
            if fresh.state.data.tickets[a.ticket_id].status != "closed"
        )
        tid, cid, aid = attachment.ticket_id, attachment.comment_id, attachment.id
    path = f"/tickets/{tid}/comments/{cid}/attachments/{aid}/redact.json"
    response = s.put(api(fresh, path), json={})
    assert response.status_code == 200
    assert response.json()["attachment"]["id"] == aid
    shown = s.get(api(fresh, f"/attachments/{aid}")).json()["attachment"]
    assert shown["file_name"] == "redacted.txt" and shown["size"] == 0
    assert requests.get(shown["content_url"]).content == b""


# --- deletion --------------------------------------------------------------------------------


def poll_job(server: SandboxServer, s: requests.Session, job: dict[str, Any]) -> dict[str, Any]:
    """Poll until the job ends, moving the sandbox's clock on between polls (no real waiting)."""
    for _ in range(50):
        job = s.get(job["url"]).json()["job_status"]
        if job["status"] in ("completed", "failed"):
            return job
        skip_ahead(server, 0.05)
    raise AssertionError("job did not finish")


def test_ticket_soft_and_permanent_deletion(fresh: SandboxServer) -> None:
    s = session(fresh)
    deleted = s.delete(api(fresh, "/tickets/2.json"))
    assert deleted.status_code == 204 and deleted.content == b""
    assert s.get(api(fresh, "/tickets/2")).status_code == 404
    listed = s.get(api(fresh, "/deleted_tickets.json")).json()["deleted_tickets"]
    assert [t["id"] for t in listed] == [2]
    assert any(p["ticket_id"] == 2 for p in fresh.ground_truth()["planted"])  # still restorable
    purge = s.delete(api(fresh, "/deleted_tickets/2.json"))
    assert purge.status_code == 200
    job = purge.json()["job_status"]
    assert job["id"].startswith("V3-") and job["status"] in ("queued", "completed")
    assert poll_job(fresh, s, job)["results"] == {"success": True}
    assert not any(p["ticket_id"] == 2 for p in fresh.ground_truth()["planted"])
    assert s.put(api(fresh, "/deleted_tickets/2/restore")).status_code == 404
    assert s.delete(api(fresh, "/deleted_tickets/3")).status_code == 404  # not soft-deleted


def test_bulk_destroy_is_a_queued_job() -> None:
    with SandboxServer(flavor="zendesk", seed=3, tickets=10, job_seconds=0.3) as server:
        s = session(server)
        response = s.delete(api(server, "/tickets/destroy_many.json"), params={"ids": "1,2,3"})
        job = response.json()["job_status"]
        assert response.status_code == 200 and job["status"] == "queued"
        assert s.get(api(server, "/tickets/1")).status_code == 200  # not yet
        done = poll_job(server, s, job)
        assert done["status"] == "completed" and done["message"].startswith("Completed at")
        assert s.get(api(server, "/tickets/1")).status_code == 404
        many = s.get(api(server, "/job_statuses/show_many"), params={"ids": job["id"]}).json()
        assert many["job_statuses"][0]["status"] == "completed"


def test_user_deletion_needs_soft_delete_first(fresh: SandboxServer) -> None:
    s = session(fresh)
    person = fresh.ground_truth()["people"][0]
    uid = person["id"]
    assert s.delete(api(fresh, f"/deleted_users/{uid}")).status_code == 404
    soft = s.delete(api(fresh, f"/users/{uid}.json"))
    assert soft.status_code == 200 and soft.json()["user"]["active"] is False
    assert uid in [u["id"] for u in s.get(api(fresh, "/deleted_users")).json()["deleted_users"]]
    purged = s.delete(api(fresh, f"/deleted_users/{uid}.json"))
    assert purged.status_code == 200
    tombstone = purged.json()["deleted_user"]
    assert tombstone["name"] == "Permanently Deleted User" and tombstone["email"] is None
    assert uid not in [p["id"] for p in fresh.ground_truth()["people"]]
    statuses = s.get(api(fresh, f"/users/{uid}/compliance_deletion_statuses")).json()
    assert statuses["compliance_deletion_statuses"]


def test_users_destroy_many_and_identities(fresh: SandboxServer) -> None:
    s = session(fresh)
    ids = [p["id"] for p in fresh.ground_truth()["people"][:2]]
    identities = s.get(api(fresh, f"/users/{ids[0]}/identities.json")).json()["identities"]
    assert any(i["type"] == "email" for i in identities)
    job = s.delete(api(fresh, "/users/destroy_many"), params={"ids": ",".join(map(str, ids))})
    assert poll_job(fresh, s, job.json()["job_status"])["status"] == "completed"
    for uid in ids:
        assert s.get(api(fresh, f"/users/{uid}")).json()["user"]["active"] is False


def test_add_comment_and_requested_tickets(fresh: SandboxServer) -> None:
    s = session(fresh)
    ticket = s.get(api(fresh, "/tickets/1")).json()["ticket"]
    if ticket["status"] == "closed":
        ticket = next(
            t for t in s.get(api(fresh, "/tickets")).json()["tickets"] if t["status"] != "closed"
        )
    body = {"ticket": {"comment": {"body": "Checked, thanks.", "public": False}}}
    updated = s.put(api(fresh, f"/tickets/{ticket['id']}.json"), json=body)
    assert updated.status_code == 200
    comments = s.get(api(fresh, f"/tickets/{ticket['id']}/comments")).json()["comments"]
    assert comments[-1]["body"] == "Checked, thanks." and comments[-1]["public"] is False
    requester = ticket["requester_id"]
    requested = s.get(api(fresh, f"/users/{requester}/tickets/requested.json")).json()
    assert ticket["id"] in [t["id"] for t in requested["tickets"]]


def test_create_ticket_returns_201_with_location_and_audit(fresh: SandboxServer) -> None:
    s = session(fresh)
    payload = {"ticket": {"subject": "Hello", "comment": {"body": "First"}, "requester_id": 10007}}
    created = s.post(api(fresh, "/tickets.json"), json=payload)
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"/tickets/{created.json()['ticket']['id']}.json")
    assert created.json()["audit"]["events"][0]["body"] == "First"


# --- rate limits and faults ------------------------------------------------------------------


def test_rate_limit_headers_on_every_response(sb: SandboxServer) -> None:
    for response in (
        session(sb).get(api(sb, "/tickets/1")),
        requests.get(api(sb, "/tickets/1")),  # even a 401
    ):
        for header in (
            "x-rate-limit",
            "x-rate-limit-remaining",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
        ):
            assert header in response.headers
        assert response.headers["x-zendesk-api-version"] == "v2"


def test_429_with_retry_after_when_over_the_limit() -> None:
    with SandboxServer(flavor="zendesk", seed=1, tickets=3, rate_limit=60, rate_burst=3) as server:
        s = session(server)
        answers = [s.get(api(server, "/tickets/1")) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["x-rate-limit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
        limited = answers[3]
        assert limited.headers["Content-Type"].startswith("text/plain")
        assert limited.text == "Number of allowed API requests per minute exceeded"
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["x-rate-limit"] == "60"
        skip_ahead(server, 1.05)
        assert s.get(api(server, "/tickets/1")).status_code == 200


def _fault_trace(seed: int) -> list[str]:
    trace = []
    with SandboxServer(
        flavor="zendesk",
        seed=1,
        tickets=3,
        fault_rate=0.5,
        fault_seed=seed,
        faults=("500", "503", "slow", "drop"),
        slow_seconds=0.01,
    ) as server:
        s = session(server)
        for n in range(24):
            try:
                response = s.get(api(server, f"/tickets/{n % 3 + 1}"))
                trace.append(str(response.status_code))
            except requests.ConnectionError:
                trace.append("dropped")
        assert [kind for kind, _ in server.faults.injected].count("drop") == trace.count("dropped")
    return trace


def test_fault_injection_is_seeded_and_reproducible() -> None:
    first, again, other = _fault_trace(5), _fault_trace(5), _fault_trace(6)
    assert first == again
    assert first != other
    assert {"200", "500", "503", "dropped"} <= set(first)


def test_503_fault_carries_retry_after() -> None:
    with SandboxServer(flavor="zendesk", seed=1, tickets=2, fault_rate=1.0, faults=("503",)) as sb:
        response = session(sb).get(api(sb, "/tickets/1"))
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        assert response.json()["error"] == "ServiceUnavailable"
        assert session(sb).get(f"{sb.url}/_sandbox/ground-truth").status_code == 200  # exempt


# --- ground truth and the ground-truth endpoint ----------------------------------------------


def test_ground_truth_endpoint_matches_python_api(sb: SandboxServer) -> None:
    assert requests.get(f"{sb.url}/_sandbox/ground-truth").status_code == 401
    served = session(sb).get(f"{sb.url}/_sandbox/ground-truth").json()
    assert served == sb.ground_truth()
    assert {"id", "name", "email", "phone"} <= set(served["people"][0])
    assert {"ticket_id", "comment_id", "field", "type", "value"} <= set(served["planted"][0])


def test_same_seed_same_json_different_seed_different(sb: SandboxServer) -> None:
    with SandboxServer(flavor="zendesk", seed=7, tickets=250) as twin:
        for path in ("/tickets/5.json", "/tickets/5/comments.json", "/users.json?per_page=50"):
            mine = session(sb).get(api(sb, path)).content.replace(sb.url.encode(), b"BASE")
            theirs = session(twin).get(api(twin, path)).content.replace(twin.url.encode(), b"BASE")
            assert mine == theirs, path
    with SandboxServer(flavor="zendesk", seed=8, tickets=250) as other:
        assert (
            session(other).get(api(other, "/tickets/5")).json()
            != session(sb).get(api(sb, "/tickets/5")).json()
        )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_like_the_docs(sb: SandboxServer) -> None:
    creds = sb.credentials
    out = subprocess.run(
        [
            "curl",
            "-sS",
            "-u",
            f"{creds['email']}/token:{creds['token']}",
            api(sb, "/tickets.json?page[size]=2"),
            "-g",
        ],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    import json

    body = json.loads(out.stdout)
    assert [t["id"] for t in body["tickets"]] == [1, 2]
