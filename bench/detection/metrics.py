"""Span matching and per-entity precision / recall / F1.

Primary rule (``overlap``): a prediction is a true positive for a gold span of the same type when
their intersection covers at least half of the gold span AND at least half of the prediction
(so a prediction that swallows the surrounding sentence does not count). Secondary rule
(``exact``): same type, same start and end. Matching is one-to-one within a sample, largest
intersection first; unmatched predictions are false positives, unmatched gold spans false
negatives. Only the contract's entity types are scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bench.detection.model import ENTITY_TYPES, Sample

__all__ = ["Counts", "Pred", "Scores", "intersection", "match", "score"]

Mode = Literal["overlap", "exact"]


@dataclass(frozen=True)
class Pred:
    """One prediction (engine-independent)."""

    type: str
    start: int
    end: int


@dataclass
class Counts:
    """True positives, false positives and false negatives of one entity type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Scores:
    """Counts per entity type for one language and one matching mode."""

    by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in ENTITY_TYPES})

    def micro(self, types: Iterable[str]) -> Counts:
        """Summed counts over ``types``."""
        total = Counts()
        for t in types:
            c = self.by_type[t]
            total.tp += c.tp
            total.fp += c.fp
            total.fn += c.fn
        return total


def intersection(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Length of the intersection of two half-open intervals."""
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _qualifies(g_start: int, g_end: int, p: Pred, mode: Mode) -> int:
    """Score of a candidate pair (0 = not a match)."""
    if mode == "exact":
        return 1 if (g_start, g_end) == (p.start, p.end) else 0
    inter = intersection(g_start, g_end, p.start, p.end)
    if inter * 2 >= g_end - g_start and inter * 2 >= p.end - p.start and inter > 0:
        return inter
    return 0


def match(
    sample: Sample, preds: Sequence[Pred], mode: Mode
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match gold spans to predictions of the same type.

    Returns (pairs of (gold index, prediction index), unmatched gold indexes, unmatched
    prediction indexes). Predictions of types outside the contract are ignored entirely.
    """
    candidates: list[tuple[int, int, int]] = []
    for gi, g in enumerate(sample.spans):
        for pi, p in enumerate(preds):
            if p.type == g.type:
                q = _qualifies(g.start, g.end, p, mode)
                if q:
                    candidates.append((q, gi, pi))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _q, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    unmatched_g = [i for i in range(len(sample.spans)) if i not in used_g]
    unmatched_p = [i for i, p in enumerate(preds) if i not in used_p and p.type in ENTITY_TYPES]
    return pairs, unmatched_g, unmatched_p


def score(samples: Sequence[Sample], preds: Sequence[Sequence[Pred]], mode: Mode) -> Scores:
    """Aggregate counts per entity type over ``samples`` (``preds`` aligned with them)."""
    scores = Scores()
    for sample, sample_preds in zip(samples, preds, strict=True):
        pairs, fn, fp = match(sample, sample_preds, mode)
        for gi, _pi in pairs:
            scores.by_type[sample.spans[gi].type].tp += 1
        for gi in fn:
            scores.by_type[sample.spans[gi].type].fn += 1
        for pi in fp:
            scores.by_type[sample_preds[pi].type].fp += 1
    return scores
