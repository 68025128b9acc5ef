"""Score the Detector on the hand-written held-out set (``bench/detection/heldout/*.jsonl``).

The held-out texts were written independently of the detector's rules and are never used for
tuning, so their numbers estimate accuracy on unseen text; the template corpus of ``run.py``
mostly measures how well the rules fit their own templates. Matching and metrics are those of
the main benchmark (:mod:`bench.detection.metrics`).

Run ``python -m bench.detection.heldout_eval [--write-docs] [--dump-errors FILE]`` alone, or
``python -m bench.detection.run --heldout`` to append the same section to the full report.
``--write-docs`` replaces only the held-out block (its own sub-markers) inside the detection
section of ``docs/benchmarks.md``; the rest of the section is kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.detection.heldout.build import HELDOUT_DIR, load_jsonl
from bench.detection.metrics import Pred, Scores, intersection, match, score
from bench.detection.model import ENTITY_TYPES, Sample
from bench.detection.run import (
    DOCS_FILE,
    Analyze,
    BenchError,
    bench_main,
    detector_engine,
    existing_block,
    merge_block,
    near_miss_hits,
    presidio_engine,
    write_block,
)

__all__ = [
    "HELDOUT_END",
    "HELDOUT_START",
    "HeldoutResult",
    "error_records",
    "evaluate_heldout",
    "heldout_report",
    "load_heldout",
    "main",
    "merge_heldout_block",
    "write_heldout_docs",
]

HELDOUT_START = "<!-- bench:detection-heldout:start -->"
HELDOUT_END = "<!-- bench:detection-heldout:end -->"
LANGUAGES = ("en", "ja")
CONTEXT_CHARS = 30


@dataclass
class HeldoutResult:
    """Predictions and scores of one language of the held-out set."""

    language: str
    samples: list[Sample]
    preds: list[list[Pred]]
    overlap: Scores
    exact: Scores
    presidio_overlap: Scores | None
    near_flagged: int
    near_total: int


def load_heldout(directory: Path = HELDOUT_DIR) -> dict[str, list[Sample]]:
    """The held-out samples per language; a missing or malformed file is a :class:`BenchError`."""
    out: dict[str, list[Sample]] = {}
    for language in LANGUAGES:
        path = directory / f"{language}.jsonl"
        try:
            out[language] = load_jsonl(path)
        except OSError as exc:
            raise BenchError(
                f"cannot read {path}: {exc.strerror}; "
                "regenerate it with python -m bench.detection.heldout.build"
            ) from exc
        except (ValueError, KeyError) as exc:
            raise BenchError(f"{path} is malformed ({exc}); regenerate it from its source") from exc
    return out


def evaluate_heldout(
    samples_by_language: dict[str, list[Sample]],
    detector: Analyze,
    presidio: Analyze | None = None,
) -> list[HeldoutResult]:
    """Run the engines over every held-out text and score them (overlap and exact rules)."""
    results = []
    for language, samples in samples_by_language.items():
        preds = [detector(s.text) for s in samples]
        pre = [presidio(s.text) for s in samples] if presidio else None
        near = near_miss_hits(samples, preds)
        results.append(
            HeldoutResult(
                language=language,
                samples=samples,
                preds=preds,
                overlap=score(samples, preds, "overlap"),
                exact=score(samples, preds, "exact"),
                presidio_overlap=score(samples, pre, "overlap") if pre is not None else None,
                near_flagged=sum(near.flagged.values()),
                near_total=sum(near.total.values()),
            )
        )
    return results


def _f(x: float) -> str:
    return f"{x:.3f}"


def _table(res: HeldoutResult) -> list[str]:
    lines = [
        "| entity | gold | TP | FP | FN | P | R | F1 | F1 exact | Presidio F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in ENTITY_TYPES:
        c = res.overlap.by_type[t]
        if c.support == 0 and c.fp == 0:
            continue
        presidio = "–"
        if res.presidio_overlap is not None:
            pc = res.presidio_overlap.by_type[t]
            presidio = _f(pc.f1) if pc.tp + pc.fp else "–"
        lines.append(
            f"| {t} | {c.support} | {c.tp} | {c.fp} | {c.fn} | {_f(c.precision)} "
            f"| {_f(c.recall)} | {_f(c.f1)} | {_f(res.exact.by_type[t].f1)} | {presidio} |"
        )
    m = res.overlap.micro(ENTITY_TYPES)
    pm = (
        _f(res.presidio_overlap.micro(ENTITY_TYPES).f1) if res.presidio_overlap is not None else "–"
    )
    lines.append(
        f"| all (micro) | {m.support} | {m.tp} | {m.fp} | {m.fn} | {_f(m.precision)} "
        f"| {_f(m.recall)} | {_f(m.f1)} | {_f(res.exact.micro(ENTITY_TYPES).f1)} | {pm} |"
    )
    return lines


def heldout_report(results: Sequence[HeldoutResult], command: str) -> str:
    """The markdown block (with its sub-markers) for the held-out set."""
    out = [
        HELDOUT_START,
        "### Held-out set (not used for tuning)",
        "",
        f"Command: `{command}`",
        "",
        "Hand-written customer-support texts (orders, returns, delivery, billing, chat and call "
        "notes, DMs, forwarded mail, HTML bodies, full-width and mixed-language Japanese, "
        "typos, several people per text) with hard negatives (order/tracking/JAN numbers, "
        "product and company names that look like names, version strings). Written without "
        "looking at the detector's rules or templates; labelling rules in "
        "`bench/detection/heldout/README.md`. Same matching rule as above; *near-misses* are "
        "the labelled hard negatives overlapped by any prediction.",
        "",
    ]
    for res in results:
        name = "English" if res.language == "en" else "Japanese"
        out += [
            f"**{name}** ({len(res.samples)} texts, near-misses flagged: "
            f"{res.near_flagged}/{res.near_total})",
            "",
            *_table(res),
            "",
        ]
    out.append(HELDOUT_END)
    return "\n".join(out)


def merge_heldout_block(section: str, block: str) -> str:
    """Put ``block`` into a detection ``section``: replace an existing held-out block, else
    append it at the end."""
    return merge_block(section, block, HELDOUT_START, HELDOUT_END)


def existing_heldout_block(path: Path = DOCS_FILE) -> str | None:
    """The held-out block currently in the docs file, if any."""
    return existing_block(HELDOUT_START, HELDOUT_END, path)


def write_heldout_docs(block: str, path: Path = DOCS_FILE) -> None:
    """Replace (or add) the held-out block inside the detection section of the docs file."""
    write_block(block, HELDOUT_START, HELDOUT_END, path)


def _context(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - CONTEXT_CHARS), end + CONTEXT_CHARS
    return text[lo:start] + "[[" + text[start:end] + "]]" + text[end:hi]


def error_records(results: Sequence[HeldoutResult]) -> list[dict[str, Any]]:
    """The Detector's false negatives and false positives on the held-out set (overlap rule)."""
    records: list[dict[str, Any]] = []
    for res in results:
        for sample, preds in zip(res.samples, res.preds, strict=True):
            _pairs, fn, fp = match(sample, preds, "overlap")
            base = {"id": sample.id, "language": sample.language, "category": sample.category}
            for gi in fn:
                g = sample.spans[gi]
                predicted = [
                    {"type": p.type, "text": sample.text[p.start : p.end]}
                    for p in preds
                    if intersection(g.start, g.end, p.start, p.end)
                ]
                records.append(
                    base
                    | {
                        "error": "FN",
                        "type": g.type,
                        "gold": g.value,
                        "context": _context(sample.text, g.start, g.end),
                        "predicted": predicted,
                    }
                )
            for pi in fp:
                p = preds[pi]
                near = [
                    n.kind
                    for n in sample.near_misses
                    if intersection(n.start, n.end, p.start, p.end)
                ]
                gold = [
                    g.type for g in sample.spans if intersection(g.start, g.end, p.start, p.end)
                ]
                records.append(
                    base
                    | {
                        "error": "FP",
                        "type": p.type,
                        "predicted_text": sample.text[p.start : p.end],
                        "context": _context(sample.text, p.start, p.end),
                        "near_miss": near,
                        "overlaps_gold": gold,
                    }
                )
    return records


