"""Phone numbers: their digits, parsing by numbering plan, a canonical form and equality.

One normaliser for the whole package: detection (validating candidates, pseudonym tokens, a
requester's own numbers), the connectors (is this contact the requester?) and the sandbox's search
all read phone numbers through these functions.

- :func:`phone_digits`: the ASCII digits of the number, without an extension (``x204``,
  ``ext. 12``, ``内線12``); full-width and other decimal digits count.
- :func:`parse_phone`: a :class:`phonenumbers.PhoneNumber` for ``+CC …``, the international access
  prefix ``00`` (``00 44 …``, ``001-415-…``) or, given a region, a national number (in which the
  region's own access prefix, such as NANP's ``011``, is understood too).
- :func:`fits_plan`: whether a parsed number has a possible length and fits its region's
  numbering-plan grammar (``phonenumbers``' general number pattern). Unlike
  ``is_valid_number`` this accepts unassigned ranges such as the UK's drama numbers
  (``0115 496 0xxx``) or NANP area codes not yet in service, which are still dialable shapes.
- :func:`canonical_phone`: E.164 (``+819012345678``) when the number parses, else its digits.
- :func:`phone_matches`: whether two written numbers are the same line.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

__all__ = [
    "INTERNATIONAL_PREFIXES",
    "canonical_phone",
    "fits_plan",
    "guess_region",
    "parse_phone",
    "phone_digits",
    "phone_matches",
    "split_extension",
]

#: International access prefixes read without a region: ITU's ``00``. (NANP's ``011`` is not
#: among them: ``011-231-4567`` is a Sapporo number.)
INTERNATIONAL_PREFIXES: tuple[str, ...] = ("00",)

_EXTENSION_RE = re.compile(r"\s*[,;]?\s*(?:extension|ext\.?|x|内線|#)\s*\d{1,6}\s*$", re.IGNORECASE)


def split_extension(value: str) -> tuple[str, str]:
    """``("415-555-0132", "204")`` for ``"415-555-0132 x204"``; the extension may be empty."""
    m = _EXTENSION_RE.search(value)
    if m is None:
        return value, ""
    return value[: m.start()], "".join(_ascii_digits(m.group()))


def _ascii_digits(value: str) -> list[str]:
    return [str(unicodedata.decimal(c)) for c in value if c.isdecimal()]


def phone_digits(value: str) -> str:
    """The ASCII digits of a written number, without its extension (``０９０`` counts)."""
    return "".join(_ascii_digits(split_extension(value)[0]))


def guess_region(digits: str) -> str:
    """The region a bare national number is read in: Japan for a trunk ``0``, else NANP."""
    return "JP" if digits.startswith("0") else "US"


def parse_phone(value: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """Parse *value*; ``None`` when it has no country code and no *region* is given, or fails.

    ``+CC`` and the access prefix ``00`` name the country themselves; a national
    number (``090-1234-5678``, ``(0115) 496 0605``) needs *region*.
    """
    main = split_extension(value)[0].strip()
    digits = "".join(_ascii_digits(main))
    if not digits:
        return None
    if main.startswith(("+", "＋")):
        candidate, region = "+" + digits, None
    elif region is None:
        prefix = next((p for p in INTERNATIONAL_PREFIXES if digits.startswith(p)), None)
        if prefix is None:
            return None
        candidate = "+" + digits[len(prefix) :]
    else:
        candidate = digits
    try:
        return phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=512)
def _plan_pattern(country_code: int) -> re.Pattern[str] | None:
    region = phonenumbers.region_code_for_country_code(country_code)
    meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if meta is None or meta.general_desc is None or not meta.general_desc.national_number_pattern:
        return None
    return re.compile(f"(?:{meta.general_desc.national_number_pattern})")


def fits_plan(number: phonenumbers.PhoneNumber) -> bool:
    """A possible length and the shape of its country's numbering plan (not that it is assigned)."""
    if not phonenumbers.is_possible_number(number):
        return False
    if phonenumbers.is_valid_number(number):
        return True
    pattern = _plan_pattern(number.country_code)
    nsn = phonenumbers.national_significant_number(number)
    return pattern is not None and pattern.fullmatch(nsn) is not None


def canonical_phone(value: str, region: str | None = None) -> str:
    """E.164 (``+819012345678``) for any way of writing one number, else its digits.

    A number without a country code is read in *region*, or by :func:`guess_region`.
    """
    number = parse_phone(value)
    if number is None:
        digits = phone_digits(value)
        number = parse_phone(value, region or guess_region(digits)) if digits else None
        if number is None:
            return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_matches(wanted: str, candidate: str | None) -> bool:
    """Whether two written numbers are the same line (punctuation, width and prefix ignored).

    A number with a country code (``+81 90-…``, ``0044 …``) and a national one (``090-…``) are
    compared after reading the national one in the other's country.
    """
    if not candidate:
        return False
    a, b = phone_digits(wanted), phone_digits(candidate)
    if not a or not b:
        return False
    if a == b:
        return True
    num_a, num_b = parse_phone(wanted), parse_phone(candidate)
    if num_a is not None and num_b is not None:
        return _e164(num_a) == _e164(num_b)
    if num_a is None and num_b is None:
        return _same_national(a, b)
    known, other = (num_a, candidate) if num_a is not None else (num_b, wanted)
    if known is None or known.country_code is None:
        return False
    national = parse_phone(other, phonenumbers.region_code_for_country_code(known.country_code))
    return national is not None and _e164(national) == _e164(known)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _same_national(a: str, b: str) -> bool:
    """Two numbers without ``+``: equal once a trunk prefix (``0``, NANP's ``1``) is dropped,
    or one is the other behind a country code written without ``+`` (``81 90-…``)."""
    a, b = _without_trunk(a), _without_trunk(b)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    head = long_[: len(long_) - len(short)]
    return (
        len(short) >= 7
        and long_.endswith(short)
        and 1 <= len(head) <= 3
        and phonenumbers.region_code_for_country_code(int(head)) != phonenumbers.UNKNOWN_REGION
    )


def _without_trunk(digits: str) -> str:
    if len(digits) == 11 and digits.startswith("1"):
        return digits[1:]
    return digits.lstrip("0")
