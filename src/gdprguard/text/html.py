"""HTML to text with an exact map back to the source: one projector for the whole package.

Detection scans the text of HTML bodies, the connectors redact stretches of that text inside the
HTML, and the sandbox derives a comment's plain body from its HTML; all three use
:func:`walk_html`. It reads the source once, left to right, and reports every piece of the text
to a :class:`TextSink` together with the source span it stands for, so each text character maps
back to exact source offsets. :func:`project_html` records those pieces as an
:class:`HtmlProjection`; the detection normaliser feeds them to its own sink, which applies
NFKC on the way.

Two modes:

``"render"`` (what a reader sees)
    Every tag is markup. Block tags (``<p>``, ``<div>``, ``<li>``, ``<br>``, …) end a line,
    inline tags (``<b>``, ``<a>``, ``<span>``) vanish, comments, ``<script>`` and ``<style>``
    are not shown.
``"scan"`` (everything stored that may hold personal data)
    Only known HTML tags are markup, so ``John <john@example.com>`` stays text. Inline tags
    become a space (words of separate elements stay apart). Attribute values other than
    presentational ones (``href="mailto:…"``, ``title``, ``value``, ``data-*``; ``&#64;`` and
    ``%40`` decoded), comments and ``<script>`` bodies are included, each on lines of their own;
    ``<style>`` bodies are not.

In both, character references are unescaped (``&amp;`` → ``&``, ``&nbsp;`` → U+00A0, ``&#x3042;``
→ ``あ``) and whitespace with a line break between two block tags (source indentation, as in
``</p>\\n<p>``) is not text. A character made from a reference maps to the whole reference; a
line break or space made from a tag is *markup*: it maps to the tag but is not document text, so
redaction never rewrites a tag.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = [
    "HtmlMode",
    "HtmlProjection",
    "TextSink",
    "html_to_text",
    "looks_like_html",
    "project_html",
    "walk_html",
]

HtmlMode = Literal["scan", "render"]

BLOCK_TAGS = (
    "address|article|aside|blockquote|body|br|caption|center|dd|div|dl|dt|figcaption|figure|"
    "footer|form|h[1-6]|head|header|hr|html|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|"
    "th|thead|title|tr|ul"
)
INLINE_TAGS = (
    "a|abbr|b|base|big|button|cite|code|col|colgroup|del|em|font|i|iframe|img|input|ins|label|"
    "link|meta|noscript|o:p|q|s|small|span|strike|strong|sub|sup|tt|u|wbr"
)
_REFERENCE = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
# A tag ends at its first ">", even inside a quoted value: an unbalanced quote can then never
# hide the document text after it.
_ATTRS = r"(?P<attrs>[^>]*)"
_RAW = r"<(?P<raw>script|style)\b[^>]*>(?P<body>.*?)(?:</(?P=raw)\s*>|\Z)"
_TOKEN_RE: dict[HtmlMode, re.Pattern[str]] = {
    "scan": re.compile(
        r"<!--(?P<comment>.*?)(?:-->|\Z)"  # unterminated: to the end
        r"|<!doctype[^>]*>"
        rf"|{_RAW}"
        rf"|</?(?P<name>{BLOCK_TAGS}|{INLINE_TAGS})(?=[\s/>]){_ATTRS}>"
        rf"|{_REFERENCE}",
        re.IGNORECASE | re.DOTALL,
    ),
    "render": re.compile(
        r"<!--(?P<comment>.*?)(?:-->|\Z)"
        r"|<[!?][^>]*>"  # doctype, CDATA, processing instructions (<?xml:namespace …>)
        rf"|{_RAW}"
        rf"|</?(?P<name>[A-Za-z][A-Za-z0-9:_.\-]*)(?=[\s/>]){_ATTRS}>"
        rf"|{_REFERENCE}",
        re.IGNORECASE | re.DOTALL,
    ),
}
_HINT_RE = re.compile(
    rf"</?(?:{BLOCK_TAGS}|{INLINE_TAGS})(?=[\s/>])[^>]*>|<!--|{_REFERENCE}", re.IGNORECASE
)
_BLOCK_NAME_RE = re.compile(rf"(?:{BLOCK_TAGS})\Z", re.IGNORECASE)
_ATTR_RE = re.compile(
    r"""(?P<key>[A-Za-z_:][\w:.\-]*)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'>]+))"""
)
#: Attributes that only carry presentation; every other value is scanned (``"scan"`` mode).
PRESENTATION_ATTRS = frozenset(
    {
        "style", "class", "width", "height", "align", "valign", "border", "cellpadding",
        "cellspacing", "bgcolor", "color", "face", "size", "dir", "lang", "xml:lang", "xmlns",
        "type", "rel", "target", "colspan", "rowspan", "role", "charset", "http-equiv", "nowrap",
        "span", "frame", "rules", "scope", "start", "tabindex",
    }
)  # fmt: skip
# inside attribute values: character references and URL escapes of printable ASCII (%40 is @)
_ATTR_ESCAPE_RE = re.compile(rf"{_REFERENCE}|%(?:2[0-9A-Fa-f]|[3-6][0-9A-Fa-f]|7[0-9A-Ea-e])")


def looks_like_html(text: str) -> bool:
    """True when *text* contains a known HTML tag, a comment or a character reference."""
    return ("<" in text or "&" in text) and _HINT_RE.search(text) is not None


class TextSink(Protocol):
    """Receives the pieces of the text, in order, with the source span of each."""

    def text(self, run: str, offset: int) -> None:
        """Source characters ``source[offset:offset + len(run)]``, copied one for one."""

    def unit(self, out: str, start: int, end: int) -> None:
        """Text *out* that stands for ``source[start:end]`` as a whole (a reference)."""

    def markup(self, out: str, start: int, end: int) -> None:
        """A separator (line break, space) made from the markup ``source[start:end]``."""


