"""Japanese identifiers: JP_MY_NUMBER, JP_POSTAL_CODE, JP_DRIVER_LICENSE, JP_PASSPORT."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ._base import (
    NEAR_MISS_RE,
    GuardPattern,
    GuardPatternRecognizer,
    ScanContext,
    answers_previous_line,
)

__all__ = [
    "JpDriverLicenseRecognizer",
    "JpMyNumberRecognizer",
    "JpPassportRecognizer",
    "JpPostalCodeRecognizer",
    "my_number_ok",
    "prefectures",
]


@cache
def prefectures() -> tuple[str, ...]:
    """The 47 prefecture names with suffix (東京都, 大阪府, 北海道, 神奈川県, ...)."""
    raw = resources.files("gdprguard.data").joinpath("jp_prefectures.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )


# romanised prefecture names as written in English addresses ("Tokyo", "Osaka-fu")
JP_PREFS_ROMAN = (
    r"(?:Hokkaido|Aomori|Iwate|Miyagi|Akita|Yamagata|Fukushima|Ibaraki|Tochigi|Gunma|Saitama"
    r"|Chiba|Tokyo|Kanagawa|Niigata|Toyama|Ishikawa|Fukui|Yamanashi|Nagano|Gifu|Shizuoka|Aichi"
    r"|Mie|Shiga|Kyoto|Osaka|Hyogo|Nara|Wakayama|Tottori|Shimane|Okayama|Hiroshima|Yamaguchi"
    r"|Tokushima|Kagawa|Ehime|Kochi|Fukuoka|Saga|Nagasaki|Kumamoto|Oita|Miyazaki|Kagoshima"
    r"|Okinawa)(?:-(?:to|fu|ken|Ken|To|Fu))?"
)


def my_number_ok(value: str) -> bool:
    """Check digit of an individual number (マイナンバー, 12 digits)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 12 or len(set(digits)) < 3:
        return False
    body = [int(c) for c in digits[:11]]
    total = 0
    for n in range(1, 12):  # P_n is the n-th digit from the right of the 11-digit body
        p = body[11 - n]
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    rem = total % 11
    check = 0 if rem <= 1 else 11 - rem
    return check == int(digits[11])


#: how far back on its line a receipt, order or tracking label may stand before a number
LABEL_REACH = 200


