"""PHONE_NUMBER: Japanese (03-1234-5678, 090-1234-5678, 0120-123-456), NANP and international.

Candidates come from shape regexes (separators required between digit groups, so order numbers
and timestamps do not qualify) and are checked with :mod:`phonenumbers` for a possible length.
"""

from __future__ import annotations

import re

import phonenumbers

from ._base import GuardPattern, GuardPatternRecognizer

__all__ = ["GuardPhoneRecognizer"]

_B = r"[A-Za-z0-9\-+#/.]|\d[ .]"  # what may not come right before: part of a longer token
_A = r"(?![A-Za-z0-9]|[\-/.]\d|[ ]\d{4})"
_EXT = r"(?:\s?(?:x|ext\.?|内線)\s?\d{1,5})?"


class GuardPhoneRecognizer(GuardPatternRecognizer):
    """Phone numbers in Japanese, North American and international (+CC) formats."""

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
        ),
        GuardPattern(  # 03-1234-5678, 090-1234-5678, 0120-123-456, 03 1234 5678
            "jp_national",
            rf"0\d{{1,4}}[\- ]\d{{1,4}}[\- ]\d{{3,4}}{_EXT}{_A}",
            0.75,
            not_after=_B,
        ),
        GuardPattern(  # (03)1234-5678, (02) 1982 1233
            "national_parenthesised",
            rf"\(0\d{{1,4}}\)\s?\d{{1,4}}[\- ]\d{{4}}{_EXT}{_A}",
            0.75,
            not_after=r"[A-Za-z0-9]",
        ),
        GuardPattern(  # 06(6312)4455: Japanese area code, exchange in parentheses
            "jp_parenthesised_exchange",
            rf"0\d{{1,4}}\(\d{{1,4}}\)\d{{4}}{_EXT}{_A}",
            0.75,
            not_after=r"[A-Za-z0-9]",
        ),
        GuardPattern(  # other national formats: 07491 121076, 01 21 89 71 51, 020.7946.0958
            "national_grouped",
            rf"0\d{{1,4}}(?:([ \-.])\d{{2,8}})(?:\1\d{{2,8}}){{0,3}}{_EXT}{_A}",
            0.6,
            not_after=_B,
        ),
        GuardPattern(  # (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567
            "nanp",
            rf"(?:1[\-. ])?(?:\(\d{{3}}\)\s?|\d{{3}}([\-. ]))\d{{3}}(?(1)\1|[\-. ])\d{{4}}"
            rf"{_EXT}{_A}",
            0.7,
            not_after=_B,
        ),
        GuardPattern(  # 09012345678: a Japanese mobile number is unambiguous enough
            "jp_mobile_digits",
            r"0[5789]0\d{8}(?![A-Za-z0-9]|[\-/.]\d)",
            0.6,
            not_after=r"[A-Za-z0-9\-+#/.]",
        ),
        GuardPattern(  # 0312345678 in Japanese text, when phonenumbers says it is valid
            "jp_landline_digits",
            r"0[1-9]\d{8}(?![A-Za-z0-9]|[\-/.]\d)",
            0.55,
            not_after=r"[A-Za-z0-9\-+#/.]",
        ),
        GuardPattern(  # 0312345678, 5551234567: only next to a phone word
            "digits_only",
            r"(?:0\d{9}|[2-9]\d{9})(?![A-Za-z0-9]|[\-/.]\d)",
            0.4,
            not_after=r"[A-Za-z0-9\-+#/.]",
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

    def accept(self, pattern: GuardPattern, value: str, match: re.Match[str]) -> bool:
        digits = re.sub(r"\D", "", re.split(r"(?i)x|ext|内線", value)[0])
        if len(set(digits)) < 3:
            return False
        if pattern.name == "international":
            try:
                num = phonenumbers.parse(re.split(r"(?i)x|ext|内線", value)[0], None)
            except phonenumbers.NumberParseException:
                return False
            return phonenumbers.is_possible_number(num)
        if pattern.name == "jp_landline_digits":
            # 0312345678 in Japanese text: a valid Japanese number needs no phone word
            return _valid_jp(digits) and _JAPANESE_RE.search(match.string) is not None
        if digits.startswith("0"):  # national format (Japan, UK, France, Australia, ...)
            if 10 <= len(digits) <= 11:
                return True
            # shorter German/Austrian numbers (030 813393) only next to a phone word
            return 8 <= len(digits) <= 9 and self._phone_word_near(match) and _valid_short(value)
        if len(digits) == 11:
            return digits[0] == "1" and digits[1] in "23456789"
        return len(digits) == 10 and digits[0] in "23456789"

    def _phone_word_near(self, match: re.Match[str]) -> bool:
        rx = self._context_re
        if rx is None:
            return False
        text = match.string.lower()
        start, end = match.span()
        return (
            rx.search(text, max(0, start - self.WINDOW_BEFORE), start) is not None
            or rx.search(text, end, end + self.WINDOW_AFTER) is not None
        )


_JAPANESE_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_SHORT_REGIONS = ("DE", "AT")


def _valid_jp(digits: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(digits, "JP"))
    except phonenumbers.NumberParseException:
        return False


def _valid_short(value: str) -> bool:
    for region in _SHORT_REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False
