"""LOCATION: place names (countries, regions, cities) from a shipped gazetteer.

A postal address is found by :mod:`.address`; this recognizer finds the names of places on
their own (``I moved to Lisbon``, ``大阪在住``). A place name alone is a LOCATION in Presidio's
sense, but it is seldom personal data by itself: a support ticket names countries and cities
as product origins and destinations (``ships from China``, ``日本製``, ``delivered to Memphis``).
So the score depends on the context:

- :data:`PERSONAL_SCORE` (0.7, reported by default): where a person lives, comes from, stays or
  travels (``I live in Leeds``, ``originally from Peru``, ``I'm in Osaka``, ``flew to Rome``,
  ``札幌在住``, ``福岡出身``, ``大阪に住んでいます``);
- :data:`BARE_SCORE` (0.4, below the default threshold of 0.5): any other mention. Lower
  ``min_score`` to 0.4 to report every place name;
- nothing at all where the name is part of another word or says something else: a nationality,
  language or origin (``日本人``, ``中国語``, ``日本製``), a word that follows a given name or
  precedes a surname (``Michael Jordan``, ``Paris Hilton``).

The gazetteers are ``gdprguard/data/places_en.txt`` and ``places_ja.txt`` (countries after
ISO 3166-1, first-level regions, capitals and large cities; written for gdprguard) and the 47
prefectures of ``jp_prefectures.txt``. Where a person lives or comes from, Japanese
municipalities (``安中町に住んでいます``) and katakana names of foreign places are also accepted
when SudachiPy's dictionary lists them as place names. Each language's names are matched in one
regex pass over a prefix tree built on first use.
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

from .._lazy import lazy_re
from .._sudachi import is_name_word, is_place_word
from ..lexicon import (
    KANJI_CHARS,
    KATAKANA_CHARS,
    TITLES,
    business_words,
    english_places,
    is_common_word,
    is_country,
    is_place_name,
    japanese_places,
    load_words,
    place_kind,
    stop_words,
    titles_re,
)
from ._base import GuardRecognizer, RawMatch, ScanContext
from ._trie import trie_alternation
from .person_en import given_names, is_surname

__all__ = [
    "BARE_SCORE",
    "PERSONAL_SCORE",
    "UNLISTED_SCORE",
    "PlaceRecognizer",
    "is_country",
    "is_place_name",
    "place_kind",
    "trie_alternation",
]

#: a place where a person lives, comes from, stays or travels
PERSONAL_SCORE = 0.7
#: any other mention of a place (below the default threshold)
BARE_SCORE = 0.4
#: a capitalised name that is not in the gazetteer after a strong cue (``I grew up in Rohod``)
UNLISTED_SCORE = 0.6


@cache
def _en_index() -> dict[str, tuple[str, ...]]:
    """The English names by their first word (``New`` -> ``New York City``, ``New York``, …),
    longest first: a capitalised word of the text is looked up in a dict, not matched against
    a regex of every name (which would take ~0.1 s to compile)."""
    index: dict[str, list[str]] = {}
    for name in english_places():
        index.setdefault(name.split(" ", 1)[0], []).append(name)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


@cache
def _ja_regex() -> re.Pattern[str]:
    return re.compile(trie_alternation(list(japanese_places())))


_EN_LETTER_RE = lazy_re(r"[\w'\-]")
# a capitalised word (with the full stops of "U.S.", "St.")
_EN_CAP_WORD_RE = lazy_re(r"[A-ZÀ-ÖØ-ÞÅ][\w'.\-]*")
# a place where a person is: lives, comes from, stays, travels (the words right before it)
_EN_PERSONAL_RE = lazy_re(
    r"(?:\b(?:live|lives|lived|living|reside|resides|resided|residing|based|settled|stationed"
    r"|stay|stays|stayed|staying|raised|grew[ ]up|studying|study|studied|work|working"
    r"|worked)(?:[ ](?:here|now|currently|still|originally|mostly|permanently))?[ ]in"
    r"|\b(?:moved|move|moving|relocated|relocate|relocating|travel|travels|travelled|traveled"
    r"|travelling|traveling|flew|fly|flying|flight|trip|holiday|holidays|vacation|returned"
    r"|return|returning|arrived|arrive|arriving|back|coming|going|heading|headed|emigrated"
    r"|immigrated)(?:[ ](?:back|over|out|down|up|here|home|all[ ]the[ ]way))?[ ](?:to|in|from)"
    r"|\b(?:i'm|im|i[ ]am|we're|we[ ]are|am|are|here|originally|hails?|i'm[ ]currently"
    r"|i[ ]am[ ]currently)(?:[ ](?:currently|now|still|originally|visiting|staying|based))?"
    r"[ ](?:from|in)"
    r"|\b(?:year|years|month|months|week|weeks|summer|winter|semester)[ ](?:abroad[ ])?in"
    r"|\b(?:home[ ]?town|home[ ]city|home[ ]country|native[ ]of|citizen[ ]of|resident[ ]of"
    r"|visiting|visited|living|lives)[:,]?(?:[ ]is)?)[ ](?:the[ ])?\Z",
    re.IGNORECASE,
)
# the strongest of those cues, after which an unlisted capitalised name is a town too
# ("I grew up in Rohod", "originally from Hawkins")
_EN_TOWN_CUE_RE = lazy_re(
    r"(?P<verb>live|lives|lived|grew[ ]up)[ ]in[ ]|living[ ]in[ ]|born[ ]and[ ]raised[ ]in[ ]"
    r"|(?P<move>moved|relocated)[ ]to[ ]|originally[ ]from[ ]|here[ ]from[ ]"
    r"|home[ ]?town(?:[ ]is|[ ]of|:|,)?[ ]|home[ ]city(?:[ ]is|[ ]of|:|,)?[ ]|resident[ ]of[ ]"
    r"|based[ ]in[ ]"
)
_EN_TOWN_NAME_RE = lazy_re(
    r"(?P<pii>[A-Z][^\W\d_]+(?:['\-][^\W\d_]+)*(?:[ ][A-Z][^\W\d_]+){0,2})(?![\w'\-])"
)
# the subject a "live in"/"moved to" cue needs: a person ("I live in", not "items live in")
_EN_SUBJECT_BEFORE_RE = lazy_re(r"\b(?:i|we|he|she|they|who)[ ]\Z")
_EN_TITLE_BEFORE_RE = lazy_re(rf"{titles_re((*TITLES, 'Sir', 'Dear'))}\.?[ ]\Z")
_EN_PREV_WORD_RE = lazy_re(r"([A-Z][a-z]+)[ ]\Z")
_EN_NEXT_WORD_RE = lazy_re(r"[ ]([A-Z][a-z'\-]+)")

_JA_KANJI, _JA_KATA = KANJI_CHARS, KATAKANA_CHARS
_KANJI_RE = lazy_re(rf"[{_JA_KANJI}]")
_KATA_RE = lazy_re(rf"[{_JA_KATA}]")
# a place's own suffix, kept in the span: 大阪府, 北京市, 中国地方, ニューヨーク州
_JA_SUFFIX_RE = lazy_re(r"(?:都|府|県|市|区|町|村|郡|州|省|地方|地区|近郊)")
# after a place: what makes it a nationality, a language, an origin or an organisation
_JA_NOT_PLACE_RE = lazy_re(
    r"(?:人|語|製|産|系|料理|風|式|車|軍|代表|政府|大使館|企業|文化|円|銀行|航空|大学|新聞|放送"
    r"|支店|店|駅|空港|港|線|ドル|ウォン|元)"
)
# where a person lives, comes from, stays or travels: after the place ...
_JA_PERSONAL_AFTER_RE = lazy_re(
    r"(?:在住|出身|生まれ|育ち|に住|で暮ら|に暮ら|に引っ?越|へ引っ?越|に転居|へ転居|に移住|へ移住"
    r"|に滞在|で滞在|に出張|へ出張|に旅行|へ旅行|を旅行|に帰省|へ帰省|に留学|へ留学|から来"
    r"|で生まれ|で育|に行って|へ行って|に来て|にいます|におります|に赴任|へ赴任|に単身赴任)"
)
# ... or before it
_JA_PERSONAL_BEFORE_RE = lazy_re(r"(?:出身地|出身|在住|住まい|生まれ|現住所)(?:は|が|：|:)?[ ]?\Z")
_MUNI_RE = lazy_re(r"[市区町村郡]")
_JA_PERSONAL_NEEDLE_RE = lazy_re(
    r"在住|出身|生まれ|育ち|住ん|住み|住む|暮ら|引っ?越|転居|移住|滞在|出張|旅行|帰省|留学|赴任"
)
_MUNI_STEM = 5


class PlaceRecognizer(GuardRecognizer):
    """``I live in Leeds`` (0.7), ``originally from Peru`` (0.7), ``大阪在住`` (0.7); a place
    name in any other context scores 0.4 (reported only below the default threshold)."""

    ENTITIES: ClassVar[tuple[str, ...]] = ("LOCATION",)
    LANGUAGES: ClassVar[tuple[str, ...]] = ("en", "ja")

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Place names of the recognizer's language, scored by their context."""
        spans = self._english(ctx) if self.supported_language == "en" else self._japanese(ctx)
        return [RawMatch("LOCATION", s, e, score, self.rec_name) for s, e, score in spans]

    # -- English -------------------------------------------------------------------------------
    @staticmethod
    def _english(ctx: ScanContext) -> list[tuple[int, int, float]]:
        text = ctx.text
        out: list[tuple[int, int, float]] = []
        index = _en_index()
        for word in _EN_CAP_WORD_RE.finditer(text):
            names = index.get(word.group()) or index.get(word.group().rstrip("."))
            if names is None:
                continue
            start = word.start()
            if start and _EN_LETTER_RE.match(text, start - 1):
                continue
            end = 0
            for name in names:
                stop = start + len(name)
                if text.startswith(name, start) and not (
                    stop < len(text) and _EN_LETTER_RE.match(text, stop) and text[stop] != "-"
                ):
                    end = stop
                    break
            if not end or (text[end - 1] == "." and end < len(text) and text[end].isalnum()):
                continue
            if _part_of_person_name(text, start, end):
                continue
            window = ctx.lower[max(0, start - 48) : start]
            score = PERSONAL_SCORE if _EN_PERSONAL_RE.search(window) else BARE_SCORE
            out.append((start, end, score))
        known = {s for s, _, _ in out}
        not_town = _not_towns()
        for cue in _EN_TOWN_CUE_RE.finditer(ctx.lower):
            town = _EN_TOWN_NAME_RE.match(text, cue.end())
            if town is None:
                continue
            start, end = town.span("pii")
            if start in known or (cue.start() and _EN_LETTER_RE.match(text, cue.start() - 1)):
                continue
            if (cue.group("verb") or cue.group("move")) and not _EN_SUBJECT_BEFORE_RE.search(
                ctx.lower, max(0, cue.start() - 5), cue.start()
            ):
                continue
            words = town.group("pii").split()
            if any(w in not_town for w in words):
                continue
            if words[0] in given_names() and len(words) > 1:
                continue  # "grew up with Anna Lee" is no town
            out.append((start, end, UNLISTED_SCORE))
        return out

    # -- Japanese ------------------------------------------------------------------------------
    @staticmethod
    def _japanese(ctx: ScanContext) -> list[tuple[int, int, float]]:
        text = ctx.text
        if not ctx.has_japanese:
            return []
        found: list[tuple[int, int]] = []
        for m in _ja_regex().finditer(text):
            found.append(m.span())
        # places that are not listed are looked up in the dictionary only where the context
        # says a person lives or comes from there: elsewhere they would score below the
        # default threshold, and the look-ups are the costly part
        if _JA_PERSONAL_NEEDLE_RE.search(text):
            found.extend(_municipalities(text))
            found.extend(_katakana_places(text))
        out: list[tuple[int, int, float]] = []
        for start, end in sorted(set(found)):
            span = _ja_place_span(text, start, end)
            if span is None:
                continue
            start, end = span
            personal = _JA_PERSONAL_AFTER_RE.match(text, end) is not None or (
                _JA_PERSONAL_BEFORE_RE.search(text, max(0, start - 8), start) is not None
            )
            out.append((start, end, PERSONAL_SCORE if personal else BARE_SCORE))
        return out


