"""Romanised readings of Japanese names, for finding a known subject's name written in Latin."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector, KnownSubject
from gdprguard.detect.romaji import MAX_SPELLINGS, romaji_name_patterns, romaji_spellings


@pytest.mark.parametrize(
    ("kana", "expected"),
    [
        ("さとう", ("sato", "satou", "satoh", "satō")),
        ("やまだ", ("yamada",)),
        ("ヤマダ", ("yamada",)),  # katakana reads the same
        ("ゆうこ", ("yuko", "yuuko", "yūko")),
        ("おおの", ("ono", "oono", "ohno", "ōno")),
        ("いのうえ", ("inoue",)),  # う before a vowel is a syllable, not a long vowel
        ("はっとり", ("hattori",)),
        ("まっちゃん", ("matchan",)),
        ("ちひろ", ("chihiro", "tihiro")),  # Kunrei-shiki too
    ],
)
def test_spellings(kana: str, expected: tuple[str, ...]) -> None:
    assert romaji_spellings(kana) == expected


@pytest.mark.parametrize(
    ("kana", "spelling"),
    [
        ("しんぺい", "shimpei"),  # ん before p, b, m
        ("じゅんいち", "jun'ichi"),  # ん before a vowel
        ("きょうこ", "kyoko"),
        ("しゅうへい", "shuhei"),
        ("りょう", "ryo"),
        ("つよし", "tuyosi"),
    ],
)
def test_other_common_spellings_are_included(kana: str, spelling: str) -> None:
    assert spelling in romaji_spellings(kana)


def test_anything_but_kana_has_no_spelling() -> None:
    assert romaji_spellings("山田") == ()
    assert romaji_spellings("yamada") == ()
    assert romaji_spellings("") == ()
    assert romaji_spellings("ーあ") == ()


def test_spellings_are_bounded() -> None:
    long_name = "おうおうおうおうおうおうおうおう"
    assert len(romaji_spellings(long_name)) <= MAX_SPELLINGS + 1


def _found(text: str, names: list[list[str]]) -> set[tuple[str, float]]:
    return {
        (m.group("pii"), score)
        for rx, score in romaji_name_patterns(names)
        for m in rx.finditer(text.lower())
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Best regards, Taro Yamada", ("taro yamada", 1.0)),
        ("YAMADA Taro", ("yamada taro", 1.0)),
        ("Taroh Yamada", ("taroh yamada", 1.0)),
        ("Mr. Yamada called", ("yamada", 0.95)),
        ("thanks Yamada-san", ("yamada", 0.95)),
        ("Yamadaさん", ("yamada", 0.95)),
        ("Yamada will call back", ("yamada", 0.8)),
    ],
)
def test_name_patterns(text: str, expected: tuple[str, float]) -> None:
    assert expected in _found(text, [["やまだ", "たろう"]])


def test_short_parts_need_a_title_or_honorific() -> None:
    names = [["おの", "けん"]]
    assert _found("ken will call", names) == set()
    assert ("ken", 0.95) in _found("ken-san will call", names)
    assert ("ono ken", 1.0) in _found("ono ken will call", names)


def test_no_match_inside_a_longer_word() -> None:
    assert _found("the yamadas and tarot cards", [["やまだ", "たろう"]]) == set()


@pytest.mark.parametrize(
    ("names", "text", "name"),
    [
        (("山田 太郎",), "ok so yamada taro will pay tomorrow", "yamada taro"),
        (("山田太郎",), "ok so taro yamada will pay tomorrow", "taro yamada"),  # parts split
        (("佐藤 裕子",), "ok so satoh will pay tomorrow", "satoh"),
        (("さとう ゆうこ",), "ok so yuko sato will pay tomorrow", "yuko sato"),  # kana given
    ],
)
def test_the_known_subjects_romanised_name_is_found(
    names: tuple[str, ...], text: str, name: str
) -> None:
    detector = Detector()
    assert not [f for f in detector.analyze(text) if f.type == "PERSON"]
    found = detector.analyze(text, known_subject=KnownSubject(names=names))
    assert [text[f.start : f.end] for f in found if f.type == "PERSON"] == [name]


def test_other_romanised_names_are_not_the_subject() -> None:
    found = Detector().analyze(
        "ok so tanaka will pay tomorrow", known_subject=KnownSubject(names=("山田 太郎",))
    )
    assert found == []
