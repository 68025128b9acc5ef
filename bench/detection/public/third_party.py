"""DataFog and scrubadub as speed and accuracy baselines on the five types they share with
gdprguard (card, e-mail, IBAN, IP address, phone number).

Run ``python -m bench.detection.public.third_party [--samples N] [--repeat R] [--write-docs]``.
Every engine analyses the same texts in the same process: the main benchmark's template corpus
(English and Japanese) and the hand-written held-out set. Accuracy uses the main benchmark's
matching rule (:mod:`bench.detection.metrics`, overlap) on the gold spans of the five types;
speed is the median CPU time of ``--repeat`` passes after a warm-up. gdprguard runs restricted
to the five types (``Detector.analyze(..., entities=...)``) and, for reference, unrestricted.
A baseline that is not installed (``pip install -e '.[bench]'``) is skipped with a note.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata

from bench.detection.corpus import DEFAULT_SAMPLES, DEFAULT_SEED, build_corpus
from bench.detection.metrics import Pred, Scores, score
from bench.detection.model import Sample
from bench.detection.public.docs import THIRD_PARTY_BLOCK, write_block
from bench.detection.run import (
    BenchError,
    Timing,
    bench_main,
    clear_detector_caches,
    machine_line,
    run_timed,
)

__all__ = ["SHARED_TYPES", "Engine", "Unavailable", "main"]

Analyze = Callable[[str], list[Pred]]
#: the entity types gdprguard, DataFog and scrubadub all have a notion of
SHARED_TYPES = ("CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS", "PHONE_NUMBER")
DATAFOG_TYPES = {
    "CREDIT_CARD": "CREDIT_CARD",
    "EMAIL": "EMAIL_ADDRESS",
    "DE_IBAN": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "PHONE": "PHONE_NUMBER",
}
SCRUBADUB_TYPES = {"credit_card": "CREDIT_CARD", "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER"}
SCRUBADUB_LOCALES = {"en": "en_US", "ja": "ja_JP"}


class Unavailable(Exception):
    """A baseline cannot run here (not installed); the message says why."""


@dataclass(frozen=True)
class Engine:
    """A named engine; ``make(language)`` returns its analyse function for that language."""

    key: str
    label: str
    make: Callable[[str], Analyze]
    types: tuple[str, ...] = SHARED_TYPES


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def presidio_engine() -> Engine:
    from bench.detection.baseline import make_presidio_analyzer

    analyzer = make_presidio_analyzer()
    wanted = list(SHARED_TYPES)

    def make(_language: str) -> Analyze:
        def analyze(text: str) -> list[Pred]:
            found = analyzer.analyze(text=text, language="en", entities=wanted)
            return [Pred(r.entity_type, r.start, r.end) for r in found]

        return analyze

    return Engine("presidio", "stock Presidio, blank `en`, 5 types", make)


def gdprguard_engines() -> list[Engine]:
    from gdprguard.detect import Detector

    detector = Detector()

    def make(entities: tuple[str, ...] | None) -> Callable[[str], Analyze]:
        def for_language(_language: str) -> Analyze:
            def analyze(text: str) -> list[Pred]:
                found = detector.analyze(text, "auto", entities=entities)
                return [Pred(f.type, f.start, f.end) for f in found]

            return analyze

        return for_language

    return [
        Engine("gdprguard-5", "gdprguard `Detector`, 5 types", make(SHARED_TYPES)),
        Engine("gdprguard", "gdprguard `Detector`, all types (reference)", make(None)),
    ]


def datafog_engine(backend: str) -> Engine:
    """DataFog's regex engine; ``backend`` is ``python`` or ``rust`` (datafog-core)."""
    os.environ.setdefault("DATAFOG_NO_TELEMETRY", "1")
    try:
        import datafog
    except ImportError as exc:
        raise Unavailable(f"datafog is not installed ({exc.name})") from None
    if backend == "rust":
        try:
            import datafog_core  # noqa: F401
        except ImportError:
            raise Unavailable("datafog-core (the Rust backend) is not installed") from None
    types = list(DATAFOG_TYPES)

    def make(_language: str) -> Analyze:
        def analyze(text: str) -> list[Pred]:
            result = datafog.scan(
                text, engine="regex", entity_types=types, locales=["de"], backend=backend
            )
            return [
                Pred(DATAFOG_TYPES[e.type], e.start, e.end)
                for e in result.entities
                if e.type in DATAFOG_TYPES
            ]

        return analyze

    if backend == "rust":
        label = f"DataFog {_version('datafog')}, Rust core {_version('datafog-core')}"
    else:
        label = f"DataFog {_version('datafog')}, Python regex"
    return Engine(f"datafog-{backend}", label, make)


