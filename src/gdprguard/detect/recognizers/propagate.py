"""Document-level name propagation: a name confirmed once is found wherever else it recurs.

A ticket names its people with a cue once (``my name is Ngozi Adeyemi``, ``山田様``) and then
without one (``Ngozi will call again``, ``山田から連絡``). A PERSON candidate whose score reaches
:data:`CONFIRM_SCORE` is *confirmed*; its surface and its parts (``Ngozi``, ``Adeyemi``; the
family and given name of ``山田太郎``) are then looked up everywhere else in the same text as
whole tokens, in one regex pass over a prefix tree of the confirmed names (linear in the text).

What is not propagated: parts shorter than two characters (three for Latin script), words that
are also ordinary words (``Will``, ``Summer``, stop and business words), and occurrences in a
context that makes them something else (``Adeyemi Street``, ``山田商店``). Every propagated
candidate still goes through the detector's address veto and overlap resolution.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

from .._lazy import lazy_re
from .._sudachi import is_place_word
from ..lexicon import business_words, is_place_name, stop_words, wordlike_given_names
from ._base import RawMatch, ScanContext
from ._trie import trie_alternation
from .person_en import (
    ambiguous_given_names,
    firm_name_spans,
    given_names,
    is_given_name,
    is_non_surname_word,
    is_surname,
)
from .person_ja import in_organisation, is_place_here, kana_name_ends

__all__ = ["CONFIRM_SCORE", "PROPAGATED_SCORE", "SEED_SCORE", "coordinate_names", "propagate_names"]

#: A PERSON candidate at or above this score confirms its name for the whole text.
CONFIRM_SCORE = 0.75
#: The score of a propagated occurrence (above the default threshold, below cue-based finds).
PROPAGATED_SCORE = 0.7

_LATIN_PART_RE = lazy_re(r"[^\W\d_](?:[^\W\d_]|['\-])*")
_SPLIT_RE = lazy_re(r"[ \u3000・]+")
_KANJI_RE = lazy_re(r"[一-龥々〆ヶ]")
_KATA_RE = lazy_re(r"[ァ-ヺー]")
_HIRA_RE = lazy_re(r"[ぁ-ゖ]")
_WORD_CHAR_RE = lazy_re(r"[^\W_]")
# the capitalised word after a propagated Latin name ("Jane Street", "Adeyemi Holdings")
_NEXT_WORD_RE = lazy_re(r"[ ]+([A-Z][A-Za-z'\-]*)")


def propagate_names(ctx: ScanContext, raw: Iterable[RawMatch]) -> list[RawMatch]:
    """Occurrences elsewhere in ``ctx.text`` of the PERSON names confirmed in *raw*."""
    text = ctx.text
    raw = list(raw)
    coordinated = coordinate_names(ctx, raw)
    keys: dict[str, str] = {}  # name or part -> recognizer that confirmed it
    confirmed: set[tuple[int, int]] = set()
    for m in raw:
        if m.type != "PERSON" or m.score < CONFIRM_SCORE:
            continue
        confirmed.add((m.start, m.end))
        for key in _keys(ctx, m.start, m.end):
            keys.setdefault(key, m.recognizer)
    if not keys:
        return coordinated
    out: list[RawMatch] = []
    for start, end in _occurrences(text, keys):
        if (start, end) in confirmed or not _whole_token(text, start, end):
            continue
        if _other_thing(text, start, end):
            continue
        recognizer = keys[text[start:end]]
        if out and _joined(text, out[-1].end, start):
            # "Adeyemi, Ngozi", "山田太郎" after "山田 太郎": parts next to each other are one name
            start = out.pop().start
        out.append(RawMatch("PERSON", start, end, PROPAGATED_SCORE, recognizer))
    return out + coordinated


#: a PERSON candidate at or above this score makes the other names of its list people too
SEED_SCORE = 0.5
# a list of capitalised names: "Kónya, Becker and Vasquez", "Anna, Derek and Andrew Cole"
_ITEM = (
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+(?:['\-][^\W\d_]+)?(?:[ ][A-Z]\.?)?"
    r"(?:[ ][A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+){0,2}"
)
_LIST_RE = lazy_re(rf"{_ITEM}(?:,[ ]{_ITEM})*,?[ ](?:and|&|or)[ ]{_ITEM}(?![\w'\-])")
_LIST_NEEDLE_RE = lazy_re(r"[^\W\d_],?[ ](?:and|&|or)[ ][A-ZÀ-ÖØ-ÞĀ-Ž]")
_LIST_SPLIT_RE = lazy_re(r",[ ](?:and[ ]|&[ ]|or[ ])?|,?[ ](?:and|&|or)[ ]")
#: without a cue, a list of this many known given names is a list of people
_GIVEN_LIST = 3


def coordinate_names(ctx: ScanContext, raw: Iterable[RawMatch]) -> list[RawMatch]:
    """The other names of a list (``A, B and C``) one of whose items is already a PERSON
    candidate that is reported (score 0.5 or more): each item that is a known given or family
    name, or a full name with a known part, scores :data:`PROPAGATED_SCORE`. A list of three
    or more known given names (``Romi, Erik, Amy and Donald``) needs no such item. A list
    with a place, a stop word or a company word in it is left alone."""
    text = ctx.text
    if _LIST_NEEDLE_RE.search(text) is None:
        return []
    seeds = sorted((m.start, m.end) for m in raw if m.type == "PERSON" and m.score >= SEED_SCORE)
    firms = firm_name_spans(ctx)
    out: list[RawMatch] = []
    for lst in _LIST_RE.finditer(text):
        if lst.start() and _WORD_CHAR_RE.match(text, lst.start() - 1):
            continue
        if any(a < lst.end() and lst.start() < b for a, b in firms):
            continue
        items = _items(lst)
        if len(items) < 2 or not all(_name_item(text[a:b]) for a, b in items):
            continue
        known = [_known_item(text[a:b]) for a, b in items]
        seeded = [any(a < e and s < b for s, e in _near(seeds, a, b)) for a, b in items]
        if any(seeded):
            # most items known: the unknown ones are names too ("Gaetane, Hannah and Anna")
            most = 3 * sum(known) >= 2 * len(items)
            new = [
                it for it, k, sd in zip(items, known, seeded, strict=True) if (k or most) and not sd
            ]
        elif len(items) >= _GIVEN_LIST and all(_given_item(text[a:b]) for a, b in items):
            new = items
        else:
            continue
        out.extend(RawMatch("PERSON", a, b, PROPAGATED_SCORE, "EnPersonRecognizer") for a, b in new)
    return out


def _items(lst: re.Match[str]) -> list[tuple[int, int]]:
    base, value = lst.start(), lst.group()
    out, pos = [], 0
    for sep in _LIST_SPLIT_RE.finditer(value):
        out.append((base + pos, base + sep.start()))
        pos = sep.end()
    out.append((base + pos, base + len(value)))
    return [(a, b) for a, b in out if b > a]


def _near(seeds: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    i = bisect_left(seeds, (start - 200, 0))
    out = []
    while i < len(seeds) and seeds[i][0] < end:
        out.append(seeds[i])
        i += 1
    return out


def _name_item(value: str) -> bool:
    """An item that can be a name: no stop, company, place or street word in it."""
    return not any(
        t in stop_words() or t in business_words() or is_non_surname_word(t) or is_place_name(t)
        for t in value.split()
    )


def _known_item(value: str) -> bool:
    """A known given or family name, or a full name with a known part."""
    tokens = [t for t in value.split() if len(t) > 2]
    return any(is_given_name(t) or is_surname(t) for t in tokens)


def _given_item(value: str) -> bool:
    return " " not in value and value in given_names() and value not in wordlike_given_names()


# what may stand between two parts of one name: "Adeyemi, Ngozi", "山田 太郎", "グエン・ナム"
_JOIN_RE = lazy_re(r"(?:,?[ \u3000]|・)?")


def _joined(text: str, end: int, start: int) -> bool:
    """The previous propagated part ends where this one starts (bar one separator)."""
    return start - end <= 2 and _JOIN_RE.fullmatch(text, end, start) is not None


def _keys(ctx: ScanContext, start: int, end: int) -> list[str]:
    """The confirmed surface and the parts of it that may recur on their own."""
    surface = ctx.text[start:end]
    if surface.isascii() or not _is_japanese(surface):
        return _latin_keys(surface)
    keys = [surface] if len(surface) >= 2 else []
    # the family name recurs alone (山田 of 山田太郎, 佐藤 of 佐藤 はるか); a given name alone
    # is often an ordinary word as well (未来, 大地) and is found with its honorific anyway
    parts = [p for p in _SPLIT_RE.split(surface) if p]
    family = parts[0] if len(parts) > 1 else _family_at(ctx, start, end)
    if len(family) >= 2 and family != surface and not is_place_word(family):
        keys.append(family)
    return keys


def _family_at(ctx: ScanContext, start: int, end: int) -> str:
    """The family-name morpheme that starts a name at ``[start, end)``, or ``""``: a binary
    search over the text's name morphemes (in text order), so long texts stay linear."""
    morphemes = ctx.name_morphemes
    i = bisect_left(morphemes, start, key=lambda n: n.start)
    while i < len(morphemes) and morphemes[i].start == start:
        n = morphemes[i]
        if n.end < end and n.kind == "姓":
            return ctx.text[n.start : n.end]
        i += 1
    return ""


