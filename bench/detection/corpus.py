"""Deterministic labelled corpus of synthetic customer-support texts (English and Japanese).

Each sample is built from templates whose ``{slot}`` markers are filled with Faker (``en_US`` /
``ja_JP``) values and check-digit-valid identifiers; the builder records the exact offsets of
every planted value, so labels are exact by construction. ``{slot#ref}`` reuses the value of an
earlier slot with the same ``#ref`` in the same sample (e.g. an agent who names themself twice).
Sample ``i`` of a language depends only on ``(seed, language, i)``, so a smaller corpus is a
prefix of a larger one. All data is synthetic.

Run ``python -m bench.detection.corpus --out FILE`` to write the corpus as JSON lines.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from faker import Faker

from bench.detection import templates_en, templates_ja
from bench.detection.hard_cases import hard_cases
from bench.detection.model import Piece, Sample, SampleBuilder
from bench.detection.values import EnValues, JaValues, ValuesBase

__all__ = ["DEFAULT_SAMPLES", "DEFAULT_SEED", "build_corpus", "generate", "render", "write_jsonl"]

DEFAULT_SEED = 20240512
DEFAULT_SAMPLES = 1000

_SLOT = re.compile(r"\{(\w+)(?:#(\w+))?\}")
_STYLES: tuple[tuple[str, float], ...] = (
    ("email", 0.5),
    ("chat", 0.2),
    ("phone", 0.15),
    ("social", 0.15),
)


def render(template: str, values: ValuesBase, memo: dict[str, list[Piece]]) -> list[Piece]:
    """Turn ``template`` into pieces, filling every ``{slot}`` from ``values``."""
    pieces: list[Piece] = []
    pos = 0
    for m in _SLOT.finditer(template):
        if m.start() > pos:
            pieces.append(Piece(template[pos : m.start()]))
        slot, ref = m.group(1), m.group(2)
        if ref is not None and ref in memo:
            filled = memo[ref]
        else:
            method = getattr(values, slot, None)
            if method is None or slot.startswith("_"):
                raise KeyError(f"template slot {{{slot}}} has no value generator")
            filled = method()
            if ref is not None:
                memo[ref] = filled
        pieces.extend(filled)
        pos = m.end()
    if pos < len(template):
        pieces.append(Piece(template[pos:]))
    return pieces


@functools.cache
def _faker(language: str) -> Faker:
    return Faker("en_US" if language == "en" else "ja_JP")


def _sample(language: str, seed: int, index: int) -> Sample:
    rng = random.Random(f"{seed}:{language}:{index}")
    fake = _faker(language)
    fake.seed_instance(f"{seed}:{language}:{index}:faker")
    values: ValuesBase = EnValues(rng, fake) if language == "en" else JaValues(rng, fake)
    tpl = templates_en if language == "en" else templates_ja
    style = rng.choices([s for s, _ in _STYLES], weights=[w for _, w in _STYLES])[0]
    memo: dict[str, list[Piece]] = {}
    builder = SampleBuilder()
    if style == "email":
        topic, body = rng.choice(tpl.EMAIL_BODIES)
        for part in (rng.choice(tpl.EMAIL_OPENERS), body, rng.choice(tpl.EMAIL_CLOSERS)):
            builder.extend(render(part, values, memo))
    else:
        topic, body = rng.choice(
            {"chat": tpl.CHAT, "phone": tpl.PHONE, "social": tpl.SOCIAL}[style]
        )
        builder.extend(render(body, values, memo))
    return builder.build(f"{language}-{index:05d}", language, f"{style}/{topic}")


def generate(language: str, n: int, seed: int = DEFAULT_SEED) -> list[Sample]:
    """Return ``n`` generated samples for ``language`` (``"en"`` or ``"ja"``)."""
    if language not in ("en", "ja"):
        raise ValueError(f"unsupported language {language!r}; use 'en' or 'ja'")
    return [_sample(language, seed, i) for i in range(n)]


def build_corpus(
    samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED, include_hard: bool = True
) -> list[Sample]:
    """The benchmark corpus: ``samples`` English + ``samples`` Japanese texts, then hard cases."""
    corpus = generate("en", samples, seed) + generate("ja", samples, seed)
    if include_hard:
        corpus += hard_cases()
    return corpus


def write_jsonl(samples: Sequence[Sample], path: Path) -> None:
    """Write ``samples`` as JSON lines (UTF-8, one sample per line)."""
    with path.open("w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps(s.to_dict(), ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the corpus to a JSONL file."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.corpus", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="output JSONL file")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="samples per language")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--no-hard", action="store_true", help="leave out the hand-written hard cases"
    )
    args = parser.parse_args(argv)
    if args.samples < 0:
        parser.error("--samples must be >= 0")
    corpus = build_corpus(args.samples, args.seed, include_hard=not args.no_hard)
    try:
        write_jsonl(corpus, args.out)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {len(corpus)} samples to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
