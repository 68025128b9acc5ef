"""Make a ``<redact>``-tagged comment redact every representation of its values.

Zendesk's ``comment_redactions`` replaces the text inside ``<redact>`` tags, but an element
keeps its attributes unless it carries a ``redact`` attribute itself: after redacting the text
of ``<a href="mailto:taro@example.jp">taro@example.jp</a>`` the address would still be in the
``href``. :func:`mark_redacted_elements` adds ``redact`` to every element that would keep a
redacted value:

- any element with an attribute holding one of the values (``href``, ``src``, ``alt``,
  ``title``…; compared after entity and percent decoding, case-insensitively, and for values with
  seven or more digits, digit for digit, so ``tel:+81-90-…`` matches ``090…``);
- any link whose whole text is being redacted (its target names what the text named).

Zendesk then removes those elements (the text inside ``<redact>`` still becomes ``▇``).
:func:`apply_redactions` does the same locally, for helpdesks where gdprguard writes the
redacted HTML itself (a Freshdesk note or description).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from .htmltext import REDACTION_CHAR

__all__ = ["apply_redactions", "mark_redacted_elements"]

_MIN_DIGITS = 7
_REDACT_TAG = re.compile(r"<redact>(.*?)</redact>", re.DOTALL)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def _digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


@dataclass(frozen=True)
class _Needle:
    text: str
    digits: str

    @classmethod
    def of(cls, value: str) -> _Needle:
        digits = _digits(value).lstrip("0")  # 090… and +81 90… share the national number
        return cls(" ".join(value.split()).casefold(), digits if len(digits) >= _MIN_DIGITS else "")

    def found_in(self, haystack: str) -> bool:
        if self.text and self.text in " ".join(haystack.split()).casefold():
            return True
        return bool(self.digits) and self.digits in _digits(haystack)


@dataclass
class _OpenLink:
    offset: int
    text: bool = False  # has text outside <redact>
    redacted: bool = False  # has text inside <redact>


class _Scanner(HTMLParser):
    """Finds the start tags to mark: their offsets in the source go to ``marked``."""

    def __init__(self, source: str, needles: list[_Needle]) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.needles = needles
        self.marked: set[int] = set()
        self._redact_depth = 0
        self._links: list[_OpenLink] = []
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _attrs_hold_value(self, attrs: list[tuple[str, str | None]]) -> bool:
        for name, value in attrs:
            if name == "redact" or not value:
                continue
            decoded = unquote(value)
            if any(n.found_in(value) or n.found_in(decoded) for n in self.needles):
                return True
        return False

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> None:
        if tag == "redact":
            self._redact_depth += 1
            return
        if any(name == "redact" for name, _ in attrs):
            return
        offset = self._offset()
        if self._attrs_hold_value(attrs):
            self.marked.add(offset)
        if tag == "a" and not void:
            self._links.append(_OpenLink(offset))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, void=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, void=True)
        if tag == "redact":
            self._redact_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "redact":
            self._redact_depth = max(0, self._redact_depth - 1)
        elif tag == "a" and self._links:
            link = self._links.pop()
            if link.redacted and not link.text:
                self.marked.add(link.offset)

    def handle_data(self, data: str) -> None:
        if not data.strip():
            return
        for link in self._links:
            if self._redact_depth:
                link.redacted = True
            else:
                link.text = True


def mark_redacted_elements(markup: str, values: Iterable[str]) -> str:
    """*markup* with a ``redact`` attribute on each element that would keep one of *values*."""
    needles = [_Needle.of(v) for v in values if v and v.strip()]
    scanner = _Scanner(markup, needles)
    scanner.feed(markup)
    scanner.close()
    if not scanner.marked:
        return markup
    out: list[str] = []
    cursor = 0
    for offset in sorted(scanner.marked):
        close = _tag_end(markup, offset) - 1  # at the ">"
        if markup[close - 1] == "/":  # <img … />
            close -= 1
        out.append(markup[cursor:close])
        out.append(" redact")
        cursor = close
    out.append(markup[cursor:])
    return "".join(out)


def _tag_end(markup: str, start: int) -> int:
    """Index just past the ``>`` closing the start tag at *start* (quotes respected)."""
    quote: str | None = None
    for i in range(start + 1, len(markup)):
        ch = markup[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
    return len(markup)


def apply_redactions(markup: str, char: str = REDACTION_CHAR) -> str:
    """What Zendesk makes of redaction markup: the text in ``<redact>`` becomes *char* (one per
    character) and elements with a ``redact`` attribute lose their tags (text inside stays).

    The sandbox models Zendesk's side of this separately (``sandbox/zendesk_redaction.py``) on
    purpose: it is the oracle this code is tested against, so the two must not share code.
    """
    dropper = _TagDropper(markup)
    dropper.feed(markup)
    dropper.close()
    out: list[str] = []
    cursor = 0
    for start, end in sorted(dropper.spans):
        if start >= cursor:
            out.append(markup[cursor:start])
            cursor = end
    out.append(markup[cursor:])
    return _REDACT_TAG.sub(lambda m: char * len(html.unescape(m.group(1))), "".join(out))


class _TagDropper(HTMLParser):
    """Source spans of the start and end tags of elements marked ``redact``."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.spans: list[tuple[int, int]] = []
        self._open: list[tuple[str, bool]] = []
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marked = tag != "redact" and any(name == "redact" for name, _ in attrs)
        if marked:
            start = self._offset()
            self.spans.append((start, _tag_end(self.source, start)))
        if tag not in _VOID:
            self._open.append((tag, marked))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == "redact" for name, _ in attrs):
            start = self._offset()
            self.spans.append((start, _tag_end(self.source, start)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            name, marked = self._open[depth]
            if name == tag:
                del self._open[depth:]
                if marked:
                    start = self._offset()
                    self.spans.append((start, _tag_end(self.source, start)))
                return