def scrubadub_engine() -> Engine:
    try:
        import scrubadub
        import scrubadub.detectors as detectors
    except ImportError as exc:
        raise Unavailable(f"scrubadub is not installed ({exc.name})") from None
    chosen = [detectors.CreditCardDetector, detectors.EmailDetector, detectors.PhoneDetector]

    def make(language: str) -> Analyze:
        scrubber = scrubadub.Scrubber(detector_list=chosen, locale=SCRUBADUB_LOCALES[language])

        def analyze(text: str) -> list[Pred]:
            return [
                Pred(SCRUBADUB_TYPES[f.type], f.beg, f.end)
                for f in scrubber.iter_filth(text)
                if f.type in SCRUBADUB_TYPES
            ]

        return analyze

    return Engine(
        "scrubadub",
        f"scrubadub {_version('scrubadub')} (no IBAN or IP detector)",
        make,
        ("CREDIT_CARD", "EMAIL_ADDRESS", "PHONE_NUMBER"),
    )


def engines() -> tuple[list[Engine], list[str]]:
    """The engines that can run here, and a note for each one skipped. Stock Presidio is built
    first: its registry must not see gdprguard's recognizers."""
    found = [presidio_engine(), *gdprguard_engines()]
    notes: list[str] = []
    for build in (
        lambda: datafog_engine("python"),
        lambda: datafog_engine("rust"),
        scrubadub_engine,
    ):
        try:
            found.append(build())
        except Unavailable as exc:
            notes.append(f"skipped: {exc}; install the `bench` extra")
    return found, notes


# --------------------------------------------------------------------------- measuring


@dataclass
class Row:
    """One engine on one text set."""

    engine: Engine
    timing: Timing
    scores: Scores


def _restrict(samples: Sequence[Sample]) -> list[Sample]:
    """The samples with gold spans of the shared types only."""
    return [
        Sample(
            s.id,
            s.language,
            s.category,
            s.text,
            tuple(x for x in s.spans if x.type in SHARED_TYPES),
        )
        for s in samples
    ]


def measure(
    name: str, language: str, samples: Sequence[Sample], found: Sequence[Engine], repeat: int
) -> list[Row]:
    gold = _restrict(samples)
    texts = [s.text for s in gold]
    rows = []
    for engine in found:
        reset = clear_detector_caches if engine.key.startswith("gdprguard") else None
        timing = run_timed(engine.key, engine.make(language), name, texts, repeat, reset)
        preds = [[p for p in ps if p.type in SHARED_TYPES] for ps in timing.preds]
        rows.append(Row(engine, timing, score(gold, preds, "overlap")))
        print(f"  {name}: {engine.key} done", file=sys.stderr)
    return rows


def text_sets(samples: int, seed: int) -> list[tuple[str, str, list[Sample]]]:
    """(name, language, samples) of the template corpus and the held-out set."""
    from bench.detection.heldout_eval import load_heldout

    corpus = build_corpus(samples, seed)
    heldout = load_heldout()
    return [
        ("template corpus, en", "en", [s for s in corpus if s.language == "en"]),
        ("template corpus, ja", "ja", [s for s in corpus if s.language == "ja"]),
        ("held-out set, en", "en", heldout["en"]),
        ("held-out set, ja", "ja", heldout["ja"]),
    ]


# --------------------------------------------------------------------------- report


def _short(entity: str) -> str:
    for suffix in ("_ADDRESS", "_NUMBER", "_CODE"):
        entity = entity.removesuffix(suffix)
    return entity