@cache
def _not_towns() -> frozenset[str]:
    """Capitalised words that are no town after a cue: stop and business words, months, days,
    seasons, departments, platforms (``gdprguard/data/en_not_towns.txt``)."""
    return stop_words() | business_words() | load_words("en_not_towns.txt")


def _part_of_person_name(text: str, start: int, end: int) -> bool:
    """``Michael Jordan``, ``Paris Hilton``, ``Mr. Washington``: the place name is a name."""
    if _EN_TITLE_BEFORE_RE.search(text, max(0, start - 6), start):
        return True
    prev = _EN_PREV_WORD_RE.search(text, max(0, start - 20), start)
    if prev is not None and prev.group(1) in given_names():
        return True
    nxt = _EN_NEXT_WORD_RE.match(text, end)
    return nxt is not None and is_surname(nxt.group(1)) and not is_place_name(nxt.group(1))


def _ja_place_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a Japanese place found at ``[start, end)`` with its suffix (大阪府, 北京市),
    or ``None`` when it is part of a longer word or names something else (日本人, 中国語)."""
    first = text[start]
    if _KANJI_RE.match(first):
        if start and _KANJI_RE.match(text, start - 1) and text[start - 1] not in "都道府県":
            return None
    elif start and (_KATA_RE.match(text, start - 1)):
        return None
    suffix = _JA_SUFFIX_RE.match(text, end)
    if suffix is not None and text[end - 1] not in "都府県市区町村郡州省":
        end = suffix.end()
    if _JA_NOT_PLACE_RE.match(text, end):
        return None
    last = text[end - 1]
    if end < len(text):
        nxt = text[end]
        if (
            _KANJI_RE.match(last)
            and _KANJI_RE.match(nxt)
            and not _JA_PERSONAL_AFTER_RE.match(text, end)
        ):
            return None
        if _KATA_RE.match(last) and _KATA_RE.match(nxt):
            return None
    return start, end


def _municipalities(text: str) -> list[tuple[int, int]]:
    """``安中町に住んでいます``, ``港区在住``: a kanji stem and a municipal suffix that the
    dictionary lists as a place name (the longest such stem, up to five kanji), where a person
    lives, comes from or stays."""
    out: list[tuple[int, int]] = []
    for m in _MUNI_RE.finditer(text):
        end = m.end()
        if not _JA_PERSONAL_AFTER_RE.match(text, end):
            continue
        for length in range(_MUNI_STEM, 0, -1):
            start = m.start() - length
            if start < 0:
                continue
            stem = text[start : m.start()]
            if not all("一" <= c <= "龥" or c in "々ヶ" for c in stem):
                continue
            if is_place_word(stem + m.group()):
                out.append((start, end))
                break
    return out


_KATA_RUN_RE = lazy_re(rf"(?<![{_JA_KATA}])[{_JA_KATA}]{{3,12}}(?![{_JA_KATA}])")


def _katakana_places(text: str) -> list[tuple[int, int]]:
    """Katakana words before a word that says a person lives or stays there, that the
    dictionary lists as a place and as nothing else that is common or a person's name
    (``ティラナ在住``)."""
    out = []
    for m in _KATA_RUN_RE.finditer(text):
        word = m.group()
        if word in japanese_places() or not _JA_PERSONAL_AFTER_RE.match(text, m.end()):
            continue
        if is_place_word(word) and not is_name_word(word) and not is_common_word(word):
            out.append(m.span())
    return out
