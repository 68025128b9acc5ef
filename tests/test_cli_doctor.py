"""``gdprguard doctor``: every check, its fix, exit 1 on a failure, and nothing created."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gdprguard.cli.main import main
from gdprguard.sandbox import SandboxServer

pytest_plugins = ["_store_fixtures"]


def _doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main([*argv, "doctor", "--json"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    return code, {c["name"]: c for c in report["checks"]}, err


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=3, tickets=2, port=0) as server:
        yield server


def test_doctor_in_an_empty_folder_fails_says_init_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GDPRGUARD_HOME", raising=False)
    code, checks, _ = _doctor(capsys)
    assert code == 1
    assert checks["configuration"]["status"] == "warn"
    assert checks["home"]["status"] == "fail" and "gdprguard init" in checks["home"]["fix"]
    assert checks["database"]["status"] == "fail"
    assert checks["detection"]["status"] == "ok"
    assert _tree(tmp_path) == []


def test_doctor_after_init_passes_and_checks_the_connectors(
    initialised_home: Path,
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch,
) -> None:
    creds = sandbox.credentials
    monkeypatch.setenv("ZD_TOKEN", creds["token"])
    with (initialised_home / "gdprguard.toml").open("a", encoding="utf-8") as config:
        config.write(
            f'\n[connectors.support]\ntype = "zendesk"\nurl = "{sandbox.url}"\n'
            f'email = "{creds["email"]}"\ntoken = "env:ZD_TOKEN"\n'
        )
    code, checks, _ = _doctor(capsys)
    assert code == 0, checks
    for name in ("configuration", "home", "master key", "pseudonym key", "database", "vault"):
        assert checks[name]["status"] == "ok", checks[name]
    assert "role admin" in checks["connector support"]["message"]
    assert "en, ja" in checks["detection"]["message"]
    assert checks["extra postgres"]["status"] in ("ok", "info")

    monkeypatch.setenv("ZD_TOKEN", "wrong-token")
    code, checks, _ = _doctor(capsys)
    assert code == 1
    failed = checks["connector support"]
    assert failed["status"] == "fail" and "(401)" in failed["message"]
    assert "token" in failed["fix"] and "wrong-token" not in json.dumps(checks)
    monkeypatch.delenv("ZD_TOKEN")
    code, checks, _ = _doctor(capsys)
    assert code == 1 and "export ZD_TOKEN" in checks["connector support"]["fix"]
    code = main(["doctor", "--json", "--no-connectors"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and not any(c["name"].startswith("connector") for c in report["checks"])


def test_doctor_names_the_fix_for_unsafe_permissions_and_a_missing_key(
    initialised_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = initialised_home / "master.key"
    key.chmod(0o644)
    code, checks, _ = _doctor(capsys)
    assert code == 1 and checks["master key"]["fix"] == f"chmod 600 {key}"
    key.chmod(0o600)
    initialised_home.chmod(0o755)
    code, checks, _ = _doctor(capsys)
    assert code == 1 and checks["home"]["fix"] == f"chmod 700 {initialised_home}"
    initialised_home.chmod(0o700)
    key.unlink()
    code, checks, _ = _doctor(capsys)
    assert code == 1 and "gdprguard restore" in checks["master key"]["fix"]
    assert checks["vault"]["status"] == "fail"
    assert not key.exists()


def test_doctor_reports_a_config_typo_with_a_suggestion(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "gdprguard.toml").write_text("[detection]\nmin_scor = 0.3\n", encoding="utf-8")
    code, checks, _ = _doctor(capsys)
    assert code == 1
    assert "did you mean 'min_score'?" in checks["configuration"]["message"]
    assert checks["home"]["status"] == "skip"


def test_doctor_fails_when_postgres_is_configured_but_its_extra_is_missing(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    (home / "gdprguard.toml").write_text(
        '[store]\nurl = "postgresql+psycopg://u:p@127.0.0.1:9/db"\n', encoding="utf-8"
    )
    monkeypatch.setitem(sys.modules, "psycopg", None)
    code, checks, _ = _doctor(capsys)
    assert code == 1
    assert "gdprguard[postgres]" in checks["database"]["message"]
    assert checks["extra postgres"]["status"] == "fail"


def test_doctor_text_report_goes_to_stdout(
    initialised_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--no-connectors"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines()[0].startswith("ok    configuration")
    assert out.rstrip().endswith("all checks passed")
    assert "\x1b[" not in out  # no colour when stdout is not a terminal
