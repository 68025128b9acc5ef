"""The known-subject recognizer: the requester's own identifiers in any spelling."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector, KnownSubject


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


SUBJECT = KnownSubject(
    names=["山田 太郎", "Taro Yamada"],
    emails=["Taro.Yamada@example.jp"],
    phones=["+81 90-1234-5678"],
)


def values(detector: Detector, text: str, subject: KnownSubject = SUBJECT) -> set[tuple[str, str]]:
    return {
        (f.type, text[f.start : f.end])
        for f in detector.analyze(text, known_subject=subject)
        if f.recognizer == "KnownSubjectRecognizer"
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山田太郎様より", ("PERSON", "山田太郎")),
        ("山田　太郎さん", ("PERSON", "山田　太郎")),
        ("ｙａｍａｄａ ｔａｒｏ", ("PERSON", "ｙａｍａｄａ ｔａｒｏ")),
        ("YAMADA, Taro wrote", ("PERSON", "YAMADA, Taro")),
        ("Dear Mr. Yamada,", ("PERSON", "Yamada")),
        ("山田様へ", ("PERSON", "山田")),
        ("ヤマダ タロウ様", ("PERSON", "ヤマダ タロウ")),  # the reading of 山田 太郎
        ("やまだたろうです", ("PERSON", "やまだたろう")),
        ("タロウさん", ("PERSON", "タロウ")),
        ("やまだいすきです", None),  # a reading alone, without an honorific, is not the subject
        ("write to taro.yamada@EXAMPLE.jp", ("EMAIL_ADDRESS", "taro.yamada@EXAMPLE.jp")),
        (
            "taro.yamada [at] example [dot] jp",
            ("EMAIL_ADDRESS", "taro.yamada [at] example [dot] jp"),
        ),
        (
            "ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ",
            ("EMAIL_ADDRESS", "ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ"),
        ),
        ("tel 090-1234-5678", ("PHONE_NUMBER", "090-1234-5678")),
        ("tel ０９０１２３４５６７８", ("PHONE_NUMBER", "０９０１２３４５６７８")),
        ("tel +81-90-1234-5678", ("PHONE_NUMBER", "+81-90-1234-5678")),
        ("tel (090) 1234 5678", ("PHONE_NUMBER", "(090) 1234 5678")),
    ],
)
def test_known_subject_variants(
    detector: Detector, text: str, expected: tuple[str, str] | None
) -> None:
    got = values(detector, text)
    if expected is None:
        assert got == set()
    else:
        assert expected in got


def test_readings_come_from_the_dictionary(detector: Detector) -> None:
    subject = KnownSubject(names=["鈴木一郎"])
    assert ("PERSON", "スズキ イチロウ") in values(detector, "スズキ イチロウ様", subject)
    assert ("PERSON", "すずき") in values(detector, "すずき様、お待たせしました", subject)
    assert values(detector, "すずきました", subject) == set()


def test_other_people_are_not_the_subject(detector: Detector) -> None:
    assert values(detector, "山田花子様、090-9999-5678、hanako@example.jp") == set()
    assert values(detector, "tel 090-1234-56789") == set()


def test_unspaced_japanese_name_is_split_into_parts(detector: Detector) -> None:
    subject = KnownSubject(names=["佐藤花子"])
    assert ("PERSON", "花子 佐藤") in values(detector, "花子 佐藤です", subject)
    assert ("PERSON", "佐藤") in values(detector, "佐藤様", subject)


def test_us_phone_subject(detector: Detector) -> None:
    subject = KnownSubject(phones=["(415) 555-0132"])
    assert ("PHONE_NUMBER", "+1 415.555.0132") in values(detector, "at +1 415.555.0132", subject)


def test_subject_model_accepts_strings_and_is_hashable() -> None:
    s = KnownSubject(names="Jane Doe", emails=[" jane@example.com "])
    assert s.names == ("Jane Doe",) and s.emails == ("jane@example.com",)
    assert hash(s) == hash(KnownSubject(names=["Jane Doe"], emails=["jane@example.com"]))
    assert KnownSubject().is_empty
