"""A data subject's identifiers as an officer gives them: checked before anything runs."""

from __future__ import annotations

import re
import unicodedata

from .._exceptions import InputError
from ..text.phone import phone_digits
from .models import Identifier, IdentifierKind

__all__ = ["parse_identifier", "validate_identifier"]

_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"]{1,64}@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]{2,}$")
_MAX_LENGTH = 320


def validate_identifier(kind: IdentifierKind, value: str) -> str:
    """*value* checked for its kind (``InputError`` saying what is wrong, without echoing it)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise InputError(f"an empty --{kind} was given; give the subject's {kind}")
    if len(text) > _MAX_LENGTH:
        raise InputError(f"a --{kind} value is longer than {_MAX_LENGTH} characters")
    if kind == "email":
        if text.lower().startswith("mailto:"):
            text = text[7:]
        if not _EMAIL.match(text):
            raise InputError(
                "an --email value is not an e-mail address (expected name@domain.tld); check "
                "for a typo or a missing part"
            )
    elif kind == "phone":
        digits = phone_digits(text)
        if not 6 <= len(digits) <= 17 or re.search(r"[A-Za-z]", text.replace("ext", "")):
            raise InputError(
                "a --phone value is not a phone number (expected 6-17 digits, e.g. "
                "+81 90-1234-5678 or 090-1234-5678)"
            )
    elif not any(c.isalpha() for c in text):
        raise InputError("a --name value has no letters; give the subject's name")
    return text


def parse_identifier(text: str) -> Identifier:
    """``email:…``, ``phone:…`` or ``name:…`` as an :class:`Identifier` (checked)."""
    kind, sep, value = text.partition(":")
    if not sep or kind not in ("email", "phone", "name"):
        raise InputError("an identifier is written email:ADDRESS, phone:NUMBER or name:NAME")
    return Identifier(kind=kind, value=validate_identifier(kind, value))  # type: ignore[arg-type]
