"""`gdprguard keys status|rotate|shred` and `gdprguard audit verify|list`, end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gdprguard._config import load_settings
from gdprguard.cli.main import main
from gdprguard.store import Store
from gdprguard.vault import Vault

pytest_plugins = ["_store_fixtures"]

SUBJECT = "jane.roe@example.com"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _seal_some(count: int = 3) -> None:
    with Vault.from_settings(load_settings()) as vault:
        for n in range(count):
            vault.seal(f"r:{n}", b"payload", kind="original", subject_id=f"s:{n}")
        vault.seal("r:jane", b"jane's original", kind="original", subject_id=SUBJECT)


def test_status_json(store_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _seal_some()
    code, out, _ = _run(capsys, "keys", "status", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["subjects"] == 4 and status["sealed_records"] == 4
    assert status["master_keys"][0]["primary"] is True
    assert status["provider"]["provider"] == "file"


def test_status_human_result_goes_to_stdout(store_config: Path, capsys) -> None:
    code, out, err = _run(capsys, "keys", "status")
    assert code == 0 and err == ""
    assert "primary master key: local:" in out


def test_rotate_json_and_progress(store_config: Path, capsys) -> None:
    _seal_some(5)
    code, out, err = _run(capsys, "keys", "rotate", "--json", "--batch-size", "2")
    assert code == 0
    report = json.loads(out)
    assert report["created"] is True and report["rewrapped"] == 8
    assert len(report["retired"]) == 1 and report["destroyed"] == []
    assert "re-wrapped 2/8 data keys" in err and "re-wrapped 8/8 data keys" in err
    with Vault.from_settings(load_settings()) as vault:
        assert vault.open("r:jane") == b"jane's original"


def test_shred_with_yes(store_config: Path, capsys) -> None:
    _seal_some()
    code, out, err = _run(capsys, "keys", "shred", "--subject", SUBJECT, "--yes", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["status"] == "shredded" and report["records"] == 1
    assert SUBJECT not in out + err
    code, out, _ = _run(capsys, "keys", "shred", "--subject", SUBJECT, "--yes", "--json")
    assert code == 0 and json.loads(out)["status"] == "already-shredded"
    code, out, _ = _run(capsys, "keys", "status", "--json")
    assert json.loads(out)["shredded_subjects"] == 1


@pytest.mark.parametrize(("answer", "shredded"), [("n\n", False), ("y\n", True), ("", False)])
def test_shred_asks_first(
    store_config: Path, capsys, monkeypatch: pytest.MonkeyPatch, answer: str, shredded: bool
) -> None:
    _seal_some(1)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    code, _, err = _run(capsys, "keys", "shred", "--subject", SUBJECT)
    assert "Its 1 sealed records become permanently unreadable" in err
    assert SUBJECT not in err
    assert (code == 0) is shredded
    if not shredded:
        assert "aborted" in err
    with Vault.from_settings(load_settings()) as vault:
        assert (vault.status().shredded_subjects == 1) is shredded


def test_audit_verify_and_tamper(
    store_config: Path, store_url: str, capsys, drop_audit_triggers
) -> None:
    _seal_some(1)
    _run(capsys, "keys", "rotate")
    _run(capsys, "keys", "shred", "--subject", SUBJECT, "--yes")
    code, out, err = _run(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True and json.loads(out)["entries"] == 3
    code, out, _ = _run(capsys, "audit", "list", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [e["action"] for e in lines] == ["keys.rotate.begin", "keys.rotate", "keys.shred"]
    store = Store(store_url)
    drop_audit_triggers(store)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
    store.close()
    code, out, err = _run(capsys, "audit", "verify", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["problems"][0]["kind"] == "mac-mismatch"
    assert err.strip().endswith("entry 1 was modified (its mac does not match its contents)")
    code, out, err = _run(capsys, "audit", "verify")
    assert code == 1 and out == "" and "audit log does not verify" in err


def test_key_file_with_wide_permissions_is_refused(initialised_home: Path, capsys) -> None:
    home = initialised_home
    assert _run(capsys, "keys", "status")[0] == 0
    (home / "master.key").chmod(0o644)
    code, out, err = _run(capsys, "keys", "status")
    assert code == 1 and out == ""
    assert "mode 0644" in err and "chmod 600" in err and "Traceback" not in err


def test_env_provider_without_variable(initialised_home: Path, capsys, monkeypatch) -> None:
    home = initialised_home
    monkeypatch.delenv("GDPRGUARD_MASTER_KEY", raising=False)
    (home / "gdprguard.toml").write_text('[keys]\nprovider = "env"\n', encoding="utf-8")
    code, _, err = _run(capsys, "keys", "rotate")
    assert code == 1 and "GDPRGUARD_MASTER_KEY is not set" in err


def test_bad_batch_size_is_a_usage_error(home: Path, capsys) -> None:
    code, _, _ = _run(capsys, "keys", "rotate", "--batch-size", "0")
    assert code == 2
