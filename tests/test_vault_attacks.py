"""Attacks on the vault and audit log, each reproduced as an attacker would run it.

Raw SQL on the database with the guard triggers dropped, a second process rotating keys, threads
racing, a crash in the middle of a write. Every test here failed before the hardening it names.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gdprguard import AuditTamperedError, VaultError
from gdprguard._config import load_settings
from gdprguard._home import write_secret_file
from gdprguard.audit import AuditLog
from gdprguard.cli.main import main
from gdprguard.store import Store, data_keys
from gdprguard.vault import EnvKeyProvider, FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

SUBJECT = "jane.roe@example.com"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def _seal_and_audit(vault: Vault) -> None:
    vault.seal("r:jane", b"jane's original", kind="original", subject_id=SUBJECT)
    vault.seal("r:bob", b"bob's original", kind="original", subject_id="bob")
    for n in range(3):
        vault.audit.append("sweep", "retention.redact", [f"zendesk:t:{n}"], "rule:a", {})


# -- 1. wiping the audit log ---------------------------------------------------------------


def test_wiped_audit_log_and_deleted_audit_key_fail_verify(
    store_config: Path, store_url: str, capsys, drop_audit_triggers
) -> None:
    with Vault.from_settings(load_settings()) as vault:
        _seal_and_audit(vault)
    store = Store(store_url)
    drop_audit_triggers(store)
    _sql(store, "DELETE FROM audit_log", "DELETE FROM data_keys WHERE scope = 'system:audit'")
    store.close()
    code, out, err = _run(capsys, "audit", "verify")
    assert code == 1 and out == ""
    assert "system key 'audit' is missing" in err and "restore" in err
    # and no new key was made behind the operator's back
    with Store(store_url) as check, check.session(write=False) as session:
        scopes = set(session.execute(select(data_keys.c.scope)).scalars())
    assert "system:audit" not in scopes


def test_wiping_every_table_is_caught_by_the_checkpoint_on_disk(
    store_config: Path, store_url: str, capsys, drop_audit_triggers
) -> None:
    with Vault.from_settings(load_settings()) as vault:
        _seal_and_audit(vault)
    store = Store(store_url)
    drop_audit_triggers(store)
    _sql(
        store,
        "DELETE FROM audit_log",
        "DELETE FROM sealed_records",
        "DELETE FROM data_keys",
        "DELETE FROM vault_state",
        "DELETE FROM master_keys",
    )
    store.close()
    code, _, err = _run(capsys, "audit", "verify")
    assert code == 1
    assert "audit checkpoint files" in err and "wiped or replaced" in err
    with Vault.from_settings(load_settings()) as vault, pytest.raises(VaultError, match="wiped"):
        vault.seal("r:new", b"x", kind="original", subject_id=SUBJECT)


def test_checkpoint_of_another_key_fails_verify(vault: Vault, home: Path, tmp_path: Path) -> None:
    _seal_and_audit(vault)
    other_home = tmp_path / "other"
    other = Vault(
        Store(f"sqlite:///{tmp_path / 'other.db'}"),
        FileKeyProvider(other_home / "master.key"),
        checkpoint_dir=other_home,
    )
    other.audit.append("x", "y")
    foreign = other.audit.checkpoint_path
    (home / foreign.name).write_bytes(foreign.read_bytes())
    report = vault.audit.verify()
    assert not report.ok
    assert [p.kind for p in report.problems] == ["checkpoint-foreign"]
    other.close()


# -- 2. erasure that silently does nothing -------------------------------------------------


def test_shred_fails_loudly_when_the_subject_index_is_gone(
    store_config: Path, store_url: str, capsys
) -> None:
    with Vault.from_settings(load_settings()) as vault:
        _seal_and_audit(vault)
    store = Store(store_url)
    _sql(store, "DELETE FROM data_keys WHERE scope = 'system:subject-index'")
    store.close()
    code, out, err = _run(capsys, "keys", "shred", "--subject", SUBJECT, "--yes", "--json")
    assert code == 1 and out == ""
    assert "system key 'subject-index' is missing" in err
    assert SUBJECT not in err


def test_shred_of_a_subject_with_nothing_sealed_succeeds_with_a_warning(
    store_config: Path, capsys
) -> None:
    with Vault.from_settings(load_settings()) as vault:
        _seal_and_audit(vault)
    code, out, err = _run(capsys, "keys", "shred", "--subject", "nobody@example.com", "--yes")
    assert code == 0
    assert "nothing sealed" in out and "warning: nothing was sealed" in err
    assert "nobody" not in out + err


# -- 3. a long-running process and a rotation in another process ---------------------------


def _rotate_in_another_process(home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GDPRGUARD_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "gdprguard", "keys", "rotate", "--json", *extra],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_running_process_never_wraps_under_a_key_rotated_away(store_url: str, home: Path) -> None:
    (home / "gdprguard.toml").write_text(
        f'[store]\nurl = "{store_url}"\n[keys]\nretired_key_grace_days = 0\n', encoding="utf-8"
    )
    running = Vault(Store(store_url), FileKeyProvider(home / "master.key"))
    running.seal("r:1", b"before", kind="original", subject_id="alice")
    old = running.provider.primary_key_id()
    result = _rotate_in_another_process(home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["destroyed"] == [old]  # grace 0: the old key file is gone for good
    # The running process still holds the old key in memory; a new subject's key must not
    # be wrapped under it.
    running.seal("r:2", b"after", kind="original", subject_id="carol")
    running.close()
    restarted = Vault(Store(store_url), FileKeyProvider(home / "master.key"))
    assert restarted.open("r:1") == b"before"
    assert restarted.open("r:2") == b"after"
    assert restarted.status().pending_rotation == 0
    restarted.close()


def test_env_key_process_refuses_after_rotation_elsewhere(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_b64, new_b64 = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    monkeypatch.setenv("GDPRGUARD_MASTER_KEY", old_b64)
    running = Vault(Store(store_url), EnvKeyProvider())
    running.seal("r:1", b"before", kind="original", subject_id="alice")
    # The operator rotates in another process with the new key and the old one as previous.
    monkeypatch.setenv("GDPRGUARD_MASTER_KEY", new_b64)
    monkeypatch.setenv("GDPRGUARD_MASTER_KEY_PREVIOUS", old_b64)
    rotator = Vault(Store(store_url), EnvKeyProvider())
    assert rotator.rotate(actor="ops").rewrapped == 3  # alice and the two system keys
    rotator.close()
    # The running process's environment still holds only the old key.
    monkeypatch.setenv("GDPRGUARD_MASTER_KEY", old_b64)
    monkeypatch.delenv("GDPRGUARD_MASTER_KEY_PREVIOUS")
    with pytest.raises(VaultError, match="restart this process with the new master key"):
        running.seal("r:2", b"after", kind="original", subject_id="carol")
    assert running.open("r:1") == b"before"  # cached data keys still read
    running.close()


def test_retired_key_that_came_back_into_use_is_not_destroyed(
    vault: Vault, store: Store, home: Path
) -> None:
    vault.seal("r:1", b"x", kind="original", subject_id="alice")
    stale = FileKeyProvider(home / "master.key")  # a process that loaded the old key
    old = stale.primary_key_id()
    vault.rotate(actor="ops")
    # A buggy or hostile writer stores a data key under the retired key anyway.
    kek_id, wrapped = stale.wrap(os.urandom(32), b"0" * 32 + b"\0shared-stray")
    with store.session() as session:
        session.execute(
            data_keys.insert().values(
                key_id="f" * 32,
                scope="stray",
                kek_id=kek_id,
                wrapped=wrapped,
                created_at=datetime.now(UTC),
            )
        )
    later = Vault(
        store,
        FileKeyProvider(home / "master.key"),
        clock=lambda: datetime.now(UTC) + timedelta(days=30),
    )
    report = later.destroy_retired(actor="ops")
    assert report.destroyed == [] and "in use again" in report.notes[0]
    assert old in later.provider.key_ids()


# -- 5. a cut tail papered over by later appends -------------------------------------------


def test_append_refuses_after_the_tail_was_cut(
    vault: Vault, store: Store, drop_audit_triggers
) -> None:
    _seal_and_audit(vault)
    drop_audit_triggers(store)
    _sql(store, "DELETE FROM audit_log WHERE seq >= 2")
    with pytest.raises(AuditTamperedError, match="deleted from the end"):
        vault.audit.append("sweep", "retention.redact", ["zendesk:t:9"])
    # A destructive operation is refused too, and does not happen unaudited.
    with pytest.raises(AuditTamperedError):
        vault.shred_subject(SUBJECT, actor="dsar")
    assert vault.open("r:jane") == b"jane's original"
    kinds = [p.kind for p in vault.audit.verify().problems]
    assert kinds == ["truncated"]


def test_append_refuses_after_the_tail_was_rewritten(
    vault: Vault, store: Store, drop_audit_triggers
) -> None:
    _seal_and_audit(vault)
    last = list(vault.audit.entries())[-1]
    drop_audit_triggers(store)
    _sql(store, f"UPDATE audit_log SET mac = '{'0' * 64}' WHERE seq = {last.seq}")
    with pytest.raises(AuditTamperedError, match="rewritten"):
        vault.audit.append("sweep", "noop")


def test_append_refuses_a_forged_checkpoint(vault: Vault) -> None:
    _seal_and_audit(vault)
    path = vault.audit.checkpoint_path
    document = json.loads(path.read_text())
    document["seq"] = 1
    path.write_text(json.dumps(document))
    with pytest.raises(AuditTamperedError, match="was modified"):
        vault.audit.append("sweep", "noop")


# -- 7. threads of one process writing the checkpoint ---------------------------------------


def test_threads_appending_at_once_all_succeed(vault: Vault) -> None:
    vault.audit.append("warm-up", "noop")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                vault.audit.append(f"worker:{n}", "webhook.redact", [f"t:{n}:{i}"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = vault.audit.verify()
    assert report.ok and report.entries == 91 and report.checkpoint_seq == 91
    assert not list(vault.audit.checkpoint_dir.glob("*.tmp"))


# -- low: same transaction, canonical text, WAL, key files ---------------------------------


def test_shred_and_its_audit_entry_commit_together(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seal_and_audit(vault)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(AuditLog, "_mac", crash)
    with pytest.raises(OSError):
        vault.shred_subject(SUBJECT, actor="dsar")
    monkeypatch.undo()
    assert vault.open("r:jane") == b"jane's original"  # no unaudited shred
    assert vault.shred_subject(SUBJECT, actor="dsar").status == "shredded"
    assert [e.action for e in vault.audit.entries()][-1] == "keys.shred"


def test_delete_and_its_audit_entry_commit_together(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seal_and_audit(vault)
    monkeypatch.setattr(AuditLog, "_mac", lambda *_a: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        vault.delete("r:bob", actor="sweep")
    monkeypatch.undo()
    assert vault.exists("r:bob")


def test_duplicate_keys_in_stored_json_are_caught(
    vault: Vault, store: Store, drop_audit_triggers
) -> None:
    vault.audit.append("dsar", "keys.shred", ["subject:x"], "", {"records": 5, "status": "ok"})
    drop_audit_triggers(store)
    # Same parsed value (the last duplicate wins), so the mac still matches: but a reader that
    # keeps the first duplicate would see 0 records.
    _sql(
        store,
        'UPDATE audit_log SET details = \'{"records":0,"records":5,"status":"ok"}\' WHERE seq = 1',
    )
    kinds = [p.kind for p in vault.audit.verify().problems]
    assert kinds == ["non-canonical"]


def test_shred_warns_when_a_reader_keeps_the_wal_alive(vault: Vault, store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("the write-ahead-log checkpoint is SQLite's")
    _seal_and_audit(vault)
    store.sleep = lambda _seconds: None  # type: ignore[method-assign]
    store.checkpoint_wait_ms = 1
    assert store.sqlite_path is not None
    reader = sqlite3.connect(store.sqlite_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM data_keys").fetchone()
    try:
        report = vault.shred_subject(SUBJECT, actor="dsar")
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert report.status == "shredded"
    assert any("write-ahead log" in w for w in report.warnings)
    again = vault.shred_subject(SUBJECT, actor="dsar")  # the rerun the warning suggests
    assert again.status == "already-shredded" and again.warnings == []


def test_archived_master_key_is_the_same_file_not_a_copy(home: Path) -> None:
    provider = FileKeyProvider(home / "master.key")
    old = provider.primary_key_id()
    inode = (home / "master.key").stat().st_ino
    provider.create_primary()
    archive = home / f"master-{old.split(':')[1]}.key"
    assert archive.stat().st_ino == inode and archive.stat().st_nlink == 1
    provider.retire(old)
    assert not archive.exists()


def test_crash_while_writing_a_key_file_leaves_no_half_key(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = home / "master.key"

    def crash(_fd: int) -> None:
        raise OSError("power lost")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        write_secret_file(target, os.urandom(32))
    monkeypatch.undo()
    assert not target.exists() and list(home.iterdir()) == []
    provider = FileKeyProvider(target)  # the next start makes a whole key
    assert provider.primary_key_id().startswith("local:")
    assert len(target.read_bytes()) == 32


def test_key_file_created_elsewhere_meanwhile_is_kept(home: Path) -> None:
    target = home / "master.key"
    assert write_secret_file(target, b"a" * 32)
    assert not write_secret_file(target, b"b" * 32)
    assert target.read_bytes() == b"a" * 32
    assert sorted(p.name for p in home.iterdir()) == ["master.key"]
