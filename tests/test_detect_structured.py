"""Structured identifiers at their edges, with values computed here: every IBAN country,
separators and what follows a value, several cards in a row; linear time on runs built to make
the patterns backtrack; the rules inside a Presidio engine. Single cases (IPv6 short forms and
CIDR, internationalised e-mail domains, URLs without a scheme, unformatted Chinese mobile
numbers) are in ``tests/detect_cases/``. Every value is invented."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from _cpu_time import assert_grows_linearly
from gdprguard.detect import Detector
from gdprguard.detect.recognizers import (
    GuardCreditCardRecognizer,
    GuardIbanRecognizer,
    GuardIpRecognizer,
    ScanContext,
)
from gdprguard.detect.recognizers.financial import IBAN_LENGTHS, iban_length, luhn_ok


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def spans(detector: Detector, text: str, etype: str, language: str = "en") -> list[str]:
    return [text[f.start : f.end] for f in detector.analyze(text, language) if f.type == etype]


def make_iban(country: str, bban: str) -> str:
    """*country* + check digits + *bban* (ISO 13616 mod-97)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def grouped(value: str, sep: str = " ") -> str:
    return sep.join(value[i : i + 4] for i in range(0, len(value), 4))


def with_luhn(prefix: str, length: int) -> str:
    """A number of *length* digits starting with *prefix* whose last digit makes Luhn pass."""
    body = prefix + "7" * (length - len(prefix) - 1)
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


# -- IBAN ------------------------------------------------------------------------------------


def test_the_length_table_covers_the_iban_registry() -> None:
    # SWIFT IBAN Registry release 101: 89 countries, from Norway's 15 to Russia's 33 characters
    assert len(IBAN_LENGTHS) == 89
    assert min(IBAN_LENGTHS.values()) == 15 and max(IBAN_LENGTHS.values()) == 33
    for country in ("BY", "IQ", "LC", "LY", "SC", "TL", "VA", "RU", "SO", "YE"):
        assert country in IBAN_LENGTHS


@pytest.mark.parametrize("country", sorted(IBAN_LENGTHS))
def test_an_iban_of_every_country_is_found(country: str) -> None:
    bban = ("1234567890" * 4)[: IBAN_LENGTHS[country] - 4]
    iban = make_iban(country, bban)
    recognizer = GuardIbanRecognizer()
    for written in (iban, grouped(iban)):
        text = f"IBAN: {written}."
        found = [text[m.start : m.end] for m in recognizer.scan(ScanContext(text))]
        assert found == [written]


def test_an_iban_one_character_short_or_long_is_not_found(detector: Detector) -> None:
    iban = make_iban("VA", "123456789012345678")
    assert spans(detector, f"IBAN {iban[:-1]}", "IBAN_CODE") == []
    assert spans(detector, f"IBAN {iban}7", "IBAN_CODE") == []


@pytest.mark.parametrize("after", [" X in a sentence", " 2024 paid", " THEN", " AB", "."])
def test_an_iban_is_cut_at_its_country_length(detector: Detector, after: str) -> None:
    iban = grouped(make_iban("GB", "WEST12345698765432"))
    assert spans(detector, f"pay to {iban}{after}", "IBAN_CODE") == [iban]


def test_a_cut_inside_a_group_is_no_iban() -> None:
    iban = make_iban("GB", "WEST12345698765432")
    assert iban_length(iban + "7") == 0
    assert iban_length(grouped(iban) + "7") == 0  # "…5432 7": the group goes on
    assert iban_length(grouped(iban) + " 7") == len(grouped(iban))


def test_hyphens_separate_iban_groups_but_slashes_do_not(detector: Detector) -> None:
    iban = make_iban("AL", "212110090000000235698741")
    assert spans(detector, f"IBAN {grouped(iban, '-')}", "IBAN_CODE") == [grouped(iban, "-")]
    assert spans(detector, f"IBAN {grouped(iban, '/')}", "IBAN_CODE") == []


