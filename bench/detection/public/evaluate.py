"""Score gdprguard's ``Detector`` and stock Presidio on the public corpora, in one run.

Run ``python -m bench.detection.public [--data-dir DIR] [--write-docs] [--dump-errors FILE]``
after building the subsets (:mod:`bench.detection.public.build`). The Detector runs with the
corpus's language (``en`` or ``ja``); stock Presidio is the blank-pipeline baseline of
:mod:`bench.detection.baseline` (English recognizers, so it finds no Japanese names). These
corpora are held out: they are scored, never used to write rules.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.detection.metrics import Pred
from bench.detection.public.corpora import (
    CORPORA,
    CorpusError,
    CorpusSpec,
    PublicRecord,
    data_dir,
    load_records,
)
from bench.detection.public.docs import PUBLIC_BLOCK, write_block
from bench.detection.public.scoring import RecordScore, TypeScore, score_records
from bench.detection.run import BenchError, Timing, clear_detector_caches, machine_line, run_timed

__all__ = ["TARGETS", "CorpusResult", "Target", "main", "report"]

Analyze = Callable[[str], list[Pred]]
CONTEXT_CHARS = 25
COMMAND = "python -m bench.detection.public --write-docs"


@dataclass(frozen=True)
class Target:
    """A number the project has set for one corpus and entity type."""

    corpus: str
    entity: str
    metric: str  # "f1" or "recall"
    threshold: float

    def text(self) -> str:
        name = "F1" if self.metric == "f1" else "recall"
        return f"{self.corpus}: {self.entity} {name} ≥ {self.threshold:.2f}"


TARGETS = (
    Target("presidio-research-synth", "PERSON", "f1", 0.80),
    Target("presidio-research-synth", "LOCATION", "recall", 0.50),
    Target("stockmark-ner-wikipedia", "PERSON", "f1", 0.75),
    Target("ud-japanese-gsd-ne", "PERSON", "f1", 0.75),
)
#: on Presidio's own test cases every type must score at least stock Presidio's F1
NOT_BELOW_PRESIDIO = "presidio-recognizer-tests"


@dataclass
class CorpusResult:
    """Both engines' predictions and scores on one corpus."""

    spec: CorpusSpec
    records: list[PublicRecord]
    detector: Timing
    presidio: Timing
    scores: dict[str, TypeScore]
    per_record: list[RecordScore]
    presidio_scores: dict[str, TypeScore]


def _engines() -> tuple[Analyze, dict[str, Analyze]]:
    """Stock Presidio (built first: its registry must not see gdprguard's recognizers) and
    the Detector for each language."""
    from bench.detection.run import presidio_engine

    presidio = presidio_engine()
    try:
        from gdprguard.detect import Detector
    except ImportError as exc:
        raise BenchError(f"gdprguard.detect.Detector is not importable ({exc})") from exc
    detector = Detector()

    def for_language(language: str) -> Analyze:
        def analyze(text: str) -> list[Pred]:
            return [Pred(f.type, f.start, f.end) for f in detector.analyze(text, language)]

        return analyze

    return presidio, {lang: for_language(lang) for lang in ("en", "ja")}


def evaluate(
    spec: CorpusSpec, records: list[PublicRecord], presidio: Analyze, detector: Analyze
) -> CorpusResult:
    texts = [r.text for r in records]
    det = run_timed("gdprguard", detector, spec.language, texts, 1, clear_detector_caches)
    pre = run_timed("presidio", presidio, spec.language, texts, 1)
    scores, per_record = score_records(spec, records, det.preds)
    presidio_scores, _ = score_records(spec, records, pre.preds)
    return CorpusResult(spec, records, det, pre, scores, per_record, presidio_scores)


# --------------------------------------------------------------------------- report


def _f(x: float) -> str:
    return f"{x:.3f}"


def _micro(scores: dict[str, TypeScore]) -> TypeScore:
    total = TypeScore()
    for counts in scores.values():
        total.add(counts)
    return total


