"""Words and spellings shared by the recognizers and the known-subject matcher.

One place for what several modules need: Japanese honorifics, romanised-Japanese spelling,
kana folding and readings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._lazy import lazy_re

__all__ = [
    "HONORIFICS",
    "PERSON_HONORIFICS",
    "honorifics_re",
    "is_romaji",
    "kana_reading",
    "kata_to_hira",
]

#: Honorifics after a person's name (様, さん, 先生, …), in the forms written in support text.
PERSON_HONORIFICS: tuple[str, ...] = (
    "様",
    "さま",
    "サマ",
    "さん",
    "サン",
    "殿",
    "どの",
    "氏",
    "君",
    "くん",
    "ちゃん",
    "先生",
)
#: Honorifics after a name, including 御中 (after an organisation's name).
HONORIFICS: tuple[str, ...] = (*PERSON_HONORIFICS, "御中")


def honorifics_re(words: tuple[str, ...] = PERSON_HONORIFICS) -> str:
    """A regex alternation of honorifics (longest first), as a non-capturing group."""
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


# A Hepburn/Kunrei syllable: consonant (+ y) + vowel, shi/chi/tsu/fu/ji, a syllabic n, the first
# half of a doubled consonant (Hattori, Ippei) and a long-vowel h (Ohno, Itoh).
_ROMAJI_RE = lazy_re(
    r"(?:(?:sh|ch|ts|[kgsztdnhbpmrjfwv]y?|y)?[aiueo]|n(?![aiueoy])|([kstpcgbdfjmrz])(?=\1)"
    r"|(?<=o)h(?![aiueoy])|(?<=t)c(?=h))+",
    re.IGNORECASE,
)


def is_romaji(word: str) -> bool:
    """True when *word* (any case, 3+ letters) spells Japanese in romaji: ``Yamada``,
    ``TANAKA``, ``Hattori``, ``Ohno`` — but not ``Smith`` or ``Mary``."""
    return len(word) >= 3 and word.isascii() and _ROMAJI_RE.fullmatch(word) is not None


_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KANJI_RE = lazy_re(r"[\u3400-\u9fff々]")


def kata_to_hira(text: str) -> str:
    """Katakana folded to hiragana, one character per character (``ヤマダ`` → ``やまだ``)."""
    return text.translate(_KATA_TO_HIRA)


@lru_cache(maxsize=4096)
def kana_reading(text: str) -> str | None:
    """The reading of *text* written in kanji, in hiragana (``山田`` → ``やまだ``), by the
    shared SudachiPy dictionary; ``None`` when there is no kanji to read."""
    if not _KANJI_RE.search(text):
        return None
    from ._sudachi import _tokenizer as tokenizer

    reading = "".join(m.reading_form() for m in tokenizer().tokenize(text))
    return kata_to_hira(reading) if reading else None
