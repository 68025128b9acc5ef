"""`gdprguard status`, the Monday-morning command: 0 when healthy, 1 when something needs
attention (an overdue request, failed plan items, an interrupted plan), 2 without a home; on
SQLite and PostgreSQL, with real sweeps against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gdprguard._config import ConnectorConfig, load_settings
from gdprguard._exceptions import RetriableAPIError
from gdprguard.cli.main import main
from gdprguard.connectors import build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.detect import Finding
from gdprguard.pipeline import TicketBundle
from gdprguard.sweep import ActionSpec, SweepEngine, TicketPlan
from gdprguard.vault import Vault

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

EMAIL = "status.subject@example.com"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _status(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, err = _run(capsys, "status", "--json")
    assert code in (0, 1), err
    return code, json.loads(out)


def _received(days_ago: int) -> str:
    return f"{datetime.now(UTC) - timedelta(days=days_ago):%Y-%m-%d}"


def test_without_a_home_it_says_run_init_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GDPRGUARD_HOME", raising=False)
    code, out, err = _run(capsys, "status")
    assert code == 2 and out == ""
    assert "run `gdprguard init`" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_healthy_home_exits_0(store_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _status(capsys)
    assert code == 0 and report["healthy"] is True and report["attention"] == []
    assert report["sweeps"] == [] and report["erasures"] == [] and report["requests"] == []
    assert report["keys"]["primary_kek_id"].startswith("local:")
    assert report["keys"]["unavailable"] == [] and isinstance(report["audit_entries"], int)
    code, out, _ = _run(capsys, "status")
    assert code == 0 and ": OK" in out.splitlines()[0]
    assert "Retention sweeps: none yet" in out and "Open data-subject requests: none" in out


def test_an_overdue_request_exits_1_and_is_flagged(
    store_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = ("dsar", "register", "--kind", "access", "--email", EMAIL, "--received")
    code, _, err = _run(capsys, *register, _received(26))
    assert code == 0, err
    code, report = _status(capsys)  # due within a week: reported, not failing
    assert code == 0 and report["requests"][0]["flags"][0] == "due-soon"
    assert any("is due" in note for note in report["notes"])
    code, out, err = _run(capsys, *register, _received(40))
    assert code == 0, err
    overdue_id = out.split(":")[0]
    code, report = _status(capsys)
    assert code == 1 and report["healthy"] is False
    flagged = {r["request_id"]: r["flags"] for r in report["requests"]}
    assert "overdue" in flagged[overdue_id]
    assert [line for line in report["attention"] if overdue_id in line and "overdue" in line]
    code, out, err = _run(capsys, "status")
    assert code == 1 and "NEEDS ATTENTION (1)" in out and overdue_id in out
    assert EMAIL not in out + err  # ids, dates and flags only


class FailingWrites:
    """The helpdesk answers 503 to every redaction (reads work)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def redact_comment(self, comment: Any, targets: Any) -> Any:
        raise RetriableAPIError("service unavailable", status=503)


class DownAfterPlanning:
    """The apply is interrupted at its first ticket read (Ctrl-C, or the machine going down)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def get_ticket(self, ticket_id: str) -> Any:
        raise KeyboardInterrupt


def _redact_emails(bundle: TicketBundle, findings: dict[str, list[Finding]], now: datetime
                   ) -> TicketPlan:  # fmt: skip
    actions = [
        ActionSpec(
            action="redact",
            target=str(bundle.comment_ref(c)),
            ticket_id=bundle.ticket.id,
            rule="emails",
            entity_types=["EMAIL_ADDRESS"],
        )
        for c in bundle.comments
        if c.redactable and any(f.type == "EMAIL_ADDRESS" for f in findings.get(c.id, []))
    ]
    return TicketPlan(ticket_id=bundle.ticket.id, actions=actions)


@pytest.fixture
def helpdesk() -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor="zendesk", seed=5, port=0, tickets=12, job_seconds=0.0
    ).start()
    yield server
    server.stop()


def _engine(vault: Vault, connector: Any) -> SweepEngine:
    return SweepEngine(
        vault, {"support": connector}, _redact_emails, policy_name="emails.yaml",
        policy_sha256="0" * 64,
    )  # fmt: skip


def test_failed_and_interrupted_plans_exit_1_until_a_later_run_succeeds(
    store_config: Path, helpdesk: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = helpdesk.credentials
    config = ConnectorConfig(
        type="zendesk", url=creds["url"], email=creds["email"], token=creds["token"]
    )
    connector = build_connector("support", config, clock=FakeClock())
    with Vault.from_settings(load_settings()) as vault:
        failing = _engine(vault, FailingWrites(connector))
        plan = failing.plan()
        assert plan.actions > 0
        report = failing.apply(plan.plan_id)
        assert report.failed == plan.actions
    code, status = _status(capsys)
    assert code == 1
    [sweep] = status["sweeps"]
    assert sweep["plan_id"] == plan.plan_id and sweep["status"] == "applied-with-failures"
    assert sweep["items"] == {"failed": plan.actions} and "item(s) failed" in sweep["attention"]
    assert status["journal"]["failed"] == plan.actions
    assert f"gdprguard sweep --apply --plan {plan.plan_id}" in status["attention"][0]
    # An apply that stops in the middle (interrupted) is reported as interrupted.
    with Vault.from_settings(load_settings()) as vault:
        stopping = _engine(vault, DownAfterPlanning(connector))
        second = stopping.plan()
        with pytest.raises(KeyboardInterrupt):
            stopping.apply(second.plan_id)
    code, status = _status(capsys)
    latest = status["sweeps"][0]
    assert code == 1 and latest["status"] == "applying" and latest["running"] is False
    assert "interrupted while applying" in latest["attention"]
    # Finishing it with a working helpdesk clears both: the newer plan redid the failed work.
    with Vault.from_settings(load_settings()) as vault:
        finished = _engine(vault, connector).apply(second.plan_id)
        assert finished.status == "applied" and finished.failed == 0
    code, status = _status(capsys)
    assert code == 0, status["attention"]
    assert [s["status"] for s in status["sweeps"]] == ["applied", "applied-with-failures"]
    code, out, _ = _run(capsys, "status")
    assert code == 0 and plan.plan_id in out and second.plan_id in out
    connector.close()
