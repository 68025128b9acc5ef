"""Output that cannot be written: a reader that went away (`| head`), a full disk.

Real processes and real pipes: a closed pipe ends the command quietly with 141 (as a tool stopped
by SIGPIPE), so `scan … | head` prints no error; a full device is a clear one-line error, exit 1,
naming neither the path nor any data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


def _tickets(path: Path, count: int = 3000) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            text = f"call 090-1234-{i % 10000:04d} or write to user{i}@example.com"
            handle.write(json.dumps({"id": str(i), "text": text}) + "\n")
    return path


def _gdprguard(*args: str) -> list[str]:
    return [sys.executable, "-m", "gdprguard", *args]


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    source = _tickets(tmp_path / "tickets.jsonl")
    env = {**os.environ, "GDPRGUARD_HOME": str(tmp_path / "nowhere")}
    producer = subprocess.Popen(
        _gdprguard("scan", str(source)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert producer.stdout is not None and producer.stderr is not None
    first = producer.stdout.readline()
    assert json.loads(first)["id"] == "0"
    producer.stdout.close()  # what `head -1` does after its line
    err = producer.stderr.read().decode()
    assert producer.wait(timeout=120) == 141
    assert err == "", err


def test_a_full_disk_is_one_clear_error(tmp_path: Path) -> None:
    source = _tickets(tmp_path / "user@example.com.jsonl", 2000)
    env = {**os.environ, "GDPRGUARD_HOME": str(tmp_path / "nowhere")}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            _gdprguard("scan", str(source)), stdout=full, stderr=subprocess.PIPE, env=env,
            timeout=120, check=False,
        )  # fmt: skip
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "No space left on device" in err and "Traceback" not in err
    assert "example.com" not in err and len(err.strip().splitlines()) == 1