def _dump(results: Sequence[HeldoutResult], path: Path) -> int:
    records = error_records(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)


def run_heldout(
    detector: Analyze, presidio: Analyze | None, command: str
) -> tuple[list[HeldoutResult], str]:
    """Load, evaluate and render the held-out set in one call (used by ``run.py --heldout``)."""
    results = evaluate_heldout(load_heldout(), detector, presidio)
    return results, heldout_report(results, command)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.heldout_eval", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="replace the held-out block in the detection section of docs/benchmarks.md",
    )
    parser.add_argument(
        "--dump-errors",
        type=Path,
        metavar="FILE",
        help="write the Detector's held-out false positives/negatives as JSON lines",
    )
    parser.add_argument(
        "--no-presidio", action="store_true", help="skip the stock Presidio reference column"
    )
    return parser.parse_args(argv)


def _run(args: argparse.Namespace) -> None:
    # Stock Presidio must be built before gdprguard's recognizers are imported (see run.py).
    presidio = None if args.no_presidio else presidio_engine()
    results, block = run_heldout(
        detector_engine(), presidio, "python -m bench.detection.heldout_eval --write-docs"
    )
    print(block)
    if args.write_docs:
        write_heldout_docs(block)
        print(f"wrote the held-out block of {DOCS_FILE}", file=sys.stderr)
    if args.dump_errors:
        n = _dump(results, args.dump_errors)
        kinds = Counter((r["error"], r["language"], r["type"]) for r in error_records(results))
        print(f"wrote {n} error records to {args.dump_errors}", file=sys.stderr)
        for key, count in kinds.most_common():
            print(f"  {count:4d}  {' / '.join(key)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
