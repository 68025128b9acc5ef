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
from functools import lru_cache
from typing import Any, Protocol

import phonenumbers

from ..text.phone import parse_phone, phone_digits

__all__ = ["IdentifierHasher", "KindValue", "identifier_keys", "name_keys"]

_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_HONORIFIC = re.compile(r"(?:様|さま|さん|殿|どの|氏|くん|君|ちゃん|先生)$")
_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+", re.IGNORECASE)
_ROMAJI_SUFFIX = re.compile(r"[-\s](?:san|sama|kun|chan|sensei|dono)$", re.IGNORECASE)
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
    text = text.casefold().translate(_KATA_TO_HIRA)
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
        reading = _reading(joined)
        if reading and reading != joined:
            keys.add(reading)  # 山田太郎 = やまだたろう = ヤマダタロウ
    return keys


_KANJI = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=4096)
def _reading(text: str) -> str | None:
    """The kana reading of a name written in kanji (by the Japanese dictionary), in hiragana."""
    if not _KANJI.search(text):
        return None
    reading = "".join(m.reading_form() for m in _tokenizer().tokenize(text))
    return reading.translate(_KATA_TO_HIRA) if reading else None


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary().tokenizer(SplitMode.C)


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
