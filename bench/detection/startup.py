"""Start-up time of ``gdprguard scan`` on a one-line input.

Runs ``echo '{"id":1,"text":"call 090-1234-5678"}' | gdprguard scan -`` ``--runs`` times (after
one warm-up run, so the operating system's file cache is warm) and reports the median wall time,
next to the bare interpreter's start-up (``python -c pass``) for reference. The target is a median
of at most 1.0 s.

Run ``python -m bench.detection.startup [--runs N] [--write-docs]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

from bench.detection.run import bench_main, write_block

__all__ = ["STARTUP_END", "STARTUP_START", "main", "measure"]

STARTUP_START = "<!-- bench:detection-startup:start -->"
STARTUP_END = "<!-- bench:detection-startup:end -->"
TARGET_S = 1.0
RECORD = b'{"id":1,"text":"call 090-1234-5678"}\n'
EXPECTED = b'"type":"PHONE_NUMBER"'


def _command() -> list[str]:
    script = shutil.which("gdprguard")
    return [script, "scan", "-"] if script else [sys.executable, "-m", "gdprguard", "scan", "-"]


def _wall(cmd: Sequence[str], stdin: bytes) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(cmd, input=stdin, capture_output=True, check=True, timeout=120)
    return time.perf_counter() - start, done.stdout


def measure(runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds of each ``gdprguard scan`` run and of each bare interpreter start."""
    cmd = _command()
    _seconds, out = _wall(cmd, RECORD)  # warm-up; also checks the output
    if EXPECTED not in out:
        raise SystemExit(f"unexpected output from {' '.join(cmd)}: {out[:200]!r}")
    scans, bare = [], []
    for _ in range(runs):
        scans.append(_wall(cmd, RECORD)[0])
        bare.append(_wall([sys.executable, "-c", "pass"], b"")[0])
    return scans, bare


def report(scans: list[float], bare: list[float]) -> str:
    median = statistics.median(scans)
    met = "yes" if median <= TARGET_S else "**no**"
    return "\n".join(
        [
            STARTUP_START,
            "### Start-up of `gdprguard scan`",
            "",
            f"Command: `python -m bench.detection.startup --runs {len(scans)} --write-docs`",
            "",
            'Wall time of `echo \'{"id":1,"text":"call 090-1234-5678"}\' | gdprguard scan -`, '
            "one warm-up run first; the bare interpreter (`python -c pass`) for reference.",
            "",
            "| | median | min | max | target | met |",
            "|---|---:|---:|---:|---|---|",
            f"| `gdprguard scan -`, one line | {median:.2f} s | {min(scans):.2f} s "
            f"| {max(scans):.2f} s | ≤ {TARGET_S:.1f} s | {met} |",
            f"| `python -c pass` | {statistics.median(bare):.2f} s | {min(bare):.2f} s "
            f"| {max(bare):.2f} s | | |",
            "",
            STARTUP_END,
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.startup", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--runs", type=int, default=9, help="timed runs (default 9)")
    parser.add_argument(
        "--write-docs", action="store_true", help="write the block into docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def _run(args: argparse.Namespace) -> None:
    scans, bare = measure(args.runs)
    block = report(scans, bare)
    print(block)
    if args.write_docs:
        write_block(block, STARTUP_START, STARTUP_END)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
