"""``gdprguard sandbox serve`` warns when it is reachable from other machines.

The sandbox's credentials are derived from ``--seed`` (default 1), so they are effectively public:
on a non-loopback interface anyone on the network can read and change its data. Each test runs the
real command in a subprocess and stops it with SIGTERM once it has printed its JSON line.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # each test starts the full CLI (~4 s of imports)


def _serve(host: str) -> tuple[dict[str, str], str]:
    """Run ``sandbox serve --host HOST`` until its JSON line appears; return it and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdprguard.cli.main", "sandbox", "serve", "--host", host,
         "--port", "0", "--tickets", "5", "--seed", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        return line, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_listening_on_all_interfaces_prints_a_warning_on_stderr() -> None:
    line, err = _serve("0.0.0.0")
    warning = next((row for row in err.splitlines() if row.startswith("warning:")), "")
    assert "0.0.0.0" in warning and line["url"].rsplit(":", 1)[1] in warning
    assert "derived from the seed" in warning and "--seed 7" in warning
    assert "read and change its data" in warning and "--host 127.0.0.1" in warning
    assert line["token"] not in err  # the warning names the risk, not the secret


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_only_serving_does_not_warn(host: str) -> None:
    _line, err = _serve(host)
    assert "warning" not in err
