"""Long single records: detection time must grow linearly with the length of the text.

A realistic Japanese ticket (names, an order number, phone numbers in half- and full-width, a
postal code and address, an e-mail address, a My Number) is repeated up to each length and
analysed as one record. CPU time of this process is reported (other work on a shared machine
does not count), best of ``--repeat`` runs, with the cost per character and the ratio to the
shortest record.

Run ``python -m bench.detection.long_records [--sizes 250000,1000000,2000000] [--repeat R]
[--write-docs]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.detection.run import (
    DOCS_FILE,
    bench_main,
    detector_engine,
    write_block,
)

__all__ = ["LONG_END", "LONG_START", "TICKET_JA", "main", "measure"]

LONG_START = "<!-- bench:detection-long:start -->"
LONG_END = "<!-- bench:detection-long:end -->"
DEFAULT_SIZES = (250_000, 1_000_000, 2_000_000)
TICKET_JA = (
    "山田太郎様\nいつもご利用ありがとうございます。ご注文（注文番号 2024-0512-8831）の件で、"
    "090-1234-5678 までご連絡いたします。\n"
    "お世話になっております。佐藤花子と申します。〒150-0002 東京都渋谷区渋谷2丁目21番1号 に"
    "届けてください。メール：ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ\n"
    "マイナンバーは1234 5678 9018です。電話：０３－１２３４－５６７８（平日９時〜１８時）\n"
)


@dataclass(frozen=True)
class Timing:
    """CPU seconds to analyse one record of ``chars`` characters, and what was found."""

    chars: int
    seconds: float
    findings: int


def record(chars: int) -> str:
    """The ticket repeated to exactly ``chars`` characters."""
    return (TICKET_JA * (chars // len(TICKET_JA) + 1))[:chars]


def measure(sizes: Sequence[int], repeat: int) -> list[Timing]:
    """Analyse one record per size (after a warm-up) and keep the best CPU time of each."""
    analyze = detector_engine()
    analyze(TICKET_JA * 20)
    out = []
    for chars in sizes:
        text = record(chars)
        best, found = float("inf"), 0
        for _ in range(repeat):
            start = time.process_time()
            found = len(analyze(text))
            best = min(best, time.process_time() - start)
        out.append(Timing(chars, best, found))
        print(f"{chars:,} characters: {best:.2f} s", file=sys.stderr)
    return out


def report(timings: Sequence[Timing], command: str) -> str:
    """The markdown block (with its sub-markers) for ``docs/benchmarks.md``."""
    first = timings[0]
    lines = [
        LONG_START,
        "### Long records",
        "",
        f"Command: `{command}`",
        "",
        f"One Japanese ticket of {len(TICKET_JA)} characters (names, an order number, phone "
        "numbers, a postal code and address, an e-mail address, a My Number) repeated to each "
        "length and analysed as a single record; CPU seconds of the process, best of the runs. "
        "Linear time keeps the cost per character flat.",
        "",
        "| characters | findings | CPU seconds | µs per character | time ratio | length ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.chars:,} | {t.findings:,} | {t.seconds:.2f} | {t.seconds / t.chars * 1e6:.1f} "
            f"| {t.seconds / first.seconds:.1f}× | {t.chars / first.chars:.1f}× |"
        )
    lines += ["", LONG_END]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.long_records", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="record lengths in characters, comma-separated",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per length (best is kept)")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="replace the long-record block in the detection section of docs/benchmarks.md",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 250000,1000000")
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat must be positive")
    return args


def _command(args: argparse.Namespace) -> str:
    parts = ["python -m bench.detection.long_records"]
    if tuple(args.sizes) != DEFAULT_SIZES:
        parts.append(f"--sizes {','.join(str(s) for s in args.sizes)}")
    if args.repeat != 1:
        parts.append(f"--repeat {args.repeat}")
    return " ".join([*parts, "--write-docs"])


def _run(args: argparse.Namespace) -> None:
    block = report(measure(args.sizes, args.repeat), _command(args))
    print(block)
    if args.write_docs:
        write_block(block, LONG_START, LONG_END)
        print(f"wrote the long-record block of {DOCS_FILE}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
