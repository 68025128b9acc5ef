"""DATE_TIME: dates of birth, only where the text says so (not every date is personal data)."""

from __future__ import annotations

import re

from ._base import GuardPattern, GuardPatternRecognizer

__all__ = ["DateOfBirthRecognizer"]

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


class DateOfBirthRecognizer(GuardPatternRecognizer):
    """Dates of birth: ``DOB: 04/12/1985``, ``born on March 3, 1990``, ``生年月日：1985年4月12日``,
    ``平成2年3月4日生まれ``."""

    ENTITY = "DATE_TIME"
    FLAGS = re.IGNORECASE
    PREFILTER = r"\d"
    WINDOW_BEFORE = 40
    WINDOW_AFTER = 8
    PATTERNS = (
        GuardPattern(
            "ymd",
            r"(?<!\d)(?:19|20)\d{2}(?:[\-/.]\d{1,2}[\-/.]\d{1,2}|年\s?\d{1,2}月\s?\d{1,2}日?)"
            r"(?!\d|[T ]?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
        ),
        GuardPattern(
            "jp_era",
            r"(?:昭和|平成|令和|大正|[SHR]\.?)\s?(?:\d{1,2}|元)年\s?\d{1,2}月\s?\d{1,2}日"
            r"(?!\s?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
        ),
        GuardPattern(
            "dmy_mdy",
            r"(?<![\d/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}"
            r"(?!\d|[/.\-]\d|[T ]?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
        ),
        GuardPattern(
            "month_name",
            rf"(?<![A-Za-z])(?:{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
            rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:19|20)\d{{2}})"
            r"(?!\d|[T ]?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
        ),
    )
    CONTEXT = (
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "dob",
        "d.o.b",
        "born",
        "生年月日",
        "誕生日",
        "生まれ",
        "出生",
    )
