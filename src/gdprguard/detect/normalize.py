"""Text normalisation for detection, with an exact map back to the original string.

Detection runs on a cleaned copy of the text: HTML tags dropped (block tags become newlines,
``<style>`` bodies vanish; comments, ``<script>`` bodies and attribute values other than
presentational ones such as ``class``/``style`` stay visible, with ``&#64;`` and ``%40`` decoded,
so that redaction leaves nothing behind in hidden markup),
character references unescaped (``&nbsp;`` ``&amp;`` ``&#x3042;``), NFKC applied (full-width
digits and letters become ASCII, half-width katakana becomes full-width), dash look-alikes become
``-`` and zero-width characters disappear.  Every character of the cleaned copy remembers the
span of the original string it came from, so :meth:`NormalizedText.to_original` maps any span back
to exact original offsets (widening it to whole original units, e.g. a whole ``&amp;``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["NormalizedText", "looks_like_html", "normalize"]

# Characters folded after NFKC (1:1 or deleted); offsets stay exact because we map per unit.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u2043"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_FOLD = {**{ord(c): "-" for c in _DASHES}, **{ord(c): None for c in _ZERO_WIDTH}}
_SPECIAL_RE = re.compile(f"[{_DASHES}{_ZERO_WIDTH}\ud800-\udfff]")
# The prolonged-sound mark between digits (０９０ー１２３４) is a dash; elsewhere it is katakana.
_CHOON_BETWEEN_DIGITS = re.compile(r"(?<=\d)\u30fc(?=\d)")
# Runs that NFKC leaves alone (ASCII, kana, common kanji and punctuation), not followed by a mark.
_STABLE_RUN_RE = re.compile(
    r"(?:[\x00-\x7f\u3001-\u3002\u300c-\u300f\u3041-\u3096\u309d\u309e\u30a1-\u30fa"
    r"\u30fc-\u30fe\u4e00-\u9fff](?![\u0300-\u036f\u3099\u309a\uff9e\uff9f]))+"
)
_COMBINING_EXTRA = frozenset("\u3099\u309a\uff9e\uff9f")

_BLOCK_TAGS = (
    "address|article|aside|blockquote|body|br|caption|center|dd|div|dl|dt|figcaption|figure|"
    "footer|form|h[1-6]|head|header|hr|html|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|"
    "th|thead|title|tr|ul"
)
_INLINE_TAGS = (
    "a|abbr|b|base|big|button|cite|code|col|colgroup|del|em|font|i|iframe|img|input|ins|label|"
    "link|meta|noscript|o:p|q|s|small|span|strike|strong|sub|sup|tt|u|wbr"
)
_TAG_RE = re.compile(
    r"<!--(?P<comment>.*?)(?:-->|\Z)"  # comment (unterminated: to the end)
    r"|<!doctype[^>]*>"
    r"|<(?P<raw>script|style)\b[^>]*>(?P<body>.*?)(?:</(?P=raw)\s*>|\Z)"
    rf"|</?(?P<name>{_BLOCK_TAGS}|{_INLINE_TAGS})(?=[\s/>])(?P<attrs>[^>]*)>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});",
    re.IGNORECASE | re.DOTALL,
)
_HTML_HINT_RE = re.compile(
    rf"</?(?:{_BLOCK_TAGS}|{_INLINE_TAGS})(?=[\s/>])[^>]*>|<!--|&(?:#[0-9]{{1,7}}|#[xX][0-9a-fA-F]"
    r"{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});",
    re.IGNORECASE,
)
_BLOCK_NAME_RE = re.compile(rf"(?:{_BLOCK_TAGS})\Z", re.IGNORECASE)
_ATTR_RE = re.compile(
    r"""(?P<key>[A-Za-z_:][\w:.\-]*)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'>]+))"""
)
# Attributes that only carry presentation; every other attribute value (href, src, title, alt,
# value, placeholder, data-*, content, ...) is scanned, because redaction must not leave personal
# data behind in markup the reader never sees.
_PRESENTATION_ATTRS = frozenset(
    [
        "style",
        "class",
        "width",
        "height",
        "align",
        "valign",
        "border",
        "cellpadding",
        "cellspacing",
        "bgcolor",
        "color",
        "face",
        "size",
        "dir",
        "lang",
        "xml:lang",
        "xmlns",
        "type",
        "rel",
        "target",
        "colspan",
        "rowspan",
        "role",
        "charset",
        "http-equiv",
        "nowrap",
        "span",
        "frame",
        "rules",
        "scope",
        "start",
        "tabindex",
    ]
)
# Inside attribute values: character references and URL escapes (mailto:jo%40example.com).
_ATTR_ESCAPE_RE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
    r"|%(?:2[0-9A-Fa-f]|[3-6][0-9A-Fa-f]|7[0-9A-Ea-e])"
)


