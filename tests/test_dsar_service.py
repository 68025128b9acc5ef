"""The DSAR service against the sandbox with an injected clock: a helpdesk going down in the
middle, mentions with other people's data withheld, and sealed originals of other people
re-sealed without the subject's data."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.detect import Finding
from gdprguard.dsar.models import Identifier
from gdprguard.dsar.service import DsarService, IncompleteSearchError
from gdprguard.pipeline import TicketBundle
from gdprguard.store import Store
from gdprguard.sweep import ActionSpec, SweepEngine, TicketPlan
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
#: a small seeded helpdesk with a person CC'd on, and named in, someone else's ticket
SEED, TICKETS = 19, 12


@pytest.fixture
def server() -> Iterator[Any]:
    instance = sandbox.SandboxServer(
        flavor="zendesk", seed=SEED, port=0, tickets=TICKETS, job_seconds=0.0
    ).start()
    yield instance
    instance.stop()


@pytest.fixture
def vault(home: Path) -> Iterator[Vault]:
    instance = Vault(Store(f"sqlite:///{home / 'dsar.db'}"), FileKeyProvider(home / "master.key"))
    instance.initialise()
    yield instance
    instance.close()


def _connector(server: Any) -> Any:
    creds = server.credentials
    config = ConnectorConfig(
        type="zendesk", url=creds["url"], email=creds["email"], token=creds["token"]
    )
    return build_connector("support", config, clock=FakeClock())


def _cc_subject(truth: dict[str, Any]) -> dict[str, Any]:
    """A person copied on someone else's ticket whose comment names them."""
    for person in truth["people"]:
        cc = set(person.get("cc", []))
        named = {p["ticket_id"] for p in truth["planted"] if p.get("person_id") == person["id"]}
        if cc & named and person.get("email"):
            return person
    raise AssertionError("the seeded data has no CC'd person named in a comment")


class StoppingConnector:
    """Lets *calls* ticket reads through, then the helpdesk goes down."""

    def __init__(self, inner: Any, server: Any, calls: int) -> None:
        self._inner, self._server, self._left = inner, server, calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_ticket(self, ticket_id: str) -> Any:
        self._left -= 1
        if self._left < 0:
            self._server.stop()
        return self._inner.get_ticket(ticket_id)


def test_a_helpdesk_down_in_the_middle_writes_nothing_and_is_recorded(
    server: Any, vault: Vault, tmp_path: Path
) -> None:
    truth = server.ground_truth()
    person = max(truth["people"], key=lambda p: len(p.get("requested", [])))
    connector = StoppingConnector(_connector(server), server, calls=2)
    service = DsarService(vault, {"support": connector}, clock=lambda: NOW)
    record = service.request_for("access", [Identifier(kind="email", value=person["email"])])
    out = tmp_path / "export.zip"
    with pytest.raises(IncompleteSearchError, match="dsar retry") as caught:
        service.export(record.request_id, out)
    assert person["email"] not in str(caught.value)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    after = service.register.get(record.request_id)
    assert after.status == "failed" and after.last_error
    assert after.last_error.startswith("connector-")


def test_mentions_in_other_tickets_withhold_everyone_elses_data(
    server: Any, vault: Vault, tmp_path: Path
) -> None:
    truth = server.ground_truth()
    person = _cc_subject(truth)
    service = DsarService(vault, {"support": _connector(server)}, clock=lambda: NOW)
    record = service.request_for("access", [Identifier(kind="email", value=person["email"])])
    out = tmp_path / "export.zip"
    outcome = service.export(record.request_id, out)
    assert outcome.status == "exported"
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("data.json"))
    theirs = {p["value"] for p in truth["planted"] if p.get("person_id") == person["id"]}
    others = {
        (p["ticket_id"], p["comment_id"], p["value"])
        for p in truth["planted"]
        if p.get("person_id") not in (None, person["id"]) and len(p["value"]) > 5
    }
    mention_tickets = [t for t in data["tickets"] if t["scope"] == "mentions"]
    for ticket in mention_tickets:
        for comment in ticket["comments"]:
            leaked = [
                v for (tid, cid, v) in others
                if str(tid) == ticket["id"] and str(cid) == comment["id"] and v in comment["body"]
                and v not in theirs
            ]  # fmt: skip
            assert leaked == [], (ticket["id"], comment["id"])
    full = [t for t in data["tickets"] if t["scope"] == "full"]
    assert any(v in c["body"] for t in full for c in t["comments"] for v in theirs)


def _seal_everything(bundle: TicketBundle, findings: dict[str, list[Finding]], now: datetime
                     ) -> TicketPlan:  # fmt: skip
    """A sweep that redacts e-mail addresses and keeps the originals sealed for 30 days."""
    actions = [
        ActionSpec(
            action="redact",
            target=str(bundle.comment_ref(c)),
            ticket_id=bundle.ticket.id,
            rule="emails",
            entity_types=["EMAIL_ADDRESS"],
            keep_original_days=30,
        )
        for c in bundle.comments
        if any(f.type == "EMAIL_ADDRESS" for f in findings.get(c.id, []))
    ]
    return TicketPlan(ticket_id=bundle.ticket.id, actions=actions)


