"""Data model of the labelled corpus and a builder that records exact span offsets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ENTITY_TYPES", "NearMiss", "Piece", "Sample", "SampleBuilder", "Span"]

#: Entity types of the gdprguard detection contract (the only types the benchmark scores).
ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "LOCATION",
    "DATE_TIME",
    "URL",
    "JP_MY_NUMBER",
    "JP_POSTAL_CODE",
    "JP_BANK_ACCOUNT",
    "JP_DRIVER_LICENSE",
    "JP_PASSPORT",
)


@dataclass(frozen=True)
class Span:
    """A labelled personal-data span; ``value`` is the planted string (kept out of the JSON)."""

    type: str
    start: int
    end: int
    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class NearMiss:
    """A span that looks like personal data but is not (order number, price, ...)."""

    kind: str
    start: int
    end: int
    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Sample:
    """One labelled text of the corpus."""

    id: str
    language: str
    category: str
    text: str
    spans: tuple[Span, ...]
    near_misses: tuple[NearMiss, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"id","language","category","text","spans","near_misses"}``."""
        return {
            "id": self.id,
            "language": self.language,
            "category": self.category,
            "text": self.text,
            "spans": [s.to_dict() for s in self.spans],
            "near_misses": [n.to_dict() for n in self.near_misses],
        }


@dataclass(frozen=True)
class Piece:
    """A fragment of a text: plain (``label`` None), personal data (``label`` an entity type)
    or a near-miss (``label`` starting with ``~``, e.g. ``~order_number``)."""

    value: str
    label: str | None = None


@dataclass
class SampleBuilder:
    """Concatenate pieces and record where each labelled piece lands."""

    _parts: list[str] = field(default_factory=list)
    _length: int = 0
    _spans: list[Span] = field(default_factory=list)
    _near: list[NearMiss] = field(default_factory=list)

    def add(self, piece: Piece | str) -> SampleBuilder:
        """Append a piece (a bare string is plain text)."""
        if isinstance(piece, str):
            piece = Piece(piece)
        start = self._length
        end = start + len(piece.value)
        if piece.label is not None and not piece.value:
            raise ValueError("a labelled piece must not be empty")
        if piece.label is None:
            pass
        elif piece.label.startswith("~"):
            self._near.append(NearMiss(piece.label[1:], start, end, piece.value))
        elif piece.label in ENTITY_TYPES:
            self._spans.append(Span(piece.label, start, end, piece.value))
        else:
            raise ValueError(f"unknown label {piece.label!r}")
        self._parts.append(piece.value)
        self._length = end
        return self

    def extend(self, pieces: Iterable[Piece | str]) -> SampleBuilder:
        """Append several pieces."""
        for piece in pieces:
            self.add(piece)
        return self

    def build(self, sample_id: str, language: str, category: str) -> Sample:
        """Return the finished sample."""
        return Sample(
            id=sample_id,
            language=language,
            category=category,
            text="".join(self._parts),
            spans=tuple(self._spans),
            near_misses=tuple(self._near),
        )
