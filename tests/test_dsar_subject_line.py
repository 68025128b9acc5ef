"""A data subject named in the subject line of someone else's ticket: erasure masks the line.

The subject line is changed where the helpdesk allows it (open tickets on both, closed tickets on
Freshdesk); on Zendesk the plan also notes that the ticket's audits keep the earlier line, and on
a closed Zendesk ticket it notes that the line cannot be changed at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _cli_helpdesk import add_connector, run_cli, sandbox_connector
from _sandbox_time import skip_ahead

pytest_plugins = ["_store_fixtures"]

sandbox = pytest.importorskip("gdprguard.sandbox")

#: a small seeded helpdesk with open and closed tickets of people other than the subject
SEED, TICKETS = 19, 12


@pytest.fixture(params=["zendesk", "freshdesk"])
def helpdesk(request: pytest.FixtureRequest) -> Iterator[Any]:
    server = sandbox.SandboxServer(
        flavor=request.param, seed=SEED, port=0, tickets=TICKETS, job_seconds=0.0
    ).start()
    yield server
    server.stop()


def _name_in_subject_line(server: Any, person: dict[str, Any], status: str) -> str:
    """Write the person's e-mail address into the subject of someone else's ticket."""
    data = server.state.data
    other = next(
        t
        for t in data.tickets.values()
        if t.requester_id != person["id"]
        and t.status == status
        and person["id"] not in getattr(t, "cc_ids", [])
    )
    with server.state.lock:
        other.status = "open"  # writable for the API call, whatever it was
    connector = sandbox_connector(server, "probe")
    ticket = connector.get_ticket(str(other.id))
    connector.update_ticket_fields(ticket, subject=f"Complaint forwarded by {person['email']}")
    connector.close()
    with server.state.lock:
        other.status = status
    return str(other.id)


def _solve_tickets_of(server: Any, person_id: Any) -> None:
    with server.state.lock:
        for ticket in server.state.data.tickets.values():
            if ticket.requester_id == person_id and ticket.status not in ("closed", "solved"):
                ticket.status = "solved"


def _person(server: Any) -> dict[str, Any]:
    people = [p for p in server.ground_truth()["people"] if p.get("email") and p.get("requested")]
    return people[0]


def test_erasure_masks_the_subject_in_another_ticket_s_subject_line(
    store_config: Path,
    helpdesk: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_connector(store_config, helpdesk, monkeypatch)
    person = _person(helpdesk)
    ticket_id = _name_in_subject_line(helpdesk, person, "open")
    _solve_tickets_of(helpdesk, person["id"])
    skip_ahead(helpdesk, 120)  # past the exports' last-minute window
    code, stdout, err = run_cli(capsys, "dsar", "erase", "--email", person["email"], "--json")
    assert code == 0, err
    plan = json.loads(stdout)
    assert plan["actions"].get("redact_subject_line") == 1
    zendesk = helpdesk.config.flavor == "zendesk"
    assert ("ticket-subject-line-kept-in-history" in plan["notes"]) == zendesk
    code, stdout, err = run_cli(
        capsys, "dsar", "erase", "--apply", "--plan", plan["plan_id"], "--json"
    )
    outcome = json.loads(stdout)
    # "incomplete" only for what the plan said no API can change (a Freshdesk reply naming them)
    unchangeable = {"comment-not-redactable", "ticket-subject-line-unchangeable"}
    assert outcome["status"] == "completed" or unchangeable & set(plan["notes"]), outcome
    assert code == (0 if outcome["status"] == "completed" else 1), err
    line = helpdesk.state.data.tickets[int(ticket_id)].subject
    assert person["email"] not in line and line.startswith("Complaint forwarded by ")


def test_a_closed_zendesk_ticket_s_subject_line_is_noted_not_attempted(
    store_config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sandbox.SandboxServer(
        flavor="zendesk", seed=SEED, port=0, tickets=TICKETS, job_seconds=0.0
    ) as server:
        add_connector(store_config, server, monkeypatch)
        person = _person(server)
        _name_in_subject_line(server, person, "closed")
        _solve_tickets_of(server, person["id"])
        skip_ahead(server, 120)
        code, stdout, err = run_cli(capsys, "dsar", "erase", "--email", person["email"], "--json")
        assert code == 0, err
        plan = json.loads(stdout)
        assert "redact_subject_line" not in plan["actions"]
        assert plan["notes"].get("ticket-subject-line-unchangeable") == 1
