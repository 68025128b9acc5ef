"""Check-digit algorithms used to plant valid (and deliberately invalid) identifiers."""

from __future__ import annotations

import random
import string

__all__ = [
    "IBAN_SPECS",
    "iban_from_bban",
    "iban_is_valid",
    "luhn_check_digit",
    "luhn_is_valid",
    "make_iban",
    "my_number_check_digit",
    "my_number_is_valid",
    "with_bad_luhn",
    "with_bad_my_number_check",
    "with_luhn",
    "with_my_number_check",
]


def luhn_check_digit(payload: str) -> int:
    """Return the Luhn check digit to append to the digit string ``payload``."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these become odd positions once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_is_valid(number: str) -> bool:
    """True when the digits of ``number`` (separators ignored) pass the Luhn check."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return len(digits) >= 2 and luhn_check_digit(digits[:-1]) == int(digits[-1])


def my_number_check_digit(payload: str) -> int:
    """Return the check digit of a Japanese My Number from its first 11 digits.

    Digits P(n) are counted from the right (n = 1..11), weights Q(n) = n + 1 for n <= 6 and
    n - 5 for n >= 7; the check digit is 11 - (sum mod 11), or 0 when the remainder is 0 or 1.
    """
    if len(payload) != 11 or not payload.isdigit():
        raise ValueError("My Number payload must be 11 ASCII digits")
    total = 0
    for n, ch in enumerate(reversed(payload), start=1):
        q = n + 1 if n <= 6 else n - 5
        total += int(ch) * q
    rem = total % 11
    return 0 if rem <= 1 else 11 - rem


def my_number_is_valid(number: str) -> bool:
    """True when ``number`` (separators ignored) is 12 digits with a correct check digit."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return len(digits) == 12 and my_number_check_digit(digits[:11]) == int(digits[11])


# BBAN layouts: (kind, count) where kind is "n" digits, "a" upper-case letters, "c" alphanumeric.
IBAN_SPECS: dict[str, tuple[tuple[str, int], ...]] = {
    "DE": (("n", 8), ("n", 10)),
    "GB": (("a", 4), ("n", 6), ("n", 8)),
    "FR": (("n", 5), ("n", 5), ("n", 11), ("n", 2)),
    "NL": (("a", 4), ("n", 10)),
    "ES": (("n", 4), ("n", 4), ("n", 2), ("n", 10)),
    "IT": (("a", 1), ("n", 5), ("n", 5), ("n", 12)),
    "CH": (("n", 5), ("n", 12)),
    "BE": (("n", 3), ("n", 7), ("n", 2)),
    "AT": (("n", 5), ("n", 11)),
}

_KIND_ALPHABET = {
    "n": string.digits,
    "a": string.ascii_uppercase,
    "c": string.digits + string.ascii_uppercase,
}


def _iban_remainder(rearranged: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def make_iban(rng: random.Random, country: str) -> str:
    """Return a random IBAN (compact, no spaces) for ``country`` with valid check digits."""
    bban = "".join(
        "".join(rng.choice(_KIND_ALPHABET[kind]) for _ in range(count))
        for kind, count in IBAN_SPECS[country]
    )
    check = 98 - _iban_remainder(bban + country + "00")
    return f"{country}{check:02d}{bban}"


def iban_is_valid(iban: str) -> bool:
    """True when ``iban`` (spaces ignored) passes the ISO 13616 mod-97 check."""
    compact = iban.replace(" ", "").replace("-", "").upper()
    if len(compact) < 5 or not compact.isalnum():
        return False
    return _iban_remainder(compact[4:] + compact[:4]) == 1


def iban_from_bban(country: str, bban: str) -> str:
    """Return the compact IBAN for ``country`` and ``bban`` with computed check digits."""
    check = 98 - _iban_remainder(bban.upper() + country + "00")
    return f"{country}{check:02d}{bban.upper()}"


def with_luhn(payload: str) -> str:
    """``payload`` followed by its Luhn check digit."""
    return payload + str(luhn_check_digit(payload))


def with_bad_luhn(payload: str) -> str:
    """``payload`` followed by a digit that makes the Luhn check fail."""
    return payload + str((luhn_check_digit(payload) + 5) % 10)


def with_my_number_check(payload: str) -> str:
    """``payload`` (11 digits) followed by its My Number check digit."""
    return payload + str(my_number_check_digit(payload))


def with_bad_my_number_check(payload: str) -> str:
    """``payload`` (11 digits) followed by a digit that fails the My Number check."""
    return payload + str((my_number_check_digit(payload) + 3) % 10)
