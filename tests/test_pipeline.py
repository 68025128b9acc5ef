"""The ticket pipeline: walker over the sandbox (real HTTP), bookmarks per connector name,
the write-ahead journal, locks and record references."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gdprguard import InputError
from gdprguard._config import ConnectorConfig
from gdprguard.audit import AuditLog
from gdprguard.connectors import build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.pipeline import (
    BookmarkStore,
    Journal,
    LockBusyError,
    RecordRef,
    StoreLock,
    Subject,
    TicketWalker,
    hold_lock,
    known_subject_for,
)
from gdprguard.store import Store, journal
from gdprguard.vault import Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

FLAVORS = ["zendesk", "freshdesk"]


@pytest.fixture(scope="module", params=FLAVORS)
def helpdesk(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor=request.param, seed=11, port=0, tickets=16, job_seconds=0.0
    ).start()
    yield server
    server.stop()


def _connect(server: Any, name: str) -> Any:
    creds = server.credentials
    if server.config.flavor == "zendesk":
        email, token = creds["email"], creds["token"]
    else:
        email, token = None, creds["api_key"]
    config = ConnectorConfig(type=server.config.flavor, url=creds["url"], email=email, token=token)
    return build_connector(name, config, clock=FakeClock())


def _sqlite(home: Path) -> Store:
    return Store(f"sqlite:///{home / 'pipeline.db'}")


# -- walker ---------------------------------------------------------------------------------


def test_full_walk_sees_every_ticket_with_comments_and_people(helpdesk: Any, home: Path) -> None:
    store = _sqlite(home)
    connector = _connect(helpdesk, "support")
    bundles = list(TicketWalker(connector, store, stream="sweep").walk(full=True))
    live = {str(t.id) for t in helpdesk.state.live_tickets()}
    assert {b.ticket.id for b in bundles} >= live
    assert len({b.ticket.id for b in bundles}) == len(bundles)  # each once
    with helpdesk.state.lock:
        expected = {
            str(t.id): len(helpdesk.state.comments_of(t)) for t in helpdesk.state.live_tickets()
        }
    for bundle in bundles:
        if bundle.ticket.id in expected and helpdesk.config.flavor == "zendesk":
            assert len(bundle.comments) == expected[bundle.ticket.id]
        assert all(c.ticket_id == bundle.ticket.id for c in bundle.comments)
        if bundle.ticket.requester_id and not bundle.ticket.deleted:
            assert bundle.requester is not None
            assert bundle.requester.id == bundle.ticket.requester_id
    with_people = [b for b in bundles if b.requester is not None]
    known = known_subject_for(with_people[0])
    assert not known.is_empty
    assert str(bundles[0].ref) == f"support:ticket:{bundles[0].ticket.id}"
    connector.close()
    store.close()


def test_bookmarks_belong_to_the_connector_name_not_its_type(helpdesk: Any, home: Path) -> None:
    store = _sqlite(home)
    support, sales = _connect(helpdesk, "support"), _connect(helpdesk, "sales")
    first = list(TicketWalker(support, store, stream="sweep").walk())
    assert first
    # "support" is caught up; "sales" on the same helpdesk has never been read.
    assert list(TicketWalker(support, store, stream="sweep").walk()) == []
    assert len(list(TicketWalker(sales, store, stream="sweep").walk())) == len(first)
    # a different stream of the same connector has its own position too
    assert len(list(TicketWalker(support, store, stream="dsar-index").walk())) == len(first)
    marks = BookmarkStore(store)
    assert marks.get("support", "sweep") is not None and marks.get("other", "sweep") is None
    marks.reset("support", "sweep")
    assert len(list(TicketWalker(support, store, stream="sweep").walk())) == len(first)
    store.close()


def test_walk_abandoned_midway_resumes_without_losing_a_ticket(helpdesk: Any, home: Path) -> None:
    store = _sqlite(home)
    connector = _connect(helpdesk, "support")
    everything = {b.ticket.id for b in TicketWalker(connector, store, stream="all").walk()}
    walker = TicketWalker(connector, store, stream="crash", save_every=4)
    seen: list[str] = []
    for bundle in walker.walk():
        seen.append(bundle.ticket.id)
        if len(seen) == 11:
            break  # the process dies here: the generator never finishes
    resumed = [b.ticket.id for b in TicketWalker(connector, store, stream="crash").walk()]
    assert len(seen) == 11 and set(resumed) - set(seen)  # it did stop midway
    assert set(seen) | set(resumed) == everything  # nothing lost
    repeated = set(seen) & set(resumed)
    assert len(repeated) <= 4  # at most the tickets since the last saved bookmark
    store.close()


# -- journal --------------------------------------------------------------------------------


@pytest.fixture
def vault(store: Store, home: Path) -> Vault:
    from gdprguard.vault import FileKeyProvider

    return Vault(store, FileKeyProvider(home / "master.key"))


def test_journal_intent_then_completion_with_its_audit_entry(vault: Vault) -> None:
    book = Journal(vault.store, vault.audit)
    ref = RecordRef(connector="support", kind="comment", id="123")
    entry = book.intend("sweep:p1:1", ref, "redact", {"types": ["EMAIL_ADDRESS"], "rule": "r"})
    assert entry.state == "intended" and entry.attempts == 1
    assert [e.unit for e in book.unfinished()] == ["sweep:p1:1"]
    done = book.complete(
        "sweep:p1:1", {"redacted": 2}, actor="sweep", audit_action="retention.redact"
    )
    assert done.state == "done" and book.unfinished() == []
    entries = list(vault.audit.entries())
    assert entries[-1].action == "retention.redact"
    assert entries[-1].target_ids == ["support:comment:123"]
    assert entries[-1].details["unit"] == "sweep:p1:1"
    # A rerun finds it done: not intended again, not audited twice.
    again = book.intend("sweep:p1:1", ref, "redact", {"types": ["EMAIL_ADDRESS"], "rule": "r"})
    assert again.state == "done" and again.attempts == 1
    book.complete("sweep:p1:1", {"redacted": 2}, actor="sweep", audit_action="retention.redact")
    assert len(list(vault.audit.entries())) == len(entries)
    assert vault.audit.verify().ok


def test_journal_left_open_by_a_crash_is_found_and_counted(vault: Vault) -> None:
    book = Journal(vault.store, vault.audit)
    ref = RecordRef(connector="support", kind="ticket", id="9")
    book.intend("sweep:p1:2", ref, "delete", {})
    # … the process is killed before the helpdesk answered …
    open_units = book.unfinished(connector="support", prefix="sweep:p1:")
    assert [e.unit for e in open_units] == ["sweep:p1:2"] and open_units[0].ref == ref
    retry = book.intend("sweep:p1:2", ref, "delete", {})
    assert retry.state == "intended" and retry.attempts == 2
    book.fail("sweep:p1:2", "FatalAPIError 422")
    assert book.get("sweep:p1:2").state == "failed"  # type: ignore[union-attr]
    assert book.unfinished(prefix="sweep:p1:")[0].state == "failed"
    assert book.intend("sweep:p1:2", ref, "delete", {}).attempts == 3
    with pytest.raises(InputError, match="unique per change"):
        book.intend("sweep:p1:2", ref, "purge", {})


def test_journal_completion_and_audit_commit_together(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Journal(vault.store, vault.audit)
    ref = RecordRef(connector="support", kind="ticket", id="9")
    book.intend("sweep:p1:3", ref, "delete", {})
    vault.audit.load_key()
    monkeypatch.setattr(AuditLog, "_mac", lambda *_a: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        book.complete("sweep:p1:3", {}, actor="sweep", audit_action="retention.delete")
    monkeypatch.undo()
    with vault.store.session(write=False) as session:
        state = session.execute(
            select(journal.c.state).where(journal.c.unit == "sweep:p1:3")
        ).scalar_one()
    assert state == "intended"  # no completion without its audit entry


def test_journal_holds_no_personal_data(vault: Vault) -> None:
    book = Journal(vault.store, vault.audit)
    ref = RecordRef(connector="support", kind="comment", id="5")
    book.intend("sweep:p1:4", ref, "redact", {"types": ["PHONE_NUMBER"]})
    with pytest.raises(ValueError):
        RecordRef(connector="support", kind="person", id="alice@example.com")


# -- locks ----------------------------------------------------------------------------------


def test_one_run_per_connector_and_stale_locks_are_taken_over(store: Store) -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    clock = [now]
    first = StoreLock(store, "sweep:support", clock=lambda: clock[0])
    first.acquire()
    second = StoreLock(store, "sweep:support", clock=lambda: clock[0])
    with pytest.raises(LockBusyError, match="already running"):
        second.acquire()
    StoreLock(store, "sweep:sales", clock=lambda: clock[0]).acquire()  # other connector: fine
    clock[0] = now + timedelta(minutes=5)
    first.heartbeat()
    clock[0] = now + timedelta(minutes=12)
    with pytest.raises(LockBusyError):
        second.acquire()  # heartbeat 7 minutes ago: still alive
    clock[0] = now + timedelta(minutes=16)
    second.acquire()  # the first run was killed: its lock is taken over
    first.release()  # releasing a lock one no longer holds does nothing
    with pytest.raises(LockBusyError):
        StoreLock(store, "sweep:support", clock=lambda: clock[0]).acquire()
    second.release()
    with hold_lock(store, "sweep:support"):
        pass
    with hold_lock(store, "sweep:support"):
        pass


def test_lock_of_a_killed_process_on_this_host_is_taken_over_at_once(store: Store) -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process that no longer exists
    dead = StoreLock(store, "sweep:support")
    dead.owner = dead.owner.split(":")[0] + f":{child.pid}:dead"
    dead.acquire()
    StoreLock(store, "sweep:support").acquire()  # no waiting for the stale period


# -- references -----------------------------------------------------------------------------


def test_record_refs_and_subjects() -> None:
    ref = RecordRef.parse("support:comment:123")
    assert (ref.connector, ref.kind, ref.id) == ("support", "comment", "123")
    assert str(ref) == "support:comment:123"
    for bad in ("support:comment", "support:mail:1", "sup port:comment:1", "a:comment:x@y"):
        with pytest.raises(InputError):
            RecordRef.parse(bad)
    subject = Subject(emails=("jane@example.com",), person_ids=(("support", "42"),))
    assert "jane" not in repr(subject) and "jane" not in str(subject)
    assert [str(r) for r in subject.person_refs()] == ["support:person:42"]


def test_bulk_walk_sees_the_same_comments_with_far_fewer_calls(home: Path) -> None:
    server = sandbox.SandboxServer(
        flavor="zendesk", seed=12, port=0, tickets=60, job_seconds=0.0
    ).start()
    try:
        store = _sqlite(home)
        bulk = _connect(server, "support")
        assert bulk.capabilities.bulk_comment_export
        walker = TicketWalker(bulk, store, stream="a", people=False)
        walked = {b.ticket.id: b for b in walker.walk(full=True)}
        bulk_calls = bulk.http.stats.requests

        class PerTicket:  # the same connector, without its bulk stream
            def __init__(self, inner: Any) -> None:
                self.inner = inner

            def __getattr__(self, name: str) -> Any:
                return getattr(self.inner, name)

            capabilities = None

        plain = _connect(server, "support")
        per_ticket = {
            b.ticket.id: b
            for b in TicketWalker(PerTicket(plain), store, stream="b", people=False).walk(  # type: ignore[arg-type]
                full=True
            )
        }
        assert walked.keys() == per_ticket.keys()
        for ticket_id, bundle in walked.items():
            other = per_ticket[ticket_id]
            assert [(c.id, c.body, c.public) for c in bundle.comments] == [
                (c.id, c.body, c.public) for c in other.comments
            ], ticket_id
        assert bulk_calls * 10 < plain.http.stats.requests  # comments: a few pages, not 1/ticket
    finally:
        server.stop()
