"""The register of data-subject requests: deadlines, extensions, flags, sealed identifiers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gdprguard._exceptions import InputError
from gdprguard.dsar.models import Identifier
from gdprguard.dsar.register import DsarRegister, add_months
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

EMAIL = Identifier(kind="email", value="hanako.sato@example.jp")
PHONE = Identifier(kind="phone", value="090-1234-5678")
RECEIVED = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


@pytest.fixture
def vault(store_url: str, home: Path) -> Iterator[Vault]:
    instance = Vault(Store(store_url), FileKeyProvider(home / "master.key"))
    instance.initialise()
    yield instance
    instance.close()


def test_due_dates_follow_calendar_months() -> None:
    assert add_months(RECEIVED, 1) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert add_months(RECEIVED, 3) == datetime(2026, 4, 30, 9, 0, tzinfo=UTC)
    assert add_months(datetime(2026, 12, 15, tzinfo=UTC), 1) == datetime(2027, 1, 15, tzinfo=UTC)


def test_a_request_is_due_in_a_month_and_extends_by_two_at_most(vault: Vault) -> None:
    register = DsarRegister(vault, clock=lambda: RECEIVED)
    record = register.create("access", [EMAIL], received_at=RECEIVED)
    assert record.status == "open" and record.due_at == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert "verification-not-recorded" in record.flags(RECEIVED)
    with pytest.raises(InputError, match="reason"):
        register.extend(record.request_id, 1, "  ")
    with pytest.raises(InputError, match="1 or 2"):
        register.extend(record.request_id, 3, "complex")
    extended = register.extend(record.request_id, 1, "requests across three helpdesks")
    assert extended.due_at == datetime(2026, 3, 31, 9, tzinfo=UTC)
    extended = register.extend(record.request_id, 1, "a second helpdesk was down")
    assert extended.extended_months == 2
    with pytest.raises(InputError, match="two in all"):
        register.extend(record.request_id, 1, "again")
    details = register.details(record.request_id)
    assert details is not None and len(details.notes) == 2
    events = [e["event"] for e in register.history(record.request_id)]
    assert events == ["registered", "extended", "extended"]


def test_flags_due_soon_overdue_and_failed_runs(vault: Vault) -> None:
    now = [RECEIVED]
    register = DsarRegister(vault, clock=lambda: now[0])
    record = register.create("erasure", [EMAIL], verification="ID card checked")
    assert record.flags(now[0]) == []
    now[0] = record.due_at - timedelta(days=3)
    assert register.get(record.request_id).flags(now[0]) == ["due-soon"]
    register.set_status(record.request_id, "failed", event="run-failed", error="HelpdeskError")
    assert register.get(record.request_id).flags(now[0]) == ["due-soon", "last-run-failed"]
    now[0] = record.due_at + timedelta(days=1)
    assert "overdue" in register.get(record.request_id).flags(now[0])
    soon = register.requests(due_within=timedelta(days=7))
    assert [r.request_id for r in soon] == [record.request_id]
    register.set_status(record.request_id, "completed", event="erasure-completed")
    assert register.requests() == []
    assert [r.request_id for r in register.requests(include_closed=True)] == [record.request_id]


def test_identifiers_are_sealed_and_only_hashes_survive_an_erasure(
    vault: Vault, home: Path, store_url: str
) -> None:
    register = DsarRegister(vault, clock=lambda: RECEIVED)
    record = register.create("erasure", [EMAIL, PHONE], verification="passport no. seen")
    assert register.find_open("erasure", [PHONE, EMAIL]) == record
    assert register.find_open("access", [EMAIL, PHONE]) is None
    assert register.find_open("erasure", [EMAIL]) is None
    assert register.add_derived(record.request_id, [Identifier(kind="name", value="佐藤 花子")])
    details = register.details(record.request_id)
    assert details is not None and details.identifiers == [EMAIL, PHONE]
    assert [d.value for d in details.derived] == ["佐藤 花子"]
    digests = register.digests(record.request_id)
    assert set(digests) == {"email", "phone", "name"}
    if store_url.startswith("sqlite"):
        data = (home / "gdprguard.db").read_bytes()
        for clear in (b"hanako.sato", b"1234-5678", "佐藤".encode(), b"passport"):
            assert clear not in data
    assert register.forget_identifiers(record.request_id)
    assert register.details(record.request_id) is None
    assert register.digests(record.request_id) == digests  # a re-search still runs
    assert not register.get(record.request_id).identifiers_sealed
    assert register.get(record.request_id).verification_recorded
    # notes stay (sealed), and a later extension still records its reason
    register.extend(record.request_id, 1, "erasure still in progress at the second helpdesk")


def test_an_unknown_request_says_where_to_look(vault: Vault) -> None:
    with pytest.raises(InputError, match="dsar list"):
        DsarRegister(vault).get("req-20260101-000000")
