"""``gdprguard sandbox serve`` as a real subprocess: one JSON line, then serve until signalled."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

pytestmark = pytest.mark.slow  # each test starts the full CLI (~4 s of imports)


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gdprguard.cli.main", "sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("flavor", ["zendesk", "freshdesk"])
def test_serve_prints_one_json_line_and_stops_cleanly(flavor: str) -> None:
    proc = _spawn("--port", "0", "--flavor", flavor, "--tickets", "15", "--seed", "4")
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        if flavor == "zendesk":
            assert set(line) == {"url", "email", "token"}
            auth = (f"{line['email']}/token", line["token"])
        else:
            assert set(line) == {"url", "api_key"}
            auth = (line["api_key"], "X")
        assert line["url"].startswith("http://127.0.0.1:")
        response = requests.get(f"{line['url']}/api/v2/tickets/1", auth=auth, timeout=10)
        assert response.status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert out == ""  # exactly one line on stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigint_also_stops_it() -> None:
    proc = _spawn("--port", "0", "--tickets", "5")
    try:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_port_in_use_is_a_clear_usage_error(busy_port: int) -> None:
    proc = _spawn("--port", str(busy_port), "--tickets", "5")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert out == ""
    assert f"port {busy_port}" in err and "already in use" in err and "--port" in err
    assert "Traceback" not in err
