"""Structured identifiers at their edges: every IBAN country, separators and what follows a
value, several cards in a row, IPv6 short forms and CIDR, internationalised e-mail domains, URLs
without a scheme, unformatted Chinese mobile numbers; and linear time on runs built to make the
patterns backtrack. Every value is invented (checksums computed here)."""

from __future__ import annotations

import gc
import time

import pytest

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


# -- EMAIL_ADDRESS ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["anna@xn--e1afmkfd.xn--p1ai", "taro@xn--wgv71a119e.xn--wgv71a", "k@mail.xn--3e0b707e"],
)
def test_an_internationalised_top_level_domain_is_found(detector: Detector, address: str) -> None:
    assert spans(detector, f"write to {address} today", "EMAIL_ADDRESS") == [address]


def test_a_hyphen_run_is_no_top_level_domain(detector: Detector) -> None:
    assert spans(detector, "write to anna@example.xn-- today", "EMAIL_ADDRESS") == []
    assert spans(detector, "write to anna@example.xn--p1ai- today", "EMAIL_ADDRESS") == []


# -- IP_ADDRESS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("connecting from ::1", ["::1"]),
        ("bind to ::", ["::"]),
        ("src=:: dst=::1", ["::", "::1"]),
        ("route fe80::/10 and ::1/128", ["fe80::/10", "::1/128"]),
        ("default route ::/0", ["::/0"]),
        ("subnet 10.20.0.0/16 is full", ["10.20.0.0/16"]),
        ("prefix 2001:db8:5::/48.", ["2001:db8:5::/48"]),
        ("mask 10.20.0.0/40 is wrong", ["10.20.0.0"]),  # no such prefix length: the address
        ("link-local fe80::7:1%eth0 answers", ["fe80::7:1%eth0"]),
        ("typed 10.40.7.12.1 by mistake", ["10.40.7.12"]),  # a dotted run: its first four
        ("mapped ::ffff:10.40.7.12 here", ["::ffff:10.40.7.12"]),
        ("接続元は::1です", ["::1"]),
        ("log server_10.40.7.12 and 10.40.7.13_old", ["10.40.7.12", "10.40.7.13"]),  # not words
        # a label's colon stays outside the span (NFKC turns "：" into ":")
        ("IP:2001:db8:5::7 again", ["2001:db8:5::7"]),
        ("IPv6:fe80::7:1", ["fe80::7:1"]),
        ("src:2001:db8:5::7", ["2001:db8:5::7"]),
        ("接続元：::1", ["::1"]),
        ("IPv6アドレス：fe80::7:1", ["fe80::7:1"]),
    ],
)
def test_ip_short_forms_and_prefixes(detector: Detector, text: str, found: list[str]) -> None:
    assert spans(detector, text, "IP_ADDRESS") == found


@pytest.mark.parametrize(
    "text",
    [
        "host10.40.7.12 is down",
        "10.40.7.12abc is down",
        "use std::cout here",
        "call Base::dispose()",
        "Home :: Products :: Shoes",
        "f :: Int -> Int",
        "cafe:: and ::beef",
        "a ::: b",
        "OID 1.3.6.1.4.1.311 is vendor specific",
        "fe80::7:1eth0 is glued",
        "host2001:db8:5::7 is glued",
        "お知らせ：：：",
        "注意::重要",
    ],
)
def test_ip_look_alikes_are_not_found(detector: Detector, text: str) -> None:
    assert spans(detector, text, "IP_ADDRESS") == []


# -- URL -------------------------------------------------------------------------------------


def test_a_scheme_makes_a_url_whatever_its_host(detector: Detector) -> None:
    text = "profile at http://intranet/users/jdoe and http://localhost:8080/u/7"
    assert spans(detector, text, "URL") == [
        "http://intranet/users/jdoe",
        "http://localhost:8080/u/7",
    ]


def test_www_needs_a_host_with_a_top_level_domain(detector: Detector) -> None:
    assert spans(detector, "see www.example.co.jp/u/taro", "URL") == ["www.example.co.jp/u/taro"]
    assert spans(detector, "see www.example or 'www.example'", "URL") == []


def test_a_bare_domain_is_not_a_url(detector: Detector) -> None:
    text = "I ordered on example-shop.com, see report.zip and main.py; done.so I waited"
    assert spans(detector, text, "URL") == []


# -- PHONE_NUMBER ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["my mobile is 13912345678", "My Chinese number is 15012345678", "携帯：18612345678"],
)
def test_an_unformatted_chinese_mobile_next_to_a_phone_word(detector: Detector, text: str) -> None:
    assert len(spans(detector, text, "PHONE_NUMBER", "auto")) == 1


@pytest.mark.parametrize(
    "text",
    ["13912345678", "order number 13912345678", "会員番号 13912345678", "phone 14412345678"],
)
def test_other_eleven_digit_numbers_starting_with_1(detector: Detector, text: str) -> None:
    assert spans(detector, text, "PHONE_NUMBER", "auto") == []


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

    def cpu(text: str, tries: int) -> float:
        best = float("inf")
        gc.collect()
        gc.disable()  # a collection landing in one run but not the other is noise, not scaling
        try:
            for _ in range(tries):
                start = time.process_time()
                for recognizer in recognizers:
                    recognizer.scan(ScanContext(text))
                best = min(best, time.process_time() - start)
        finally:
            gc.enable()
        return best

    small = unit * (20_000 // len(unit))
    cpu(small[:2_000], 1)  # warm up: compile the patterns
    short, long = cpu(small, 3), cpu(small * 10, 1)
    assert long / max(short, 1e-3) <= 20


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
