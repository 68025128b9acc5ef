"""Operators that replace findings in text: placeholder, mask and keyed pseudonym."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from .._exceptions import UsageError
from ..text.phone import canonical_phone
from ._findings import Finding
from ._lazy import lazy_re
from .lexicon import FORMAL_HONORIFICS, honorifics_re, kata_to_hira

__all__ = ["MASK_CHAR", "OPERATORS", "Operator", "canonical_value", "pseudonym", "redact_text"]

Operator = Literal["placeholder", "mask", "pseudonym"]
OPERATORS: tuple[str, ...] = ("placeholder", "mask", "pseudonym")
MASK_CHAR = "█"
PSEUDONYM_HEX_CHARS = 10
_NAME_NOISE_RE = lazy_re(rf"[\s・.,]+|{honorifics_re(FORMAL_HONORIFICS)}$")


def canonical_value(entity_type: str, value: str) -> str:
    """The form of *value* that pseudonyms are stable over (width, case, spacing, format)."""
    norm = unicodedata.normalize("NFKC", value).strip()
    if entity_type == "PHONE_NUMBER":
        return canonical_phone(norm)
    if entity_type == "EMAIL_ADDRESS":
        return re.sub(r"\s+", "", norm).casefold()
    if entity_type == "PERSON":
        return kata_to_hira(_NAME_NOISE_RE.sub("", norm.casefold()))
    if entity_type in {
        "CREDIT_CARD",
        "IBAN_CODE",
        "JP_MY_NUMBER",
        "JP_POSTAL_CODE",
        "JP_BANK_ACCOUNT",
        "JP_DRIVER_LICENSE",
        "JP_PASSPORT",
        "IP_ADDRESS",
    }:
        return re.sub(r"[\s\-]", "", norm).upper()
    return re.sub(r"\s+", " ", norm.casefold())


def pseudonym(entity_type: str, value: str, key: bytes) -> str:
    """``<TYPE_xxxxxxxxxx>``: an HMAC-SHA256 of the canonical value under *key*."""
    message = f"{entity_type}\x00{canonical_value(entity_type, value)}".encode(
        "utf-8", "surrogatepass"
    )
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
    return f"<{entity_type}_{digest}>"


def _merge(text_len: int, findings: Sequence[Finding]) -> list[Finding]:
    """Sort findings and merge overlapping ones (the higher-scoring type names the union)."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end, -f.score, f.type)):
        if not 0 <= f.start < f.end <= text_len:
            raise UsageError(
                f"finding {f.type} {f.start}:{f.end} lies outside the text (length {text_len})"
            )
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            winner = last if last.score >= f.score else f
            merged[-1] = Finding(
                last.start,
                max(last.end, f.end),
                winner.type,
                max(last.score, f.score),
                winner.recognizer,
            )
        else:
            merged.append(f)
    return merged


def redact_text(
    text: str,
    findings: Sequence[Finding],
    operator: Operator = "placeholder",
    *,
    key: bytes | None = None,
) -> str:
    """Return *text* with every finding replaced; overlapping findings are merged first.

    ``placeholder`` writes ``<EMAIL_ADDRESS>``, ``mask`` writes as many ``█`` as the value has
    characters, ``pseudonym`` writes a keyed token (needs *key*) that is the same for the same
    value, type and key, and unrelated across keys.
    """
    if operator not in OPERATORS:
        raise UsageError(f"unknown operator {operator!r}; choose one of {', '.join(OPERATORS)}")
    if operator == "pseudonym" and not key:
        raise UsageError("the pseudonym operator needs a key (bytes)")
    out: list[str] = []
    pos = 0
    for f in _merge(len(text), findings):
        out.append(text[pos : f.start])
        value = text[f.start : f.end]
        if operator == "placeholder":
            out.append(f"<{f.type}>")
        elif operator == "mask":
            out.append(MASK_CHAR * len(value))
        else:
            assert key is not None
            out.append(pseudonym(f.type, value, key))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
