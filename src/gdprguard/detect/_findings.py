"""The result type of detection and the rule that resolves overlapping findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .._entities import ENTITY_TYPES as _ENTITY_TYPES

__all__ = ["ENTITY_TYPES", "PREFERRED_RECOGNIZERS", "Finding", "resolve_overlaps"]

#: On an exact tie, findings of these recognizers win (they know whose data it is).
PREFERRED_RECOGNIZERS = frozenset({"KnownSubjectRecognizer"})

#: Every entity type the detector can report (kept in one light module, shared with policies)
ENTITY_TYPES = _ENTITY_TYPES


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` is of ``type`` with confidence ``score``.

    Offsets are Python string indices (code points) into the text that was analysed.
    """

    start: int
    end: int
    type: str
    score: float
    recognizer: str = ""

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON shape: ``type``, ``start``, ``end``, ``score``."""
        return {"type": self.type, "start": self.start, "end": self.end, "score": self.score}

    def as_dict(self) -> dict[str, object]:
        """All fields, including the recognizer name."""
        return asdict(self)


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep a non-overlapping subset, deterministically.

    Candidates are taken in order of higher score, then longer span, then the known-subject
    recognizer before others, then earlier start, then type name; each is kept unless it
    overlaps one already kept. The result is sorted by offset.
    """
    ranked = sorted(
        findings,
        key=lambda f: (
            -f.score,
            -(f.end - f.start),
            f.recognizer not in PREFERRED_RECOGNIZERS,
            f.start,
            f.type,
            f.recognizer,
        ),
    )
    kept: list[Finding] = []
    # one byte per offset, set where a kept finding lies: each candidate costs its own length
    # (a sorted list of kept spans would cost a list insertion, linear, per finding)
    taken = bytearray(max((f.end for f in ranked), default=0))
    for f in ranked:
        if f.end <= f.start or taken.find(1, f.start, f.end) >= 0:
            continue
        taken[f.start : f.end] = b"\x01" * (f.end - f.start)
        kept.append(f)
    kept.sort()
    return kept