def looks_like_html(text: str) -> bool:
    """True when *text* contains a known HTML tag, comment or character reference."""
    return ("<" in text or "&" in text) and _HTML_HINT_RE.search(text) is not None


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


def normalize(text: str, *, html_mode: bool | None = None) -> NormalizedText:
    """Clean *text* for detection; ``html_mode=None`` decides by looking for HTML markup."""
    if html_mode is None:
        html_mode = looks_like_html(text)
    if not html_mode:
        if text.isascii() or (
            unicodedata.is_normalized("NFKC", text) and not _SPECIAL_RE.search(text)
        ):
            # the choon fold is 1:1, so the identity mapping still holds
            return NormalizedText(text, _fold_choon(text))
        builder = _Builder()
        builder.plain(text, 0)
        return builder.build(text)

    builder = _Builder()
    pos = 0
    for match in _TAG_RE.finditer(text):
        builder.plain(text[pos : match.start()], pos)
        token = match.group(0)
        start, end = match.span()
        if token.startswith("&"):
            builder.unit(_normalize_entity(token), start, end)
        elif match.group("name"):
            name = match.group("name")
            builder.unit("\n" if _BLOCK_NAME_RE.match(name) else " ", start, end)
            attrs = match.group("attrs")
            if attrs and not token.startswith("</"):
                _attributes(builder, attrs, start + match.start("attrs") - match.start())
        else:
            # comments and script bodies are invisible but stored, so they are scanned (on lines
            # of their own); style bodies and doctypes only keep words apart
            inner = "comment" if match.group("comment") is not None else "body"
            raw = (match.group("raw") or "").lower()
            if match.group(inner) and (inner == "comment" or raw == "script"):
                builder.unit("\n", start, match.start(inner))
                builder.plain(match.group(inner), match.start(inner))
                if match.end(inner) < end:
                    builder.unit("\n", match.end(inner), end)
            else:
                builder.unit(" ", start, end)
        pos = end
    builder.plain(text[pos:], pos)
    return builder.build(text)


def _attributes(builder: _Builder, attrs: str, base: int) -> None:
    """Append the scannable attribute values of a tag (see ``_PRESENTATION_ATTRS``)."""
    for attr in _ATTR_RE.finditer(attrs):
        if attr.group("key").lower() in _PRESENTATION_ATTRS:
            continue
        group = next(g for g in ("dq", "sq", "bare") if attr.group(g) is not None)
        value = attr.group(group)
        if not value:
            continue
        offset = base + attr.start(group)
        pos = 0
        for esc in _ATTR_ESCAPE_RE.finditer(value):
            builder.plain(value[pos : esc.start()], offset + pos)
            token = esc.group()
            out = _normalize_entity(token) if token[0] == "&" else chr(int(token[1:], 16))
            builder.unit(out, offset + esc.start(), offset + esc.end())
            pos = esc.end()
        builder.plain(value[pos:], offset + pos)
        builder.unit(" ", offset + len(value) - 1, offset + len(value))


def _normalize_entity(token: str) -> str:
    out = html.unescape(token)
    if out == "\xa0":
        return " "
    out = "".join(_normalize_unit(c) for c in out)
    return out
