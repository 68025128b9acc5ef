"""Interrupted runs exit non-zero (130 for SIGINT, 143 for SIGTERM) and never leave a truncated
``--output`` file; every way a command ends maps to the contract's exit code.

Before: Ctrl-C during ``redact`` exited 0 with part of the output written, so
``redact in > out && upload out`` uploaded a truncated file as complete.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdprguard.cli.main import main

LINES = [json.dumps({"id": n, "text": f"call 090-1234-{n:04d}"}).encode() + b"\n" for n in range(6)]


class _SignallingStdin:
    """Standard input that delivers a real signal to this process after *after* lines."""

    def __init__(self, after: int, signum: int) -> None:
        self.after = after
        self.signum = signum
        self.buffer = self

    def __iter__(self) -> Iterator[bytes]:
        for number, line in enumerate(LINES):
            if number == self.after:
                os.kill(os.getpid(), self.signum)
            yield line

    def isatty(self) -> bool:
        return False


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("signum", "expected"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_run_exits_128_plus_its_number_with_a_message(
    capsys: pytest.CaptureFixture[str], monkeypatch, signum: int, expected: int
) -> None:
    monkeypatch.setattr(sys, "stdin", _SignallingStdin(after=3, signum=signum))
    code, out, err = _run(capsys, "redact", "-")
    assert code == expected
    assert [json.loads(line)["id"] for line in out.splitlines()] == [0, 1, 2]  # complete lines
    assert f"interrupted by {signal.Signals(signum).name}" in err and "incomplete" in err
    assert "Traceback" not in err
    # the handlers are put back once the command is over
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_an_interrupted_output_file_is_never_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("previous complete result\n")
    monkeypatch.setattr(sys, "stdin", _SignallingStdin(after=4, signum=signal.SIGINT))
    code, out, _ = _run(capsys, "redact", "-", "--output", str(target))
    assert code == 130 and out == ""
    assert target.read_text() == "previous complete result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary file left


def test_output_file_is_replaced_only_when_the_whole_input_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(LINES[:2]) + b"not json\n")
    target = tmp_path / "out.jsonl"
    code, out, err = _run(capsys, "scan", str(source), "-o", str(target))
    assert code == 2 and "line 3" in err and out == ""
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]

    source.write_bytes(b"".join(LINES))
    code, out, err = _run(capsys, "scan", str(source), "-o", str(target))
    assert code == 0, err
    assert out == ""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"".join(LINES))))
    code, expected, _ = _run(capsys, "scan", "-")
    assert target.read_text() == expected
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_output_to_a_missing_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(LINES[0])
    code, _, err = _run(capsys, "scan", str(source), "-o", str(tmp_path / "no" / "out.jsonl"))
    assert code == 2 and "does not exist" in err


def test_a_declined_prompt_exits_1_and_a_usage_error_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "keys", "rotate", "--batch-size", "0")
    assert code == 2 and "--batch-size" in err
    code, _, err = _run(capsys, "scan", "--no-such-flag")
    assert code == 2 and "No such option" in err


@pytest.mark.slow
def test_ctrl_c_on_the_real_command_exits_130(tmp_path: Path) -> None:
    """The user's report, end to end: the console script, a pipe, a real SIGINT."""
    env = {**os.environ, "GDPRGUARD_HOME": str(tmp_path / "home")}
    env.pop("PYTHONUNBUFFERED", None)  # records must reach the pipe one by one regardless
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdprguard.cli.main", "redact", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(LINES[0])
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 0  # it is mid-run, waiting for input
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert out == b"" and b"interrupted by SIGINT" in err and b"Traceback" not in err
