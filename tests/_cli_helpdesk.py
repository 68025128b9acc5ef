"""Running the CLI in-process against a sandbox helpdesk, for end-to-end command tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gdprguard.cli.main import main

#: the environment variable the test configurations read the helpdesk token from
TOKEN_VAR = "GG_TEST_HELPDESK_TOKEN"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``gdprguard *argv``; (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sandbox_connector(server: Any, name: str = "support", clock: Any = None) -> Any:
    """A connector to the sandbox *server* in this process (a ``FakeClock`` unless *clock*)."""
    from gdprguard._config import ConnectorConfig
    from gdprguard.connectors import build_connector
    from gdprguard.connectors.testing import FakeClock

    creds = server.credentials
    zendesk = server.config.flavor == "zendesk"
    config = ConnectorConfig(
        type=server.config.flavor,
        url=creds["url"],
        email=creds["email"] if zendesk else None,
        token=creds["token"] if zendesk else creds["api_key"],
    )
    return build_connector(name, config, clock=clock or FakeClock())


def add_connector(
    config: Path, server: Any, monkeypatch: pytest.MonkeyPatch | None, name: str = "support"
) -> None:
    """Append a ``[connectors.NAME]`` section for the sandbox *server*, its token in $TOKEN_VAR."""
    creds = server.credentials
    flavor = server.config.flavor
    token = creds["token"] if flavor == "zendesk" else creds["api_key"]
    if monkeypatch is not None:
        monkeypatch.setenv(TOKEN_VAR, token)
    else:
        os.environ[TOKEN_VAR] = token
    email = f'email = "{creds["email"]}"\n' if flavor == "zendesk" else ""
    with config.open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[connectors.{name}]\ntype = "{flavor}"\nurl = "{creds["url"]}"\n{email}'
            f'token = "env:{TOKEN_VAR}"\n'
        )


def prepare_workdir(tmp_path: Path, name: str, server: Any) -> tuple[Path, dict[str, str]]:
    """A working directory set up by ``gdprguard init`` in a child process, connected to the
    sandbox *server*; returns it with the environment to run further commands in."""
    workdir = tmp_path / name
    workdir.mkdir()
    env = {**os.environ, "GDPRGUARD_HOME": str(workdir / ".gdprguard")}
    env.pop("GDPRGUARD_CONFIG", None)
    subprocess.run(
        [sys.executable, "-m", "gdprguard", "init", "--non-interactive"],
        cwd=workdir, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    add_connector(workdir / "gdprguard.toml", server, None)
    env[TOKEN_VAR] = os.environ[TOKEN_VAR]
    return workdir, env