class JpMyNumberRecognizer(GuardPatternRecognizer):
    """``1234 5678 9018`` / ``123456789018`` with a valid check digit."""

    ENTITY = "JP_MY_NUMBER"
    FLAGS = 0
    PREFILTER = r"\d{4}"
    NEAR_MISS = True
    PATTERNS = (
        GuardPattern(
            "my_number",
            r"\d{4}([\- ]?)\d{4}\1\d{4}(?![\d\-]|[ ]\d)",
            0.75,
            not_after=r"[\d\-]|\d[ ]",
            prefilter=r"\d{4}[ \-]?\d{4}[ \-]?\d{4}",
        ),
    )
    CONTEXT = (
        "マイナンバー",
        "個人番号",
        "my number",
        "mynumber",
        "通知カード",
        "individual number",
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        return my_number_ok(pattern_text)

    def is_near_miss(self, ctx: ScanContext, start: int, *, labelled_only: bool = False) -> bool:
        """Also a number on a line that a receipt, order or tracking label starts and no My
        Number word names (``Receipt number for your records: 1234 5678 9018``)."""
        if super().is_near_miss(ctx, start, labelled_only=labelled_only):
            return True
        # the line up to the number, at most LABEL_REACH characters of it (a long one-line
        # record would otherwise be read again for every candidate: quadratic)
        line = ctx.lower[max(ctx.line_start(start), start - LABEL_REACH) : start]
        labelled = NEAR_MISS_RE is not None and NEAR_MISS_RE.search(line) is not None
        return labelled and not any(word in line for word in self._context_needles)


class JpPostalCodeRecognizer(GuardPatternRecognizer):
    """``〒123-4567`` (the span is the digits), or ``123-4567`` before a prefecture or after
    郵便番号."""

    ENTITY = "JP_POSTAL_CODE"
    FLAGS = 0
    PREFILTER = r"\d{3}-?\d{4}"
    NEAR_MISS = True
    WINDOW_BEFORE = 15
    WINDOW_AFTER = 0

    PATTERNS = (
        GuardPattern("postal_mark", r"〒\s?(?P<pii>\d{3}-?\d{4})(?![\d\-])", 0.95),
        GuardPattern(
            "postal_before_prefecture",
            rf"(?P<pii>\d{{3}}-\d{{4}})(?![\d\-])\s*(?:{'|'.join(prefectures())})",
            0.85,
            not_after=r"[\d\-]",
            prefilter=r"\d-\d{4}\s*[^\x00-\x7f]",  # a prefecture starts with a kanji
        ),
        GuardPattern(  # "150-0001 Tokyo, Shibuya-ku"
            "postal_before_romanised",
            rf"(?P<pii>\d{{3}}-\d{{4}})(?![\d\-])[ ,]{{1,2}}{JP_PREFS_ROMAN}\b",
            0.85,
            not_after=r"[\d\-]",
            prefilter=r"\d-\d{4}[ ,]{1,2}[A-Z]",
        ),
        GuardPattern(  # "Shibuya-ku, Tokyo 150-0001"
            "postal_after_romanised",
            rf"{JP_PREFS_ROMAN},?[ ](?:Japan[ ,]{{1,2}})?(?P<pii>\d{{3}}-\d{{4}})(?![\d\-])",
            0.85,
            not_after=r"[A-Za-z]",
        ),
        GuardPattern(
            "postal_in_context",
            r"(?P<pii>\d{3}-\d{4})(?![\d\-]|[ ]\d)",
            0.5,
            requires_context=True,
            not_after=r"[\d\-]|\d[ ]",
        ),
    )
    CONTEXT = ("郵便番号", "〒", "postal code", "postcode", "zip", "住所")

    def has_context(self, ctx: ScanContext, start: int, end: int) -> bool:
        """A postal-code word shortly before, or in the previous line that the code answers
        (``郵便番号を教えてください`` ⏎ ``650-0001です``)."""
        if super().has_context(ctx, start, end):
            return True
        rx = self._context_re
        return (
            rx is not None and self.context_anywhere(ctx) and answers_previous_line(ctx, start, rx)
        )


class JpDriverLicenseRecognizer(GuardPatternRecognizer):
    """12-digit driver's licence number next to 免許 / driver's license."""

    ENTITY = "JP_DRIVER_LICENSE"
    FLAGS = 0
    PREFILTER = r"\d{4}"
    WINDOW_BEFORE = 40
    PATTERNS = (
        GuardPattern(
            "jp_license",
            r"(?<![\d\-])(?:第\s?)?(?P<pii>\d{4}[ \-]?\d{4}[ \-]?\d{4})(?![\d\-]|[ ]\d)",
            0.9,
            requires_context=True,
            prefilter=r"\d{4}[ \-]?\d{4}[ \-]?\d{4}",
        ),
    )
    CONTEXT = (
        "免許",
        "運転免許",
        "免許証",
        "免許証番号",
        "driver's license",
        "drivers license",
        "driver license",
        "driving licence",
        "driving license",
        "driver's licence",
        "licence",
        "license",
    )


class JpPassportRecognizer(GuardPatternRecognizer):
    """Japanese passport number (two letters and seven digits, ``TK1234567``) near 旅券/passport."""

    ENTITY = "JP_PASSPORT"
    FLAGS = 0
    PREFILTER = r"[A-Z]{2}\d{7}"
    # the pattern is specific; a list of numbers after one passport word is still passports
    WINDOW_BEFORE = 80
    PATTERNS = (
        GuardPattern(
            "jp_passport",
            r"(?<![A-Za-z0-9])(?P<pii>[A-Z]{2}\d{7})(?![A-Za-z0-9])",
            0.9,
            requires_context=True,
        ),
    )
    CONTEXT = ("パスポート", "旅券", "passport")
