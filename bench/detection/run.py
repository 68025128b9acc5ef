"""Detection benchmark: accuracy per entity and language, near-miss false positives, and
single-process throughput of gdprguard's ``Detector`` vs stock Presidio (blank spaCy pipeline).

Run ``python -m bench.detection.run [--write-docs] [--samples N] [--seed S] [--repeat R]
[--dump-errors FILE] [--heldout]``; ``--heldout`` also scores the hand-written held-out set
(see :mod:`bench.detection.heldout_eval`). Both engines analyse the same texts in the same
process; each timing is the median CPU time of ``--repeat`` passes after a warm-up. Public
corpora annotated by others and the DataFog/scrubadub baselines have their own commands
(:mod:`bench.detection.public`); their blocks of the docs are kept when this one rewrites them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.detection.corpus import DEFAULT_SAMPLES, DEFAULT_SEED, build_corpus
from bench.detection.leaks import LeakRow, count_leaks, leak_table, structured_survivors
from bench.detection.metrics import Counts, Pred, Scores, intersection, match, score
from bench.detection.model import ENTITY_TYPES, Sample

__all__ = ["main"]

Analyze = Callable[[str], list[Pred]]

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
START_MARKER = "<!-- bench:detection:start -->"
END_MARKER = "<!-- bench:detection:end -->"
#: hand-written notes on the speed targets (what limits them), kept when the section is rewritten
NOTES_START = "<!-- bench:detection-notes:start -->"
NOTES_END = "<!-- bench:detection-notes:end -->"

STRUCTURED = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "JP_MY_NUMBER",
    "JP_POSTAL_CODE",
)
MIN_SUPPORT_FOR_TARGET = 20
#: throughput targets: a multiple of stock Presidio on the same texts in the same run, and a
#: floor in characters per second (Japanese includes SudachiPy's name tagging)
SPEED_RATIO_TARGET = 15.0
SPEED_TARGETS = {"en": 1_000_000, "ja": 500_000}
WARMUP_TEXTS = 30
CONTEXT_CHARS = 30


class BenchError(Exception):
    """A problem the user can fix (missing engine, missing docs markers, bad arguments)."""


# --------------------------------------------------------------------------- engines


def detector_engine() -> Analyze:
    """gdprguard's Detector, ``language="auto"``, as the benchmark sees it."""
    try:
        from gdprguard.detect import Detector
    except ImportError as exc:
        raise BenchError(
            f"gdprguard.detect.Detector is not importable ({exc}); "
            "run with --presidio-only to measure the baseline alone"
        ) from exc
    detector = Detector()

    def analyze(text: str) -> list[Pred]:
        return [Pred(f.type, f.start, f.end) for f in detector.analyze(text, language="auto")]

    return analyze


def presidio_engine() -> Analyze:
    """Stock Presidio ``AnalyzerEngine`` (default English recognizers, blank spaCy pipeline)."""
    from bench.detection.baseline import make_presidio_analyzer

    analyzer = make_presidio_analyzer()

    def analyze(text: str) -> list[Pred]:
        return [
            Pred(r.entity_type, r.start, r.end) for r in analyzer.analyze(text=text, language="en")
        ]

    return analyze


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """Median wall time of analysing ``texts`` once, plus the predictions of the last pass."""

    engine: str
    language: str
    texts: int
    chars: int
    utf8_bytes: int
    seconds: float
    preds: list[list[Pred]]

    @property
    def kib_per_s(self) -> float:
        return self.utf8_bytes / 1024 / self.seconds

    @property
    def chars_per_s(self) -> float:
        return self.chars / self.seconds


def clear_detector_caches() -> None:
    """Forget what the Detector cached about texts already seen, so that every timed pass
    analyses its texts as new (its caches are meant for text that recurs across tickets,
    such as greetings and closing formulas, not for the benchmark's repeated passes)."""
    from gdprguard.detect import Detector

    Detector.clear_caches()


def run_timed(
    engine: str,
    analyze: Analyze,
    language: str,
    texts: Sequence[str],
    repeat: int,
    reset: Callable[[], None] | None = None,
) -> Timing:
    """Warm up on a few texts, then time ``repeat`` full passes and keep the median;
    ``reset`` runs before each pass (outside the timing)."""
    for t in texts[:WARMUP_TEXTS]:
        analyze(t)
    durations: list[float] = []
    preds: list[list[Pred]] = []
    for _ in range(repeat):
        if reset is not None:
            reset()
        out: list[list[Pred]] = []
        t0 = time.process_time()
        for t in texts:
            out.append(analyze(t))
        durations.append(time.process_time() - t0)
        preds = out
    return Timing(
        engine=engine,
        language=language,
        texts=len(texts),
        chars=sum(len(t) for t in texts),
        utf8_bytes=sum(len(t.encode("utf-8")) for t in texts),
        seconds=statistics.median(durations),
        preds=preds,
    )