def table_head() -> list[str]:
    head = " | ".join(_short(t) for t in SHARED_TYPES)
    return [
        f"| text | engine | chars/s | vs gdprguard (5 types) | {head} | micro F1 |",
        "|---|---|---:|---:|" + "---:|" * len(SHARED_TYPES) + "---:|",
    ]


def table_rows(name: str, rows: Sequence[Row]) -> list[str]:
    """One line per engine: speed and F1 per shared type on text set ``name``."""
    lines = []
    ours = next(r for r in rows if r.engine.key == "gdprguard-5")
    for row in rows:
        cells = []
        for t in SHARED_TYPES:
            c = row.scores.by_type[t]
            if t not in row.engine.types:
                cells.append("–")
            elif c.support == 0 and c.fp == 0:
                cells.append("n/a")
            else:
                cells.append(f"{c.f1:.3f}")
        micro = row.scores.micro(SHARED_TYPES)
        ratio = ours.timing.seconds / row.timing.seconds
        lines.append(
            f"| {name} | {row.engine.label} | {row.timing.chars_per_s:,.0f} | {ratio:.2f}× "
            f"| {' | '.join(cells)} | {micro.f1:.3f} |"
        )
    return lines


def support_line(sets: Sequence[tuple[str, list[Row]]]) -> str:
    parts = []
    for name, rows in sets:
        by_type = rows[0].scores.by_type
        counts = ", ".join(f"{t} {by_type[t].support}" for t in SHARED_TYPES)
        parts.append(f"{name}: {counts}")
    return "Gold spans per type — " + "; ".join(parts) + "."


def report(
    sets: Sequence[tuple[str, list[Row]]], notes: Sequence[str], args: argparse.Namespace
) -> str:
    command = "python -m bench.detection.public.third_party"
    if args.samples != DEFAULT_SAMPLES:
        command += f" --samples {args.samples}"
    if args.repeat != 3:
        command += f" --repeat {args.repeat}"
    out = [
        "### Third-party baselines: DataFog and scrubadub (five shared types)",
        "",
        f"Command: `{command} --write-docs` (baselines from `pip install -e '.[bench]'`)",
        "",
        f"Machine: {machine_line()}.",
        "",
        "Card, e-mail, IBAN, IP address and phone number, the types gdprguard shares with "
        "DataFog and scrubadub. Same texts, same process: the template corpus of the tables "
        "above and the held-out set. F1 uses the main benchmark's rule on the gold spans of "
        "these five types; predictions of other types are not counted. *chars/s*: median CPU "
        f"time of {args.repeat} pass{'es' if args.repeat > 1 else ''} after a warm-up, "
        "one call per text (gdprguard's caches "
        "cleared before each pass); *vs gdprguard* is gdprguard-restricted time over the "
        "engine's time (above 1 = faster than gdprguard). DataFog runs its regex engine with "
        '`locales=["de"]`, the only way it detects IBANs (German ones only); scrubadub runs '
        "its card, e-mail and phone detectors with locale `en_US` on English and `ja_JP` on "
        "Japanese text; `–` marks a type the engine has no detector for.",
        "",
    ]
    for note in notes:
        out += [f"- {note}"]
    if notes:
        out.append("")
    out += table_head()
    for name, rows in sets:
        out += table_rows(name, rows)
    out += ["", support_line(sets)]
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.public.third_party", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--samples", type=int, default=DEFAULT_SAMPLES, help="generated texts per language"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per engine")
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite this block of docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    if args.samples < 1 or args.repeat < 1:
        parser.error("--samples and --repeat must be at least 1")
    if args.write_docs and args.seed != DEFAULT_SEED:
        parser.error("--write-docs uses the default corpus seed; drop --seed")
    return args


def _run(args: argparse.Namespace) -> None:
    try:
        found, notes = engines()
    except ImportError as exc:
        raise BenchError(f"cannot load an engine ({exc})") from exc
    for note in notes:
        print(note, file=sys.stderr)
    sets = []
    for name, language, samples in text_sets(args.samples, args.seed):
        sets.append((name, measure(name, language, samples, found, args.repeat)))
    text = report(sets, notes, args)
    print(text)
    if args.write_docs:
        write_block(THIRD_PARTY_BLOCK, text)
        print("wrote the third-party block of docs/benchmarks.md", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
