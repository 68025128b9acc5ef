"""The known-subject recognizer: find one requester's own name, emails and phones in text.

The helpdesk knows who wrote a ticket; their identifiers become per-ticket deny-list patterns that
tolerate case, full-/half-width forms (NFKC), hiragana/katakana, spacing and punctuation,
honorifics (様/さん/殿, Mr./Ms.), family/given order, and phone formats (+81 / leading 0 /
hyphens / full-width digits). A Japanese name is also found in its kana reading (山田 太郎:
やまだ様) and romanised (Taro Yamada, YAMADA Taro, Yamada-san; :mod:`.romaji`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import ClassVar

import phonenumbers
from pydantic import BaseModel, ConfigDict, field_validator

from ..text.phone import guess_region, parse_phone, phone_digits
from ._lazy import lazy_re
from ._sudachi import name_morphemes
from .language import has_japanese
from .lexicon import HIRAGANA_CHARS, TITLES, honorifics_re, kana_reading, kata_to_hira, titles_re
from .recognizers._base import GuardRecognizer, RawMatch, ScanContext
from .romaji import romaji_name_patterns

__all__ = ["KnownSubject", "KnownSubjectRecognizer", "fold"]

_HONORIFICS = honorifics_re()
_HONORIFIC_SUFFIX_RE = lazy_re(rf"{_HONORIFICS}$")
_TITLE_PREFIX_RE = lazy_re(rf"^{titles_re()}\.?\s+", re.IGNORECASE)
# the titles as they read in folded (lower-case) text
_TITLES = titles_re(tuple(t.lower() for t in TITLES)) + r"\.?"
_SEP = r"[\s・,.]*"
_KANA_ONLY_RE = lazy_re(rf"[{HIRAGANA_CHARS}ー]+")  # folded: katakana is hiragana now
_PHONE_SEP = r"[\s\-.()]{0,3}"


def fold(text: str) -> str:
    """Lower-case and katakana-to-hiragana, keeping the length (one character per character)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return kata_to_hira(low)


class KnownSubject(BaseModel):
    """A data subject as the helpdesk knows them: names, email addresses and phone numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    @field_validator("names", "emails", "phones", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(
                unicodedata.normalize("NFKC", v).strip()
                for v in value
                if isinstance(v, str) and v.strip()
            )
        return value

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to look for."""
        return not (self.names or self.emails or self.phones)


def _name_parts(name: str) -> list[str]:
    name = _TITLE_PREFIX_RE.sub("", _HONORIFIC_SUFFIX_RE.sub("", name.strip())).strip()
    parts = [p for p in re.split(r"[\s・,]+", name) if p]
    if len(parts) == 1 and has_japanese(name) and len(name) >= 3:
        names = [name[m.start : m.end] for m in name_morphemes(name)]
        if len(names) >= 2 and "".join(names) == name:
            parts = names
    return parts


def _readings(parts: list[str]) -> list[str] | None:
    """The kana readings of a name's parts (``山田``, ``太郎`` → ``やまだ``, ``たろう``), when
    at least one part is written in kanji and every part has a reading."""
    readings = [kana_reading(p) or p for p in parts]
    if readings == parts or any(not r for r in readings):
        return None
    return [fold(r) for r in readings]


def _name_patterns(names: tuple[str, ...]) -> list[tuple[re.Pattern[str], float]]:
    full: set[str] = set()
    single: set[str] = set()
    honorific_only: set[str] = set()  # kana readings: found as a full name or with 様/さん
    kana_names: list[list[str]] = []  # for the romanised forms: Taro Yamada, Yamada-san
    for name in names:
        raw_parts = _name_parts(name)
        parts = [fold(p) for p in raw_parts]
        if not parts:
            continue
        spellings = [parts]
        readings = _readings(raw_parts) if has_japanese(name) else None
        if readings is not None:
            spellings.append(readings)
            honorific_only.update(r for r in readings if len(r) >= 2)
            kana_names.append(readings)
        elif _KANA_ONLY_RE.fullmatch("".join(parts)):
            kana_names.append(parts)
        for spelled in spellings:
            if len(spelled) >= 2:
                full.add(_SEP.join(re.escape(p) for p in spelled))
                full.add(_SEP.join(re.escape(p) for p in reversed(spelled)))
            else:
                full.add(re.escape(spelled[0]))
        single.update(parts)
    out: list[tuple[re.Pattern[str], float]] = romaji_name_patterns(kana_names)
    word_b = r"(?<![a-z0-9])"
    word_a = r"(?![a-z0-9])"
    if full:
        alts = "|".join(sorted(full, key=len, reverse=True))
        out.append((re.compile(rf"{word_b}(?P<pii>{alts}){word_a}"), 1.0))
    if single:
        alts = "|".join(re.escape(p) for p in sorted(single, key=len, reverse=True))
        out.append((re.compile(rf"(?P<pii>{alts})(?=\s?{_HONORIFICS})"), 0.95))
        out.append((re.compile(rf"{word_b}{_TITLES}\s*(?P<pii>{alts}){word_a}"), 0.95))
        latin = [p for p in single if p.isascii() and len(p) >= 2]
        if latin:
            alts = "|".join(re.escape(p) for p in sorted(latin, key=len, reverse=True))
            out.append((re.compile(rf"{word_b}(?P<pii>{alts}){word_a}"), 0.8))
    if honorific_only:
        alts = "|".join(re.escape(p) for p in sorted(honorific_only, key=len, reverse=True))
        out.append((re.compile(rf"(?<![ぁ-ゖ])(?P<pii>{alts})(?=\s?{_HONORIFICS})"), 0.95))
    if single:
        cjk = [p for p in single if not p.isascii() and len(p) >= 2]
        if cjk:
            alts = "|".join(re.escape(p) for p in sorted(cjk, key=len, reverse=True))
            out.append((re.compile(rf"(?<![一-龥々])(?P<pii>{alts})(?![一-龥々])"), 0.75))
    return out


