"""PHONE_NUMBER: Japanese (03-1234-5678, 090-1234-5678, 0120-123-456), NANP, UK, Chinese mobile
(13812345678, next to a phone word) and international.

Candidates come from shape regexes (separators required between digit groups, so order numbers
and timestamps do not qualify) and are checked against numbering-plan grammar with
:mod:`gdprguard.text.phone`: ``+CC`` and ``00 CC`` numbers must be possible in their country's
plan, national numbers need a trunk ``0`` and ten or eleven digits (German and Austrian numbers
of other lengths when valid there, shorter ones only next to a phone word), NANP numbers an area
code that does not start with 0 or 1.
A number that is *valid* in Japan, the UK or NANP is only dropped as a near miss when an
order/tracking word labels it directly (``注文番号：…``), not for such a word somewhere before it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from ...text.phone import fits_plan, parse_phone, phone_digits
from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer, ScanContext

__all__ = ["GuardPhoneRecognizer", "clear_cache"]

_B = r"[A-Za-z0-9\-+#/.]|\d[ .]"  # what may not come right before: part of a longer token
_A = r"(?![A-Za-z0-9]|[\-/.]\d|[ ]\d{4})"
_EXT = r"(?:\s?(?:x|ext\.?|内線)\s?\d{1,5})?"


# -- the patterns' own checks (after the common one: three different digits at least) ---------


def _possible_international(rec: GuardPatternRecognizer, value: str, *_: object) -> bool:
    """``+CC …``: a "+" says "phone number" by itself; possible in the country's plan."""
    number = parse_phone(value)
    return number is not None and phonenumbers.is_possible_number(number)


def _fits_plan_after_access(rec: GuardPatternRecognizer, value: str, *_: object) -> bool:
    """``00 CC …``: the bare access prefix needs the shape of the country's plan."""
    number = parse_phone(value)
    return number is not None and fits_plan(number)


def _cn_mobile_near_cue(
    rec: GuardPatternRecognizer, value: str, match: re.Match[str], ctx: ScanContext
) -> bool:
    """``13812345678``: a valid Chinese mobile number, next to a phone word proper or China
    ("number" alone labels order and member numbers too)."""
    return _cn_mobile(phone_digits(value)) and _near(rec, ctx, match, _CN_MOBILE_CUES_RE)


def _jp_landline_in_japanese(
    rec: GuardPatternRecognizer, value: str, match: re.Match[str], ctx: ScanContext
) -> bool:
    """``0312345678`` in Japanese text: a valid Japanese number needs no phone word."""
    return _valid_in(phone_digits(value), "JP") and ctx.has_japanese


def _national_or_nanp(
    rec: GuardPatternRecognizer, value: str, match: re.Match[str], ctx: ScanContext
) -> bool:
    """A national number (trunk ``0``: Japan, the UK, France, Australia, Germany, ...) of a
    plausible length, or a NANP number."""
    digits = phone_digits(value)
    if digits.startswith("0"):
        if 10 <= len(digits) <= 11:
            return True
        # German and Austrian numbers are longer or shorter: longer ones (01511 7607992)
        # when valid there, shorter ones (030 813393) only next to a phone word too. In
        # Japanese text twelve digits in three groups (0271-7625-1121) are a parcel number,
        # not a German number, which is written as area code and subscriber (DIN 5008).
        if len(digits) in (12, 13):
            return _valid_de_at(value) and (
                not ctx.has_japanese or len(_GROUP_SEP_RE.split(value.strip())) <= 2
            )
        return (
            8 <= len(digits) <= 9
            and _near(rec, ctx, match, rec._context_re)
            and _valid_de_at(value)
        )
    if len(digits) == 11:
        return digits[0] == "1" and digits[1] in "23456789"
    return len(digits) == 10 and digits[0] in "23456789"


def _valid_international(value: str) -> bool:
    """Valid in the plan of its ``+CC`` (or ``00 CC``)."""
    number = parse_phone(value)
    return number is not None and phonenumbers.is_valid_number(number)


