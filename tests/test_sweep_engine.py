"""The sweep engine against the sandbox over real HTTP: plan, apply, re-apply, crash and resume.

The decision function here is a small fixed rule set written for the test (redact e-mail
addresses and phone numbers everywhere, keep originals for 30 days, delete tickets tagged
``spam``), so these tests exercise the engine itself; the policy language has its own tests and
end-to-end sweeps with the shipped policies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.detect import Finding
from gdprguard.pipeline import LockBusyError, StoreLock, TicketBundle
from gdprguard.store import Store
from gdprguard.sweep import ActionSpec, SweepEngine, TicketPlan
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

TYPES = ["EMAIL_ADDRESS", "PHONE_NUMBER"]
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def decide(bundle: TicketBundle, findings: dict[str, list[Finding]], now: datetime) -> TicketPlan:
    """Redact e-mails and phones in every comment that has one; delete tickets tagged spam."""
    if "legal-hold" in bundle.ticket.tags:
        return TicketPlan(ticket_id=bundle.ticket.id, held="tag:legal-hold")
    actions = [
        ActionSpec(
            action="redact",
            target=str(bundle.comment_ref(c)),
            ticket_id=bundle.ticket.id,
            rule="contact-details",
            entity_types=TYPES,
            keep_original_days=30,
        )
        for c in bundle.comments
        if any(f.type in TYPES for f in findings.get(c.id, [])) and c.redactable
    ]
    if "spam" in bundle.ticket.tags and not bundle.ticket.deleted:
        actions.append(
            ActionSpec(
                action="delete",
                target=str(bundle.ref),
                ticket_id=bundle.ticket.id,
                rule="spam",
            )
        )
    return TicketPlan(ticket_id=bundle.ticket.id, actions=actions)


@pytest.fixture(params=["zendesk", "freshdesk"])
def helpdesk(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor=request.param, seed=5, port=0, tickets=24, job_seconds=0.0
    ).start()
    yield server
    server.stop()


def _connector(server: Any, name: str = "support") -> Any:
    creds = server.credentials
    if server.config.flavor == "zendesk":
        email, token = creds["email"], creds["token"]
    else:
        email, token = None, creds["api_key"]
    config = ConnectorConfig(type=server.config.flavor, url=creds["url"], email=email, token=token)
    return build_connector(name, config, clock=FakeClock())


@pytest.fixture
def vault(home: Path) -> Iterator[Vault]:
    instance = Vault(Store(f"sqlite:///{home / 'sweep.db'}"), FileKeyProvider(home / "master.key"))
    yield instance
    instance.close()


def _engine(vault: Vault, server: Any, clock: list[datetime] | None = None) -> SweepEngine:
    moment = clock or [NOW]
    return SweepEngine(
        vault,
        {"support": _connector(server)},
        decide,
        policy_name="test-rules",
        policy_sha256="0" * 64,
        clock=lambda: moment[0],
    )


def _left(server: Any, types: list[str]) -> list[dict[str, Any]]:
    truth = server.ground_truth()
    return [p for p in truth["planted"] if p["type"] in types and p["comment_id"] is not None
            and p["field"] in ("body", "description")]  # fmt: skip


class CountingConnector:
    """Wraps a connector and counts the writes that reach the helpdesk, per record."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.writes: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def redact_comment(self, comment: Any, targets: Any) -> Any:
        result = self.inner.redact_comment(comment, targets)
        if result.redacted:
            key = f"comment:{comment.id}"
            self.writes[key] = self.writes.get(key, 0) + 1
        return result

    def delete_ticket(self, ticket_id: str, *, permanent: bool = False) -> Any:
        result = self.inner.delete_ticket(ticket_id, permanent=permanent)
        if result.outcome == "deleted":
            key = f"ticket:{ticket_id}"
            self.writes[key] = self.writes.get(key, 0) + 1
        return result


