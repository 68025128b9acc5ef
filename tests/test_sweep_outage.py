"""A helpdesk that answers 500 for a minute in the middle of a sweep, against the sandbox.

The connector's clock is fake (its backoff sleeps advance it instantly) and drives the sandbox's
outage window, so "a minute" of retries takes no real time. What must hold: every planned item
ends journaled (done, skipped or failed with the error's code; none left in flight), the
failures are reported by code, a second apply finishes the plan without writing anything twice,
and the helpdesk ends exactly as after a sweep that met no outage. An outage while planning fails
the plan (it can never be applied) with an error that names the call, not the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from _cli_helpdesk import sandbox_connector
from gdprguard._exceptions import InputError, RetriableAPIError
from gdprguard.connectors.testing import FakeClock
from gdprguard.policy import parse_policy
from gdprguard.store import Store, plans
from gdprguard.sweep import SweepEngine
from gdprguard.sweep.decide import policy_decider
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POLICY = """
version: 1
name: contact-details
rules:
  - name: redact-contact-details
    when: {kind: comment, entities: [EMAIL_ADDRESS, PHONE_NUMBER]}
    action: redact
    entities: [EMAIL_ADDRESS, PHONE_NUMBER]
    keep_original_for: 30d
  - name: delete-spam
    when: {kind: ticket, tags: {any: [spam]}, status: [new, open, pending, solved, closed]}
    action: delete
"""


class OutageAfter:
    """Wraps a connector: after *writes* successful helpdesk writes, the helpdesk goes down."""

    def __init__(self, inner: Any, server: Any, writes: int, seconds: float) -> None:
        self.inner, self.server = inner, server
        self.left, self.seconds = writes, seconds
        self.writes: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _wrote(self, key: str) -> None:
        self.writes[key] = self.writes.get(key, 0) + 1
        self.left -= 1
        if self.left == 0:
            self.server.outage(self.seconds)

    def redact_comment(self, comment: Any, targets: Any) -> Any:
        result = self.inner.redact_comment(comment, targets)
        if result.redacted:
            self._wrote(f"comment:{comment.id}")
        return result

    def delete_ticket(self, ticket_id: str, *, permanent: bool = False) -> Any:
        result = self.inner.delete_ticket(ticket_id, permanent=permanent)
        if result.outcome == "deleted":
            self._wrote(f"ticket:{ticket_id}")
        return result


def _server(flavor: str) -> Any:
    return sandbox.SandboxServer(flavor=flavor, seed=7, port=0, tickets=30, job_seconds=0.0).start()


@pytest.fixture(params=["zendesk", "freshdesk"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pair(flavor: str) -> Iterator[tuple[Any, Any]]:
    """Two identical helpdesks: one meets the outage, the other is the reference."""
    first, second = _server(flavor), _server(flavor)
    yield first, second
    first.stop()
    second.stop()


def _vault(home: Path, name: str) -> Vault:
    where = home / name
    where.mkdir()
    return Vault(
        Store(f"sqlite:///{where / 'store.db'}"),
        FileKeyProvider(where / "master.key"),
        checkpoint_dir=where,
    )


def _connector(server: Any, clock: FakeClock) -> Any:
    return sandbox_connector(server, clock=clock)


def _engine(vault: Vault, connector: Any) -> SweepEngine:
    policy = parse_policy(POLICY, source="contact-details.yaml")
    return SweepEngine(
        vault,
        {"support": connector},
        policy_decider(policy, {"support": connector.capabilities}),
        policy_name="contact-details.yaml",
        policy_sha256="0" * 64,
        clock=lambda: NOW,
    )


def _state(server: Any) -> list[tuple[Any, ...]]:
    """What is left where: every planted value with the places it still is."""
    return sorted(
        (
            p["ticket_id"],
            str(p["comment_id"]),
            p["field"],
            p["value"],
            tuple(p["places"]),
            p["deleted"],
        )
        for p in server.ground_truth()["planted"]
    )


def test_a_minute_of_500s_mid_apply_ends_journaled_and_a_rerun_converges(
    pair: tuple[Any, Any], home: Path
) -> None:
    hit, reference = pair
    # the reference: the same sweep without an outage
    with _vault(home, "ref.db") as ref_vault:
        ref_engine = _engine(ref_vault, _connector(reference, FakeClock()))
        ref_report = ref_engine.apply(ref_engine.plan().plan_id)
    assert ref_report.failed == 0 and ref_report.done > 4

    clock = FakeClock()
    hit.limiter.clock = clock.monotonic  # the outage window runs on the client's (fake) time
    # A minute and four seconds: one request's eight attempts wait at most 63.5 s (backoff 0.5 s
    # doubling, with jitter), so at least one item surely fails and later ones ride it out.
    connector = OutageAfter(_connector(hit, clock), hit, writes=3, seconds=64.0)
    with _vault(home, "hit.db") as vault:
        engine = _engine(vault, connector)
        summary = engine.plan()
        first = engine.apply(summary.plan_id)
        assert hit.outage_answers > 0, "the outage happened"
        # every item is accounted for; the failed ones by their error code, none in flight
        assert first.done + first.skipped + first.failed == summary.actions
        assert first.failed >= 1 and first.status == "applied-with-failures"
        assert set(first.failures) == {"RetriableAPIError 500"}
        open_units = engine.journal.unfinished(prefix=f"sweep:{summary.plan_id}:")
        assert [e.state for e in open_units] == ["failed"] * first.failed
        # the retries waited the minute out on the client's clock, not on a real one
        assert sum(clock.sleeps) >= 30.0
        second = engine.apply(summary.plan_id)
        assert second.status == "applied" and second.failed == 0
        assert vault.audit.verify().ok
    assert all(count == 1 for count in connector.writes.values()), connector.writes
    assert _state(hit) == _state(reference)


def test_an_outage_while_planning_fails_the_plan_with_a_clear_error(
    flavor: str, home: Path
) -> None:
    server = _server(flavor)
    try:
        clock = FakeClock()
        server.limiter.clock = clock.monotonic
        server.outage(3600.0)  # longer than any retry budget
        with _vault(home, "plan.db") as vault:
            engine = _engine(vault, _connector(server, clock))
            with pytest.raises(RetriableAPIError) as caught:
                engine.plan()
            message = str(caught.value)
            assert "500" in message and "GET " in message and "?" not in message
            with vault.store.session(write=False) as session:
                [(plan_id, status)] = session.execute(
                    plans.select().with_only_columns(plans.c.plan_id, plans.c.status)
                ).all()
            assert status == "failed"
            with pytest.raises(InputError, match="incomplete: its walk over the helpdesk failed"):
                engine.apply(plan_id)
        assert server.ground_truth()["writes"] == {}
    finally:
        server.stop()
