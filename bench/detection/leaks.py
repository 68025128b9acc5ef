"""Leak counts: how many planted values of each type survive redaction, per template.

Redaction replaces exactly the characters that findings cover, so a planted value *survives*
when at least one of its letters or digits is covered by no finding (of any type: a phone
number redacted as something else has not leaked). A value that is only partly covered has
leaked too: ``090-1234-<PHONE>`` still gives the number away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bench.detection.metrics import Pred
from bench.detection.model import ENTITY_TYPES, Sample, Span

__all__ = ["LeakRow", "count_leaks", "leak_table", "structured_survivors", "survives"]


@dataclass
class LeakRow:
    """Planted and surviving values of one template, by entity type."""

    template: str
    planted: Counter[str] = field(default_factory=Counter)
    survived: Counter[str] = field(default_factory=Counter)


def survives(text: str, span: Span, preds: Iterable[Pred]) -> bool:
    """True when a letter or digit of the planted *span* is covered by no prediction."""
    covered = bytearray(span.end - span.start)
    for p in preds:
        lo, hi = max(p.start, span.start), min(p.end, span.end)
        if lo < hi:
            covered[lo - span.start : hi - span.start] = b"\x01" * (hi - lo)
    return any(
        not covered[i - span.start] and text[i].isalnum() for i in range(span.start, span.end)
    )


def count_leaks(
    samples: Sequence[Sample],
    preds: Sequence[Sequence[Pred]],
    template_of: Callable[[Sample], str] = lambda s: s.category,
) -> dict[str, LeakRow]:
    """Leak rows keyed by template (by default the sample's category)."""
    rows: dict[str, LeakRow] = {}
    for sample, sample_preds in zip(samples, preds, strict=True):
        name = template_of(sample)
        row = rows.setdefault(name, LeakRow(name))
        for span in sample.spans:
            row.planted[span.type] += 1
            if survives(sample.text, span, sample_preds):
                row.survived[span.type] += 1
    return rows


def structured_survivors(rows: Iterable[LeakRow], structured: Sequence[str]) -> int:
    """How many values of the structured types survived, over all rows."""
    return sum(row.survived[t] for row in rows for t in structured)


def leak_table(rows: Iterable[LeakRow], structured: Sequence[str]) -> list[str]:
    """Markdown: one line per template, with the surviving values by type."""
    lines = [
        "| template | planted | survived | structured survived | survived by type |",
        "|---|---:|---:|---:|---|",
    ]
    total = LeakRow("all")
    for row in sorted(rows, key=lambda r: r.template):
        total.planted.update(row.planted)
        total.survived.update(row.survived)
        lines.append(_row(row, structured))
    lines.append(_row(total, structured, bold=True))
    return lines


def _row(row: LeakRow, structured: Sequence[str], bold: bool = False) -> str:
    planted = sum(row.planted.values())
    survived = sum(row.survived.values())
    by_type = ", ".join(
        f"{t} {row.survived[t]}/{row.planted[t]}" for t in ENTITY_TYPES if row.survived[t]
    )
    name = f"**{row.template}**" if bold else f"`{row.template}`"
    return (
        f"| {name} | {planted} | {survived} | {sum(row.survived[t] for t in structured)} "
        f"| {by_type or '–'} |"
    )