def test_plan_then_apply_removes_what_the_rules_target(helpdesk: Any, vault: Vault) -> None:
    assert _left(helpdesk, TYPES), "the sandbox plants e-mails and phones in comments"
    engine = _engine(vault, helpdesk)
    summary = engine.plan()
    assert summary.tickets >= 24 and summary.actions > 0
    assert summary.per_rule["contact-details"]["redact"] > 0
    untouched_before = {
        p["value"] for p in helpdesk.ground_truth()["planted"] if p["type"] not in TYPES
    }
    report = engine.apply(summary.plan_id)
    assert report.status == "applied" and report.failed == 0
    assert report.done + report.skipped == summary.actions
    leftovers = [p for p in _left(helpdesk, TYPES) if not p["deleted"]]
    if helpdesk.config.flavor == "freshdesk":  # replies cannot be edited: skipped, counted
        assert report.skipped_reasons.get("not-redactable", 0) >= 0
    else:
        assert leftovers == []
    untouched_after = {
        p["value"] for p in helpdesk.ground_truth()["planted"] if p["type"] not in TYPES
    }
    assert untouched_after == untouched_before  # other types were left alone
    # the originals are sealed under the requester's key, and expire
    originals = [e for e in vault.audit.entries() if e.action == "retention.redact"]
    assert originals and vault.audit.verify().ok
    # A second sweep over the same helpdesk changes nothing.
    again = engine.plan()
    second = engine.apply(again.plan_id)
    assert second.failed == 0
    changed = sum(
        counts.get("done", 0)
        for per_action in second.per_rule.values()
        for counts in per_action.values()
    )
    assert changed == second.done
    assert second.done == second.unchanged  # every action found its work already done


def test_apply_is_resumable_after_a_crash_and_never_writes_twice(
    helpdesk: Any, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(vault, helpdesk)
    counting = CountingConnector(engine.connectors["support"])
    engine.connectors["support"] = counting
    summary = engine.plan()
    assert summary.actions >= 4
    import gdprguard.sweep.engine as engine_module

    calls = {"n": 0}
    real_execute = engine_module.execute

    def dies_after_three(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        outcome = real_execute(*args, **kwargs)
        if calls["n"] == 3:
            raise KeyboardInterrupt  # killed right after the helpdesk call, before "done"
        return outcome

    monkeypatch.setattr(engine_module, "execute", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        engine.apply(summary.plan_id)
    monkeypatch.setattr(engine_module, "execute", real_execute)
    StoreLock(vault.store, "sweep:support").acquire()  # an interrupt releases the lock…
    with pytest.raises(LockBusyError):  # … and a run holding it keeps others out
        engine.apply(summary.plan_id)
    from gdprguard.store import locks

    with vault.store.session() as session:
        session.execute(locks.delete())
    report = engine.apply(summary.plan_id)
    assert report.status == "applied" and report.resumed == 1
    assert all(count == 1 for count in counting.writes.values()), counting.writes
    assert report.unchanged >= 1  # the interrupted unit found its change already made
    if helpdesk.config.flavor == "zendesk":
        assert [p for p in _left(helpdesk, TYPES) if not p["deleted"]] == []
    assert engine.apply(summary.plan_id).status == "applied"  # nothing left to do


def test_a_record_changed_since_planning_is_decided_again(helpdesk: Any, vault: Vault) -> None:
    engine = _engine(vault, helpdesk)
    summary = engine.plan()
    # Someone removes the personal data by hand between plan and apply.
    from gdprguard.store import plan_items

    with vault.store.session(write=False) as session:
        planned = {
            target.rsplit(":", 1)[1]
            for target in session.execute(
                plan_items.select().with_only_columns(plan_items.c.target)
            ).scalars()
        }
    target = next(
        p
        for p in _left(helpdesk, TYPES)
        if p["field"] == "body" and str(p["comment_id"]) in planned
    )
    with helpdesk.state.lock:
        comment = helpdesk.state.data.comments[int(target["comment_id"])]
        helpdesk.state.redact_text(comment, target["value"])
    report = engine.apply(summary.plan_id)
    assert report.failed == 0
    assert report.replanned == 1


def test_sealed_originals_expire_on_a_later_sweep(helpdesk: Any, vault: Vault) -> None:
    clock = [NOW]
    engine = _engine(vault, helpdesk, clock)
    first = engine.apply(engine.plan().plan_id)
    assert first.done > 0
    sealed = vault.status().sealed_records
    if helpdesk.config.flavor == "zendesk":
        assert sealed > 0
    clock[0] = NOW + timedelta(days=31)
    later = engine.apply(engine.plan().plan_id)
    assert later.originals_expired == sealed
    assert vault.status().sealed_records == 0
