"""DATE_TIME: dates of birth, only where the text says so (not every date is personal data)."""

from __future__ import annotations

import re

from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer, ScanContext, answers_previous_line

__all__ = ["DateOfBirthRecognizer"]

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

# what every month name above starts with (a cheap test before the patterns that need one)
_MONTH_PREFIXES = "(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"

# Between a birth word and the date: another date or another label means the birth word labels
# something else ("生年月日：平成2年4月7日 注文日：2024年5月2日"): the nearest label wins.
_OTHER_DATE_OR_LABEL_RE = lazy_re(
    rf"\d{{1,4}}\s?[年/\-.]\s?\d|{_MONTHS}\.?\s+\d|[一-龥ぁ-んァ-ヶ]{{1,8}}[:：]"
    r"|(?:order|delivery|purchase|shipping|ship|payment|expiry|expiration|due)[a-z ]{0,10}"
    r"(?:date|on)\b",
    re.IGNORECASE,
)


# a birth date marked after it: （1979年2月8日生）, 1990年生まれ
_BORN_AFTER_RE = lazy_re(r"\s?(?:生まれ|生(?![産活徒成命地協])|b\.)")
# a corrected value: 生年月日が…となっていますが、正しくは… / "it says X but it should be Y"
_CORRECTION_RE = lazy_re(
    r"正しくは|正しい|ではなく|でなく|じゃなく|訂正|修正|actually|correct|should[ ]be|instead"
    r"|not[ ]|wrong|incorrect|typo|changed[ ]to|change[ ]it[ ]to",
    re.IGNORECASE,
)
# the birth word right before a date without a year (誕生日3月3日, birthday is March 3)
_TIGHT_BIRTH_RE = lazy_re(
    r"(?:誕生日|生年月日|birthday|date[ ]of[ ]birth|dob|born(?:[ ]on)?)"
    r"(?:[ ]?(?:は|が|:|：|-|is|was|on|=))?[ ]*\Z",
    re.IGNORECASE,
)


def _birth_word_right_before(
    rec: GuardPatternRecognizer, value: str, match: re.Match[str], ctx: ScanContext
) -> bool:
    """A date without a year needs the birth word right before it."""
    text = match.string
    return _TIGHT_BIRTH_RE.search(text, max(0, match.start() - 25), match.start()) is not None


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
            prefilter=r"(?:19|20)\d{2}[\-/.年]",
        ),
        GuardPattern(
            "jp_era",
            r"(?:昭和|平成|令和|大正|[SHR]\.?)\s?(?:\d{1,2}|元)年\s?\d{1,2}月\s?\d{1,2}日"
            r"(?!\s?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
            prefilter="年",
        ),
        GuardPattern(
            "dmy_mdy",
            r"(?<![\d/.\-])\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}"
            r"(?!\d|[/.\-]\d|[T ]?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
            prefilter=r"\d[/.\-]\d{1,2}[/.\-]\d{2}",
        ),
        GuardPattern(  # 誕生日3月3日, birthday: March 3rd (no year): the birth word right before
            "month_day",
            rf"(?<![\d年/])\d{{1,2}}月\s?\d{{1,2}}日(?!\s?\d{{1,2}}:\d{{2}})"
            rf"|(?<![A-Za-z]){_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?![\da-z]|,?\s+(?:19|20)\d\d)"
            rf"|(?<![\d/])\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?![a-z]|\.?,?\s+\d)",
            0.8,
            requires_context=True,
            accept=_birth_word_right_before,
            prefilter=f"月|{_MONTH_PREFIXES}",
        ),
        GuardPattern(
            "month_name",
            rf"(?<![A-Za-z])(?:{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
            rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:19|20)\d{{2}})"
            r"(?!\d|[T ]?\d{1,2}:\d{2})",
            0.85,
            requires_context=True,
            prefilter=_MONTH_PREFIXES,
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

    def has_context(self, ctx: ScanContext, start: int, end: int) -> bool:
        """A birth word shortly before (with no other date or label in between) or after the
        date, or in the previous line when the date answers it (``what's your date of birth?``
        / ``Customer: April 25, 1978``)."""
        rx = self._context_re
        low = ctx.lower
        if _BORN_AFTER_RE.match(low, end):
            return True
        if rx is None or not self.context_anywhere(ctx):
            return False
        window_start = max(0, start - self.WINDOW_BEFORE)
        last = None
        for found in rx.finditer(low, window_start, start):
            last = found
        if last is not None:
            between = None
            for other in _OTHER_DATE_OR_LABEL_RE.finditer(low, last.end(), start):
                between = other
            if between is None:
                return True
            # "生年月日が1985年4月12日になっていますが、正しくは1985年4月21日です"
            if _CORRECTION_RE.search(low, between.end(), start):
                return True
        elif self._corrects_birth_date(low, start):
            return True
        if rx.search(low, end, end + self.WINDOW_AFTER) is not None:
            return True
        return answers_previous_line(ctx, start, rx)

    def context_anywhere(self, ctx: ScanContext) -> bool:
        """A birth word anywhere, or 生 (``1979年2月8日生``) that :data:`_BORN_AFTER_RE` checks."""
        return super().context_anywhere(ctx) or "生" in ctx.text

    def _corrects_birth_date(self, low: str, start: int) -> bool:
        """A correction word shortly before the date, and a birth word earlier in the text."""
        window = low[max(0, start - 20) : start]
        if not _CORRECTION_RE.search(window):
            return False
        rx = self._context_re
        return rx is not None and rx.search(low, max(0, start - 160), start) is not None
