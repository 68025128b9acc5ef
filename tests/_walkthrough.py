"""Set-up shared by the tests that run the README and the guides as written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gdprguard.sandbox import SandboxServer


@pytest.fixture
def helpdesk() -> Iterator[SandboxServer]:
    """A small Zendesk sandbox whose background jobs finish at once."""
    server = SandboxServer(flavor="zendesk", seed=3, port=0, tickets=12, job_seconds=0.0).start()
    yield server
    server.stop()


def empty_folder(
    tmp_path: Path, helpdesk: SandboxServer, monkeypatch: pytest.MonkeyPatch, name: str
) -> Path:
    """A new folder, made the working directory, with no gdprguard home or configuration in
    the environment and the documented variables set for *helpdesk*."""
    workdir = tmp_path / name
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    for variable in ("GDPRGUARD_HOME", "GDPRGUARD_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("ZENDESK_TOKEN", helpdesk.credentials["token"])
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", "correct horse battery staple")
    return workdir


def subject_free_to_erase(helpdesk: SandboxServer) -> dict[str, Any]:
    """A seeded person with an e-mail who requested tickets, none of them still open (so the
    documented erasure may go ahead)."""
    person: dict[str, Any] = next(
        p for p in helpdesk.ground_truth()["people"] if p.get("email") and p.get("requested")
    )
    with helpdesk.state.lock:
        for ticket in helpdesk.state.data.tickets.values():
            if ticket.requester_id == person["id"] and ticket.status not in ("closed", "solved"):
                ticket.status = "solved"
    return person
