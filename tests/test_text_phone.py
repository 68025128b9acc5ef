"""The phone normaliser shared by detection, the connectors and the sandbox."""

from __future__ import annotations

import pytest

from gdprguard.text.phone import (
    canonical_phone,
    fits_plan,
    parse_phone,
    phone_digits,
    phone_matches,
    split_extension,
)


def test_digits_are_ascii_and_leave_the_extension_out() -> None:
    assert phone_digits("０９０－１２３４－５６７８") == "09012345678"
    assert phone_digits("(415) 555-0132 x204") == "4155550132"
    assert phone_digits("415-555-0132 ext. 12") == "4155550132"
    assert phone_digits("03-1234-5678 内線12") == "0312345678"
    assert split_extension("001-298-925-9791x232") == ("001-298-925-9791", "232")


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("090-1234-5678", "+819012345678"),
        ("０９０－１２３４－５６７８", "+819012345678"),
        ("+81 90 1234 5678", "+819012345678"),
        ("(415) 555-0132", "+14155550132"),
        ("415-555-0132 ext 12", "+14155550132"),
        ("001-415-555-0132", "+14155550132"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+44(0)1154960605", "+441154960605"),
        ("011-231-4567", "+81112314567"),  # Sapporo, not NANP's access prefix
    ],
)
def test_canonical_form(value: str, e164: str) -> None:
    assert canonical_phone(value) == e164


def test_a_national_number_needs_a_region() -> None:
    assert parse_phone("090-1234-5678") is None
    number = parse_phone("(0115) 496 0605", "GB")
    assert number is not None and number.country_code == 44


def test_numbering_plan_shape_is_not_assignment() -> None:
    drama = parse_phone("(0115) 496 0605", "GB")  # reserved for drama: not assigned, dialable
    assert drama is not None and fits_plan(drama)
    too_short = parse_phone("+44 115 496", None)
    assert too_short is not None and not fits_plan(too_short)
    bad_area = parse_phone("+1 137 950 3800", None)  # NANP area codes never start with 1
    assert bad_area is not None and not fits_plan(bad_area)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+81 90-1234-5678", "090-1234-5678", True),
        ("０９０１２３４５６７８", "+819012345678", True),
        ("0044 20 7946 0958", "020 7946 0958", True),
        ("1-415-555-0132", "(415) 555-0132", True),
        ("81 90-1234-5678", "090-1234-5678", True),
        ("+44 20 7946 0958", "+81 20 7946 0958", False),  # same digits, other country
        ("090-1234-5678", "090-1234-5679", False),
        ("090-1234-5678", None, False),
        ("", "090-1234-5678", False),
    ],
)
def test_phone_matches(a: str, b: str | None, same: bool) -> None:
    assert phone_matches(a, b) is same