def corpus_table(res: CorpusResult) -> list[str]:
    lines = [
        "| entity | gold | predicted | P | R | F1 | F1 ½ | Presidio P | Presidio R | Presidio F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(t, res.scores[t], res.presidio_scores[t]) for t in res.spec.entity_types]
    if len(rows) > 1:
        rows.append(("all (micro)", _micro(res.scores), _micro(res.presidio_scores)))
    for name, c, p in rows:
        lines.append(
            f"| {name} | {c.gold} | {c.predicted} | {_f(c.precision)} | {_f(c.recall)} "
            f"| {_f(c.f1)} | {_f(c.strict_f1)} | {_f(p.precision)} | {_f(p.recall)} "
            f"| {_f(p.f1)} |"
        )
    return lines


def _measure(res: CorpusResult, target: Target) -> float:
    c = res.scores[target.entity]
    return c.f1 if target.metric == "f1" else c.recall


def targets_table(results: dict[str, CorpusResult]) -> list[str]:
    lines = ["| target | measured | met |", "|---|---|---|"]
    for target in TARGETS:
        res = results.get(target.corpus)
        if res is None:
            continue
        value = _measure(res, target)
        met = "yes" if value >= target.threshold else "**no**"
        lines.append(f"| {target.text()} | {_f(value)} | {met} |")
    res = results.get(NOT_BELOW_PRESIDIO)
    if res is not None:
        for t in res.spec.entity_types:
            ours, theirs = res.scores[t].f1, res.presidio_scores[t].f1
            met = "yes" if ours >= theirs else "**no**"
            lines.append(
                f"| {NOT_BELOW_PRESIDIO}: {t} F1 not below stock Presidio "
                f"| {_f(ours)} vs {_f(theirs)} | {met} |"
            )
    return lines


def _labels(mapping: dict[str, str]) -> str:
    return ", ".join(f"`{k}` → {v}" for k, v in mapping.items()) or "–"


def mapping_table() -> list[str]:
    lines = [
        "| corpus | scored (gold label → type) | neutral | not scored |",
        "|---|---|---|---|",
    ]
    for spec in CORPORA:
        by_reason: dict[str, list[str]] = {}
        for label, why in spec.ignored.items():
            by_reason.setdefault(why, []).append(f"`{label}`")
        ignored = "; ".join(f"{', '.join(v)} ({why})" for why, v in by_reason.items()) or "–"
        lines.append(
            f"| {spec.name} | {_labels(dict(spec.mapping))} | {_labels(dict(spec.neutral))} "
            f"| {ignored} |"
        )
    return lines


def sources_table(results: dict[str, CorpusResult]) -> list[str]:
    lines = [
        "| corpus | language | records | chars | source | licence | subset |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for spec in CORPORA:
        res = results.get(spec.name)
        if res is None:
            continue
        src = spec.source
        lines.append(
            f"| {spec.name} | {spec.language} | {len(res.records)} | {res.detector.chars:,} "
            f"| [{src.repo}]({src.url}) `{src.commit[:10]}` | {spec.licence} | {spec.subset} |"
        )
    return lines


def report(results: dict[str, CorpusResult]) -> str:
    out = [
        "### Public corpora (held out, annotated by others)",
        "",
        f"Command: `{COMMAND}` (after building the subsets, see "
        "`bench/detection/public/README.md`)",
        "",
        f"Machine: {machine_line()}.",
        "",
        "Four public corpora annotated independently of gdprguard, never used to write rules. "
        "The Detector runs with the corpus's language; *Presidio* is stock Presidio on a blank "
        "spaCy pipeline on the same records in the same run (no NER model, so it finds no names "
        "or places, and no Japanese). Rule: a gold span is found when a prediction of its type "
        "overlaps it; a prediction is correct when it overlaps a gold span of its type; only the "
        "types the corpus is annotated for are counted, and a prediction on a *neutral* span "
        "counts neither way. *F1 ½* is the stricter rule of the tables above (one-to-one, "
        "each side covering half of the other). On Presidio's recognizer test cases each case "
        "is scored only for the type its test file is about.",
        "",
        *sources_table(results),
        "",
    ]
    for spec in CORPORA:
        res = results.get(spec.name)
        if res is None:
            continue
        out += [
            f"**{spec.title}** ({len(res.records)} records; gdprguard "
            f"{res.detector.chars_per_s:,.0f} chars/s, Presidio "
            f"{res.presidio.chars_per_s:,.0f} chars/s, one pass)",
            "",
            *corpus_table(res),
            "",
        ]
    out += ["**Targets**", "", *targets_table(results), ""]
    out += ["**Label mapping**", "", *mapping_table()]
    return "\n".join(out)


# --------------------------------------------------------------------------- error dump


def _context(text: str, start: int, end: int) -> str:
    return (
        text[max(0, start - CONTEXT_CHARS) : start]
        + "[["
        + text[start:end]
        + "]]"
        + text[end : end + CONTEXT_CHARS]
    )


def error_records(res: CorpusResult) -> list[dict[str, Any]]:
    """The Detector's missed gold spans and wrong predictions, with some context."""
    out: list[dict[str, Any]] = []
    for record, rs, preds in zip(res.records, res.per_record, res.detector.preds, strict=True):
        base = {"corpus": res.spec.name, "id": record.id}
        for g in rs.missed:
            other = [
                {"type": p.type, "text": record.text[p.start : p.end]}
                for p in preds
                if p.start < g.end and g.start < p.end
            ]
            out.append(
                base
                | {
                    "error": "FN",
                    "type": g.type,
                    "label": g.label,
                    "gold": record.text[g.start : g.end],
                    "context": _context(record.text, g.start, g.end),
                    "predicted": other,
                }
            )
        for p in rs.wrong:
            labels = [s.label for s in record.spans if s.start < p.end and p.start < s.end]
            out.append(
                base
                | {
                    "error": "FP",
                    "type": p.type,
                    "predicted_text": record.text[p.start : p.end],
                    "context": _context(record.text, p.start, p.end),
                    "overlapping_gold_labels": labels,
                }
            )
    return out


def dump_errors(results: dict[str, CorpusResult], path: Path) -> Counter[tuple[str, str, str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    summary: Counter[tuple[str, str, str]] = Counter()
    with path.open("w", encoding="utf-8") as fh:
        for res in results.values():
            for rec in error_records(res):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                summary[(rec["corpus"], rec["error"], rec["type"])] += 1
    return summary


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.public", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data-dir", type=Path, help="where the built subsets are")
    parser.add_argument(
        "--corpus",
        action="append",
        choices=[s.name for s in CORPORA],
        help="score only this corpus (repeatable; default: all)",
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite this block of docs/benchmarks.md"
    )
    parser.add_argument(
        "--dump-errors",
        type=Path,
        metavar="FILE",
        help="write the Detector's misses and wrong predictions as JSON lines "
        "(e.g. bench/results/public-errors.jsonl, git-ignored)",
    )
    args = parser.parse_args(argv)
    if args.write_docs and args.corpus:
        parser.error("--write-docs needs every corpus; drop --corpus")
    return args


def _run(args: argparse.Namespace) -> None:
    specs = [s for s in CORPORA if not args.corpus or s.name in args.corpus]
    loaded = {s.name: load_records(s, data_dir(args.data_dir)) for s in specs}
    t0 = time.perf_counter()
    presidio, detectors = _engines()
    results: dict[str, CorpusResult] = {}
    for spec in specs:
        results[spec.name] = evaluate(spec, loaded[spec.name], presidio, detectors[spec.language])
        print(f"{spec.name}: done ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    text = report(results)
    print(text)
    if args.write_docs:
        write_block(PUBLIC_BLOCK, text)
        print("wrote the public-corpora block of docs/benchmarks.md", file=sys.stderr)
    if args.dump_errors:
        summary = dump_errors(results, args.dump_errors)
        print(
            f"wrote {sum(summary.values())} error records to {args.dump_errors}:", file=sys.stderr
        )
        for key, n in sorted(summary.items()):
            print(f"  {n:5d}  {' / '.join(key)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        _run(args)
    except (BenchError, CorpusError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