def test_a_lower_case_iban_needs_an_iban_or_bank_word(detector: Detector) -> None:
    iban = make_iban("GB", "WEST12345698765432").lower()
    assert spans(detector, f"my iban is {iban}", "IBAN_CODE") == [iban]
    assert spans(detector, f"振込先 {grouped(iban)}", "IBAN_CODE", "ja") == [grouped(iban)]
    assert spans(detector, f"token {iban}", "IBAN_CODE") == []
    assert spans(detector, f"iban {iban[:4].upper()}{iban[4:]}", "IBAN_CODE") == []  # mixed


# -- CREDIT_CARD -----------------------------------------------------------------------------


def test_one_card_written_three_ways_in_a_row_is_three_findings(detector: Detector) -> None:
    card = with_luhn("4", 16)
    text = f"{card} {grouped(card, '-')} {grouped(card)}"
    assert spans(detector, text, "CREDIT_CARD") == [card, grouped(card, "-"), grouped(card)]


def test_a_card_after_a_short_digit_group_is_part_of_a_longer_number(detector: Detector) -> None:
    card = grouped(with_luhn("4", 16))
    assert spans(detector, f"ref 5555 {card}", "CREDIT_CARD") == []
    assert spans(detector, f"ref {card} 5555", "CREDIT_CARD") == []
    recognizer = GuardCreditCardRecognizer()
    assert recognizer.scan(ScanContext(f"12 {with_luhn('4', 16)}")) == []


def test_uatp_cards_start_with_1_and_have_15_digits(detector: Detector) -> None:
    uatp = with_luhn("1", 15)
    assert spans(detector, f"card {uatp}", "CREDIT_CARD") == [uatp]
    assert spans(detector, f"card {with_luhn('1', 16)}", "CREDIT_CARD") == []
    assert spans(detector, f"card {with_luhn('1', 13)}", "CREDIT_CARD") == []


# -- linear time -----------------------------------------------------------------------------

PATHOLOGICAL = [
    ":" * 7 + "a",
    " ::",
    "a:b:" * 3 + " ",
    "1.2." * 3 + " ",
    "ff" * 30 + ":",
    "ab:",
    "ip:" + "0" * 30,
    "元:::1 ",
    "DE89 " + "AB12 " * 3,
    "4111 " * 5,
    "x@" + "a." * 20,
    "www." + "a-" * 10,
]


@pytest.mark.slow
@pytest.mark.parametrize("unit", PATHOLOGICAL)
def test_runs_built_to_backtrack_take_linear_time(unit: str) -> None:
    recognizers = [GuardIpRecognizer(), GuardIbanRecognizer(), GuardCreditCardRecognizer()]

    def make(n: int) -> Callable[[], object]:
        text = (unit * (n // len(unit) + 1))[:n]
        return lambda: [recognizer.scan(ScanContext(text)) for recognizer in recognizers]

    assert_grows_linearly(make, 20_000)


# -- in a user's own Presidio engine -----------------------------------------------------------


def test_the_rules_hold_inside_a_presidio_analyzer_engine() -> None:
    from gdprguard.detect.presidio import build_analyzer_engine, build_registry

    recognizers = [
        GuardIbanRecognizer(),
        GuardIpRecognizer(),
        GuardCreditCardRecognizer(),
    ]
    engine = build_analyzer_engine(build_registry(recognizers))
    iban = grouped(make_iban("AL", "202111090000000001234567"), "-")
    card = with_luhn("4", 16)
    text = f"IBAN {iban} X, from ::1 and fe80::/10, cards {card} {grouped(card, '-')}"
    found = sorted(
        (r.entity_type, text[r.start : r.end]) for r in engine.analyze(text, language="en")
    )
    assert found == sorted(
        [
            ("CREDIT_CARD", card),
            ("CREDIT_CARD", grouped(card, "-")),
            ("IBAN_CODE", iban),
            ("IP_ADDRESS", "::1"),
            ("IP_ADDRESS", "fe80::/10"),
        ]
    )
