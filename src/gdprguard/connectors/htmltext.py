"""Map stretches of a comment's plain text onto its HTML source, to redact them in place.

Detection runs on the plain body; Zendesk's ``comment_redactions`` wants the HTML with ``<redact>``
tags around those stretches, and a Freshdesk note is edited as HTML. :class:`HtmlText` projects the
HTML to the text a reader sees (:func:`gdprguard.text.html.project_html`), which remembers, for
every text character, which source characters produced it (``&amp;`` → ``&``), so a text range
maps back to source ranges without disturbing markup.
A span of the plain body is found in the projection by its text (whitespace-insensitive) and by
which occurrence it is, so repeated values are matched one for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..text.html import project_html

__all__ = ["REDACTION_CHAR", "HtmlText", "TextRange", "resolve_targets"]

REDACTION_CHAR = "\u2587"  # ▇, what Zendesk writes over redacted characters


@dataclass(frozen=True)
class TextRange:
    """``[start, end)`` in some text, with the value it covered."""

    start: int
    end: int
    value: str


def resolve_targets(body: str, targets: Iterable[Any]) -> list[TextRange]:
    """Normalise spans (objects or dicts with start/end) and exact strings into ranges of *body*.

    A string target selects every occurrence of it. Raises ValueError for spans outside *body*.
    """
    ranges: list[TextRange] = []
    for target in targets:
        if isinstance(target, str):
            if not target:
                continue
            for match in re.finditer(re.escape(target), body):
                ranges.append(TextRange(match.start(), match.end(), target))
            continue
        if isinstance(target, Mapping):
            start, end = int(target["start"]), int(target["end"])
        else:
            start, end = int(target.start), int(target.end)
        if not 0 <= start < end <= len(body):
            raise ValueError(f"span [{start}, {end}) is outside the comment body ({len(body)})")
        ranges.append(TextRange(start, end, body[start:end]))
    return _merge(ranges)


def _merge(ranges: list[TextRange]) -> list[TextRange]:
    merged: list[TextRange] = []
    for rng in sorted(ranges, key=lambda r: (r.start, r.end)):
        if merged and rng.start <= merged[-1].end:
            last = merged[-1]
            if rng.end > last.end:
                merged[-1] = TextRange(last.start, rng.end, "")
            continue
        merged.append(rng)
    return merged


def _flex_pattern(value: str) -> re.Pattern[str]:
    words = value.split()
    return re.compile(r"\s*".join(re.escape(w) for w in words))


def _overlapping(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Every match of *pattern* in *text*, overlapping ones included."""
    found: list[re.Match[str]] = []
    position = 0
    while (match := pattern.search(text, position)) is not None:
        found.append(match)
        position = match.start() + 1
    return found


def _align(body: str, text: str) -> list[int] | None:
    """For each position of *body*, the position of the same character in *text*, when the
    two differ only in whitespace (else None). Whitespace positions map to -1."""
    body_chars = [i for i, ch in enumerate(body) if not ch.isspace()]
    text_chars = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(body_chars) != len(text_chars):
        return None
    if any(body[i] != text[j] for i, j in zip(body_chars, text_chars, strict=True)):
        return None
    mapping = [-1] * len(body)
    for i, j in zip(body_chars, text_chars, strict=True):
        mapping[i] = j
    return mapping


def _map_span(mapping: list[int], start: int, end: int) -> tuple[int, int] | None:
    inside = [mapping[i] for i in range(start, end) if mapping[i] >= 0]
    if not inside:
        return None
    return inside[0], inside[-1] + 1


class HtmlText:
    """The text of an HTML fragment with a map back to source offsets."""

    def __init__(self, source: str) -> None:
        self._projection = project_html(source, "render")
        self.source = source
        self.text = self._projection.text

    def locate(self, body: str, ranges: Sequence[TextRange]) -> tuple[list[TextRange], int]:
        """Find each range of the plain *body* in this text; returns (found ranges, missed count).

        When the two texts hold the same characters apart from whitespace (the usual case: the
        helpdesk's plain body is its HTML body's text), each range maps position by position.
        Otherwise the n-th occurrence of a value in *body* maps to its n-th occurrence here (or
        the last one there is), counting overlapping occurrences on both sides, whitespace
        ignored.
        """
        aligned = _align(body, self.text)
        found: list[TextRange] = []
        missed = 0
        for rng in ranges:
            value = body[rng.start : rng.end]
            if not value.strip():
                continue
            if aligned is not None:
                span = _map_span(aligned, rng.start, rng.end)
                if span is not None:
                    found.append(TextRange(span[0], span[1], value))
                    continue
            pattern = _flex_pattern(value)
            nth = sum(1 for m in _overlapping(pattern, body) if m.start() < rng.start)
            matches = _overlapping(pattern, self.text)
            if not matches:
                missed += 1
                continue
            match = matches[min(nth, len(matches) - 1)]
            found.append(TextRange(match.start(), match.end(), value))
        return _merge(found), missed

    def _rewrite(self, ranges: Sequence[TextRange], replace: Any) -> str:
        pieces: list[tuple[int, int, int]] = []
        for rng in ranges:
            pieces.extend(self._projection.source_pieces(rng.start, rng.end))
        out: list[str] = []
        cursor = 0
        for start, end, n in sorted(pieces):
            if start < cursor:
                continue
            out.append(self.source[cursor:start])
            out.append(replace(self.source[start:end], n))
            cursor = end
        out.append(self.source[cursor:])
        return "".join(out)

    def wrap_redact(self, ranges: Sequence[TextRange]) -> str:
        """The source with ``<redact>…</redact>`` around each range (split at tag boundaries)."""
        return self._rewrite(ranges, lambda raw, _n: f"<redact>{raw}</redact>")

    def mask(self, ranges: Sequence[TextRange], char: str = REDACTION_CHAR) -> str:
        """The source with each range's characters replaced by *char* (one per text character)."""
        return self._rewrite(ranges, lambda _raw, n: char * n)
