"""Text utilities shared across gdprguard: HTML to text with an offset map, phone numbers.

:mod:`gdprguard.text.html` projects HTML to text for detection, the connectors and the sandbox;
:mod:`gdprguard.text.phone` reads, canonicalises and compares phone numbers.
"""

from __future__ import annotations

from .html import (
    HtmlMode,
    HtmlProjection,
    TextSink,
    html_to_text,
    looks_like_html,
    project_html,
    walk_html,
)
from .phone import canonical_phone, fits_plan, parse_phone, phone_digits, phone_matches

__all__ = [
    "HtmlMode",
    "HtmlProjection",
    "TextSink",
    "canonical_phone",
    "fits_plan",
    "html_to_text",
    "looks_like_html",
    "parse_phone",
    "phone_digits",
    "phone_matches",
    "project_html",
    "walk_html",
]