# --------------------------------------------------------------------------- evaluation


@dataclass
class NearMissResult:
    """How many near-miss spans of each kind a prediction overlapped."""

    total: Counter[str]
    flagged: Counter[str]


def near_miss_hits(samples: Sequence[Sample], preds: Sequence[Sequence[Pred]]) -> NearMissResult:
    """Count near-miss spans overlapped by any scored prediction."""
    total: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for sample, sample_preds in zip(samples, preds, strict=True):
        for nm in sample.near_misses:
            total[nm.kind] += 1
            if any(
                p.type in ENTITY_TYPES and intersection(nm.start, nm.end, p.start, p.end) > 0
                for p in sample_preds
            ):
                flagged[nm.kind] += 1
    return NearMissResult(total, flagged)


@dataclass
class LanguageResult:
    """Everything measured for one language."""

    language: str
    samples: list[Sample]
    detector: Timing | None
    presidio: Timing
    overlap: Scores | None
    exact: Scores | None
    presidio_overlap: Scores
    near: NearMissResult | None
    presidio_near: NearMissResult


def evaluate_language(
    language: str,
    samples: list[Sample],
    engines: dict[str, Analyze],
    repeat: int,
) -> LanguageResult:
    texts = [s.text for s in samples]
    det = (
        run_timed("gdprguard", engines["gdprguard"], language, texts, repeat, clear_detector_caches)
        if "gdprguard" in engines
        else None
    )
    pre = run_timed("presidio", engines["presidio"], language, texts, repeat)
    return LanguageResult(
        language=language,
        samples=samples,
        detector=det,
        presidio=pre,
        overlap=score(samples, det.preds, "overlap") if det else None,
        exact=score(samples, det.preds, "exact") if det else None,
        presidio_overlap=score(samples, pre.preds, "overlap"),
        near=near_miss_hits(samples, det.preds) if det else None,
        presidio_near=near_miss_hits(samples, pre.preds),
    )


# --------------------------------------------------------------------------- targets


def _target(entity: str, language: str) -> tuple[str, Callable[[Counts], bool]] | None:
    if entity in STRUCTURED:
        return "F1 ≥ 0.95", lambda c: c.f1 >= 0.95
    if entity == "PERSON" and language == "ja":
        return "R ≥ 0.90, P ≥ 0.80", lambda c: c.recall >= 0.9 and c.precision >= 0.8
    if entity == "PERSON":
        return "R ≥ 0.75, P ≥ 0.80", lambda c: c.recall >= 0.75 and c.precision >= 0.8
    return None


def _met(entity: str, language: str, counts: Counts) -> tuple[str, str]:
    target = _target(entity, language)
    if target is None:
        return "–", ""
    text, check = target
    if counts.support < MIN_SUPPORT_FOR_TARGET:
        return text, "n/a (n<20)"
    return text, "yes" if check(counts) else "**no**"


# --------------------------------------------------------------------------- report


def _f(x: float) -> str:
    return f"{x:.3f}"