def _valid_national(value: str) -> bool:
    """Valid in Japan or the UK (trunk ``0``), or as a NANP number."""
    digits = phone_digits(value)
    regions = _TRUNK_REGIONS if digits.startswith("0") else ("US",)
    return any(_valid_in(digits, region) for region in regions)


def _near(
    rec: GuardPatternRecognizer,
    ctx: ScanContext,
    match: re.Match[str],
    rx: re.Pattern[str] | None,
) -> bool:
    """A match of *rx* (lower case) within the recognizer's context windows around *match*."""
    if rx is None:
        return False
    low = ctx.lower
    start, end = match.span()
    return (
        rx.search(low, max(0, start - rec.WINDOW_BEFORE), start) is not None
        or rx.search(low, end, end + rec.WINDOW_AFTER) is not None
    )


class GuardPhoneRecognizer(GuardPatternRecognizer):
    """Phone numbers in Japanese, North American and international (+CC) formats.

    Each pattern carries its own check (``accept``) and, when a valid number of its shape
    outweighs an order word before it, its ``valid_by_shape`` check."""

    ENTITY = "PHONE_NUMBER"
    FLAGS = re.IGNORECASE
    PREFILTER = r"\d\d"
    NEAR_MISS = True
    WINDOW_BEFORE = 30
    PATTERNS = (
        GuardPattern(  # +81 90-1234-5678, +1 (555) 123-4567, +44 20 7946 0958, +14165488070
            "international",
            rf"\+[1-9]\d{{0,2}}(?:[ \-.]?\(0?\d{{1,4}}\))?(?:[ \-.]?\d{{1,12}}){{1,5}}{_EXT}{_A}",
            0.8,
            not_after=_B,
            accept=_possible_international,
            valid_by_shape=_valid_international,
        ),
        GuardPattern(  # 03-1234-5678, 090-1234-5678, 0120-123-456, 03 1234 5678
            "jp_national",
            rf"0\d{{1,4}}[\- ]\d{{1,4}}[\- ]\d{{3,4}}{_EXT}{_A}",
            0.75,
            not_after=_B,
            valid_by_shape=_valid_national,
        ),
        GuardPattern(  # 001-415-555-0132, 0044 20 7946 0958: the access prefix 00, then +CC
            "international_access",
            rf"00[ \-.]?[1-9]\d{{0,2}}(?:[ \-.]?\(0?\d{{1,4}}\))?(?:[ \-.]\d{{1,12}}){{1,5}}"
            rf"{_EXT}{_A}",
            0.7,
            not_after=_B,
            accept=_fits_plan_after_access,
            valid_by_shape=_valid_international,
        ),
        GuardPattern(  # (03)1234-5678, (02) 1982 1233, (0115) 4960605, (03)-5036-1808
            "national_parenthesised",
            rf"\(0\d{{1,4}}\)[ .\-]?\d{{1,4}}[\- .]?\d{{3,4}}{_EXT}{_A}",
            0.75,
            not_after=r"[A-Za-z0-9]",
            valid_by_shape=_valid_national,
        ),
        GuardPattern(  # 06(6312)4455: Japanese area code, exchange in parentheses
            "jp_parenthesised_exchange",
            rf"0\d{{1,4}}\(\d{{1,4}}\)\d{{4}}{_EXT}{_A}",
            0.75,
            not_after=r"[A-Za-z0-9]",
            valid_by_shape=_valid_national,
        ),
        GuardPattern(  # other national formats: 07491 121076, 01 21 89 71 51, 020.7946.0958
            "national_grouped",
            rf"0\d{{1,4}}(?:([ \-.])\d{{2,8}})(?:\1\d{{2,8}}){{0,3}}{_EXT}{_A}",
            0.6,
            not_after=_B,
            valid_by_shape=_valid_national,
        ),
        GuardPattern(  # (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567
            "nanp",
            rf"(?:1[\-. ])?(?:\(\d{{3}}\)\s?|\d{{3}}([\-. ]))\d{{3}}(?(1)\1|[\-. ])\d{{4}}"
            rf"{_EXT}{_A}",
            0.7,
            not_after=_B,
            valid_by_shape=_valid_national,
            prefilter=r"\d{3}(?:\)\s?|[\-. ])\d{3}[\-. ]\d{4}",
        ),
        GuardPattern(  # 09012345678: a Japanese mobile number is unambiguous enough
            "jp_mobile_digits",
            r"0[5789]0\d{8}(?![A-Za-z0-9]|[\-/.]\d)",
            0.6,
            not_after=r"[A-Za-z0-9\-+#/.]",
            valid_by_shape=_valid_national,
        ),
        GuardPattern(  # 0312345678 in Japanese text, when phonenumbers says it is valid
            "jp_landline_digits",
            r"0[1-9]\d{8}(?![A-Za-z0-9]|[\-/.]\d)",
            0.55,
            not_after=r"[A-Za-z0-9\-+#/.]",
            accept=_jp_landline_in_japanese,
            valid_by_shape=_valid_national,
        ),
        GuardPattern(  # 13812345678: a Chinese mobile number, only next to a phone word
            "cn_mobile_digits",
            r"1[3-9]\d{9}(?![A-Za-z0-9]|[\-/.]\d)",
            0.4,
            not_after=r"[A-Za-z0-9\-+#/.]",
            accept=_cn_mobile_near_cue,
            prefilter=r"1[3-9]\d{9}",
        ),
        GuardPattern(  # 0312345678, 01134960123, 5551234567: only next to a phone word
            "digits_only",
            r"(?:0\d{9,10}|[2-9]\d{9})(?![A-Za-z0-9]|[\-/.]\d)",
            0.4,
            not_after=r"[A-Za-z0-9\-+#/.]",
            prefilter=r"\d{10}",
        ),
    )
    CONTEXT = (
        "phone",
        "telephone",
        "tel",
        "call",
        "mobile",
        "cell",
        "fax",
        "contact",
        "reach",
        "number",
        "sms",
        "text",
        "whatsapp",
        "dial",
        "ring",
        "電話",
        "携帯",
        "連絡先",
        "連絡",
        "ファックス",
        "fax番号",
        "番号",
        "でんわ",
    )

    def accept(
        self, pattern: GuardPattern, value: str, match: re.Match[str], ctx: ScanContext
    ) -> bool:
        """Three different digits at least, then the pattern's own check (a national or NANP
        number by default)."""
        if len(set(phone_digits(value))) < 3:
            return False
        rule = pattern.accept or _national_or_nanp
        return rule(self, value, match, ctx)


_DE_AT = ("DE", "AT")
# what tells an unformatted 1[3-9]… number is a Chinese mobile: a phone word other than the
# generic "number"/"番号", or China named
_CN_MOBILE_CUES_RE = lazy_re(
    r"(?<![a-z])(?:phone|telephone|tel|mobile|cell|call|sms|whatsapp|wechat|dial|cn|china"
    r"|chinese|prc)(?![a-z])|電話|携帯|でんわ|中国|手机|电话"
)
_GROUP_SEP_RE = lazy_re(r"[ \-./]+")
_TRUNK_REGIONS = ("JP", "GB")


@lru_cache(maxsize=4096)
def _valid_in(digits: str, region: str) -> bool:
    number = parse_phone(digits, region)
    return number is not None and phonenumbers.is_valid_number(number)


@lru_cache(maxsize=4096)
def _cn_mobile(digits: str) -> bool:
    number = parse_phone(digits, "CN")
    return (
        number is not None
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )


def clear_cache() -> None:
    """Forget the cached numbering-plan checks."""
    _valid_in.cache_clear()
    _cn_mobile.cache_clear()


def _valid_de_at(value: str) -> bool:
    return any(_valid_in(phone_digits(value), region) for region in _DE_AT)
