"""Results on stdout, always; progress, notes, warnings and logs on stderr.

Before: ``keys status``, ``audit list`` and ``connector test`` printed their results on stderr
(``audit list > f`` gave an empty file), and ``scan``/``redact`` rejected ``--json``.
"""

from __future__ import annotations

import json
import os
import pty
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdprguard._config import load_settings
from gdprguard.cli.main import main
from gdprguard.sandbox import SandboxServer
from gdprguard.vault import Vault

pytest_plugins = ["_store_fixtures"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=3, tickets=2, port=0) as server:
        yield server


@pytest.fixture
def with_connector(initialised_home: Path, sandbox: SandboxServer, monkeypatch) -> Path:
    creds = sandbox.credentials
    monkeypatch.setenv("ZD_TOKEN", creds["token"])
    config = initialised_home / "gdprguard.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[connectors.support]\ntype = "zendesk"\nurl = "{sandbox.url}"\n'
            f'email = "{creds["email"]}"\ntoken = "env:ZD_TOKEN"\n'
        )
    with Vault.from_settings(load_settings()) as vault:
        vault.seal("r:1", b"x", kind="original", subject_id="s:1")
        vault.audit.append("ops", "test.entry", ["r:1"])
    return initialised_home


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["keys", "status"], "primary master key: local:"),
        (["audit", "list"], "test.entry r:1"),
        (["audit", "verify"], "audit log OK: 1 entries verified"),
        (["connector", "test", "support"], "connector support: ok"),
        (["connector", "list"], "support\tzendesk"),
        (["keys", "rotate"], "rotated: 3 data keys now under local:"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_human_results_go_to_stdout_and_nothing_else_to_stderr(
    with_connector: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    assert expected in out
    if argv[:2] != ["keys", "rotate"]:  # rotation reports its progress on stderr
        assert err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["keys", "status", "--json"],
        ["audit", "verify", "--json"],
        ["connector", "test", "support", "--json"],
        ["connector", "list", "--json"],
        ["doctor", "--json", "--no-connectors"],
        ["init", "--json"],
    ],
    ids=" ".join,
)
def test_json_prints_exactly_one_document_on_stdout(
    with_connector: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    assert isinstance(json.loads(out), dict)


def test_backup_result_on_stdout_notes_on_stderr(
    with_connector: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", "correct horse battery staple")
    code, out, _ = _run(capsys, "backup", str(tmp_path / "bk"))
    assert code == 0 and out.startswith("backup ") and "written to" in out
    code, out, err = _run(capsys, "restore", str(tmp_path / "bk"), "--dry-run")
    assert code == 0 and out.startswith("would restore backup"), err


def test_scan_and_redact_accept_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "mail a@example.com"}\n', encoding="utf-8")
    for command in ("scan", "redact"):
        code, out, err = _run(capsys, command, str(source), "--json")
        assert code == 0, err
        assert json.loads(out)["id"] == 1


def test_verbose_logs_go_to_stderr_never_stdout(
    with_connector: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--verbose", "connector", "test", "support", "--json")
    assert code == 0
    json.loads(out)  # stdout holds the result and nothing else
    assert " DEBUG " in err


def _stderr_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> str:
    """What ``gdprguard keys status`` (no home: it fails) shows when stderr is a terminal."""
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", encoding="utf-8") as terminal, monkeypatch.context() as m:
            m.setattr(sys, "stderr", terminal)
            code = main(["keys", "status"])
        assert code == 2
        chunks = []
        while True:  # the terminal is closed: read what it holds, to the end
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(leader)


def test_colour_only_on_a_terminal_and_never_with_no_color(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GDPRGUARD_HOME")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    coloured = _stderr_on_a_terminal(monkeypatch)
    assert "\x1b[31m" in coloured and "gdprguard init" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _stderr_on_a_terminal(monkeypatch)
    assert "\x1b[" not in plain and "error: no gdprguard home" in plain


def test_no_colour_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GDPRGUARD_HOME")
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, _, err = _run(capsys, "keys", "status")
    assert code == 2 and err.startswith("gdprguard: error: no gdprguard home")
