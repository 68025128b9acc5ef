"""`gdprguard user` and `gdprguard console` from the command line."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from _cli_helpdesk import run_cli
from gdprguard.console import Accounts
from gdprguard.store import Store

pytest_plugins = ["_store_fixtures"]

PASSWORD = "a long enough passphrase"


@pytest.fixture
def with_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GG_PW", PASSWORD)
    return "GG_PW"


def test_user_add_list_disable_enable(
    initialised_home: Path, capsys: pytest.CaptureFixture[str], with_password: str
) -> None:
    code, out, err = run_cli(capsys, "user", "add", "alice", "--role", "officer",
                             "--password-env", with_password)  # fmt: skip
    assert code == 0 and out.strip() == "alice: officer account added", err
    assert PASSWORD not in out + err
    code, out, _ = run_cli(capsys, "user", "add", "root.admin", "--role", "admin",
                           "--oidc-subject", "00u1abcd")  # fmt: skip
    assert code == 0
    code, out, _ = run_cli(capsys, "user", "list", "--json")
    users = {u["name"]: u for u in json.loads(out)["users"]}
    assert users["alice"]["role"] == "officer" and users["alice"]["has_password"]
    assert users["root.admin"]["oidc_linked"] and not users["root.admin"]["has_password"]
    assert run_cli(capsys, "user", "disable", "alice")[0] == 0
    code, out, _ = run_cli(capsys, "user", "list")
    assert re.search(r"alice\s+officer\s+disabled\s+password", out), out
    assert run_cli(capsys, "user", "enable", "alice")[0] == 0
    with Store(f"sqlite:///{initialised_home / 'gdprguard.db'}") as store:
        accounts = Accounts(store)
        assert accounts.authenticate("alice", PASSWORD) is not None
        assert accounts.authenticate("alice", "wrong passphrase!") is None
    code, out, _ = run_cli(capsys, "audit", "list", "--json")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions.count("console.user-add") == 2 and "console.user-disable" in actions


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["user", "add", "bob", "--role", "root"], "use officer or admin"),
        (["user", "add", "b b", "--role", "officer"], "account name is 1-64 characters"),
        (["user", "add", "bob", "--role", "officer", "--password-env", "GG_SHORT"], "too short"),
        (["user", "add", "bob", "--role", "officer", "--password-env", "GG_UNSET"], "not set"),
        (["user", "disable", "nobody"], "gdprguard user list"),
        (["console", "--policy", "missing.yaml"], "does not exist"),
    ],
)
def test_bad_input_is_a_clear_usage_error(
    initialised_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("GG_SHORT", "tooshort")
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "" and message in err, err
    assert "Traceback" not in err and "tooshort" not in err


def test_a_taken_name_is_refused(
    initialised_home: Path, capsys: pytest.CaptureFixture[str], with_password: str
) -> None:
    argv = ["user", "add", "alice", "--role", "officer", "--password-env", with_password]
    assert run_cli(capsys, *argv)[0] == 0
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "already an account" in err


def test_user_needs_an_initialised_home(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "user", "list")
    assert code == 2 and "gdprguard init" in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_the_console_command_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    workdir = tmp_path / "console"
    workdir.mkdir()
    env = {**os.environ, "GDPRGUARD_HOME": str(workdir / ".gdprguard"), "GG_PW": PASSWORD}
    env.pop("GDPRGUARD_CONFIG", None)
    setup = (
        ["init", "--non-interactive"],
        ["user", "add", "alice", "--role", "admin", "--password-env", "GG_PW"],
    )
    for argv in setup:
        subprocess.run([sys.executable, "-m", "gdprguard", *argv], cwd=workdir, env=env,
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    port = _free_port()
    with (workdir / "gdprguard.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n[console]\nport = {port}\nexport_ttl_hours = 2\n")  # no flag needed
    exports = workdir / ".gdprguard" / "console-exports"
    exports.mkdir(mode=0o700)
    stale, fresh = exports / "req-20260101-0a1b2c.zip", exports / "req-20260101-3d4e5f.zip"
    for path, age in ((stale, 3 * 3600), (fresh, 3600)):
        path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        os.utime(path, (time.time() - age, time.time() - age))
    process = subprocess.Popen(
        [sys.executable, "-m", "gdprguard", "console"],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            raise AssertionError("the console did not start")
        page = requests.get(f"{base}/requests", allow_redirects=False, timeout=5)
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
        login = requests.get(f"{base}/login", timeout=5)
        assert login.status_code == 200 and "Secure" in login.headers["Set-Cookie"]
        assert not stale.exists() and fresh.exists()  # older than export_ttl_hours: gone on start
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert f"console on {base}/" in err and out == ""


def test_console_flags_override_the_console_section() -> None:
    from gdprguard._config import WebConsoleConfig
    from gdprguard.cli._common import with_flags

    file = WebConsoleConfig.model_validate(
        {"host": "0.0.0.0", "port": 9000, "idle_minutes": 10, "export_ttl_hours": 48,
         "oidc_client_secret": "env:GG_OIDC_SECRET"}
    )  # fmt: skip
    merged = with_flags(file, host=None, port=9100, idle_minutes=None, export_ttl_hours=6)
    assert (merged.host, merged.port, merged.idle_minutes, merged.export_ttl_hours) == (
        "0.0.0.0", 9100, 10, 6,
    )  # fmt: skip
    assert merged.session_hours == 12 and merged.oidc_client_secret == "env:GG_OIDC_SECRET"
    assert WebConsoleConfig().export_ttl_hours == 24


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("export_ttl_hour = 3", "[console] has no key 'export_ttl_hour'; did you mean "
         "'export_ttl_hours'?"),
        ("idle_minutes = 0", "[console.idle_minutes] Input should be greater than or equal to 1"),
        ('oidc_client_secret = "hunter2-literal"', "write the variable that holds the secret"),
        ('oidc_issuer = "https://login.example.com"', "--oidc-issuer and --oidc-client-id go "
         "together (in [console]: oidc_issuer and oidc_client_id)"),
        ('oidc_client_id = "gg"\noidc_issuer = "https://login.example.com"\n'
         'oidc_client_secret = "env:GG_UNSET_SECRET"', "GG_UNSET_SECRET, which is not set"),
        ('public_url = "privacy.example.com"', "[console.public_url] Value error, must be a URL"),
    ],
)  # fmt: skip
def test_a_bad_console_section_is_a_clear_configuration_error(
    initialised_home: Path, capsys: pytest.CaptureFixture[str], section: str, message: str
) -> None:
    with (initialised_home / "gdprguard.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n[console]\n{section}\n")
    code, out, err = run_cli(capsys, "console", "--port", "0")
    assert code == 2 and out == "" and message in " ".join(err.split()), err
    assert "Traceback" not in err and "hunter2-literal" not in err
