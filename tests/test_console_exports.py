"""Exports waiting for download in the console: deleted after ``export_ttl_hours`` (on start
and periodically), or by an officer once sent; both audited."""

from __future__ import annotations

import queue
from typing import Any

from _console_helpers import OFFICER, Clock, csrf_of, sign_in
from gdprguard.console import Console
from gdprguard.dsar.models import Identifier
from gdprguard.dsar.register import DsarRegister

pytest_plugins = ["_store_fixtures", "_console_fixtures"]


def _access_request(console: Console) -> str:
    register = DsarRegister(console.vault, clock=console.clock)
    record = register.create("access", [Identifier(kind="email", value="kenji.sato@example.jp")])
    return record.request_id


def _waiting_export(console: Console, request_id: str) -> None:
    path = console.export_path(request_id)
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty ZIP is enough to be deleted
    console.mark_exported(path)


def _expired(console: Console) -> list[Any]:
    return [e for e in console.vault.audit.entries() if e.action == "console.export-expire"]


def test_an_export_is_deleted_once_its_time_is_up(console: Console, clock: Clock) -> None:
    first, second = _access_request(console), _access_request(console)
    _waiting_export(console, first)
    clock.advance(hours=10)
    _waiting_export(console, second)
    clock.advance(hours=13, minutes=59)
    assert console.expire_exports() == 0
    clock.advance(minutes=1)
    assert console.expire_exports() == 1
    assert not console.export_path(first).exists() and console.export_path(second).exists()
    [entry] = _expired(console)
    assert entry.actor == "console" and entry.target_ids == [f"dsar:{first}"]
    assert entry.details == {"age_hours": 24, "ttl_hours": 24}
    clock.advance(hours=10)
    assert console.expire_exports() == 1 and not console.export_path(second).exists()


def test_the_console_deletes_expired_exports_on_start_and_periodically(
    console: Console, clock: Clock
) -> None:
    stale, fresh = _access_request(console), _access_request(console)
    _waiting_export(console, stale)
    clock.advance(hours=30)
    _waiting_export(console, fresh)
    runs: queue.Queue[bool] = queue.Queue()
    finished: queue.Queue[int] = queue.Queue()
    ticks = 0

    def tick() -> bool:  # the timer, driven by the test: no real waiting
        nonlocal ticks
        if ticks:
            finished.put(ticks)
        ticks += 1
        return runs.get(timeout=10)

    console.start_housekeeping(tick=tick)
    assert not console.export_path(stale).exists()  # on start
    assert console.export_path(fresh).exists()
    clock.advance(hours=25)
    runs.put(True)
    assert finished.get(timeout=10) == 1  # one periodic run has finished
    assert not console.export_path(fresh).exists()
    assert len(_expired(console)) == 2
    runs.put(False)
    console.jobs.stop(10)


def test_an_officer_deletes_a_downloaded_export(
    client: Any, console: Console, clock: Clock
) -> None:
    request_id = _access_request(console)
    sign_in(client, *OFFICER)
    page = client.get(f"/requests/{request_id}")
    assert "Delete the export" not in page.text
    made = client.post(f"/requests/{request_id}/export", data={"csrf_token": csrf_of(page.text)})
    assert made.status_code == 200 and "deleted automatically on" in made.text
    path = console.export_path(request_id)
    assert path.stat().st_mtime == clock().timestamp()  # dated by the console's clock
    assert client.get(f"/requests/{request_id}/export.zip").status_code == 200
    page = client.get(f"/requests/{request_id}")
    expiry = (clock() + console.export_ttl).strftime("%Y-%m-%d %H:%M UTC")
    assert "Delete the export" in page.text and f"deleted automatically on {expiry}" in page.text
    token = csrf_of(page.text)
    deleted = client.post(f"/requests/{request_id}/export/delete", data={"csrf_token": token})
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("export-deleted")
    assert not path.exists()
    assert client.get(f"/requests/{request_id}/export.zip").status_code == 404
    [entry] = [e for e in console.vault.audit.entries() if e.action == "console.export-delete"]
    assert entry.actor == "console:olivia" and entry.target_ids == [f"dsar:{request_id}"]
    again = client.post(f"/requests/{request_id}/export/delete", data={"csrf_token": token})
    assert again.headers["Location"].endswith("export-gone")
    assert "no export file left" in client.get(again.headers["Location"]).text
    assert client.post("/requests/req-20261201-abcdef/export/delete",
                       data={"csrf_token": token}).status_code == 404  # fmt: skip
    forged = client.post(f"/requests/{request_id}/export/delete", data={"csrf_token": "x"})
    assert forged.status_code == 403
