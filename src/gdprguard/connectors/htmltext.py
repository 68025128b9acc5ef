"""Map stretches of a comment's plain text onto its HTML source, to redact them in place.

Detection runs on the plain body; Zendesk's ``comment_redactions`` wants the HTML with ``<redact>``
tags around those stretches, and a Freshdesk note is edited as HTML. :class:`HtmlText` projects the
HTML to text while remembering, for every text character, which source characters produced it
(``&amp;`` → ``&``), so a text range maps back to source ranges without disturbing markup.
A span of the plain body is found in the projection by its text (whitespace-insensitive) and by
which occurrence it is, so repeated values are matched one for one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

__all__ = ["REDACTION_CHAR", "HtmlText", "TextRange", "resolve_targets"]

REDACTION_CHAR = "\u2587"  # ▇, what Zendesk writes over redacted characters

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


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


class _Projector(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.text: list[str] = []
        self.origin: list[tuple[int, int] | None] = []
        self._line_starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self._skip = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _synthetic_break(self) -> None:
        if self.text and self.text[-1] != "\n":
            self.text.append("\n")
            self.origin.append(None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self._synthetic_break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._synthetic_break()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self._synthetic_break()

    def _add(self, chunk: str, start: int) -> None:
        if self._skip:
            return
        for i, ch in enumerate(chunk):
            self.text.append(ch)
            self.origin.append((start + i, start + i + 1))

    def handle_data(self, data: str) -> None:
        self._add(data, self._offset())

    def handle_entityref(self, name: str) -> None:
        self._ref(f"&{name}")

    def handle_charref(self, name: str) -> None:
        self._ref(f"&#{name}")

    def _ref(self, prefix: str) -> None:
        if self._skip:
            return
        start = self._offset()
        match = _CHARREF.match(self.source, start)
        raw = match.group(0) if match else prefix
        end = start + len(raw)
        for ch in html.unescape(raw):
            self.text.append(ch)
            self.origin.append((start, end))


class HtmlText:
    """The text of an HTML fragment with a map back to source offsets."""

    def __init__(self, source: str) -> None:
        projector = _Projector(source)
        projector.feed(source)
        projector.close()
        self.source = source
        self.text = "".join(projector.text)
        self._origin = projector.origin

    def locate(self, body: str, ranges: Sequence[TextRange]) -> tuple[list[TextRange], int]:
        """Find each range of the plain *body* in this text; returns (found ranges, missed count).

        The n-th occurrence of a value in *body* maps to its n-th occurrence here (or the last one
        there is), comparing text with whitespace ignored.
        """
        found: list[TextRange] = []
        missed = 0
        for rng in ranges:
            value = body[rng.start : rng.end]
            if not value.strip():
                continue
            pattern = _flex_pattern(value)
            nth = len(pattern.findall(body, 0, rng.start)) if rng.start else 0
            matches = list(pattern.finditer(self.text))
            if not matches:
                missed += 1
                continue
            match = matches[min(nth, len(matches) - 1)]
            found.append(TextRange(match.start(), match.end(), value))
        return _merge(found), missed

    def _source_segments(self, rng: TextRange) -> list[tuple[int, int, int]]:
        """Contiguous source pieces ``(src_start, src_end, n_text_chars)`` covering a text range."""
        segments: list[tuple[int, int, int]] = []
        for i in range(rng.start, rng.end):
            origin = self._origin[i]
            if origin is None:
                continue
            start, end = origin
            if segments and segments[-1][1] == start:
                s, _, n = segments[-1]
                segments[-1] = (s, end, n + 1)
            elif segments and segments[-1][0] == start and segments[-1][1] == end:
                s, e, n = segments[-1]
                segments[-1] = (s, e, n + 1)
            else:
                segments.append((start, end, 1))
        return segments

    def _rewrite(self, ranges: Sequence[TextRange], replace: Any) -> str:
        pieces: list[tuple[int, int, int]] = []
        for rng in ranges:
            pieces.extend(self._source_segments(rng))
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
