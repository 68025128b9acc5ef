"""Agent Workspace comment redaction markup: ``<redact>`` tags and ``redact`` attributes.

As Zendesk documents it, the text inside ``<redact>…</redact>`` becomes ``▇`` (one per
character), and an element carrying a ``redact`` attribute is removed: a link loses its tag (and
with it the ``href``), an image disappears. "The ``redact`` attribute only redacts the tag": text
inside such an element stays unless it is inside ``<redact>`` too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .state import REDACTION_BLOCK, html_to_text

__all__ = ["apply_redaction_markup"]

_REDACT_TAG = re.compile(r"<redact>(.*?)</redact>", re.DOTALL | re.IGNORECASE)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def apply_redaction_markup(markup: object, current_html: str) -> str | None:
    """The comment HTML after the redactions ``markup`` asks for.

    ``markup`` must be the comment's current HTML with only ``<redact>`` tags and ``redact``
    attributes added (compared as text, whitespace-insensitive); otherwise (or if it is not a
    string) the answer is None.
    """
    if not isinstance(markup, str):
        return None
    without_elements = _drop_redacted_elements(markup)
    if _plain(_REDACT_TAG.sub(r"\1", markup)) != _plain(current_html):
        return None
    return _REDACT_TAG.sub(
        lambda m: REDACTION_BLOCK * len(html_to_text(m.group(1))), without_elements
    )


def _plain(markup: str) -> str:
    """Whitespace-normalised text of HTML, to compare a redaction request with the comment."""
    return " ".join(html_to_text(markup).split())


class _ElementDropper(HTMLParser):
    """Collects the source spans of start and end tags of elements marked ``redact``."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[tuple[int, int]] = []
        self._open: list[tuple[str, bool]] = []
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _tag_span(self, text: str | None) -> tuple[int, int]:
        start = self._offset()
        return start, start + len(text or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marked = tag != "redact" and any(name == "redact" for name, _ in attrs)
        if marked:
            self.spans.append(self._tag_span(self.get_starttag_text()))
        if tag not in _VOID:
            self._open.append((tag, marked))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == "redact" for name, _ in attrs):
            self.spans.append(self._tag_span(self.get_starttag_text()))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            name, marked = self._open[depth]
            if name == tag:
                del self._open[depth:]
                if marked:
                    start = self._offset()
                    self.spans.append((start, start + len(f"</{tag}>")))
                return


def _drop_redacted_elements(markup: str) -> str:
    dropper = _ElementDropper(markup)
    dropper.feed(markup)
    dropper.close()
    out: list[str] = []
    cursor = 0
    for start, end in sorted(dropper.spans):
        if start < cursor:
            continue
        out.append(markup[cursor:start])
        if markup[end - 1 : end] != ">":  # an end tag written with spaces: up to its ">"
            end = markup.index(">", start) + 1
        cursor = end
    out.append(markup[cursor:])
    return "".join(out)
