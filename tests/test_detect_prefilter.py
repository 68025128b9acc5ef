"""Detection's shortcuts give exactly what the long way gives.

Normalisation cleans a text whose characters each clean to one character with one
``str.translate`` instead of unit by unit; e-mail addresses and IBANs are tried only where they
can start; context and order words are found by a regex whose branches start with a literal.
Each is compared here with the long way on texts made to stress it.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gdprguard.detect.normalize import _Builder, _fold_one_to_one, normalize
from gdprguard.detect.recognizers import ScanContext
from gdprguard.detect.recognizers._base import NEAR_MISS_WORDS, compile_words
from gdprguard.detect.recognizers.financial import iban_lower_starts, iban_starts
from gdprguard.detect.recognizers.internet import GuardEmailRecognizer, local_part_starts

_WIDTH_ALPHABET = st.sampled_from(
    [
        *"abcXYZ019 -@.\n",
        *"０９ＡＺａｚ＠．－ー",  # full-width, the long vowel mark between digits
        *"ｱｶﾞﾟ゙ｰ",  # half-width katakana, sound marks that compose
        *"山田様。、「」ー々〒",
        *"㈱①ﬁ\u200b\u00ad\u2010\u2212\u3000\u3099\u0301é",
    ]
)


def _long_way(text: str) -> tuple[str, list[tuple[int, int]]]:
    builder = _Builder()
    builder.plain(text, 0)
    built = builder.build(text)
    return built.text, [built.to_original(i, i + 1) for i in range(len(built.text))]


@settings(max_examples=400, deadline=None)
@given(st.lists(_WIDTH_ALPHABET, max_size=30).map("".join))
def test_one_to_one_cleaning_matches_the_unit_by_unit_cleaning(text: str) -> None:
    expected_text, expected_map = _long_way(text)
    norm = normalize(text, html_mode=False)
    assert norm.text == expected_text
    assert [norm.to_original(i, i + 1) for i in range(len(norm.text))] == expected_map


def test_one_to_one_cleaning_declines_what_changes_length() -> None:
    assert _fold_one_to_one("０９０－１２３４") == "090-1234"
    assert _fold_one_to_one("㈱山田") is None  # three characters for one
    assert _fold_one_to_one("ｶﾞ") is None  # a sound mark composes with the kana before it
    assert _fold_one_to_one("a\u200bb") is None  # a zero-width space disappears


def _old_compile_words(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = []
    for word in sorted(set(words), key=len, reverse=True):
        w = re.escape(word.lower())
        if word.isascii() and word[:1].isalnum():
            alts.append(rf"(?<![a-z0-9]){w}" + (r"(?![a-z])" if len(word) <= 3 else ""))
        else:
            alts.append(w)
    return re.compile("|".join(alts))


_WORD_TEXT = st.lists(
    st.sampled_from(
        ["order", "orders", "po", "po.", "xpo", "ref", "reference", " ", "1", "注文", "a"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_WORD_TEXT, st.integers(0, 5))
def test_literal_first_word_regex_matches_as_the_look_behind_one(text: str, pos: int) -> None:
    new, old = compile_words(NEAR_MISS_WORDS), _old_compile_words(NEAR_MISS_WORDS)
    assert new is not None
    assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)]
    assert [m.span() for m in new.finditer(text, pos)] == [
        m.span() for m in old.finditer(text, pos)
    ]


_EMAIL_TEXT = st.lists(
    st.sampled_from(
        ["a", "Z", "9", ".", "-", "_", "%", "+", "@", " ", "ſ", "é", "x" * 40, "ex.com"]
    ),
    max_size=16,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_EMAIL_TEXT)
def test_email_starts_hold_every_match(text: str) -> None:
    (pattern,) = GuardEmailRecognizer.PATTERNS
    rx = re.compile(pattern.regex, GuardEmailRecognizer.FLAGS)
    starts = set(local_part_starts(ScanContext(text)))
    assert {m.start() for m in rx.finditer(text)} <= starts


_IBAN_TEXT = st.lists(
    st.sampled_from(["GB", "de", "X", "82", "1", " ", "Ab", "9"]), max_size=14
).map("".join)


@given(_IBAN_TEXT)
def test_iban_heads_are_every_place_an_iban_can_start(text: str) -> None:
    ctx = ScanContext(text)
    assert iban_starts(ctx) == [m.start() for m in re.finditer(r"(?=[A-Z]{2}\d{2})", text)]
    assert iban_lower_starts(ctx) == [m.start() for m in re.finditer(r"(?=[a-z]{2}\d{2})", text)]