def accuracy_table(res: LanguageResult) -> list[str]:
    """Markdown rows: one per entity type with gold support in this language."""
    lines = [
        "| entity | gold | P | R | F1 | F1 exact | Presidio F1 | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    assert res.overlap is not None and res.exact is not None
    for t in ENTITY_TYPES:
        c = res.overlap.by_type[t]
        if c.support == 0 and c.fp == 0:
            continue
        e = res.exact.by_type[t]
        pc = res.presidio_overlap.by_type[t]
        presidio_f1 = _f(pc.f1) if pc.tp + pc.fp else "–"
        target, met = _met(t, res.language, c)
        lines.append(
            f"| {t} | {c.support} | {_f(c.precision)} | {_f(c.recall)} | {_f(c.f1)} | {_f(e.f1)} "
            f"| {presidio_f1} | {target} | {met} |"
        )
    micro = res.overlap.micro(ENTITY_TYPES)
    lines.append(
        f"| all (micro) | {micro.support} | {_f(micro.precision)} | {_f(micro.recall)} "
        f"| {_f(micro.f1)} | {_f(res.exact.micro(ENTITY_TYPES).f1)} "
        f"| {_f(res.presidio_overlap.micro(ENTITY_TYPES).f1)} | | |"
    )
    return lines


def near_miss_table(results: Sequence[LanguageResult]) -> list[str]:
    lines = [
        "| language | near-miss spans | flagged by gdprguard | flagged by Presidio "
        "| kinds flagged by gdprguard |",
        "|---|---:|---:|---:|---|",
    ]
    for res in results:
        assert res.near is not None
        kinds = ", ".join(f"{k} {n}" for k, n in res.near.flagged.most_common()) or "none"
        lines.append(
            f"| {res.language} | {sum(res.near.total.values())} | {sum(res.near.flagged.values())} "
            f"| {sum(res.presidio_near.flagged.values())} | {kinds} |"
        )
    return lines


def throughput_table(results: Sequence[LanguageResult]) -> list[str]:
    lines = [
        "| text | engine | texts | chars | KiB (UTF-8) | seconds | KiB/s | chars/s | vs Presidio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        pre = res.presidio
        rows = [(res.detector, "gdprguard `Detector`"), (pre, "stock Presidio, blank `en`")]
        for timing, label in rows:
            if timing is None:
                continue
            ratio = pre.seconds / timing.seconds
            note = (
                " (reference: no Japanese support)"
                if res.language == "ja" and timing is pre
                else ""
            )
            lines.append(
                f"| {res.language} | {label}{note} | {timing.texts} | {timing.chars:,} "
                f"| {timing.utf8_bytes / 1024:,.0f} | {timing.seconds:.2f} "
                f"| {timing.kib_per_s:,.0f} "
                f"| {timing.chars_per_s:,.0f} | {ratio:.1f}× |"
            )
    return lines


def template_leaks(results: Sequence[LanguageResult]) -> dict[str, LeakRow]:
    """Planted values surviving the Detector's redaction, per language and template."""
    rows: dict[str, LeakRow] = {}
    for res in results:
        assert res.detector is not None
        rows.update(
            count_leaks(res.samples, res.detector.preds, lambda s: f"{s.language}/{s.category}")
        )
    return rows


def targets_summary(results: Sequence[LanguageResult]) -> list[str]:
    lines = ["| target | measured | met |", "|---|---|---|"]
    leaked = structured_survivors(template_leaks(results).values(), STRUCTURED)
    lines.append(
        f"| no structured value survives redaction | {leaked} "
        f"| {'yes' if leaked == 0 else '**no**'} |"
    )
    for res in results:
        assert res.overlap is not None and res.detector is not None
        structured = [
            t for t in STRUCTURED if res.overlap.by_type[t].support >= MIN_SUPPORT_FOR_TARGET
        ]
        by_type = res.overlap.by_type
        if structured:
            worst = min(structured, key=lambda t: by_type[t].f1)
            wf1 = by_type[worst].f1
            lines.append(
                f"| {res.language}: F1 ≥ 0.95 on every structured type "
                f"| lowest: {worst} {_f(wf1)} | {'yes' if wf1 >= 0.95 else '**no**'} |"
            )
        else:
            lines.append(
                f"| {res.language}: F1 ≥ 0.95 on every structured type | too few samples | n/a |"
            )
        p = res.overlap.by_type["PERSON"]
        need = 0.9 if res.language == "ja" else 0.75
        ok = p.recall >= need and p.precision >= 0.8
        lines.append(
            f"| {res.language}: PERSON recall ≥ {need:.2f}, precision ≥ 0.80 "
            f"| R {_f(p.recall)}, P {_f(p.precision)} | {'yes' if ok else '**no**'} |"
        )
    for res in results:
        det = res.detector
        assert det is not None
        ratio = res.presidio.seconds / det.seconds
        floor = SPEED_TARGETS[res.language]
        lines.append(
            f"| {res.language}: throughput ≥ {SPEED_RATIO_TARGET:.0f}× stock Presidio "
            f"| {ratio:.1f}× | {'yes' if ratio >= SPEED_RATIO_TARGET else '**no**'} |"
        )
        met = "yes" if det.chars_per_s >= floor else "**no**"
        lines.append(
            f"| {res.language}: throughput ≥ {floor / 1000:,.0f}K chars/s "
            f"| {det.chars_per_s:,.0f} chars/s | {met} |"
        )
    return lines


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def ver(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"presidio-analyzer {ver('presidio-analyzer')}, spaCy {ver('spacy')}, "
        f"SudachiPy {ver('SudachiPy')}, single process"
    )


def report(results: Sequence[LanguageResult], args: argparse.Namespace, command: str) -> str:
    hard = sum(1 for r in results for s in r.samples if s.id.startswith("hard-"))
    out: list[str] = [
        f"Command: `{command}`",
        "",
        f"Machine: {machine_line()}.",
        "",
        f"Corpus: {args.samples} generated texts per language (seed {args.seed}; Faker "
        "`en_US`/`ja_JP` filled into email, chat, phone-transcript and social templates) plus "
        f"{hard} hand-written hard cases (HTML mail, signatures, full-width, mixed language, "
        "Japanese addresses, near-misses). All synthetic. Metric: a prediction is a true positive "
        "when it has the gold span's type and their intersection covers ≥ 50% of the gold span "
        "and ≥ 50% of the prediction (one-to-one); "
        "*F1 exact* requires identical offsets. *Presidio F1* is stock Presidio on the same texts, "
        'for reference. The gdprguard `Detector` runs with `language="auto"`.',
        "",
        "**Read these tables with care:** the recognizers were tuned against this corpus, so "
        "scores near 1.0 show that its phrasings are covered, not how well gdprguard does on real "
        "tickets. The held-out set at the end of this section, written independently and never "
        "read while writing rules (only its aggregate scores were watched), is the honest "
        "estimate.",
        "",
    ]
    for res in results:
        name = "English" if res.language == "en" else "Japanese"
        out += [f"**{name}** ({len(res.samples)} texts)", "", *accuracy_table(res), ""]
    out += [
        "**Near-misses** (order, tracking, invoice and SKU numbers, timestamps, prices, "
        "non-birth dates, 16-digit numbers failing Luhn, 12-digit numbers failing the My Number "
        "check): a near-miss counts as flagged when any prediction overlaps it.",
        "",
        *near_miss_table(results),
        "",
    ]
    out += [
        "**Leaks per template** (planted values that survive redaction with the Detector's "
        "findings: a value survives when any of its letters or digits is left uncovered; "
        f"structured types: {', '.join(STRUCTURED)}):",
        "",
        *leak_table(template_leaks(results).values(), STRUCTURED),
        "",
    ]
    out += [
        f"**Throughput** (median of {args.repeat} passes after a warm-up, one `analyze` call per "
        "text; CPU seconds of the benchmark process, so other work on the shared machine does not "
        "count; the Detector's caches are cleared before each pass, so no text is timed twice "
        "from cache):",
        "",
        *throughput_table(results),
        "",
    ]
    out += ["**Targets**", "", *targets_summary(results)]
    return "\n".join(out)


def _read_docs(path: Path) -> tuple[str, int, int]:
    """The docs file and the positions of the detection markers in it."""
    try:
        doc = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BenchError(f"cannot read {path}: {exc.strerror}") from exc
    start, end = doc.find(START_MARKER), doc.find(END_MARKER)
    if start < 0 or end < start:
        raise BenchError(f"{path} lacks the markers {START_MARKER} … {END_MARKER}; add them back")
    return doc, start, end


def current_section(path: Path = DOCS_FILE) -> str:
    """The text now between the detection markers in ``docs/benchmarks.md``."""
    doc, start, end = _read_docs(path)
    return doc[start + len(START_MARKER) : end].strip("\n")


def write_docs(section: str, path: Path = DOCS_FILE) -> None:
    """Replace the text between the detection markers in ``docs/benchmarks.md``."""
    doc, start, end = _read_docs(path)
    new = doc[: start + len(START_MARKER)] + "\n" + section + "\n" + doc[end:]
    path.write_text(new, encoding="utf-8")


# --------------------------------------------------------------------------- error dump


def _context(text: str, start: int, end: int) -> str:
    return (
        text[max(0, start - CONTEXT_CHARS) : start]
        + "[["
        + text[start:end]
        + "]]"
        + text[end : end + CONTEXT_CHARS]
    )


def error_records(results: Sequence[LanguageResult]) -> list[dict[str, Any]]:
    """False negatives, false positives and flagged near-misses of the Detector (overlap rule)."""
    records: list[dict[str, Any]] = []
    for res in results:
        assert res.detector is not None
        for sample, preds in zip(res.samples, res.detector.preds, strict=True):
            _pairs, fn, fp = match(sample, preds, "overlap")
            near_by_pred: dict[int, str] = {}
            for pi in fp:
                p = preds[pi]
                for nm in sample.near_misses:
                    if intersection(nm.start, nm.end, p.start, p.end):
                        near_by_pred[pi] = nm.kind
            base = {"id": sample.id, "language": sample.language, "category": sample.category}
            for gi in fn:
                g = sample.spans[gi]
                overlapping = [
                    {"type": p.type, "text": sample.text[p.start : p.end]}
                    for p in preds
                    if intersection(g.start, g.end, p.start, p.end)
                ]
                kind = "FN"
                if any(o["type"] == g.type for o in overlapping):
                    kind = "FN_BOUNDARY"
                elif overlapping:
                    kind = "FN_WRONG_TYPE"
                records.append(
                    base
                    | {
                        "error": kind,
                        "type": g.type,
                        "gold": g.value,
                        "context": _context(sample.text, g.start, g.end),
                        "predicted": overlapping,
                    }
                )
            for pi in fp:
                p = preds[pi]
                overlaps_gold = any(
                    intersection(g.start, g.end, p.start, p.end) for g in sample.spans
                )
                kind = (
                    "FP_NEAR_MISS"
                    if pi in near_by_pred
                    else ("FP_BOUNDARY" if overlaps_gold else "FP")
                )
                rec = base | {
                    "error": kind,
                    "type": p.type,
                    "predicted_text": sample.text[p.start : p.end],
                    "context": _context(sample.text, p.start, p.end),
                }
                if pi in near_by_pred:
                    rec["near_miss_kind"] = near_by_pred[pi]
                records.append(rec)
    return records


def dump_errors(results: Sequence[LanguageResult], path: Path) -> Counter[tuple[str, ...]]:
    records = error_records(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return Counter(
        (
            r["language"],
            r["error"],
            r["type"],
            r["category"].split("/")[0] if not r["id"].startswith("hard") else r["category"],
        )
        for r in records
    )


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--samples", type=int, default=DEFAULT_SAMPLES, help="generated texts per language"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed passes per engine and language"
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="rewrite the detection section of docs/benchmarks.md",
    )
    parser.add_argument(
        "--dump-errors",
        type=Path,
        metavar="FILE",
        help="write the Detector's false positives/negatives as JSON lines "
        "(e.g. bench/results/detection-errors.jsonl, git-ignored)",
    )
    parser.add_argument(
        "--presidio-only", action="store_true", help="measure only the Presidio baseline"
    )
    parser.add_argument(
        "--heldout",
        action="store_true",
        help="also score the hand-written held-out set (bench/detection/heldout/)",
    )
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.presidio_only and (args.write_docs or args.dump_errors or args.heldout):
        parser.error(
            "--presidio-only cannot be combined with --write-docs, --dump-errors or --heldout"
        )
    return args


def _command(args: argparse.Namespace) -> str:
    parts = ["python -m bench.detection.run"]
    if args.samples != DEFAULT_SAMPLES:
        parts.append(f"--samples {args.samples}")
    if args.seed != DEFAULT_SEED:
        parts.append(f"--seed {args.seed}")
    if args.repeat != 3:
        parts.append(f"--repeat {args.repeat}")
    if args.heldout:
        parts.append("--heldout")
    parts.append("--write-docs")
    return " ".join(parts)


def _presidio_only_report(results: Sequence[LanguageResult]) -> str:
    lines = ["| language | entity | gold | P | R | F1 |", "|---|---|---:|---:|---:|---:|"]
    for res in results:
        for t in ENTITY_TYPES:
            c = res.presidio_overlap.by_type[t]
            if c.support or c.fp:
                lines.append(
                    f"| {res.language} | {t} | {c.support} | {_f(c.precision)} "
                    f"| {_f(c.recall)} | {_f(c.f1)} |"
                )
    lines += [
        "",
        "| language | texts | chars | seconds | KiB/s | chars/s | near-misses flagged |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        p = res.presidio
        lines.append(
            f"| {res.language} | {p.texts} | {p.chars:,} | {p.seconds:.2f} | {p.kib_per_s:,.0f} "
            f"| {p.chars_per_s:,.0f} | {sum(res.presidio_near.flagged.values())}"
            f"/{sum(res.presidio_near.total.values())} |"
        )
    return "\n".join(lines)


def _with_heldout(text: str, engines: dict[str, Analyze], command: str) -> str:
    """Append the held-out block (scored with the same engines) to the report."""
    from bench.detection.heldout_eval import merge_heldout_block, run_heldout

    _results, block = run_heldout(engines["gdprguard"], engines["presidio"], command)
    return merge_heldout_block(text, block)


def merge_block(section: str, block: str, start: str, end: str) -> str:
    """Put a sub-block marked ``start``…``end`` into a detection ``section``: replace the one
    already there, else append it at the end."""
    i, j = section.find(start), section.find(end)
    if i >= 0 and j > i:
        return section[:i] + block + section[j + len(end) :]
    return section.rstrip("\n") + "\n\n" + block


def existing_block(start: str, end: str, path: Path = DOCS_FILE) -> str | None:
    """The sub-block marked ``start``…``end`` now in the docs file, if any."""
    try:
        doc = path.read_text(encoding="utf-8")
    except OSError:
        return None
    i, j = doc.find(start), doc.find(end)
    return doc[i : j + len(end)] if 0 <= i < j else None


def write_block(block: str, start: str, end: str, path: Path = DOCS_FILE) -> None:
    """Replace (or add) the sub-block marked ``start``…``end`` in the detection section."""
    write_docs(merge_block(current_section(path), block, start, end), path)


def keep_block(text: str, start: str, end: str, path: Path = DOCS_FILE) -> str:
    """Carry over the sub-block already in ``path`` when this run did not produce it."""
    if start in text:
        return text
    block = existing_block(start, end, path)
    return merge_block(text, block, start, end) if block else text


def _keep_heldout_block(text: str, path: Path = DOCS_FILE) -> str:
    """Carry over the held-out block already in ``path`` when this run did not measure it."""
    from bench.detection.heldout_eval import HELDOUT_END, HELDOUT_START

    return keep_block(text, HELDOUT_START, HELDOUT_END, path)


def _keep_other_blocks(text: str, path: Path = DOCS_FILE) -> str:
    """Carry over the blocks other commands write into the section: Faker-made tickets
    (``bench.detection.faker_tickets``), long records (``bench.detection.long_records``),
    start-up (``bench.detection.startup``), public corpora (``bench.detection.public``),
    third-party baselines (``bench.detection.public.third_party``) and the hand-written notes
    on the targets."""
    from bench.detection.faker_tickets import FAKER_END, FAKER_START
    from bench.detection.long_records import LONG_END, LONG_START
    from bench.detection.public.docs import PUBLIC_BLOCK, THIRD_PARTY_BLOCK, markers
    from bench.detection.startup import STARTUP_END, STARTUP_START

    for start, end in (
        (FAKER_START, FAKER_END),
        (LONG_START, LONG_END),
        (STARTUP_START, STARTUP_END),
        markers(PUBLIC_BLOCK),
        markers(THIRD_PARTY_BLOCK),
        (NOTES_START, NOTES_END),
    ):
        text = keep_block(text, start, end, path)
    return text


def bench_main(body: Callable[[], None]) -> int:
    """Run a benchmark; a :class:`BenchError` becomes one line on stderr and exit code 2."""
    try:
        body()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _run(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    corpus = build_corpus(args.samples, args.seed)
    # Stock Presidio first: its default registry looks recognizer classes up by class name
    # among all loaded subclasses, so it must be built before gdprguard's recognizers exist.
    engines: dict[str, Analyze] = {"presidio": presidio_engine()}
    if not args.presidio_only:
        engines["gdprguard"] = detector_engine()
    print(f"corpus built and engines loaded in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    results = []
    for language in ("en", "ja"):
        samples = [s for s in corpus if s.language == language]
        results.append(evaluate_language(language, samples, engines, args.repeat))
        print(f"{language}: done ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    if args.presidio_only:
        print(_presidio_only_report(results))
        return
    text = report(results, args, _command(args))
    if args.heldout:
        text = _with_heldout(text, engines, _command(args))
    print(text)
    if args.write_docs:
        write_docs(_keep_other_blocks(_keep_heldout_block(text)))
        print(f"wrote the detection section of {DOCS_FILE}", file=sys.stderr)
    if args.dump_errors:
        summary = dump_errors(results, args.dump_errors)
        print(
            f"wrote {sum(summary.values())} error records to {args.dump_errors}; most frequent:",
            file=sys.stderr,
        )
        for key, n in summary.most_common(30):
            print(f"  {n:5d}  {' / '.join(key)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
