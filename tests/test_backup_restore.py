"""`gdprguard backup` and `gdprguard restore`: sealed, consistent; erasure survives a restore."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gdprguard import ShreddedError, VaultError
from gdprguard._config import load_settings
from gdprguard.cli.main import main
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault

pytest_plugins = ["_store_fixtures"]

ALICE = "alice@example.com"
BOB = "bob@example.com"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", PASSPHRASE)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _vault() -> Vault:
    return Vault.from_settings(load_settings())


def _seed() -> None:
    with _vault() as vault:
        vault.seal("r:alice:1", b"alice one", kind="original", subject_id=ALICE)
        vault.seal("r:alice:2", b"alice two", kind="original", subject_id=ALICE)
        vault.seal("r:bob:1", b"bob one", kind="original", subject_id=BOB)
        vault.seal("r:shared", b"no subject", kind="snapshot")


def test_restore_of_a_backup_taken_before_a_shred_keeps_the_subject_erased(
    store_config: Path, home: Path, tmp_path: Path, capsys
) -> None:
    _seed()
    backup = tmp_path / "bk"
    code, out, err = _run(capsys, "backup", str(backup), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["tables"]["sealed_records"] == 4 and len(report["key_files"]) == 1
    names = sorted(p.name for p in backup.iterdir())
    assert names == ["keys.sealed", "manifest.json", "store.sealed"]
    for path in backup.iterdir():  # sealed: nothing readable in the files
        assert b"alice" not in path.read_bytes() and b"bob one" not in path.read_bytes()

    # After the backup: erase Alice, delete one record, seal something new.
    assert main(["keys", "shred", "--subject", ALICE, "--yes"]) == 0
    with _vault() as vault:
        assert vault.delete("r:shared", actor="sweep")
        vault.seal("r:bob:2", b"bob two", kind="original", subject_id=BOB)
    capsys.readouterr()

    code, out, err = _run(capsys, "restore", str(backup), "--dry-run", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["applied"] is False and plan["replayed_shreds"] == 1
    assert plan["replayed_deletes"] == 1 and plan["audit_mode"] == "keep-current"
    with _vault() as vault:  # the dry run changed nothing
        assert vault.open("r:bob:2") == b"bob two"

    code, out, err = _run(capsys, "restore", str(backup), "--yes", "--json")
    assert code == 0, err
    assert json.loads(out)["applied"] is True
    with _vault() as vault:
        for record in ("r:alice:1", "r:alice:2"):
            with pytest.raises(ShreddedError):
                vault.open(record)
        assert vault.open("r:bob:1") == b"bob one"
        assert not vault.exists("r:shared")  # the delete was replayed too
        assert not vault.exists("r:bob:2")  # sealed after the backup: not in it
        actions = [e.action for e in vault.audit.entries()]
        report_ok = vault.audit.verify()
    assert report_ok.ok, report_ok.problems
    assert actions[-3:] == ["keys.shred", "vault.delete", "backup.restore"]
    assert "backup.create" in actions
    assert ALICE not in out + err

    # Restoring the same backup again replays again: still erased.
    assert main(["restore", str(backup), "--yes"]) == 0
    with _vault() as vault, pytest.raises(ShreddedError):
        vault.open("r:alice:1")


def test_restore_brings_back_a_master_key_destroyed_since(
    store_url: str, home: Path, tmp_path: Path, capsys
) -> None:
    (home / "gdprguard.toml").write_text(
        f'[store]\nurl = "{store_url}"\n[keys]\nretired_key_grace_days = 0\n', encoding="utf-8"
    )
    _seed()
    assert _run(capsys, "backup", str(tmp_path / "bk"))[0] == 0
    code, out, _ = _run(capsys, "keys", "rotate", "--json")
    old_destroyed = json.loads(out)["destroyed"]
    assert code == 0 and len(old_destroyed) == 1
    assert _run(capsys, "keys", "shred", "--subject", ALICE, "--yes")[0] == 0
    code, out, err = _run(capsys, "restore", str(tmp_path / "bk"), "--yes", "--json")
    assert code == 0, err
    assert len(json.loads(out)["key_files_written"]) == 1
    with _vault() as vault:
        assert vault.open("r:bob:1") == b"bob one"
        with pytest.raises(ShreddedError):
            vault.open("r:alice:1")
        assert vault.status().pending_rotation > 0
        vault.rotate(actor="ops")
        assert vault.status().pending_rotation == 0
        assert vault.open("r:bob:1") == b"bob one"


def test_restore_into_an_empty_database_needs_consent_for_lost_entries(
    store_config: Path, store_url: str, home: Path, tmp_path: Path, capsys
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("simulates losing the SQLite file")
    _seed()
    assert main(["backup", str(tmp_path / "bk")]) == 0
    assert main(["keys", "shred", "--subject", ALICE, "--yes"]) == 0
    capsys.readouterr()
    for suffix in ("", "-wal", "-shm"):
        Path(str(home / "gdprguard.db") + suffix).unlink(missing_ok=True)
    code, out, err = _run(capsys, "restore", str(tmp_path / "bk"), "--yes")
    assert code == 2 and out == ""
    assert "--accept-log-loss" in err
    code, out, err = _run(
        capsys, "restore", str(tmp_path / "bk"), "--yes", "--accept-log-loss", "--json"
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["audit_mode"] == "from-backup" and plan["lost_entries"][0] >= 1
    code, out, err = _run(capsys, "audit", "verify", "--json")
    assert code == 0, err
    entries = [json.loads(line) for line in _run(capsys, "audit", "list", "--json")[1].splitlines()]
    assert entries[-1]["action"] == "backup.restore"
    assert entries[-1]["details"]["lost_entries"] == plan["lost_entries"]


def test_restore_refuses_a_backup_of_another_database(
    store_config: Path, store_url: str, home: Path, tmp_path: Path, capsys
) -> None:
    other_home = tmp_path / "other-home"
    other = Vault(
        Store(f"sqlite:///{tmp_path / 'other.db'}"),
        FileKeyProvider(other_home / "master.key"),
        checkpoint_dir=other_home,
    )
    other.seal("r:x", b"x", kind="original", subject_id="x")
    other.audit.append("a", "b")
    from gdprguard.backup import create_backup

    create_backup(
        other.store, other.provider, tmp_path / "bk", PASSPHRASE, audit=other.audit, actor="t"
    )
    other.close()
    _seed()
    with _vault() as vault:
        vault.audit.append("a", "b")
        vault.audit.append("a", "c")
    code, _, err = _run(capsys, "restore", str(tmp_path / "bk"), "--yes")
    assert code == 2 and "not taken from this database" in err


def test_wrong_passphrase_and_tampered_files(
    store_config: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed()
    backup = tmp_path / "bk"
    assert main(["backup", str(backup)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", "not the right passphrase")
    code, _, err = _run(capsys, "restore", str(backup), "--yes")
    assert code == 2 and "passphrase does not open" in err
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", PASSPHRASE)
    store_file = backup / "store.sealed"
    data = bytearray(store_file.read_bytes())
    data[40] ^= 1
    store_file.write_bytes(bytes(data))
    code, _, err = _run(capsys, "restore", str(backup), "--yes")
    assert code == 1 and "altered" in err
    with _vault() as vault:
        assert vault.open("r:alice:1") == b"alice one"  # nothing was touched


def test_sealed_file_cut_short_is_refused(tmp_path: Path) -> None:
    from gdprguard.backup._sealed import BackupKeys, KdfParams, open_file, seal_file

    keys = BackupKeys(PASSPHRASE, KdfParams(b"s" * 16, n=1 << 10))
    path = tmp_path / "f.sealed"
    seal_file(path, keys, [b"a" * (3 << 20)])  # several chunks
    assert b"".join(open_file(path, keys)) == b"a" * (3 << 20)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - (1 << 20) - 20])  # drop the last chunk
    with pytest.raises(VaultError, match=r"cut short|altered"):
        b"".join(open_file(path, keys))
    last_chunk_dropped = whole[: 13 + 2 * (4 + (1 << 20) + 16)]
    path.write_bytes(last_chunk_dropped)
    with pytest.raises(VaultError, match="cut short"):
        b"".join(open_file(path, keys))


def test_backup_usage_errors(store_config: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    _seed()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, _, err = _run(capsys, "backup", str(tmp_path / "full"))
    assert code == 2 and "not empty" in err
    monkeypatch.delenv("GDPRGUARD_BACKUP_PASSPHRASE")
    code, _, err = _run(capsys, "backup", str(tmp_path / "new"))
    assert code == 2 and "GDPRGUARD_BACKUP_PASSPHRASE" in err
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", "short")
    code, _, err = _run(capsys, "backup", str(tmp_path / "new"))
    assert code == 2 and "at least 12 characters" in err
    assert not (tmp_path / "new").exists()
    code, _, err = _run(capsys, "restore", str(tmp_path / "nowhere"), "--yes")
    assert code == 2 and "not a gdprguard backup" in err


def test_retire_waits_for_the_grace_period(store_config: Path, capsys) -> None:
    _seed()
    code, out, _ = _run(capsys, "keys", "rotate", "--json")
    assert code == 0 and json.loads(out)["destroyed"] == []
    code, out, _ = _run(capsys, "keys", "retire")
    assert code == 0 and "no retired master key is due" in out
    with _vault() as vault:
        vault._clock = lambda: datetime.now(UTC) + timedelta(days=8)
        assert len(vault.destroy_retired(actor="ops").destroyed) == 1


def test_expired_originals_stay_gone_after_a_restore(store_config: Path, tmp_path: Path) -> None:
    _seed()
    soon = datetime.now(UTC) + timedelta(days=30)
    with _vault() as vault:
        vault.seal("r:orig", b"original text", kind="original", subject_id=BOB, expires_at=soon)
    assert main(["backup", str(tmp_path / "bk")]) == 0
    with _vault() as vault:
        assert vault.destroy_expired(actor="sweep") == 0  # not yet
        later = soon + timedelta(seconds=1)
        assert vault.destroy_expired(actor="sweep", now=later) == 1
        assert not vault.exists("r:orig")
    assert main(["restore", str(tmp_path / "bk"), "--yes"]) == 0
    with _vault() as vault:
        assert not vault.exists("r:orig")  # the expiry was replayed
        assert vault.open("r:bob:1") == b"bob one"