def walk_html(source: str, sink: TextSink, mode: HtmlMode = "render") -> None:
    """Report the text of the HTML *source* to *sink*, piece by piece (see the module doc)."""
    scan = mode == "scan"
    pending_start = 0  # source text not yet reported
    after_block = False  # the last token was a block tag other than <br>
    for match in _TOKEN_RE[mode].finditer(source):
        start, end = match.span()
        name = match.group("name")
        block = name is not None and _BLOCK_NAME_RE.match(name) is not None
        ends_block = block and name is not None and name.lower() != "br"
        run = source[pending_start:start]
        if run and not (after_block and ends_block and _is_indentation(run)):
            sink.text(run, pending_start)
        pending_start = end
        after_block = ends_block
        token = match.group(0)
        if token[0] == "&":
            sink.unit(html.unescape(token), start, end)
        elif name is not None:
            if block:
                sink.markup("\n", start, end)
            elif scan:
                sink.markup(" ", start, end)
            attrs = match.group("attrs")
            if scan and attrs and token[1] != "/":
                _attributes(sink, attrs, match.start("attrs"))
        elif scan:
            _hidden(sink, match)
    if pending_start < len(source):
        sink.text(source[pending_start:], pending_start)


def _is_indentation(run: str) -> bool:
    return "\n" in run and not run.strip()


def _hidden(sink: TextSink, match: re.Match[str]) -> None:
    """Comments and script bodies are stored, so they are scanned, on lines of their own; style
    bodies and doctypes only keep words apart."""
    start, end = match.span()
    inner = "comment" if match.group("comment") is not None else "body"
    raw = (match.group("raw") or "").lower()
    if match.group(inner) and (inner == "comment" or raw == "script"):
        sink.markup("\n", start, match.start(inner))
        sink.text(match.group(inner), match.start(inner))
        if match.end(inner) < end:
            sink.markup("\n", match.end(inner), end)
    else:
        sink.markup(" ", start, end)


def _attributes(sink: TextSink, attrs: str, base: int) -> None:
    """Report the scannable attribute values of a tag (see :data:`PRESENTATION_ATTRS`)."""
    for attr in _ATTR_RE.finditer(attrs):
        if attr.group("key").lower() in PRESENTATION_ATTRS:
            continue
        group = next(g for g in ("dq", "sq", "bare") if attr.group(g) is not None)
        value = attr.group(group)
        if not value:
            continue
        offset = base + attr.start(group)
        pos = 0
        for esc in _ATTR_ESCAPE_RE.finditer(value):
            if esc.start() > pos:
                sink.text(value[pos : esc.start()], offset + pos)
            token = esc.group()
            out = html.unescape(token) if token[0] == "&" else chr(int(token[1:], 16))
            sink.unit(out, offset + esc.start(), offset + esc.end())
            pos = esc.end()
        if pos < len(value):
            sink.text(value[pos:], offset + pos)
        sink.markup(" ", offset + len(value) - 1, offset + len(value))


@dataclass(frozen=True, slots=True)
class HtmlProjection:
    """The text of an HTML source and, per text character, the source span it came from."""

    source: str
    text: str
    starts: list[int]
    ends: list[int]
    markup: bytes  # 1 where the character was made from a tag, not from document text

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """The source span of the text span ``[start, end)`` (whole references included)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside the projected text")
        return self.starts[start], self.ends[end - 1]

    def source_pieces(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """Contiguous source pieces ``(src_start, src_end, n_text_chars)`` that produced the
        document text of ``[start, end)``; characters made from markup are left out."""
        pieces: list[tuple[int, int, int]] = []
        for i in range(start, end):
            if self.markup[i]:
                continue
            s, e = self.starts[i], self.ends[i]
            if pieces and pieces[-1][1] == s:
                first, _, n = pieces[-1]
                pieces[-1] = (first, e, n + 1)
            elif pieces and pieces[-1][0] == s and pieces[-1][1] == e:
                pieces[-1] = (s, e, pieces[-1][2] + 1)
            else:
                pieces.append((s, e, 1))
        return pieces


class _Recorder:
    """The plain :class:`TextSink`: keeps every piece as it is."""

    __slots__ = ("ends", "flags", "parts", "starts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.flags = bytearray()

    def text(self, run: str, offset: int) -> None:
        self.parts.append(run)
        self.starts.extend(range(offset, offset + len(run)))
        self.ends.extend(range(offset + 1, offset + len(run) + 1))
        self.flags.extend(bytes(len(run)))

    def unit(self, out: str, start: int, end: int) -> None:
        self._spread(out, start, end, 0)

    def markup(self, out: str, start: int, end: int) -> None:
        self._spread(out, start, end, 1)

    def _spread(self, out: str, start: int, end: int, flag: int) -> None:
        self.parts.append(out)
        self.starts.extend([start] * len(out))
        self.ends.extend([end] * len(out))
        self.flags.extend(bytes([flag]) * len(out))


def project_html(source: str, mode: HtmlMode = "render") -> HtmlProjection:
    """The text of *source* with its map back to source offsets (see :func:`walk_html`)."""
    recorder = _Recorder()
    walk_html(source, recorder, mode)
    return HtmlProjection(
        source, "".join(recorder.parts), recorder.starts, recorder.ends, bytes(recorder.flags)
    )


def html_to_text(markup: str) -> str:
    """The text a reader sees, without leading and trailing blank space (a plain comment body:
    paragraphs become blank lines, ``<br>`` a line break)."""
    return project_html(markup, "render").text.strip()