def _latin_keys(surface: str) -> list[str]:
    tokens = _LATIN_PART_RE.findall(surface)
    if not tokens or not all(t[0].isupper() for t in tokens if len(t) > 3):
        return []  # lower-case names ("hi kofi") are not propagated: too close to words
    keys = [surface] if len(tokens) >= 2 or _standalone(tokens[0]) else []
    if len(tokens) >= 2:
        keys.extend(t for t in tokens if _standalone(t))
    return keys


def _standalone(token: str) -> bool:
    """A name part that may be found alone: capitalised, 3+ letters, not also a word."""
    return (
        len(token) >= 3
        and token[0].isupper()
        and token not in stop_words()
        and token not in business_words()
        and token not in wordlike_given_names()
        and token not in ambiguous_given_names()
        and not is_non_surname_word(token)
    )


def _is_japanese(surface: str) -> bool:
    return any(rx.search(surface) for rx in (_KANJI_RE, _KATA_RE, _HIRA_RE))


def _whole_token(text: str, start: int, end: int) -> bool:
    """The match is not part of a longer word (per script: kanji, katakana, hiragana, Latin)."""
    first, last = text[start], text[end - 1]
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if _HIRA_RE.match(first) and before and _HIRA_RE.match(before):
        return False
    if _HIRA_RE.match(last):
        return kana_name_ends(text, end)
    for rx in (_KANJI_RE, _KATA_RE):
        if (rx.match(first) and before and rx.match(before)) or (
            rx.match(last) and after and rx.match(after)
        ):
            return False
    if first.isascii() and before and (_WORD_CHAR_RE.match(before) or before in "@.'-"):
        return False
    return not (last.isascii() and after and (_WORD_CHAR_RE.match(after) or after in "@-"))


