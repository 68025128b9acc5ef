"""Language detection by script: kana/kanji means Japanese, Latin letters mean English."""

from __future__ import annotations

from ._lazy import lazy_re

__all__ = ["LANGUAGES", "detect_languages", "has_japanese"]

LANGUAGES: tuple[str, ...] = ("en", "ja")

_JA_RE = lazy_re(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆〒]")
_LATIN_WORD_RE = lazy_re(r"[A-Za-z]{2}")


def has_japanese(text: str) -> bool:
    """True when *text* contains kana or kanji."""
    return _JA_RE.search(text) is not None


def detect_languages(text: str) -> frozenset[str]:
    """The languages whose recognizers should run on *text*.

    Japanese when kana or kanji appear, English when Latin words appear (both for mixed text);
    English for text with neither (digits and symbols only), since the structured recognizers
    (email, phone, card, ...) are shared by both languages anyway.
    """
    langs = set()
    if _JA_RE.search(text):
        langs.add("ja")
    if _LATIN_WORD_RE.search(text):
        langs.add("en")
    return frozenset(langs or ("en",))
