"""Text normalisation for detection, with an exact map back to the original string.

Detection runs on a cleaned copy of the text: mojibake runs are repaired first
(:func:`gdprguard.text.mojibake.repair_mojibake`: UTF-8 read as Windows-1252 or CP932, CP932
read as Windows-1252), then HTML is projected to text by
:func:`gdprguard.text.html.walk_html` in its ``"scan"`` mode (block tags become newlines,
``<style>`` bodies vanish; comments, ``<script>`` bodies and attribute values other than
presentational ones such as ``class``/``style`` stay visible, with ``&#64;`` and ``%40`` decoded,
so that redaction leaves nothing behind in hidden markup; character references are unescaped),
then NFKC is applied (full-width
digits and letters become ASCII, half-width katakana becomes full-width), dash look-alikes become
``-`` and zero-width characters disappear.  Every character of the cleaned copy remembers the
span of the original string it came from, so :meth:`NormalizedText.to_original` maps any span back
to exact original offsets (widening it to whole original units, e.g. a whole ``&amp;``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..text.html import looks_like_html, walk_html
from ..text.mojibake import MojibakeRepair, repair_mojibake
from ._lazy import lazy_re

__all__ = ["NormalizedText", "looks_like_html", "normalize"]

# Characters folded after NFKC (1:1 or deleted); offsets stay exact because we map per unit.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u2043"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_FOLD = {**{ord(c): "-" for c in _DASHES}, **{ord(c): None for c in _ZERO_WIDTH}}
_SPECIAL_RE = lazy_re(f"[{_DASHES}{_ZERO_WIDTH}\ud800-\udfff]")
# The prolonged-sound mark between digits (０９０ー１２３４) is a dash; elsewhere it is katakana.
_CHOON_BETWEEN_DIGITS = lazy_re(r"(?<=\d)\u30fc(?=\d)")
# Runs that NFKC leaves alone (ASCII, kana, common kanji and punctuation), not followed by a mark.
_STABLE_RUN_RE = lazy_re(
    r"(?:[\x00-\x7f\u3001-\u3002\u300c-\u300f\u3041-\u3096\u309d\u309e\u30a1-\u30fa"
    r"\u30fc-\u30fe\u4e00-\u9fff](?![\u0300-\u036f\u3099\u309a\uff9e\uff9f]))+"
)
_COMBINING_EXTRA = frozenset("\u3099\u309a\uff9e\uff9f")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The cleaned text plus, per cleaned character, the original span it came from."""

    original: str
    text: str
    _starts: list[int] | None = None  # None: identity mapping
    _ends: list[int] | None = None

    @property
    def is_identity(self) -> bool:
        """True when the cleaned text is the original text."""
        return self._starts is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``[start, end)`` of :attr:`text` to a span of :attr:`original`."""
        if self._starts is None or self._ends is None:
            return start, end
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside the normalised text")
        return self._starts[start], self._ends[end - 1]


class _Builder:
    """Accumulates cleaned text with its per-character origin."""

    __slots__ = ("ends", "parts", "starts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def identity(self, text: str, offset: int) -> None:
        if not text:
            return
        self.parts.append(text)
        self.starts.extend(range(offset, offset + len(text)))
        self.ends.extend(range(offset + 1, offset + len(text) + 1))

    def unit(self, out: str, start: int, end: int) -> None:
        if not out:
            return
        self.parts.append(out)
        self.starts.extend([start] * len(out))
        self.ends.extend([end] * len(out))

    def plain(self, text: str, offset: int) -> None:
        """Append a run of plain text, NFKC-normalised unit by unit."""
        if not text:
            return
        if text.isascii() or (
            unicodedata.is_normalized("NFKC", text) and not _SPECIAL_RE.search(text)
        ):
            self.identity(text, offset)
            return
        pos = 0
        for run in _STABLE_RUN_RE.finditer(text):
            if run.start() > pos:
                self._units(text[pos : run.start()], offset + pos)
            self.identity(run.group(), offset + run.start())
            pos = run.end()
        if pos < len(text):
            self._units(text[pos:], offset + pos)

    def _units(self, text: str, offset: int) -> None:
        i, n = 0, len(text)
        while i < n:
            j = i + 1
            # A unit is one character plus the combining marks that NFKC may compose into it.
            while j < n and (unicodedata.combining(text[j]) or text[j] in _COMBINING_EXTRA):
                j += 1
            unit = text[i:j]
            out = _normalize_unit(unit)
            if out == unit and len(out) == 1:
                self.parts.append(out)
                self.starts.append(offset + i)
                self.ends.append(offset + j)
            else:
                self.unit(out, offset + i, offset + j)
            i = j

    def build(self, original: str) -> NormalizedText:
        text = _fold_choon("".join(self.parts))
        assert len(text) == len(self.starts) == len(self.ends)
        return NormalizedText(original, text, self.starts, self.ends)


def _fold_choon(text: str) -> str:
    if "\u30fc" in text:
        return _CHOON_BETWEEN_DIGITS.sub("-", text)
    return text


_UNIT_CACHE: dict[str, str] = {}


def _normalize_unit(unit: str) -> str:
    out = _UNIT_CACHE.get(unit)
    if out is None:
        if "\ud800" <= unit[0] <= "\udfff":  # lone surrogate (from JSON escapes): keep 1:1
            out = "\ufffd" + unit[1:]
        else:
            out = unicodedata.normalize("NFKC", unit).translate(_FOLD)
        if len(_UNIT_CACHE) < 100_000:
            _UNIT_CACHE[unit] = out
    return out


# Per character outside the stable runs: what it becomes when it stands alone, if that is exactly
# one character and the character is no combining mark (then it is a unit of its own).
_ONE_TO_ONE: dict[int, str] = {}
_NOT_ONE_TO_ONE: set[int] = set()
_TABLE_LIMIT = 100_000
# What _STABLE_RUN_RE leaves out: every combining mark is in here
_UNSTABLE_RUN_RE = lazy_re(
    r"[^\x00-\x7f\u3001-\u3002\u300c-\u300f\u3041-\u3096\u309d\u309e\u30a1-\u30fa"
    r"\u30fc-\u30fe\u4e00-\u9fff]+"
)


def _fold_one_to_one(text: str) -> str | None:
    """*text* cleaned as :class:`_Builder` cleans it, when every character outside the stable
    runs is a unit of its own that cleans to exactly one character (full-width digits and
    letters, half-width katakana without sound marks, dashes); the offset map is then the
    identity. ``None`` when some character is a combining mark or cleans to more or fewer
    characters."""
    table = _ONE_TO_ONE
    parts: list[str] = []
    pos = 0
    for run in _UNSTABLE_RUN_RE.finditer(text):
        chars = run.group()
        for ch in chars:
            code = ord(ch)
            if code in table:
                continue
            if code in _NOT_ONE_TO_ONE or len(table) >= _TABLE_LIMIT:
                return None
            out = "" if unicodedata.combining(ch) or ch in _COMBINING_EXTRA else _normalize_unit(ch)
            if len(out) != 1:
                if len(_NOT_ONE_TO_ONE) < _TABLE_LIMIT:
                    _NOT_ONE_TO_ONE.add(code)
                return None
            table[code] = out
        parts.append(text[pos : run.start()])
        parts.append(chars.translate(table))
        pos = run.end()
    parts.append(text[pos:])
    return "".join(parts)


def normalize(text: str, *, html_mode: bool | None = None) -> NormalizedText:
    """Clean *text* for detection; ``html_mode=None`` decides by looking for HTML markup."""
    if html_mode is None:
        html_mode = looks_like_html(text)
    repair = repair_mojibake(text)
    if repair.is_identity:
        return _clean(text, html_mode)
    return _compose(repair, _clean(repair.text, html_mode))


def _clean(text: str, html_mode: bool) -> NormalizedText:
    if not html_mode:
        if text.isascii() or (
            unicodedata.is_normalized("NFKC", text) and not _SPECIAL_RE.search(text)
        ):
            # the choon fold is 1:1, so the identity mapping still holds
            return NormalizedText(text, _fold_choon(text))
        folded = _fold_one_to_one(text)
        if folded is not None:
            return NormalizedText(text, _fold_choon(folded))
        builder = _Builder()
        builder.plain(text, 0)
        return builder.build(text)

    builder = _Builder()
    walk_html(text, _HtmlSink(builder), "scan")
    return builder.build(text)


def _compose(repair: MojibakeRepair, cleaned: NormalizedText) -> NormalizedText:
    """*cleaned* (made from the repaired text) with its map taken back to the garbled text."""
    starts, ends = repair.starts, repair.ends
    assert starts is not None and ends is not None
    if cleaned.is_identity:
        return NormalizedText(repair.original, cleaned.text, list(starts), list(ends))
    assert cleaned._starts is not None and cleaned._ends is not None
    return NormalizedText(
        repair.original,
        cleaned.text,
        [starts[s] for s in cleaned._starts],
        [ends[e - 1] for e in cleaned._ends],
    )


class _HtmlSink:
    """Feeds the HTML projector's pieces to a :class:`_Builder`: text and references are
    normalised like plain text, separators made from tags are kept as they are."""

    __slots__ = ("builder",)

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder

    def text(self, run: str, offset: int) -> None:
        self.builder.plain(run, offset)

    def unit(self, out: str, start: int, end: int) -> None:
        self.builder.unit("".join(_normalize_unit(c) for c in out), start, end)

    def markup(self, out: str, start: int, end: int) -> None:
        self.builder.unit(out, start, end)
