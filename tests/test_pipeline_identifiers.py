"""Identifiers written many ways normalise to the same keyed hashes; bad ones are refused
without being echoed."""

from __future__ import annotations

import pytest

from gdprguard._exceptions import InputError
from gdprguard.dsar.identifiers import validate_identifier
from gdprguard.pipeline import IdentifierHasher, identifier_keys

HASHER = IdentifierHasher.from_secret(b"k" * 32)


@pytest.mark.parametrize(
    ("kind", "forms"),
    [
        ("email", ["Taro.Yamada@Example.JP", "taro.yamada@example.jp",
                   "mailto:TARO.YAMADA@example.jp",
                   "ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ"]),
        ("phone", ["090-1234-5678", "０９０−１２３４−５６７８", "+81 90 1234 5678",
                   "(090) 1234 5678", "+81-90-1234-5678"]),
        ("phone", ["+44 115 496 0605", "(0115) 4960605", "0115 496 0605"]),
        ("name", ["Taro Yamada", "YAMADA Taro", "Mr. Taro Yamada", "taro  yamada"]),
        ("name", ["山田 太郎", "山田太郎", "山田太郎様", "山田　太郎さん"]),
    ],
)  # fmt: skip
def test_forms_of_one_identifier_share_a_hash(kind: str, forms: list[str]) -> None:
    digests = [HASHER.digests(kind, form) for form in forms]
    common = set.intersection(*digests)
    assert common, [identifier_keys(kind, f) for f in forms]


def test_kanji_names_also_match_their_kana_reading() -> None:
    assert HASHER.digests("name", "山田太郎") & HASHER.digests("name", "ヤマダ タロウ")
    assert HASHER.digests("name", "山田太郎") & HASHER.digests("name", "やまだ たろう")


def test_different_people_and_kinds_do_not_collide() -> None:
    assert not HASHER.digests("name", "Taro Yamada") & HASHER.digests("name", "Hanako Yamada")
    assert not HASHER.digests("email", "a@example.com") & HASHER.digests("name", "a@example.com")
    other = IdentifierHasher.from_secret(b"x" * 32)
    assert not HASHER.digests("email", "a@example.com") & other.digests("email", "a@example.com")


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "jane.doe@", "not an e-mail address"),
        ("email", "   ", "empty"),
        ("phone", "call me maybe", "not a phone number"),
        ("phone", "9 9", "not a phone number"),
        ("name", "12345", "no letters"),
        ("email", "a" * 400 + "@example.com", "longer than"),
    ],
)
def test_bad_identifiers_are_refused_without_echoing_them(
    kind: str, value: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        validate_identifier(kind, value)  # type: ignore[arg-type]
    if value.strip():
        assert value not in str(caught.value)
