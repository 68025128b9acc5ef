"""Regression tests for personal data that redaction used to leave in clear.

Each case was found by running the detector over Faker-made tickets (see
``bench/detection/faker_tickets.py``): Japanese phone numbers after an order word in an earlier
clause, international-prefix and UK numbers, UK/Canadian/Australian postal addresses, 12-digit
Maestro and 15-digit JCB cards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faker import Faker

from gdprguard.detect import Detector, redact_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "sample-tickets.jsonl"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def values(detector: Detector, text: str, etype: str) -> list[str]:
    return [text[f.start : f.end] for f in detector.analyze(text) if f.type == etype]


def leaked(detector: Detector, text: str, value: str) -> bool:
    """True when a letter or digit of *value* is still in clear after placeholder redaction."""
    start = text.index(value)
    covered = set()
    for f in detector.analyze(text):
        covered.update(range(f.start, f.end))
    return any(text[i].isalnum() and i not in covered for i in range(start, start + len(value)))


# -- an order word in an earlier clause does not hide a phone number ---------------------------


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("ご注文の件で、090-1234-5678 までご連絡いたします。", "090-1234-5678"),
        (
            "ご注文の件で、０９０－１２３４－５６７８までご連絡いたします。",
            "０９０－１２３４－５６７８",
        ),
        (
            "ご注文（注文番号 2024-0512-8831）の件で、090-1234-5678 までご連絡いたします",
            "090-1234-5678",
        ),
        ("注文の品が届きません，03-6978-4721に電話ください", "03-6978-4721"),
        ("About my order, call me on 415-555-0132 please.", "415-555-0132"),
        ("Re: your order; reach me at (020) 7946 0958", "(020) 7946 0958"),
        # valid by its own shape: an order word nearby is not enough to drop it
        ("注文について090-1234-5678までご連絡ください", "090-1234-5678"),
        ("Tel. No. 03-1234-5678", "03-1234-5678"),
    ],
)
def test_phone_after_an_order_word_in_another_clause_is_found(
    detector: Detector, text: str, phone: str
) -> None:
    assert values(detector, text, "PHONE_NUMBER") == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "注文番号 2024-0512-8831",
        "注文番号：090-1234-5678",  # labelled as an order number, shape or not
        "Order #112-4839201-5530122",
        "Order #415-555-0132 was shipped",
        "伝票番号 0120-3345-6789 でお調べください",
    ],
)
def test_numbers_labelled_as_order_numbers_stay_near_misses(detector: Detector, text: str) -> None:
    assert values(detector, text, "PHONE_NUMBER") == []


def test_the_shipped_example_redacts_its_japanese_phone() -> None:
    record = json.loads(EXAMPLES.read_text(encoding="utf-8").splitlines()[1])
    text = record["text"]
    redacted = redact_text(text, Detector().analyze(text, language=record["language"]))
    assert "090-1234-5678" not in redacted
    assert "2024-0512-8831" in redacted  # the order number is kept


# -- international access prefix and UK numbers -------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "001-415-555-0132",
        "001-298-925-9791x232",
        "001-305-655-2667x86952",
        "0044 20 7946 0958",
        "(0115) 4960605",
        "(0115)4960605",
        "(0115) 496 0605",
        "(01632) 960 123",
        "(020)74960123",
        "+44(0)1154960605",
        "(03)-5036-1808",
        "(08).1773.0397",
    ],
)
def test_international_prefix_and_uk_numbers(detector: Detector, phone: str) -> None:
    text = f"Please call me back at {phone}. Thanks"
    assert values(detector, text, "PHONE_NUMBER") == [phone]


def test_uk_number_without_spaces_next_to_a_phone_word(detector: Detector) -> None:
    assert values(detector, "Please call me back at 01134960123.", "PHONE_NUMBER") == [
        "01134960123"
    ]
    assert values(detector, "Reference 01134960123 attached.", "PHONE_NUMBER") == []


def test_longer_german_numbers_but_not_japanese_parcel_numbers(detector: Detector) -> None:
    text = "Kind regards,\nLori Edwards\n01522 3888345"
    assert values(detector, text, "PHONE_NUMBER") == ["01522 3888345"]
    assert values(detector, "call 0151 1760 7992", "PHONE_NUMBER") == ["0151 1760 7992"]
    # twelve digits in three groups in Japanese text: a parcel number
    assert values(detector, "ゆうパックの番号は0271-7625-1121です", "PHONE_NUMBER") == []


def test_sapporo_number_is_not_read_as_an_international_prefix(detector: Detector) -> None:
    assert values(detector, "札幌店 011-231-4567 までお電話ください", "PHONE_NUMBER") == [
        "011-231-4567"
    ]


def test_faker_phone_formats_of_us_and_uk_are_found(detector: Detector) -> None:
    fake = Faker("en_US")
    fake.seed_instance(11)
    for fmt in ("001-$##-$##-####", "001-$##-$##-####x###", "+1-$##-$##-####x####"):
        phone = fake.numerify(fmt)
        assert not leaked(detector, f"You can reach me on {phone}.", phone), phone
    fake = Faker("en_GB")
    fake.seed_instance(11)
    for fmt in ("(0115) 4960###", "(0115)4960###", "(0191) 496 0###", "+44(0)1632960###"):
        phone = fake.numerify(fmt)
        assert not leaked(detector, f"My number is {phone}.", phone), phone


# -- postal addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en_GB", "en_CA", "en_AU", "en_US"])
@pytest.mark.parametrize("separator", ["\n", ", "])
def test_faker_addresses_are_redacted_whole(
    detector: Detector, locale: str, separator: str
) -> None:
    fake = Faker(locale)
    fake.seed_instance(3)
    for _ in range(40):
        address = fake.address().replace("\n", separator)
        text = f"Please send the replacement to:\n{address}\nThanks."
        assert not leaked(detector, text, address), address


@pytest.mark.parametrize(
    "address",
    [
        "Flat 37\nBennett Mall\nEast Harrietport\nN8 8HN",
        "Studio 95Q, Howard Hills, East Anthony, BS1 4GS",
        "12 Hyde Park Road\nNewcastle upon Tyne\nNE1 4ST",
        "9 James Squares, Stewartmouth, NP3B 0SJ",
        "52449 Catherine Prairie\nSouth Danielle, YT Y5T1X1",
        "2/405 Smith Mew, Nicholastown, WA, 2129",
        "Level 7 21 Short Range\nSt. Mindy, NT 2474",
    ],
)
def test_address_shapes(detector: Detector, address: str) -> None:
    text = f"Ship to: {address}\nThanks"
    assert values(detector, text, "LOCATION") == [address]


def test_a_unit_word_must_be_a_whole_word(detector: Detector) -> None:
    # "Ste" (suite) is not the start of "Stewartmouth"
    text = "send it to 9 James Squares, Stewartmouth, NP3B 0SJ."
    assert values(detector, text, "LOCATION") == ["9 James Squares, Stewartmouth, NP3B 0SJ"]


def test_generic_words_are_not_street_suffixes(detector: Detector) -> None:
    assert values(detector, "I bought 3 Blue Ring binders and 2 Big Top tents.", "LOCATION") == []


# -- card numbers by issuer grammar -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("Refund to card 503866315107, please.", "503866315107"),  # Maestro, 12 digits
        ("カード番号は6304 2291 8049です。", "6304 2291 8049"),
        ("Refund to card 180096217788322, please.", "180096217788322"),  # JCB, 15 digits
        ("Paid with JCB 213100000000001.", "213100000000001"),
    ],
)
def test_maestro_and_jcb_cards(detector: Detector, text: str, card: str) -> None:
    assert values(detector, text, "CREDIT_CARD") == [card]


def test_twelve_digits_without_a_card_word_are_not_a_card(detector: Detector) -> None:
    assert values(detector, "Tracking 503866315107 is on its way.", "CREDIT_CARD") == []
