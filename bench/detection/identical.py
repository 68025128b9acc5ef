"""Differential check: the Detector's findings on every available text, before and after a change.

A change meant to make detection faster must not change what it finds. ``record`` runs the
current Detector over every text set the benchmarks know (the template corpus with its hard
cases, the held-out set, the public corpora when built, Faker tickets, long records) and over
variants of each text (upper case, lower case, full-width, HTML, English and Japanese joined),
in several modes (all types; the five types DataFog shares; every type down to score 0, so that
candidates below the reporting threshold count too), and stores every finding. ``check`` runs
the same and lists the texts whose findings differ from the stored ones.

Run ``python -m bench.detection.identical record`` once before a change, then
``python -m bench.detection.identical check`` after each step (exit 1 when a text differs).
``--quick`` uses a smaller subset (every fifth text) for a fast first look. The store is
``bench/.cache/identical/<name>.json.gz`` (git-ignored); ``--name`` keeps several.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.detection.run import REPO_ROOT, BenchError, bench_main

__all__ = ["MODES", "Mode", "main", "text_sets", "variants"]

STORE_DIR = REPO_ROOT / "bench" / ".cache" / "identical"
FIVE_TYPES = ("CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS", "PHONE_NUMBER")
FAKER_TICKETS = 3000
LONG_SIZES = (20_000, 60_000)
#: at most this many differing texts are printed in full
SHOW = 15

Finding = tuple[int, int, str, float, str]


@dataclass(frozen=True)
class Mode:
    """One way of calling ``Detector.analyze``."""

    key: str
    entities: tuple[str, ...] | None
    min_score: float | None
    language: str = "auto"


MODES: tuple[Mode, ...] = (
    Mode("all", None, None),
    Mode("all-score0", None, 0.0),
    Mode("five", FIVE_TYPES, None),
    Mode("five-score0", FIVE_TYPES, 0.0),
    Mode("person", ("PERSON",), None),
)


# --------------------------------------------------------------------------- texts


def _full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _as_html(text: str) -> str:
    paragraphs = html.escape(text).split("\n")
    return "<div><p>" + "</p>\n<p>".join(paragraphs) + "</p></div>"


def variants(text: str) -> Iterator[tuple[str, str]]:
    """(variant name, text) for the text as given and its case, width and HTML variants."""
    yield "as-is", text
    yield "upper", text.upper()
    yield "lower", text.lower()
    yield "full-width", _full_width(text)
    yield "html", _as_html(text)


def text_sets(quick: bool) -> Iterator[tuple[str, list[str]]]:
    """(set name, texts) of every text set available here; a set that cannot be loaded (a
    public corpus not built) is skipped with a note on stderr."""
    from bench.detection.corpus import build_corpus
    from bench.detection.heldout_eval import load_heldout

    step = 5 if quick else 1
    corpus = build_corpus()
    yield "template corpus", [s.text for s in corpus][::step]
    heldout = load_heldout()
    yield "held-out set", [s.text for lang in ("en", "ja") for s in heldout[lang]][::step]
    yield from _public_sets(step)
    from bench.detection.faker_tickets import generate

    yield "faker tickets", [t.sample.text for t in generate(FAKER_TICKETS // step)]
    en = [s.text for s in corpus if s.language == "en"][::step]
    ja = [s.text for s in corpus if s.language == "ja"][::step]
    yield "mixed en+ja", [f"{a}\n{b}" for a, b in zip(en, ja, strict=False)][: 400 // step]
    from bench.detection.long_records import record

    yield "long records", [record(n) for n in LONG_SIZES]


def _public_sets(step: int) -> Iterator[tuple[str, list[str]]]:
    from bench.detection.public.corpora import CORPORA, CorpusError, load_records

    for spec in CORPORA:
        try:
            records = load_records(spec)
        except CorpusError as exc:
            print(f"skipped public corpus {spec.name}: {exc}", file=sys.stderr)
            continue
        yield f"public: {spec.name}", [r.text for r in records][::step]


# --------------------------------------------------------------------------- running


def _key(text: str, variant: str, mode: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{digest}/{variant}/{mode}"


def run_all(
    quick: bool, progress: Callable[[str], None]
) -> tuple[dict[str, list[Finding]], dict[str, int]]:
    """Findings per (text, variant, mode) key, and how many texts each set contributed."""
    from gdprguard.detect import Detector

    detector = Detector()
    out: dict[str, list[Finding]] = {}
    sizes: dict[str, int] = {}
    for name, texts in text_sets(quick):
        t0 = time.process_time()
        count = 0
        for text in texts:
            for variant, varied in variants(text):
                # long records: as given only (their variants add minutes, not coverage)
                if name == "long records" and variant != "as-is":
                    continue
                count += 1
                for mode in MODES:
                    found = detector.analyze(
                        varied, mode.language, entities=mode.entities, min_score=mode.min_score
                    )
                    out[_key(varied, variant, mode.key)] = [
                        (f.start, f.end, f.type, f.score, f.recognizer) for f in found
                    ]
        sizes[name] = count
        progress(f"{name}: {count} texts, {time.process_time() - t0:.1f} s CPU")
    return out, sizes


def _store_path(name: str) -> Path:
    return STORE_DIR / f"{name}.json.gz"


def save(path: Path, findings: dict[str, list[Finding]], sizes: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump({"sizes": sizes, "findings": findings}, fh)


def load(path: Path) -> tuple[dict[str, list[Finding]], dict[str, int]]:
    if not path.is_file():
        raise BenchError(
            f"{path} does not exist; run `python -m bench.detection.identical record` first"
        )
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    findings = {k: [tuple(f) for f in v] for k, v in data["findings"].items()}
    return findings, data["sizes"]  # type: ignore[return-value]


def compare(
    old: dict[str, list[Finding]], new: dict[str, list[Finding]]
) -> tuple[list[str], list[str]]:
    """Keys whose findings differ, and keys present on one side only."""
    differ = [k for k in new if k in old and old[k] != new[k]]
    missing = sorted(set(old) ^ set(new))
    return differ, missing


def _describe(key: str, old: list[Finding], new: list[Finding]) -> str:
    gone = [f for f in old if f not in new]
    added = [f for f in new if f not in old]
    return f"  {key}\n    only before: {gone}\n    only after:  {added}"


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.identical", description=__doc__.splitlines()[0]
    )
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("--name", default="baseline", help="name of the stored findings")
    parser.add_argument("--quick", action="store_true", help="every fifth text only")
    return parser.parse_args(argv)


def _run(args: argparse.Namespace) -> int:
    name = args.name + ("-quick" if args.quick else "")
    path = _store_path(name)

    def progress(line: str) -> None:
        print(line, file=sys.stderr)

    if args.action == "check":
        old, old_sizes = load(path)
    new, sizes = run_all(args.quick, progress)
    total = sum(sizes.values())
    if args.action == "record":
        save(path, new, sizes)
        print(f"recorded {len(new)} results ({total} texts × {len(MODES)} modes) in {path}")
        return 0
    differ, missing = compare(old, new)
    if old_sizes != sizes or missing:
        print(f"text sets differ from the recorded ones: {old_sizes} vs {sizes}")
    for key in differ[:SHOW]:
        print(_describe(key, old[key], new[key]))
    if differ or missing:
        print(f"DIFFERENT: {len(differ)} of {len(new)} results differ, {len(missing)} unmatched")
        return 1
    print(f"identical: {len(new)} results ({total} texts × {len(MODES)} modes)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    status: list[int] = []
    code = bench_main(lambda: status.append(_run(args)))
    return code or (status[0] if status else 1)


if __name__ == "__main__":
    sys.exit(main())
