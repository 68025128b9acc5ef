"""Turn the hand-written, marker-annotated source files into the held-out JSONL files.

A source file holds records separated by header lines ``=== <id> <category>``. Inside a record,
``[[CODE:value]]`` marks a labelled span (``CODE`` from :data:`CODES`) and ``[[~kind:value]]``
marks a hard negative (an order number, a product named like a person, ...). The markers are
removed and their exact code-point offsets recorded. Card numbers, My Numbers and IBANs are
checked here, so an invalid planted value fails the build instead of silently entering the set.

Run ``python -m bench.detection.heldout.build`` to regenerate ``en.jsonl`` and ``ja.jsonl``;
``--check`` only verifies that they are up to date (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.detection.checksums import iban_is_valid, luhn_is_valid, my_number_is_valid
from bench.detection.model import ENTITY_TYPES, NearMiss, Sample, Span

__all__ = ["CODES", "HELDOUT_DIR", "SourceError", "load_jsonl", "parse_source", "to_jsonl"]

HELDOUT_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "ja")

#: Short marker codes used in the source files -> contract entity types.
CODES: dict[str, str] = {
    "P": "PERSON",
    "EMAIL": "EMAIL_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "CC": "CREDIT_CARD",
    "IBAN": "IBAN_CODE",
    "IP": "IP_ADDRESS",
    "URL": "URL",
    "LOC": "LOCATION",
    "DOB": "DATE_TIME",
    "MYNUM": "JP_MY_NUMBER",
    "ZIP": "JP_POSTAL_CODE",
    "BANK": "JP_BANK_ACCOUNT",
    "DL": "JP_DRIVER_LICENSE",
    "PASS": "JP_PASSPORT",
}
assert set(CODES.values()) <= set(ENTITY_TYPES)

_HEADER = re.compile(r"^=== (?P<id>[a-z]{2}-\d{3}) (?P<category>[a-z_]+)$", re.MULTILINE)
_MARKER = re.compile(r"\[\[(?P<code>~?[A-Za-z_]+):(?P<value>.+?)\]\]", re.DOTALL)


class SourceError(ValueError):
    """A malformed source record (unknown code, bad checksum, stray brackets, ...)."""


@dataclass(frozen=True)
class _Record:
    id: str
    category: str
    body: str


def _records(source: str) -> list[_Record]:
    heads = list(_HEADER.finditer(source))
    if not heads or source[: heads[0].start()].strip():
        raise SourceError("a source file must start with a '=== <id> <category>' header")
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(source)
        body = source[m.end() : end].strip("\n")
        out.append(_Record(m["id"], m["category"], body))
    return out


def _check_value(record_id: str, entity: str, value: str) -> None:
    problem = None
    if value != value.strip():
        problem = "starts or ends with whitespace"
    elif entity == "CREDIT_CARD" and not luhn_is_valid(value):
        problem = "fails the Luhn check"
    elif entity == "JP_MY_NUMBER" and not my_number_is_valid(_ascii_digits(value)):
        problem = "fails the My Number check digit"
    elif entity == "IBAN_CODE" and not iban_is_valid(value):
        problem = "fails the IBAN mod-97 check"
    if problem:
        raise SourceError(f"{record_id}: {entity} value {problem}")


def _ascii_digits(value: str) -> str:
    """Digits of ``value`` with full-width digits folded to ASCII."""
    return "".join(str(int(ch)) for ch in value if ch.isdigit())


def _parse_record(record: _Record, language: str) -> Sample:
    parts: list[str] = []
    spans: list[Span] = []
    near: list[NearMiss] = []
    length = 0
    pos = 0
    for m in _MARKER.finditer(record.body):
        plain = record.body[pos : m.start()]
        parts.append(plain)
        length += len(plain)
        code, value = m["code"], m["value"]
        start, end = length, length + len(value)
        if code.startswith("~"):
            near.append(NearMiss(code[1:], start, end, value))
        elif code in CODES:
            _check_value(record.id, CODES[code], value)
            spans.append(Span(CODES[code], start, end, value))
        else:
            raise SourceError(f"{record.id}: unknown marker code {code!r}")
        parts.append(value)
        length = end
        pos = m.end()
    parts.append(record.body[pos:])
    text = "".join(parts)
    if "[[" in text or "]]" in text:
        raise SourceError(f"{record.id}: unbalanced [[ ]] marker")
    return Sample(
        id=record.id,
        language=language,
        category=record.category,
        text=text,
        spans=tuple(spans),
        near_misses=tuple(near),
    )


def parse_source(source: str, language: str) -> list[Sample]:
    """Parse one marker-annotated source file into samples with exact offsets."""
    samples = [_parse_record(r, language) for r in _records(source)]
    ids = [s.id for s in samples]
    if len(set(ids)) != len(ids):
        raise SourceError(f"duplicate record ids in the {language} source")
    return samples


def to_jsonl(samples: Sequence[Sample]) -> str:
    """The JSONL form: one ``{"id","language","category","text","spans","near_misses"}`` a line."""
    return "".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in samples)


def load_jsonl(path: Path) -> list[Sample]:
    """Read a held-out JSONL file back into samples (span values re-sliced from the text)."""
    samples = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d: dict[str, Any] = json.loads(line)
            text = d["text"]
            samples.append(
                Sample(
                    id=d["id"],
                    language=d["language"],
                    category=d.get("category", ""),
                    text=text,
                    spans=tuple(
                        Span(s["type"], s["start"], s["end"], text[s["start"] : s["end"]])
                        for s in d["spans"]
                    ),
                    near_misses=tuple(
                        NearMiss(n["kind"], n["start"], n["end"], text[n["start"] : n["end"]])
                        for n in d.get("near_misses", [])
                    ),
                )
            )
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the JSONL files only")
    args = parser.parse_args(argv)
    stale = []
    for language in LANGUAGES:
        source = (HELDOUT_DIR / f"source_{language}.txt").read_text(encoding="utf-8")
        try:
            rendered = to_jsonl(parse_source(source, language))
        except SourceError as exc:
            print(f"error: source_{language}.txt: {exc}", file=sys.stderr)
            return 2
        target = HELDOUT_DIR / f"{language}.jsonl"
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != rendered:
                stale.append(target.name)
        else:
            target.write_text(rendered, encoding="utf-8")
            print(f"wrote {target.name}", file=sys.stderr)
    if stale:
        print(f"out of date: {', '.join(stale)}; run python -m bench.detection.heldout.build")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
