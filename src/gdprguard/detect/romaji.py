"""Japanese readings written in the Latin alphabet: ``やまだ たろう`` → ``yamada``, ``taro``.

A customer the helpdesk knows as 山田 太郎 signs an English mail ``Taro Yamada`` or
``YAMADA Taro``; to find that signature, the known-subject matcher needs the romanised forms of
the name's reading. Romanisation is not one spelling: the passport form drops long vowels
(``Sato``, ``Yuko``), word processors keep them (``Satou``, ``Yuuko``), some people write an
``h`` (``Satoh``, ``Ohno``) or a macron (``Satō``), and Kunrei-shiki writes ``si``/``tu``/``hu``
where Hepburn writes ``shi``/``tsu``/``fu``. :func:`romaji_spellings` gives the common ones.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from .lexicon import (
    PERSON_HONORIFICS,
    ROMAJI_HONORIFICS,
    TITLES,
    honorifics_re,
    kata_to_hira,
    titles_re,
)

__all__ = ["MAX_SPELLINGS", "MIN_BARE_LENGTH", "romaji_name_patterns", "romaji_spellings"]

#: at most this many spellings per reading (the variants multiply with each long vowel)
MAX_SPELLINGS = 16

_BASE: dict[str, str] = {
    **dict(zip("あいうえお", ("a", "i", "u", "e", "o"), strict=True)),
    **dict(zip("かきくけこ", ("ka", "ki", "ku", "ke", "ko"), strict=True)),
    **dict(zip("がぎぐげご", ("ga", "gi", "gu", "ge", "go"), strict=True)),
    **dict(zip("さしすせそ", ("sa", "shi", "su", "se", "so"), strict=True)),
    **dict(zip("ざじずぜぞ", ("za", "ji", "zu", "ze", "zo"), strict=True)),
    **dict(zip("たちつてと", ("ta", "chi", "tsu", "te", "to"), strict=True)),
    **dict(zip("だぢづでど", ("da", "ji", "zu", "de", "do"), strict=True)),
    **dict(zip("なにぬねの", ("na", "ni", "nu", "ne", "no"), strict=True)),
    **dict(zip("はひふへほ", ("ha", "hi", "fu", "he", "ho"), strict=True)),
    **dict(zip("ばびぶべぼ", ("ba", "bi", "bu", "be", "bo"), strict=True)),
    **dict(zip("ぱぴぷぺぽ", ("pa", "pi", "pu", "pe", "po"), strict=True)),
    **dict(zip("まみむめも", ("ma", "mi", "mu", "me", "mo"), strict=True)),
    **dict(zip("やゆよ", ("ya", "yu", "yo"), strict=True)),
    **dict(zip("らりるれろ", ("ra", "ri", "ru", "re", "ro"), strict=True)),
    "わ": "wa",
    "ゐ": "i",
    "ゑ": "e",
    "を": "o",
    "ゔ": "vu",
}
# small ya/yu/yo after an i-row syllable: きゃ kya, しゃ sha, ちゃ cha, じゃ ja
_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_SMALL_VOWEL = {"ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o"}
# Kunrei-shiki forms a name may be written in, as alternatives of the Hepburn syllable
_KUNREI = {"shi": "si", "chi": "ti", "tsu": "tu", "fu": "hu", "ji": "zi"}
_MACRON = {"a": "ā", "i": "ī", "u": "ū", "e": "ē", "o": "ō"}


def _syllables(kana: str) -> list[str] | None:
    """The Hepburn syllables of *kana* (hiragana), with ``っ`` as ``"Q"`` and ``ん`` as
    ``"N"``; ``None`` when a character is not kana."""
    out: list[str] = []
    for ch in kana:
        if ch in _SMALL_Y and out and out[-1].endswith("i") and out[-1] not in ("i", "Q", "N"):
            stem = out[-1][:-1]
            out[-1] = (stem if stem.endswith(("sh", "ch", "j")) else stem + "y") + _SMALL_Y[ch]
        elif ch in _SMALL_VOWEL and out and out[-1] not in ("Q", "N"):
            prev = out[-1]
            out[-1] = (prev[:-1] if len(prev) > 1 else prev) + _SMALL_VOWEL[ch]
        elif ch == "っ":
            out.append("Q")
        elif ch == "ん":
            out.append("N")
        elif ch == "ー":
            if not out or out[-1] in ("Q", "N"):
                return None
            out.append("-" + out[-1][-1])
        elif ch in _BASE:
            out.append(_BASE[ch])
        else:
            return None
    return out


def _options(syllables: list[str]) -> list[list[str]]:
    """For each syllable, the ways it is written: a long vowel as written, dropped, with ``h``
    (o only) or as a macron; ``っ`` doubling the next consonant; ``ん`` as ``n`` or ``m``."""
    options: list[list[str]] = []
    for i, syl in enumerate(syllables):
        nxt = syllables[i + 1] if i + 1 < len(syllables) else ""
        prev_vowel = options[-1][0][-1:] if options else ""
        if syl == "Q":
            if not nxt or nxt[0] in "aiueoQN-":
                options.append([""])
            else:
                options.append(["t" if nxt.startswith("ch") else nxt[0]])
        elif syl == "N":
            forms = ["n"]
            if nxt[:1] in ("a", "i", "u", "e", "o", "y"):
                forms = ["n", "n'"]
            elif nxt[:1] in ("b", "m", "p"):
                forms = ["n", "m"]
            options.append(forms)
        elif syl.startswith("-") or (
            ((syl in ("u", "o") and prev_vowel == "o") or (syl == "u" and prev_vowel == "u"))
            and nxt not in ("a", "i", "u", "e", "o")  # いのうえ: Inoue, not a long vowel
        ):
            vowel = syl[-1]
            forms = [vowel, ""]
            if prev_vowel == "o":
                forms.append("h")
            options.append(forms)
        else:
            kunrei = _KUNREI.get(syl)
            options.append([syl] if kunrei is None else [syl, kunrei])
    return options


@lru_cache(maxsize=4096)
def romaji_spellings(kana: str) -> tuple[str, ...]:
    """The common romanised spellings of a reading in hiragana or katakana, lower case, the
    passport (Hepburn, long vowels dropped) form first: ``さとう`` → ``sato``, ``satou``,
    ``satoh``, ``satō``. Empty when *kana* holds anything but kana."""
    hira = kata_to_hira(kana)
    syllables = _syllables(hira)
    if not syllables:
        return ()
    options = _options(syllables)
    # passport form first: every long vowel dropped, every other choice its first form
    ordered = [[*o[1:2], o[0], *o[2:]] if len(o) > 1 and o[1] == "" else o for o in options]
    spellings: list[str] = []
    for combo in itertools.islice(itertools.product(*ordered), MAX_SPELLINGS * 4):
        word = "".join(combo)
        if word and word not in spellings:
            spellings.append(word)
        if len(spellings) >= MAX_SPELLINGS:
            break
    macron = _with_macrons(options)
    if macron and macron not in spellings:
        spellings.append(macron)
    return tuple(spellings)


def _with_macrons(options: list[list[str]]) -> str:
    """The spelling with every long vowel written with a macron (``satō``, ``yūko``)."""
    out = ""
    for forms in options:
        if "" in forms and len(forms) > 1 and out and out[-1] in _MACRON:
            out = out[:-1] + _MACRON[out[-1]]
        else:
            out += forms[0]
    return out


_LATIN_BEFORE = r"(?<![a-z0-9āīūēō'])"
_LATIN_AFTER = r"(?![a-z0-9āīūēō])"
_TITLES = titles_re(tuple(t.lower() for t in TITLES)) + r"\.?\s*"
_SUFFIXES = (
    rf"(?:[\-\s]?{honorifics_re(ROMAJI_HONORIFICS)}(?![a-z])"
    rf"|\s?{honorifics_re(PERSON_HONORIFICS)})"
)
_SEP = r"[\s・,.\-]*"
#: a romanised name part alone (no honorific, no other part) must be this long to count
MIN_BARE_LENGTH = 4


def _alternation(words: set[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def romaji_name_patterns(
    names: list[list[str]],
) -> list[tuple[re.Pattern[str], float]]:
    """Patterns (over lower-cased text, name in group ``pii``) for names given as their parts'
    kana readings, written in the Latin alphabet: the full name in either order (1.0,
    ``Taro Yamada``, ``YAMADA Taro``), a part with a title or honorific (0.95, ``Mr. Yamada``,
    ``Yamada-san``) and a part of four letters or more alone (0.8)."""
    full: set[str] = set()
    parts: set[str] = set()
    for readings in names:
        spelled = [set(romaji_spellings(r)) for r in readings]
        if not spelled or any(not s for s in spelled):
            continue
        if len(spelled) >= 2:
            alts = [_alternation(s) for s in spelled]
            full.add(_SEP.join(alts))
            full.add(_SEP.join(reversed(alts)))
        for s in spelled:
            parts.update(s)
    out: list[tuple[re.Pattern[str], float]] = []
    if full:
        body = "|".join(sorted(full, key=len, reverse=True))
        out.append((re.compile(rf"{_LATIN_BEFORE}(?P<pii>{body}){_LATIN_AFTER}"), 1.0))
    if parts:
        any_part = _alternation(parts)
        out.append((re.compile(rf"{_LATIN_BEFORE}(?P<pii>{any_part}){_SUFFIXES}"), 0.95))
        out.append(
            (re.compile(rf"{_LATIN_BEFORE}{_TITLES}(?P<pii>{any_part}){_LATIN_AFTER}"), 0.95)
        )
        long_parts = {p for p in parts if len(p) >= MIN_BARE_LENGTH}
        if long_parts:
            bare = _alternation(long_parts)
            out.append((re.compile(rf"{_LATIN_BEFORE}(?P<pii>{bare}){_LATIN_AFTER}"), 0.8))
    return out
