"""Agent Workspace comment redaction markup (``<redact>`` tags and ``<a redact>`` links)."""

from __future__ import annotations

import html
import re

from .state import REDACTION_BLOCK, html_to_text

__all__ = ["apply_redaction_markup"]

_REDACT_TAG = re.compile(r"<redact>(.*?)</redact>", re.DOTALL | re.IGNORECASE)
_REDACT_ATTR = re.compile(r"<a\b([^>]*?)\sredact(?:=\"[^\"]*\")?([^>]*)>", re.IGNORECASE)


def apply_redaction_markup(markup: object, current_html: str) -> str | None:
    """The comment HTML after the redactions ``markup`` asks for.

    ``markup`` must be the comment's current HTML with only ``<redact>`` tags and ``redact``
    link attributes added; otherwise (or if it is not a string) the answer is None. Redacted
    text becomes blocks, one per character; redacted links lose their ``href``.
    """
    if not isinstance(markup, str) or _plain(
        _REDACT_TAG.sub(r"\1", _REDACT_ATTR.sub(r"<a\1\2>", markup))
    ) != _plain(current_html):
        return None
    redacted = _REDACT_TAG.sub(lambda m: REDACTION_BLOCK * len(html_to_text(m.group(1))), markup)
    return _REDACT_ATTR.sub(
        lambda m: "<a" + re.sub(r'\shref="[^"]*"', "", m.group(1) + m.group(2)) + ">",
        redacted,
    )


def _plain(markup: str) -> str:
    """Whitespace-normalised text of HTML, to compare a redaction request with the comment."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