def _email_pattern(emails: tuple[str, ...]) -> re.Pattern[str] | None:
    at = r"\s*(?:@|\[at\]|\(at\)|\sat\s)\s*"
    dot = r"\s*(?:\.|\[dot\]|\(dot\)|\sdot\s)\s*"
    alts = []
    for email in emails:
        value = fold(email.replace(" ", ""))
        if "@" not in value:
            continue
        local, _, domain = value.partition("@")
        alts.append(
            re.escape(local).replace(r"\.", dot)
            + at
            + dot.join(re.escape(d) for d in domain.split("."))
        )
    if not alts:
        return None
    return re.compile(rf"(?<![a-z0-9._%+\-])(?:{'|'.join(alts)})(?![a-z0-9\-])")


def _phone_alternative(phone: str) -> str | None:
    digits = phone_digits(phone)
    if len(digits) < 6:
        return None
    num = parse_phone(phone) or parse_phone(phone, guess_region(digits))
    if num is None:
        return _PHONE_SEP.join(digits)
    nsn = phonenumbers.national_significant_number(num)
    cc = str(num.country_code)
    region = phonenumbers.region_code_for_number(num)
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
    np_ = (meta.national_prefix if meta else None) or ""
    body = _PHONE_SEP.join(nsn)
    prefixes = [rf"(?:\+|00)\s*{cc}[\s\-.]*(?:\(\s*0\s*\)[\s\-.]*)?", rf"{cc}[\s\-.]+"]
    if np_:
        prefixes.append(rf"\(?{re.escape(np_)}[\s\-.)]*")
    return rf"(?:{'|'.join(prefixes)}|\()?{body}"


def _phone_pattern(phones: tuple[str, ...]) -> re.Pattern[str] | None:
    alts = [a for a in (_phone_alternative(p) for p in phones) if a]
    if not alts:
        return None
    return re.compile(rf"(?<![\d+])(?:{'|'.join(alts)})(?!\d)")


class KnownSubjectRecognizer(GuardRecognizer):
    """Finds one :class:`KnownSubject`'s identifiers (PERSON, EMAIL_ADDRESS, PHONE_NUMBER)."""

    ENTITIES: ClassVar[tuple[str, ...]] = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER")

    def __init__(self, subject: KnownSubject, supported_language: str = "en") -> None:
        super().__init__(supported_language)
        self.subject = subject
        self._patterns: list[tuple[str, re.Pattern[str], float]] = [
            ("PERSON", rx, score) for rx, score in _name_patterns(subject.names)
        ]
        email_rx = _email_pattern(subject.emails)
        if email_rx is not None:
            self._patterns.append(("EMAIL_ADDRESS", email_rx, 1.0))
        phone_rx = _phone_pattern(subject.phones)
        if phone_rx is not None:
            self._patterns.append(("PHONE_NUMBER", phone_rx, 1.0))

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Find the subject's identifiers in the normalised text."""
        folded = fold(ctx.text)
        out: list[RawMatch] = []
        for entity, rx, score in self._patterns:
            has_pii = "pii" in rx.groupindex
            for m in rx.finditer(folded):
                start, end = m.span("pii") if has_pii else m.span()
                if end > start:
                    out.append(RawMatch(entity, start, end, score, self.rec_name))
        return out


@lru_cache(maxsize=256)
def recognizer_for(subject: KnownSubject) -> KnownSubjectRecognizer:
    """A compiled recognizer for *subject* (cached: the same subject is compiled once)."""
    return KnownSubjectRecognizer(subject)