def test_sealed_originals_of_other_people_lose_the_subjects_data(server: Any, vault: Vault) -> None:
    truth = server.ground_truth()
    person = _cc_subject(truth)
    connectors = {"support": _connector(server)}
    sweep = SweepEngine(
        vault, connectors, _seal_everything, policy_name="t", policy_sha256="0" * 64,
        clock=lambda: NOW,
    )  # fmt: skip
    sweep.apply(sweep.plan().plan_id)
    [(ticket_id, comment_id)] = [
        (p["ticket_id"], p["comment_id"])
        for p in truth["planted"]
        if p.get("person_id") == person["id"] and p["ticket_id"] in person["cc"]
        and p["type"] == "EMAIL_ADDRESS"
    ][:1]  # fmt: skip
    record_id = f"original:support:comment:{comment_id}"
    before = vault.open(record_id).decode()
    assert person["email"] in before
    with server.state.lock:
        for ticket in server.state.data.tickets.values():
            if ticket.requester_id == person["id"]:
                ticket.status = "solved"
    service = DsarService(vault, connectors, clock=lambda: NOW)
    record = service.request_for("erasure", [Identifier(kind="email", value=person["email"])])
    plan = service.plan_erasure(record.request_id)
    assert plan.actions.get("reseal_original", 0) >= 1
    outcome = service.apply_erasure(plan.plan_id)
    assert outcome.status == "completed", outcome
    after = vault.open(record_id).decode()  # still opens: it is the requester's record
    assert person["email"] not in after and person["name"] not in after
    assert ticket_id in person["cc"]


def test_attachments_are_exported_with_their_checksums(
    server: Any, vault: Vault, tmp_path: Path
) -> None:
    import hashlib

    truth = server.ground_truth()
    with_files = {p["ticket_id"] for p in truth["planted"] if p["field"].startswith("attachments.")}
    person = next(
        p for p in truth["people"] if p.get("email") and with_files & set(p.get("requested", []))
    )
    service = DsarService(vault, {"support": _connector(server)}, clock=lambda: NOW)
    record = service.request_for("access", [Identifier(kind="email", value=person["email"])])
    out = tmp_path / "export.zip"
    outcome = service.export(record.request_id, out, attachments=True)
    assert outcome.attachments >= 1
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("data.json"))
        files = [
            a for t in data["tickets"] for c in t["comments"] for a in c["attachments"] if a["path"]
        ]
        assert len(files) == outcome.attachments
        for attachment in files:
            content = archive.read(attachment["path"])
            assert hashlib.sha256(content).hexdigest() == attachment["sha256"]


def test_a_ticket_gone_between_index_and_read_is_a_problem_not_a_failure(
    server: Any, vault: Vault, tmp_path: Path
) -> None:
    truth = server.ground_truth()
    person = max(truth["people"], key=lambda p: len(p.get("requested", [])))
    service = DsarService(vault, {"support": _connector(server)}, clock=lambda: NOW)
    identifiers = [Identifier(kind="email", value=person["email"])]
    service.locator().locate(identifiers)  # builds the index
    gone = person["requested"][0]
    with server.state.lock:  # purged behind gdprguard's back, with no change event to read
        del server.state.data.tickets[gone]
    record = service.request_for("access", identifiers)
    outcome = service.export(record.request_id, tmp_path / "export.zip", allow_partial=False)
    assert outcome.status == "exported"
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        data = json.loads(archive.read("data.json"))
    assert {"connector": "support", "record": f"support:ticket:{gone}", "code": "not-found"} in (
        data["problems"]
    )
    assert str(gone) not in {t["id"] for t in data["tickets"]}


def test_an_erasure_purges_the_subjects_ticket_a_sweep_left_in_the_trash(
    server: Any, vault: Vault
) -> None:
    truth = server.ground_truth()
    person = max(truth["people"], key=lambda p: len(p.get("requested", [])))
    with server.state.lock:  # nothing of theirs is still open: the erasure may go ahead
        for ticket in server.state.data.tickets.values():
            if ticket.requester_id == person["id"]:
                ticket.status = "closed"
    connector = _connector(server)
    service = DsarService(vault, {"support": connector}, clock=lambda: NOW)
    identifiers = [Identifier(kind="email", value=person["email"])]
    service.locator().locate(identifiers)  # builds the index
    trashed = str(person["requested"][0])
    connector.delete_ticket(trashed)  # soft: Zendesk keeps it in its trash for 30 days
    with server.state.lock:
        assert server.state.data.tickets[int(trashed)].deleted_at is not None

    record = service.request_for("erasure", identifiers)
    plan = service.plan_erasure(record.request_id)
    assert plan.actions.get("purge", 0) >= 1
    outcome = service.apply_erasure(plan.plan_id)

    assert outcome.status == "completed"
    with server.state.lock:  # purged from the trash, not left there for the helpdesk's 30 days
        assert int(trashed) not in server.state.data.tickets
    again = service.locator().locate(identifiers)
    assert not again.trashed and not any(p.record.endswith(f":{trashed}") for p in again.problems)
