"""Words and spellings shared by the recognizers, the known-subject matcher and the pipeline.

One place for what several modules need: Japanese honorifics, English titles, romanised-Japanese
spelling, kana folding and readings, the English stop and business words, the place gazetteers,
and the loader of the word lists shipped in ``gdprguard/data/`` (UTF-8, one entry a line, ``#``
comment lines). Lists are read on first use and cached: importing this module reads no file.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from ._lazy import lazy_re

__all__ = [
    "BASE_HONORIFICS",
    "FORMAL_HONORIFICS",
    "FORMS_OF_ADDRESS",
    "HIRAGANA_CHARS",
    "HONORIFICS",
    "KANJI_CHARS",
    "KATAKANA_CHARS",
    "PERSON_HONORIFICS",
    "ROMAJI_HONORIFICS",
    "TITLES",
    "business_words",
    "data_lines",
    "english_places",
    "honorifics_re",
    "is_common_word",
    "is_country",
    "is_place_name",
    "is_romaji",
    "japanese_places",
    "kana_reading",
    "kata_to_hira",
    "load_words",
    "place_kind",
    "stop_words",
    "titles_re",
    "wordlike_given_names",
]

#: Honorifics of business mail and forms after a person's name (様, さま, さん, 殿, 氏).
FORMAL_HONORIFICS: tuple[str, ...] = ("様", "さま", "さん", "殿", "氏")
#: Every honorific after a person's name, in kanji and hiragana: the formal ones, どの (殿),
#: those for juniors and children (君, くん, ちゃん) and 先生.
BASE_HONORIFICS: tuple[str, ...] = (*FORMAL_HONORIFICS, "どの", "君", "くん", "ちゃん", "先生")
#: Honorifics after a person's name in the forms written in support text: also the katakana
#: サマ and サン of chats.
PERSON_HONORIFICS: tuple[str, ...] = (*BASE_HONORIFICS, "サマ", "サン")
#: Honorifics after a name, including 御中 (after an organisation's name).
HONORIFICS: tuple[str, ...] = (*PERSON_HONORIFICS, "御中")
#: Japanese honorifics written in romaji after a name (``Tanaka-san``).
ROMAJI_HONORIFICS: tuple[str, ...] = ("san", "sama", "kun", "chan", "sensei", "dono")

#: English titles before a name, as abbreviated (a full stop may follow).
TITLES: tuple[str, ...] = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof")
#: Other forms of address before a name: English and French, German, Spanish.
FORMS_OF_ADDRESS: tuple[str, ...] = (
    "Sir",
    "Madam",
    "Mme",
    "Mlle",
    "Herr",
    "Frau",
    "Sr",
    "Sra",
    "Srta",
)


def titles_re(words: tuple[str, ...] = TITLES) -> str:
    """A regex alternation of titles (``(?:Mr|Mrs|…)``), in the given order."""
    return "(?:" + "|".join(words) + ")"


def data_lines(name: str) -> list[str]:
    """The entries of ``gdprguard/data/<name>``: its lines stripped, without blank lines and
    ``#`` comment lines."""
    raw = resources.files("gdprguard.data").joinpath(name).read_text("utf-8")
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


@cache
def load_words(name: str) -> frozenset[str]:
    """The entries of the word list ``gdprguard/data/<name>`` as a set (read once)."""
    return frozenset(data_lines(name))


def stop_words() -> frozenset[str]:
    """Capitalised words that follow greetings or titles but are not names
    (``gdprguard/data/en_stop_words.txt``)."""
    return load_words("en_stop_words.txt")


def business_words() -> frozenset[str]:
    """Words of shop and company names (``Outfitters``, ``Gadgets``;
    ``gdprguard/data/en_business_words.txt``)."""
    return load_words("en_business_words.txt")


def wordlike_given_names() -> frozenset[str]:
    """Given names that are also months or common words (``May``, ``Will``): names only where
    the context is strong (``gdprguard/data/en_wordlike_given_names.txt``)."""
    return load_words("en_wordlike_given_names.txt")


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


#: the Japanese scripts as regex character-class bodies (inside ``[...]``), as the
#: recognizers read them: kanji with the iteration and abbreviation marks, katakana with the
#: long-vowel mark, hiragana
KANJI_CHARS = "一-龥々〆ヶ"
KATAKANA_CHARS = "ァ-ヺー"
HIRAGANA_CHARS = "ぁ-ゖ"

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


@lru_cache(maxsize=8192)
def is_common_word(surface: str) -> bool:
    """True when SudachiPy's dictionary lists *surface* (as a whole) as a common noun or any
    word that is not a proper noun (``スピーカー``, ``ケーキ``)."""
    from ._sudachi import _dictionary

    return any(
        m.surface() == surface and m.part_of_speech()[1] != "固有名詞"
        for m in _dictionary().lookup(surface)
    )


def _load_places(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in data_lines(name):
        kind, _, place = line.partition("\t")
        out.setdefault(place.strip(), kind.strip())
    return out


@cache
def english_places() -> dict[str, str]:
    """English place name -> kind (``country``, ``region``, ``city``) from
    ``gdprguard/data/places_en.txt``, in Title Case and in capitals (``LAPPEENRANTA``)."""
    names = _load_places("places_en.txt")
    out = dict(names)
    for name, kind in names.items():
        if len(name) >= 4:
            out.setdefault(name.upper(), kind)
    return out


@cache
def japanese_places() -> dict[str, str]:
    """Japanese place name -> kind from ``gdprguard/data/places_ja.txt`` plus the prefectures
    of ``jp_prefectures.txt``, with and without 都/府/県."""
    out = _load_places("places_ja.txt")
    for pref in data_lines("jp_prefectures.txt"):
        out.setdefault(pref, "region")
        if pref[-1] in "都府県" and len(pref) >= 3:
            out.setdefault(pref[:-1], "region")
    return out


def place_kind(name: str) -> str | None:
    """``country``, ``region`` or ``city`` for a known English or Japanese place name."""
    return english_places().get(name) or japanese_places().get(name)


def is_place_name(name: str) -> bool:
    """True for a known place name (``Lisbon``, ``Texas``, ``大阪``)."""
    return place_kind(name) is not None


def is_country(name: str) -> bool:
    """True for a known country name (``France``, ``USA``, ``ドイツ``)."""
    return place_kind(name) == "country"
