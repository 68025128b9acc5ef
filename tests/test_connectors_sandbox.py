"""Every connector operation against the sandbox helpdesk over real HTTP, for both flavors.

The oracle is the sandbox's own state (``sandbox.state``) and its ground truth: scans must return
exactly the records that exist, once each, also through 429 storms and injected faults, and an
export interrupted anywhere and resumed from its saved bookmark must neither lose nor repeat one.
The sandbox's token bucket runs on the same fake clock as the client, so a 429 storm and its
Retry-After waits take no real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _sandbox_time import skip_ahead
from gdprguard._config import ConnectorConfig
from gdprguard._exceptions import AuthenticationError, NotFoundError
from gdprguard.connectors import (
    NotRedactableError,
    RateBudget,
    SyncState,
    UnsupportedOperationError,
    build_connector,
)
from gdprguard.connectors.testing import FakeClock
from gdprguard.models import Comment

sandbox = pytest.importorskip("gdprguard.sandbox")
SandboxServer = sandbox.SandboxServer

FLAVORS = ["zendesk", "freshdesk"]
BLOCK = "\u2587"
ALL_FAULTS = ("500", "502", "503", "504", "slow", "drop", "drop_after")


class NoPacing(RateBudget):
    """Ignore rate-limit headers: every limit is discovered by a 429 (a storm)."""

    def delay(self, now: float) -> float:
        return 0.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def start(flavor: str, clock: FakeClock | None = None, **settings: Any) -> Any:
    settings.setdefault("tickets", 40)
    settings.setdefault("job_seconds", 0.0)
    settings.setdefault("slow_seconds", 0.01)
    server = SandboxServer(flavor=flavor, seed=3, port=0, **settings).start()
    if clock is not None:  # the sandbox's rate window runs on the test's clock
        server.limiter.clock = clock.monotonic
        server.limiter.stamp = clock.monotonic()
    return server


@pytest.fixture
def sandboxes() -> Iterator[list[Any]]:
    started: list[Any] = []
    yield started
    for server in started:
        server.stop()


def connect(
    server: Any, clock: FakeClock | None = None, *, agent: bool = False, **opts: Any
) -> Any:
    creds = server.credentials
    if server.config.flavor == "zendesk":
        email = creds["agent_email"] if agent else creds["email"]
        token = creds["agent_token"] if agent else creds["token"]
    else:
        email, token = None, creds["agent_api_key"] if agent else creds["api_key"]
    cfg = ConnectorConfig(type=server.config.flavor, url=creds["url"], email=email, token=token)
    connector = build_connector("test", cfg, clock=clock or FakeClock(), **opts)
    return connector


def expected_ids(server: Any) -> tuple[set[str], set[str]]:
    """Live ticket ids and the comment ids a scan must return (Freshdesk: description first)."""
    tickets, comments = set(), set()
    with server.state.lock:
        for ticket in server.state.live_tickets():
            tickets.add(str(ticket.id))
            for n, comment in enumerate(server.state.comments_of(ticket)):
                if server.config.flavor == "freshdesk" and n == 0:
                    comments.add(f"description-{ticket.id}")
                else:
                    comments.add(str(comment.id))
    return tickets, comments


def full_scan(connector: Any) -> tuple[list[str], list[str]]:
    tickets, comments = [], []
    for ticket in connector.iter_tickets():
        tickets.append(ticket.id)
        comments.extend(c.id for c in connector.iter_comments(ticket.id))
    return tickets, comments


def assert_exact(got: list[str], want: set[str]) -> None:
    assert len(got) == len(set(got)), "a record was returned twice"
    assert set(got) == want, (
        f"missing {sorted(want - set(got))[:5]}, extra {sorted(set(got) - want)[:5]}"
    )


# --- credentials ---------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_verify_admin_agent_and_bad_credentials(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor)
    sandboxes.append(server)
    who = connect(server).verify()
    assert who.is_admin and who.helpdesk == flavor
    assert connect(server, agent=True).verify().is_admin is False
    creds = server.credentials
    bad = ConnectorConfig(type=flavor, url=creds["url"], email=creds.get("email"), token="wrong")
    with pytest.raises(AuthenticationError):
        build_connector("bad", bad, clock=FakeClock()).verify()


# --- reading: scans, faults, storms ------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_full_scan_returns_every_ticket_and_comment_once(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor)
    sandboxes.append(server)
    connector = connect(server)
    tickets, comments = full_scan(connector)
    want_tickets, want_comments = expected_ids(server)
    assert_exact(tickets, want_tickets)
    assert_exact(comments, want_comments)
    assert len(tickets) == 40


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("pacing", [True, False], ids=["paced", "storm"])
def test_full_scan_through_429s_and_injected_faults(
    flavor: str, pacing: bool, sandboxes: list[Any], clock: FakeClock
) -> None:
    server = start(flavor, clock, rate_limit=60, rate_burst=5, fault_rate=0.15, faults=ALL_FAULTS)
    sandboxes.append(server)
    options: dict[str, Any] = {} if pacing else {"budget": NoPacing()}
    connector = connect(server, clock, **options)
    tickets, comments = full_scan(connector)
    want_tickets, want_comments = expected_ids(server)
    assert_exact(tickets, want_tickets)
    assert_exact(comments, want_comments)
    stats = connector.http.stats
    assert stats.retries > 0 and server.faults.injected
    if pacing:
        assert stats.paced_seconds > 0  # slowed down before the helpdesk had to refuse
        assert stats.throttled < stats.requests / 10
    else:
        assert stats.throttled > 20  # a real storm, every 429 waited out via Retry-After
        assert any(s >= 1 for s in clock.sleeps)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_export_resumes_from_any_bookmark_without_loss_or_repeat(
    flavor: str, sandboxes: list[Any], clock: FakeClock
) -> None:
    server = start(flavor, clock, tickets=30, fault_rate=0.1, faults=ALL_FAULTS,
                   incremental_lag_seconds=0)  # fmt: skip
    sandboxes.append(server)
    connector = connect(server, clock)
    connector.export_page_size = 7  # several pages, so interruptions fall on page boundaries too
    full = [t.id for t in connector.export_tickets()]
    want, _ = expected_ids(server)
    assert_exact(full, want)

    for stop_after in (1, 6, 7, 8, 13, 14, 29):
        export = connector.export_tickets()
        got = [next(export).id for _ in range(stop_after)]
        saved = export.state.model_dump_json()  # what a caller persists
        resumed = connector.export_tickets(SyncState.model_validate_json(saved))
        got += [t.id for t in resumed]
        assert got == full, stop_after
        assert resumed.state.end_of_stream

    # Polling from the end returns exactly what changed since.
    end = resumed.state
    skip_ahead(server, 1.05)  # the change must be in an earlier second than "now" for the export
    with server.state.lock:
        changed = next(str(t.id) for t in server.state.live_tickets() if t.status != "closed")
    tags = {"tags": ["gdprguard-test"]}
    body = {"ticket": tags} if flavor == "zendesk" else tags
    connector.http.request("PUT", f"/api/v2/tickets/{changed}", json_body=body)
    skip_ahead(server, 1.05)
    again = connector.export_tickets(end)
    assert [t.tags for t in again if t.id == changed] == [["gdprguard-test"]]
    assert again.state.end_of_stream
    assert [t.id for t in connector.export_tickets(again.state)] == []
    if flavor == "zendesk":  # Zendesk's export also reports deletions
        connector.delete_ticket(changed)
        skip_ahead(server, 1.05)
        assert [(t.id, t.deleted) for t in connector.export_tickets(again.state)] == [
            (changed, True)
        ]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_comments_carry_metadata_and_attachments(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor)
    sandboxes.append(server)
    connector = connect(server)
    comments = [c for t in connector.iter_tickets() for c in connector.iter_comments(t.id)]
    assert any(c.attachments for c in comments)
    assert all(a.file_name for c in comments for a in c.attachments)
    if flavor == "zendesk":
        system = [c.metadata["system"] for c in comments if c.metadata.get("system")]
        assert any("ip_address" in s for s in system)
        assert all(c.redactable for c in comments)
    else:
        kinds = {c.kind for c in comments}
        assert {"description", "note", "reply"} <= kinds
        assert all(c.redactable == (c.kind in ("note", "description")) for c in comments)


# --- people ------------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_find_people_and_their_tickets(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor)
    sandboxes.append(server)
    connector = connect(server)
    people = server.ground_truth()["people"]
    person = next(p for p in people if p["email"] and p["phone"])
    pid = str(person["id"])
    assert pid in {p.id for p in connector.find_people(email=person["email"].upper())}
    assert pid in {p.id for p in connector.find_people(phone=person["phone"])}
    assert pid in {p.id for p in connector.find_people(name=person["name"])}
    assert connector.find_people(email="nobody-at-all@example.invalid") == []
    full = connector.get_person(pid)
    assert person["email"] in full.emails and full.name == person["name"]

    with server.state.lock:
        want = {str(t.id) for t in server.state.tickets_of(person["id"], "requested")}
    got = [t.id for t in connector.iter_tickets_by_requester(pid)]
    assert_exact(got, want)
    assert all(connector.get_ticket(t).requester_id == pid for t in got)


# --- redaction ---------------------------------------------------------------------------------


def planted_in_comments(server: Any) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for item in server.ground_truth()["planted"]:
        if item["field"] == "description" or (item["comment_id"] and item["field"] == "body"):
            cid = item["comment_id"] or f"description-{item['ticket_id']}"
            found.setdefault((str(item["ticket_id"]), str(cid)), []).append(item["value"])
    return found


def spans_for(comment: Comment, values: list[str]) -> list[dict[str, Any]]:
    spans = []
    for value in values:
        start = comment.body.find(value)
        while start >= 0:
            spans.append({"type": "PII", "start": start, "end": start + len(value), "score": 1.0})
            start = comment.body.find(value, start + 1)
    return spans


def masked_locally(body: str, spans: list[dict[str, Any]]) -> str:
    chars = list(body)
    for span in spans:
        for i in range(span["start"], span["end"]):
            chars[i] = BLOCK
    return "".join(chars)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_redact_comment_spans_from_findings(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor, fault_rate=0.1, faults=("500", "drop", "drop_after"))
    sandboxes.append(server)
    connector = connect(server)
    targets = planted_in_comments(server)
    done = refused = 0
    redacted: set[tuple[str, str]] = set()
    for (tid, cid), values in list(targets.items())[:25]:
        comment = next(c for c in connector.iter_comments(tid) if c.id == cid)
        spans = spans_for(comment, values)
        if not spans:
            continue
        if not comment.redactable:
            with pytest.raises(NotRedactableError, match="only lets notes be edited"):
                connector.redact_comment(comment, spans)
            refused += 1
            continue
        result = connector.redact_comment(comment, spans)
        after = next(c for c in connector.iter_comments(tid) if c.id == cid)
        assert result.redacted >= 1 and after.body.count(BLOCK) > comment.body.count(BLOCK)
        for value in values:
            assert value not in after.body
        assert result.method == ("comment_redactions" if flavor == "zendesk" else "edit")
        # Exactly the spans changed, character for character; the rest of the text is intact.
        assert _no_space(after.body) == _no_space(masked_locally(comment.body, spans))
        redacted.add((tid, cid))
        done += 1
    assert done >= 5
    if flavor == "freshdesk":
        assert refused >= 1
    # The sandbox's ground truth agrees: nothing planted is left in the redacted entries.
    assert not redacted & set(planted_in_comments(server))


def _no_space(text: str) -> str:
    return "".join(text.split())


def test_zendesk_legacy_redaction_and_closed_tickets(sandboxes: list[Any]) -> None:
    server = start("zendesk")
    sandboxes.append(server)
    connector = connect(server)
    targets = planted_in_comments(server)
    with server.state.lock:
        closed = {str(t.id) for t in server.state.live_tickets() if t.status == "closed"}
    legacy_ok = closed_refused = 0
    for (tid, cid), values in targets.items():
        comment = next(c for c in connector.iter_comments(tid) if c.id == cid)
        # No HTML (as on some API clients' comments): only the legacy text endpoint applies.
        plain = comment.model_copy(update={"html_body": None})
        if tid in closed:
            if closed_refused == 0:
                with pytest.raises(NotRedactableError, match="closed"):
                    connector.redact_comment(plain, values[:1])
                closed_refused += 1
            continue
        if legacy_ok < 3:
            result = connector.redact_comment(plain, values[:1])
            assert result.method == "legacy_redact" and values[0] not in result.comment.body
            legacy_ok += 1
    assert legacy_ok == 3 and closed_refused == 1


@pytest.mark.parametrize("flavor", FLAVORS)
def test_redact_attachment(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor, tickets=80)
    sandboxes.append(server)
    connector = connect(server)
    with server.state.lock:
        status = {str(t.id): t.status for t in server.state.live_tickets()}
    with_files = [c for t in sorted(status) for c in connector.iter_comments(t) if c.attachments]
    comment = next(c for c in with_files if status[c.ticket_id] != "closed")
    attachment = comment.attachments[0]
    connector.redact_attachment(comment, attachment.id)
    after = next(c for c in connector.iter_comments(comment.ticket_id) if c.id == comment.id)
    current = {a.id: a for a in after.attachments}
    if flavor == "freshdesk":
        assert attachment.id not in current  # Freshdesk deletes the file
    else:
        assert current[attachment.id].file_name == "redacted.txt"
        with server.state.lock:
            assert server.state.data.attachments[int(attachment.id)].content == b""
        # Closed (and archived) tickets too: through comment_redactions' external_attachment_urls.
        closed = next(c for c in with_files if status[c.ticket_id] == "closed")
        connector.redact_attachment(closed, closed.attachments[0].id)
        with server.state.lock:
            assert server.state.data.attachments[int(closed.attachments[0].id)].content == b""


# --- deletion and anonymisation ----------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_delete_and_purge_tickets_and_people(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor, fault_rate=0.2, faults=("503", "drop", "drop_after"))
    sandboxes.append(server)
    connector = connect(server)
    ids = sorted(t.id for t in connector.iter_tickets())
    soft, purge = ids[0], ids[1]

    assert connector.delete_ticket(soft).outcome in ("deleted", "already_deleted")
    assert soft not in {t.id for t in connector.iter_tickets()}
    if flavor == "zendesk":
        result = connector.delete_ticket(purge, permanent=True)
        assert result.permanent and result.outcome == "deleted"
        with server.state.lock:
            assert int(purge) not in server.state.data.tickets
        with pytest.raises(NotFoundError):
            connector.get_ticket(purge)
    else:
        with pytest.raises(UnsupportedOperationError, match="nothing was deleted"):
            connector.delete_ticket(purge, permanent=True)
        assert connector.get_ticket(purge).id == purge

    people = [p for p in server.ground_truth()["people"] if not p["deleted"]]
    a, b = str(people[0]["id"]), str(people[1]["id"])
    assert connector.delete_person(a).outcome in ("deleted", "already_deleted")
    assert connector.delete_person(b, permanent=True).permanent
    truth = {str(p["id"]): p for p in server.ground_truth()["people"]}
    assert truth[a]["deleted"] and b not in truth


@pytest.mark.parametrize("flavor", FLAVORS)
def test_anonymize_person(flavor: str, sandboxes: list[Any]) -> None:
    server = start(flavor)
    sandboxes.append(server)
    connector = connect(server)
    person = next(p for p in server.ground_truth()["people"] if p["email"] and p["phone"])
    pid = str(person["id"])
    anonymised = connector.anonymize_person(pid)
    assert anonymised.name and person["name"] not in anonymised.name
    assert person["email"] not in anonymised.emails and anonymised.phones == []
    assert pid not in {p.id for p in connector.find_people(email=person["email"])}
    truth = {str(p["id"]): p for p in server.ground_truth()["people"]}
    assert truth[pid]["email"] != person["email"] and truth[pid]["phone"] is None


def test_zendesk_ticket_keeps_the_sender_of_email_tickets(sandboxes: list[Any]) -> None:
    """`via.source.from` (name and address of who wrote in) is personal data: it must reach
    `Ticket.sender` so DSAR exports and erasure can see it."""
    server = start("zendesk")
    sandboxes.append(server)
    with server.state.lock:
        senders = {str(t.id): dict(t.via_from) for t in server.state.live_tickets() if t.via_from}
    assert senders, "the seeded sandbox should have email tickets"
    connector = connect(server)
    seen = {t.id: t.sender.model_dump() if t.sender else None for t in connector.iter_tickets()}
    for ticket_id, sender in senders.items():
        assert seen[ticket_id] == sender
    assert all(seen[t] is None for t in seen if t not in senders)