def _other_thing(text: str, start: int, end: int) -> bool:
    """A context that makes the name part of something else: ``Adeyemi Street``, ``山田商店``."""
    if text[start].isascii():
        if _COMPANY_AFTER_RE.match(text, end):
            return True  # "Larkin & Pryce", "Larkin and Co", "Maggie's Kitchen"
        nxt = _NEXT_WORD_RE.match(text, end)
        return nxt is not None and (
            nxt.group(1) in business_words() or is_non_surname_word(nxt.group(1))
        )
    return in_organisation(text, start, end) or is_place_here(text, start, end)


# a name that continues into a company or shop name
_COMPANY_AFTER_RE = lazy_re(r"[ ]?(?:&|and[ ]Co\b|and[ ]Sons\b)|'s[ ][A-Z]")


#: up to this many names, occurrences are found by substring search (no regex to compile)
_FIND_KEYS = 16


def _occurrences(text: str, keys: Iterable[str]) -> list[tuple[int, int]]:
    """Where the *keys* occur in *text*: leftmost first, the longest key at a position, no two
    overlapping (what one pass of an alternation finds). A few keys are found by substring
    search, many in one regex pass over their prefix tree (linear in the text either way)."""
    keyset = frozenset(keys)
    if len(keyset) > _FIND_KEYS:
        return [m.span() for m in _keys_regex(keyset).finditer(text)]
    hits: list[tuple[int, int]] = []
    for key in keyset:
        i = text.find(key)
        while i >= 0:
            hits.append((i, -len(key)))
            i = text.find(key, i + 1)
    hits.sort()
    out: list[tuple[int, int]] = []
    last = 0
    for start, neg in hits:
        if start >= last:
            last = start - neg
            out.append((start, last))
    return out


@lru_cache(maxsize=256)
def _keys_regex(keys: frozenset[str]) -> re.Pattern[str]:
    """One regex matching any of *keys*, longest first, as a prefix tree."""
    return re.compile(trie_alternation(keys))
