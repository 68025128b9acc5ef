"""Overlap scoring of predictions against a public corpus's mapped gold spans.

Rule: a gold span is *found* when a prediction of its (mapped) type overlaps it by at least one
character; a prediction is *correct* when it overlaps a gold span of its type. Recall is found /
gold, precision is correct / predictions, F1 their harmonic mean. Only the types the corpus (or
the record) is annotated for are scored; predictions of other types are not counted. A
prediction that overlaps only a *neutral* span of its type (a facility for LOCATION, a title
such as "Dr." for PERSON) counts neither way. The stricter rule of the main benchmark (one-to-one,
each side covering half of the other, :mod:`bench.detection.metrics`) is reported beside it as
"F1 ½".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.detection.metrics import Pred, intersection, match
from bench.detection.model import Sample, Span
from bench.detection.public.corpora import CorpusSpec, PublicRecord

__all__ = ["Gold", "RecordScore", "TypeScore", "score_record", "score_records", "scored_gold"]


@dataclass(frozen=True)
class Gold:
    """A gold span with its mapped entity type (``neutral`` spans are kept apart)."""

    type: str
    start: int
    end: int
    label: str


@dataclass
class TypeScore:
    """Counts of one entity type, for the overlap rule and for the strict ½ rule."""

    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    strict_tp: int = 0
    strict_fp: int = 0
    strict_fn: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def strict_f1(self) -> float:
        denominator = 2 * self.strict_tp + self.strict_fp + self.strict_fn
        return 2 * self.strict_tp / denominator if denominator else 0.0

    def add(self, other: TypeScore) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RecordScore:
    """One record's counts per type, its missed gold spans and its wrong predictions."""

    by_type: dict[str, TypeScore] = field(default_factory=dict)
    missed: list[Gold] = field(default_factory=list)
    wrong: list[Pred] = field(default_factory=list)


def scored_gold(spec: CorpusSpec, record: PublicRecord) -> tuple[list[Gold], list[Gold], set[str]]:
    """(gold spans, neutral spans, scored types) of ``record`` under ``spec``'s mapping."""
    labels = set(record.labels) if record.labels is not None else set(spec.mapping)
    types = {spec.mapping[lab] for lab in labels if lab in spec.mapping}
    gold = [
        Gold(spec.mapping[s.label], s.start, s.end, s.label)
        for s in record.spans
        if s.label in spec.mapping and s.label in labels
    ]
    neutral = [
        Gold(spec.neutral[s.label], s.start, s.end, s.label)
        for s in record.spans
        if s.label in spec.neutral
    ]
    return gold, neutral, types


def _overlaps(p: Pred, spans: Iterable[Gold]) -> bool:
    return any(g.type == p.type and intersection(g.start, g.end, p.start, p.end) for g in spans)


def score_record(
    gold: Sequence[Gold], neutral: Sequence[Gold], types: set[str], preds: Sequence[Pred]
) -> RecordScore:
    """Score one record's predictions (see the module docstring for the rule)."""
    out = RecordScore(by_type={t: TypeScore() for t in types})
    kept = [
        p for p in preds if p.type in types and (_overlaps(p, gold) or not _overlaps(p, neutral))
    ]
    for g in gold:
        counts = out.by_type[g.type]
        counts.gold += 1
        if any(p.type == g.type and intersection(g.start, g.end, p.start, p.end) for p in kept):
            counts.found += 1
        else:
            out.missed.append(g)
    for p in kept:
        counts = out.by_type[p.type]
        counts.predicted += 1
        if _overlaps(p, gold):
            counts.correct += 1
        else:
            out.wrong.append(p)
    sample = Sample(
        id="",
        language="",
        category="",
        text="",
        spans=tuple(Span(g.type, g.start, g.end, "") for g in gold),
    )
    pairs, fn, fp = match(sample, kept, "overlap")
    for gi, _pi in pairs:
        out.by_type[gold[gi].type].strict_tp += 1
    for gi in fn:
        out.by_type[gold[gi].type].strict_fn += 1
    for pi in fp:
        out.by_type[kept[pi].type].strict_fp += 1
    return out


def score_records(
    spec: CorpusSpec, records: Sequence[PublicRecord], preds: Sequence[Sequence[Pred]]
) -> tuple[dict[str, TypeScore], list[RecordScore]]:
    """Totals per scored type of ``spec`` and the per-record scores (aligned with records)."""
    totals = {t: TypeScore() for t in spec.entity_types}
    per_record = []
    for record, record_preds in zip(records, preds, strict=True):
        gold, neutral, types = scored_gold(spec, record)
        rs = score_record(gold, neutral, types, record_preds)
        for t, counts in rs.by_type.items():
            totals[t].add(counts)
        per_record.append(rs)
    return totals, per_record
