"""What the connectors read is complete: comment senders, profile photos, every rate-limit header.

Senders and photos are read from the sandbox over real HTTP and compared with its records; the
rate-limit headers are served by a scripted loopback server in the shapes Zendesk documents
(developer.zendesk.com: "Rate limits", "List Tickets" limits; the incremental-exports header as
accounts report it), and end to end by the sandbox with a limit on its exports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from gdprguard._config import ConnectorConfig
from gdprguard.connectors import EndpointLimits, RateBudget, build_connector
from gdprguard.connectors._common import mailbox
from gdprguard.connectors.auth import ZendeskTokenAuth
from gdprguard.connectors.http import HttpClient
from gdprguard.connectors.ratelimit import parse_endpoint_limit, route_key
from gdprguard.connectors.testing import FakeClock
from gdprguard.connectors.zendesk import ZendeskConnector
from gdprguard.models import EmailContact
from gdprguard.sandbox import SandboxServer

FLAVORS = ["zendesk", "freshdesk"]
SUPPORT = "support@sandbox.example.com"


def start(flavor: str, **settings: Any) -> SandboxServer:
    settings.setdefault("tickets", 40)
    settings.setdefault("job_seconds", 0.0)
    settings.setdefault("incremental_lag_seconds", 0)
    return SandboxServer(flavor=flavor, seed=5, **settings).start()


@pytest.fixture
def sandboxes() -> Iterator[list[SandboxServer]]:
    started: list[SandboxServer] = []
    yield started
    for server in started:
        server.stop()


def connect(server: SandboxServer, clock: FakeClock | None = None, **options: Any) -> Any:
    creds = server.credentials
    if server.config.flavor == "zendesk":
        cfg = ConnectorConfig(type="zendesk", url=creds["url"], email=creds["email"],
                              token=creds["token"])  # fmt: skip
    else:
        cfg = ConnectorConfig(type="freshdesk", url=creds["url"], token=creds["api_key"])
    return build_connector("support", cfg, clock=clock or FakeClock(), **options)


# --- comment senders -----------------------------------------------------------------------------


def test_mailbox_splits_every_form_of_a_sender() -> None:
    assert mailbox('"Doe, Jane" <Jane@Acme-Shop.test>') == EmailContact(
        address="Jane@Acme-Shop.test", name="Doe, Jane"
    )
    assert mailbox("Jane Doe <jane@example.com>") == EmailContact(
        address="jane@example.com", name="Jane Doe"
    )
    assert mailbox("jane@example.com") == EmailContact(address="jane@example.com")
    assert mailbox('"山田 太郎" <taro@example.jp>') == EmailContact(
        address="taro@example.jp", name="山田 太郎"
    )
    encoded = "=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <taro@example.jp>"
    assert mailbox(encoded) == EmailContact(address="taro@example.jp", name="山田 太郎")
    assert mailbox("Support") is None and mailbox(None) is None and mailbox("") is None


def test_zendesk_comments_name_their_email_sender_in_both_reads(
    sandboxes: list[SandboxServer],
) -> None:
    server = start("zendesk")
    sandboxes.append(server)
    with server.state.lock:
        want = {
            str(c.id): EmailContact(**c.sender) if c.sender else None
            for t in server.state.live_tickets()
            for c in server.state.comments_of(t)
        }
    assert sum(v is not None for v in want.values()) >= 5, "the seed should have email comments"
    connector = connect(server)
    listed: dict[str, EmailContact | None] = {}
    for ticket in connector.iter_tickets():
        for comment in connector.iter_comments(ticket.id):
            listed[comment.id] = comment.sender
    assert listed == want
    exported = {c.id: c.sender for c in connector.export_comment_events()}
    assert {cid: exported[cid] for cid in want} == want  # the ticket-events export carries `via`


def test_freshdesk_conversations_name_their_sender_from_from_email(
    sandboxes: list[SandboxServer],
) -> None:
    server = start("freshdesk")
    sandboxes.append(server)
    connector = connect(server)
    with server.state.lock:
        records = {str(c.id): c for c in server.state.data.comments.values()}
        people = dict(server.state.data.people)
    incoming = replies = 0
    for ticket in connector.iter_tickets():
        for comment in connector.iter_comments(ticket.id):
            if comment.kind == "description":
                assert comment.sender is None
                continue
            record = records[comment.id]
            if record.kind == "note":
                assert comment.sender is None
            elif record.kind == "customer":
                incoming += 1
                author = people[record.author_id]
                assert author.email
                want = record.sender or {"address": author.email, "name": author.name}
                assert comment.sender == EmailContact(**want)
            else:
                replies += 1
                assert comment.sender == EmailContact(
                    address=SUPPORT, name=people[record.author_id].name
                )
    assert incoming and replies


# --- photos --------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_people_come_with_their_photo(flavor: str, sandboxes: list[SandboxServer]) -> None:
    server = start(flavor)
    sandboxes.append(server)
    with server.state.lock:
        photos = {str(p.id): p.photo for p in server.state.end_users()}
    with_photo = [pid for pid, photo in photos.items() if photo]
    without = [pid for pid, photo in photos.items() if not photo]
    assert with_photo and without
    connector = connect(server)
    for pid in with_photo[:3] + without[:2]:
        person = connector.get_person(pid)
        photo = photos[pid]
        if photo is None:
            assert person.photo is None
            continue
        assert person.photo is not None
        assert person.photo.id == str(photo.image.id)
        assert person.photo.file_name == photo.image.file_name
        assert person.photo.content_type == "image/png" and person.photo.size == len(
            photo.image.content
        )
        assert person.photo.content_url
        assert requests.get(person.photo.content_url, timeout=5).content == photo.image.content
    if flavor == "zendesk":  # the bulk read carries it too
        bulk = {p.id: p.photo for p in connector.get_people(with_photo[:5])}
        assert all(bulk[pid] is not None for pid in with_photo[:5])


@pytest.mark.parametrize("flavor", FLAVORS)
def test_anonymising_and_erasing_remove_the_photo(
    flavor: str, sandboxes: list[SandboxServer]
) -> None:
    server = start(flavor)
    sandboxes.append(server)
    with server.state.lock:
        owners = [str(p.id) for p in server.state.end_users() if p.photo]
    connector = connect(server)
    anonymised = connector.anonymize_person(owners[0])
    assert anonymised.photo is None and connector.get_person(owners[0]).photo is None
    truth = {str(p["id"]): p for p in server.ground_truth()["people"]}
    assert truth[owners[0]]["photo_id"] is None
    assert truth[owners[1]]["photo_id"] is not None
    connector.delete_person(owners[1])  # soft: the helpdesk still keeps the record, photo too
    assert {str(p["id"]): p for p in server.ground_truth()["people"]}[owners[1]]["photo_id"]
    connector.delete_person(owners[1], permanent=True)
    with server.state.lock:
        person = server.state.data.people.get(int(owners[1]))
        assert person is None or person.photo is None


# --- rate-limit headers --------------------------------------------------------------------------

#: Header sets as Zendesk documents them (the account headers of every answer, an endpoint's own
#: limit) and as accounts report them for the exports; keys in the case the server sends.
DOCUMENTED = {
    "account": {
        "x-rate-limit": "700",
        "ratelimit-limit": "700",
        "x-rate-limit-remaining": "699",
        "ratelimit-remaining": "699",
        "ratelimit-reset": "41",
    },
    "tickets_index": {"Zendesk-RateLimit-tickets-index": "total=100; remaining=99; resets=41"},
    "exports": {"zendesk-ratelimit-incremental-exports": "total=10; remaining=9; resets=42"},
}


def test_every_documented_spelling_of_an_endpoint_limit_is_parsed() -> None:
    for header, value in [
        *DOCUMENTED["tickets_index"].items(),
        ("zendesk-rate-limit-incremental-exports", "total=10; remaining=9; resets=42"),
        ("zendesk-ratelimit-search-index", "total=2500;remaining=2499;resets=30"),
    ]:
        parsed = parse_endpoint_limit(header, value)
        assert parsed is not None and parsed.remaining in (99, 9, 2499), header
    exports = parse_endpoint_limit("Zendesk-Rate-Limit-Incremental-Exports", "total=10; "
                                   "remaining=0; resets=42")  # fmt: skip
    assert exports is not None and exports.name == "incremental-exports"
    assert (exports.total, exports.remaining, exports.resets) == (10, 0, 42.0)
    assert parse_endpoint_limit("ratelimit-remaining", "5") is None
    assert parse_endpoint_limit("zendesk-ratelimit-x", "total=10") is None  # no remaining
    odd = parse_endpoint_limit("zendesk-ratelimit-x", "total=1; remaining=0; resets=1700000000")
    assert odd is not None and odd.resets is None  # an epoch time is no duration: ignored
    assert (
        route_key("get", "/api/v2/tickets/42/comments.json") == "GET /api/v2/tickets/{id}/comments"
    )


class Script:
    """A loopback server answering each path with headers from a function of (path, call number)."""

    def __init__(self, headers: Callable[[str, int], dict[str, str]]) -> None:
        self.calls: list[str] = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                script.calls.append(path)
                extra = headers(path, len(script.calls))
                status = int(extra.pop("status", "200"))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()  # fmt: skip

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripts() -> Iterator[list[Script]]:
    made: list[Script] = []
    yield made
    for script in made:
        script.close()


def client(script: Script, clock: FakeClock, **kwargs: Any) -> HttpClient:
    return HttpClient(script.url, ZendeskTokenAuth("admin@example.test", "tok"), clock=clock,
                      **kwargs)  # fmt: skip


@pytest.mark.parametrize("spelling", ["zendesk-ratelimit-", "zendesk-rate-limit-"])
def test_an_exhausted_endpoint_family_waits_for_its_reset_without_slowing_others(
    spelling: str, scripts: list[Script]
) -> None:
    def headers(path: str, _n: int) -> dict[str, str]:
        out = dict(DOCUMENTED["account"])
        if path.startswith("/api/v2/incremental/"):
            out[spelling + "incremental-exports"] = "total=10; remaining=0; resets=42"
        if path == "/api/v2/search/export":
            out[spelling + "search-export"] = "total=100; remaining=50; resets=60"
        return out

    script = Script(headers)
    scripts.append(script)
    clock = FakeClock()
    limits = EndpointLimits()
    http = client(script, clock, endpoint_limits=limits)
    ZendeskConnector("support", http)  # declares the export family before any answer names it
    http.get("/api/v2/incremental/tickets/cursor", {"start_time": 0})
    assert limits.remaining("incremental-exports") == 0
    for path in ("/api/v2/users/me", "/api/v2/tickets/7/comments", "/api/v2/search/export"):
        http.get(path)
    assert clock.sleeps == []  # other endpoints go on at full speed
    http.get("/api/v2/incremental/ticket_events", {"start_time": 0})  # same family, other path
    assert clock.sleeps == pytest.approx([42.0])
    assert http.stats.paced_seconds == pytest.approx(42.0)
    http.get("/api/v2/users/me")
    assert len(clock.sleeps) == 1


def test_a_learned_family_is_held_back_on_its_own(scripts: list[Script]) -> None:
    remaining = iter(["1", "0", "5"])

    def headers(path: str, _n: int) -> dict[str, str]:
        out = dict(DOCUMENTED["account"])
        if path == "/api/v2/tickets":
            out["Zendesk-RateLimit-tickets-index"] = (
                f"total=100; remaining={next(remaining)}; resets=41"
            )
        return out

    script = Script(headers)
    scripts.append(script)
    clock = FakeClock()
    http = client(script, clock)  # nothing declared: learned from the answers
    http.get("/api/v2/tickets")
    http.get("/api/v2/tickets")  # remaining 1 before it: no wait; the answer says 0
    assert clock.sleeps == []
    http.get("/api/v2/tickets/3")  # another endpoint
    assert clock.sleeps == []
    http.get("/api/v2/tickets")
    assert clock.sleeps == pytest.approx([41.0])


def test_account_reset_is_read_in_both_spellings_and_retry_after_on_429(
    scripts: list[Script],
) -> None:
    budget = RateBudget()
    budget.observe({"x-rate-limit": "700", "x-rate-limit-remaining": "0",
                    "rate-limit-reset": "17"}, now=0.0)  # fmt: skip
    assert budget.delay(now=0.0) == pytest.approx(17.0)
    budget = RateBudget()
    budget.observe(DOCUMENTED["account"] | {"ratelimit-remaining": "0"}, now=0.0)
    assert budget.delay(now=0.0) == pytest.approx(41.0)

    def headers(path: str, n: int) -> dict[str, str]:
        if n == 1:
            limit = "total=2500; remaining=0; resets=7"
            return {"status": "429", "retry-after": "7", "zendesk-ratelimit-search-index": limit}
        return dict(DOCUMENTED["account"])

    script = Script(headers)
    scripts.append(script)
    clock = FakeClock()
    http = client(script, clock)
    http.get("/api/v2/search")
    assert len(script.calls) == 2
    assert 7.0 <= sum(clock.sleeps) <= 7.3  # Retry-After once; the family's reset had passed


def test_export_limit_paces_a_full_export_against_the_sandbox(
    sandboxes: list[SandboxServer],
) -> None:
    """The sandbox limits its exports to 10 calls a minute and says so in
    ``zendesk-ratelimit-incremental-exports``; a walk needing more calls waits for the reset
    instead of collecting 429s, and calls to other endpoints are not held back."""
    server = start("zendesk", tickets=60, export_rate_limit=10)
    sandboxes.append(server)
    clock = FakeClock()
    server.export_limiter.clock = clock.monotonic  # the export window runs on the test's clock
    server.export_limiter.stamp = clock.monotonic()
    connector = connect(server, clock)
    connector.export_page_size = 4
    tickets = [t.id for t in connector.export_tickets()]
    assert len(set(tickets)) == 60 and len(tickets) == 60
    stats = connector.http.stats
    assert stats.throttled == 0 and stats.by_status.get(429) is None
    assert any(s >= 30 for s in clock.sleeps), "the walk waited for the exports' reset"
    assert connector.http.endpoint_limits.remaining("incremental-exports") is not None
    waits = len(clock.sleeps)
    connector.get_ticket(tickets[0])
    connector.get_person(str(server.state.data.admin_id))
    assert len(clock.sleeps) == waits  # the account-wide allowance is plentiful
