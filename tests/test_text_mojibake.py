"""Mojibake repair: what is repaired, what is left alone, and the map back to the garbled text."""

from __future__ import annotations

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _cpu_time import assert_grows_linearly
from gdprguard.text.mojibake import repair_mojibake


def utf8_as_cp1252(text: str) -> str:
    """UTF-8 bytes read as Windows-1252, undefined bytes kept as C1 controls (as browsers do)."""
    return text.encode("utf-8").decode("sloppy-windows-1252")


def utf8_as_latin1(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def utf8_as_cp932(text: str) -> str:
    """UTF-8 bytes read as CP932; pairs CP932 does not define become ``�``."""
    return text.encode("utf-8").decode("cp932", "replace")


def cp932_as_cp1252(text: str) -> str:
    return text.encode("cp932").decode("sloppy-windows-1252")


def cp932_as_latin1(text: str) -> str:
    return text.encode("cp932").decode("latin-1")


JAPANESE = [
    "東京都千代田区",
    "田中太郎",
    "電話番号",
    "ありがとうございます",
    "山田 花子様、お世話になっております。",
    "〒100-0001 東京都千代田区千代田1-1",
    "０９０－１２３４－５６７８",
    "カスタマーサポート",
]


@pytest.mark.parametrize("clean", JAPANESE)
@pytest.mark.parametrize(
    ("garble", "kind"),
    [
        (utf8_as_cp1252, "utf8-as-cp1252"),
        (utf8_as_latin1, "utf8-as-cp1252"),
        (cp932_as_cp1252, "cp932-as-cp1252"),
        (cp932_as_latin1, "cp932-as-cp1252"),
    ],
)
def test_lossless_mojibake_is_repaired(clean: str, garble, kind: str) -> None:
    repair = repair_mojibake(garble(clean))
    assert repair.text == clean
    assert {run.kind for run in repair.runs} == {kind}
    assert not any(run.lossy for run in repair.runs)


@pytest.mark.parametrize(
    ("garbled", "repaired"),
    [
        ("縺薙ｓ縺ｫ縺｡縺ｯ", "こんにちは"),
        ("髮ｻ隧ｱ逡ｪ蜿ｷ", "電話番号"),
        (utf8_as_cp932("田中太郎様。"), "田中太郎様\ufffd"),  # 。's last byte stands alone
        (utf8_as_cp932("東京都千代田区"), "東京都�代田区"),  # 千's bytes E5 8D 83: 83 E4 is no pair
        # Japanese Windows shows ・ for an undefined pair (the lost bytes of う and ご)
        ("縺ゅｊ縺後→縺・＃縺悶＞縺ｾ縺・", "ありがと��ざいま�"),
    ],
)
def test_utf8_read_as_cp932_is_repaired(garbled: str, repaired: str) -> None:
    repair = repair_mojibake(garbled)
    assert repair.text == repaired
    assert [run.kind for run in repair.runs] == ["utf8-as-cp932"]
    assert repair.runs[0].lossy == ("\ufffd" in repaired)


@pytest.mark.parametrize(
    ("garbled", "repaired"),
    [
        ("cafÃ©", "café"),
        ("Ã¼ber die StraÃŸe", "über die Straße"),
        ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет"),
        ("â€œquotedâ€\x9d", "“quoted”"),
    ],
)
def test_western_text_read_as_cp1252_is_repaired(garbled: str, repaired: str) -> None:
    assert repair_mojibake(garbled).text == repaired


def test_text_garbled_twice_is_repaired_in_two_passes() -> None:
    twice = utf8_as_cp1252(utf8_as_cp1252("田中様 café"))
    repair = repair_mojibake(twice)
    assert repair.text == "田中様 café"
    assert repair.to_original(0, 1) == (0, len(utf8_as_cp1252(utf8_as_cp1252("田"))))


def test_a_dropped_byte_is_restored_when_one_common_character_fits() -> None:
    # お is E3 81 8A; 81 is undefined in Windows-1252 and was dropped on the way: of the
    # characters E3 ?? 8A and E3 8A ?? only お is kana or a common kanji.  合 (E5 90 88) could
    # as well have been 午, 又 or 初 and is marked as lost.
    dropped = utf8_as_cp1252("お問い合わせ").replace("\x81", "").replace("\x90", "")
    repair = repair_mojibake(dropped)
    assert repair.text == "お問い\ufffdわせ" and repair.runs[0].lossy
    # 号 is E5 8F B7: with 8F dropped, 号 (E5 8F B7) and 川 (E5 B7 9D) both fit: marked as lost
    assert repair_mojibake(utf8_as_cp1252("電話番号").replace("\x8f", "")).text == "電話番\ufffd"
    # replaced by � rather than dropped, the lost byte's place is known, and only 号 fits there
    assert repair_mojibake(utf8_as_cp1252("電話番号").replace("\x8f", "\ufffd")).text == (
        "電話番号"
    )


def test_cp932_read_as_utf8_is_not_recoverable() -> None:
    # every Japanese byte became U+FFFD: nothing is left to decode
    lost = "東京都 090".encode("cp932").decode("utf-8", "replace")
    assert repair_mojibake(lost).is_identity


CLEAN = [
    "Hello, please call me back at 090-1234-5678.",
    "山田太郎様、いつもお世話になっております。東京都千代田区千代田1-1",
    "ｶﾌﾞｼｷｶﾞｲｼｬ ﾃｽﾄ ｱｲｳｴｵ ﾃｽﾄｱ",  # half-width katakana pair up into valid UTF-8 bytes
    "“Cécile Benard” — «\xa0Saint-Étienne\xa0» …Dupuy’s «\xa0décidé\xa0»",
    "Crème brûlée, déjà vu, naïve, cœur, Œuvres complètes, l’école, qu’à",
    "„Größe“ Straße, Übergröße, Ärger, Öl — Düsseldorf",
    "¿Qué tal? ¡Olé! Señor Ibáñez, Mañana en Cádiz; São Paulo, Aragão",
    "Žižka, Šťastný, příští, Škoda — Dvořák",
    "£1,200 ¥3,000 €45 ±3 °C ×2 § 5 ¶ © ® ™ ½",
    "网上相关信息 网上生活 中华人民共和国",
    "グエン・ヴァン・ナム様 ・資料 ・見積書",
    "髙橋様 﨑田様 ①②③ ㈱テスト ㍻",
    "Привет, мир! Καλημέρα κόσμε",
    "emoji 😀 and 𠮟る",
]


@pytest.mark.parametrize("text", CLEAN)
def test_correct_text_is_left_alone(text: str) -> None:
    repair = repair_mojibake(text)
    assert repair.is_identity and repair.text == text and repair.runs == ()
    assert repair.to_original(0, len(text)) == (0, len(text))


def test_only_the_garbled_paragraph_changes() -> None:
    first, last = "Dear team, Crème brûlée arrived.\n", "\n山田様、ありがとうございます。"
    garbled = utf8_as_cp1252("田中太郎様のお問い合わせ")
    text = first + garbled + last
    repair = repair_mojibake(text)
    assert repair.text == first + "田中太郎様のお問い合わせ" + last
    (run,) = repair.runs
    assert (run.start, run.end) == (len(first), len(first) + len(garbled))
    for i in range(len(first)):
        assert repair.to_original(i, i + 1) == (i, i + 1)
    shift = len(repair.text) - len(text)
    for i in range(len(repair.text) - len(last), len(repair.text)):
        assert repair.to_original(i, i + 1) == (i - shift, i - shift + 1)


@pytest.mark.parametrize("garble", [utf8_as_cp1252, utf8_as_latin1])
def test_each_character_maps_to_the_garbled_characters_that_encode_it(garble) -> None:
    clean = "住所：東京都港区 tel 090 様"
    garbled = garble(clean)
    repair = repair_mojibake(garbled)
    assert repair.text == clean
    pos = 0
    for i, char in enumerate(clean):
        width = len(garble(char))
        assert repair.to_original(i, i + 1) == (pos, pos + width)
        pos += width


def test_utf8_as_cp932_maps_shared_characters_to_both_sides() -> None:
    # 田 = E7 94 B0, 中 = E4 B8 AD; read as CP932: 逕 (E7 94) ｰ (B0) 荳 (E4 B8) ｭ (AD)
    repair = repair_mojibake("逕ｰ荳ｭ")
    assert repair.text == "田中"
    assert repair.to_original(0, 1) == (0, 2) and repair.to_original(1, 2) == (2, 4)
    # 東 = E6 9D B1, 京 = E4 BA AC, 都 = E9 83 BD: 。 (E3 80 82) then 田 shares ら (82 E7)
    repair = repair_mojibake(utf8_as_cp932("。田中"))
    assert repair.text == "。田中"
    _, e0 = repair.to_original(0, 1)
    s1, _ = repair.to_original(1, 2)
    assert s1 == e0 - 1  # the character holding 82 E7 belongs to both 。 and 田


def test_a_run_right_after_a_clean_label_is_repaired_on_its_own() -> None:
    text = "Name: " + cp932_as_cp1252("山田様") + " / " + cp932_as_latin1("田中様")
    assert repair_mojibake(text).text == "Name: 山田様 / 田中様"


_PIECES = st.sampled_from(
    [
        "abc ",
        "090-1234 ",
        "\n",
        "café ",
        "“quote” ",
        "山田様",
        "ｱｲｳ",
        "東京都",
        utf8_as_cp1252("田中太郎様"),
        utf8_as_latin1("電話番号"),
        utf8_as_cp932("お問い合わせ"),
        utf8_as_cp932("ありがとう"),
        cp932_as_cp1252("東京都港区"),
        cp932_as_latin1("佐藤花子"),
        utf8_as_cp1252("東京").replace("\x9d", ""),
        "\ufffd",
        "・",
        "Ã",
        "\x81",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_spans_map_back_monotonic_and_in_bounds(text: str) -> None:
    repair = repair_mojibake(text)
    assert repair.original == text
    if repair.is_identity:
        assert repair.text == text
        return
    prev = (0, 0)
    for i in range(len(repair.text)):
        start, end = repair.to_original(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert start >= prev[0] and end >= prev[1]
        prev = (start, end)
    assert repair.to_original(0, len(repair.text))[0] >= 0
    # outside the repaired runs the text is copied as it is
    pos = 0
    for run in repair.runs:
        assert 0 <= pos <= run.start < run.end <= len(text)
        pos = run.end


@pytest.mark.slow
@pytest.mark.parametrize("clean", [False, True])
def test_repair_time_grows_linearly(clean: bool) -> None:
    unit = (
        "山田様、お世話になっております。Crème brûlée “ok”.\n"
        if clean
        else utf8_as_cp1252("田中様 ")
        + utf8_as_cp932("お問い合わせ")
        + " 090 "
        + cp932_as_cp1252("東京都港区")
        + "\n"
    )

    def make(n: int):
        text = unit * (n // len(unit) + 1)
        return lambda: repair_mojibake(text)

    assert_grows_linearly(make, 20_000)
