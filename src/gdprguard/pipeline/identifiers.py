"""Identifiers of people, normalised and turned into keyed hashes.

The same person is written many ways: ``Taro.Yamada@Example.jp`` and ``taro.yamada@example.jp``,
``090-1234-5678``, ``０９０１２３４５６７８`` and ``+81 90 1234 5678``, ``山田 太郎`` and
``山田太郎様``. :func:`identifier_keys` reduces each to the forms that stay the same, and
:class:`IdentifierHasher` turns those into keyed hashes (HMAC-SHA256 under a key derived from the
vault's subject-index secret). Only hashes are stored: the subject index and the register can
say "this ticket holds that identifier" without holding the identifier.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import phonenumbers

from ..detect.lexicon import (
    BASE_HONORIFICS,
    ROMAJI_HONORIFICS,
    honorifics_re,
    kana_reading,
    kata_to_hira,
    titles_re,
)
from ..text.phone import parse_phone, phone_digits

__all__ = ["IdentifierHasher", "KindValue", "identifier_keys", "name_keys"]

# honorifics in kanji and hiragana only: they are stripped before katakana is folded
_HONORIFIC = re.compile(honorifics_re(BASE_HONORIFICS) + "$")
_TITLE = re.compile(rf"^{titles_re()}\.?\s+", re.IGNORECASE)
_ROMAJI_SUFFIX = re.compile(rf"[-\s]{honorifics_re(ROMAJI_HONORIFICS)}$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s・·,.\u3000_-]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _email_key(value: str) -> str:
    text = _nfkc(value).casefold()
    return text[7:] if text.startswith("mailto:") else text


def _phone_key(value: str) -> str | None:
    """The national significant number: the same for ``+81 90…``, ``090…`` and ``０９０…``."""
    number = parse_phone(value)
    if number is None:
        digits = phone_digits(value)
        if not digits:
            return None
        number = parse_phone(value, "JP" if digits.startswith("0") else "US")
        if number is None:
            return digits.lstrip("0") or None
    national = phonenumbers.national_significant_number(number)
    return national or None


def _name_tokens(value: str) -> list[str]:
    text = _nfkc(value)
    text = _TITLE.sub("", text)
    text = _HONORIFIC.sub("", text)
    text = _ROMAJI_SUFFIX.sub("", text)
    text = kata_to_hira(text.casefold())
    return [t for t in _SEPARATORS.split(text) if t]


def name_keys(value: str) -> set[str]:
    """Order- and spacing-independent forms of a name (``Taro Yamada`` = ``YAMADA taro``;
    ``山田 太郎`` = ``山田太郎様``)."""
    tokens = _name_tokens(value)
    if not tokens:
        return set()
    keys = {" ".join(sorted(tokens))}
    joined = "".join(tokens)
    if _CJK.search(joined):
        keys.add(joined)  # 山田 太郎 and 山田太郎 are one name
        reading = kana_reading(joined)
        if reading and reading != joined:
            keys.add(reading)  # 山田太郎 = やまだたろう = ヤマダタロウ
    return keys


def identifier_keys(kind: str, value: str) -> set[str]:
    """The normalised forms of one identifier that the index stores (hashed)."""
    if kind == "email":
        key = _email_key(value)
        return {key} if "@" in key else set()
    if kind == "phone":
        phone = _phone_key(value)
        return {phone} if phone and len(phone) >= 6 else set()
    if kind == "name":
        return name_keys(value)
    if kind == "person":
        return {value}
    raise ValueError(f"unknown identifier kind {kind}")


class KindValue(Protocol):
    """Anything with an identifier ``kind`` (email, phone, name) and its ``value``."""

    @property
    def kind(self) -> str: ...

    @property
    def value(self) -> str: ...


@dataclass(frozen=True)
class IdentifierHasher:
    """Keyed hashes of identifiers: ``digest(kind, value)`` for every normalised form."""

    key: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> IdentifierHasher:
        """Derived from the vault's subject-index secret (never the secret itself)."""
        return cls(hmac.new(secret, b"gdprguard identifier index v1", hashlib.sha256).digest())

    def digest_key(self, kind: str, key: str) -> str:
        """The keyed hash of one already-normalised form."""
        message = f"{kind}\0{key}".encode("utf-8", "surrogatepass")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def digests(self, kind: str, value: str) -> set[str]:
        """The keyed hashes of every normalised form of *value*."""
        return {self.digest_key(kind, key) for key in identifier_keys(kind, value)}

    def person(self, connector: str, person_id: str) -> str:
        """The keyed hash standing for one helpdesk person record."""
        return self.digest_key("person", f"{connector}:{person_id}")

    def all_digests(self, identifiers: Iterable[KindValue]) -> dict[str, set[str]]:
        """kind -> keyed hashes, for a subject's identifiers."""
        found: dict[str, set[str]] = {}
        for identifier in identifiers:
            found.setdefault(identifier.kind, set()).update(
                self.digests(identifier.kind, identifier.value)
            )
        return found
