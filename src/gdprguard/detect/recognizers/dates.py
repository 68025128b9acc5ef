"""DATE_TIME: dates of birth, only where the text says so (not every date is personal data)."""

from __future__ import annotations

import re

from ._base import GuardPattern, GuardPatternRecognizer, ScanContext

__all__ = ["DateOfBirthRecognizer"]

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


# Between a birth word and the date: another date or another label means the birth word labels
# something else ("生年月日：平成2年4月7日 注文日：2024年5月2日"): the nearest label wins.
_OTHER_DATE_OR_LABEL_RE = re.compile(
    rf"\d{{1,4}}\s?[年/\-.]\s?\d|{_MONTHS}\.?\s+\d|[一-龥ぁ-んァ-ヶ]{{1,8}}[:：]"
    r"|(?:order|delivery|purchase|shipping|ship|payment|expiry|expiration|due)[a-z ]{0,10}"
    r"(?:date|on)\b",
    re.IGNORECASE,
)
# What may precede an answer on its own line: a timestamp, a speaker label, a name and a comma
# ("[2024-06-02 15:19] Customer: ", "お客様：渡辺 真綾、").
_ANSWER_PREFIX_RE = re.compile(
    r"[ \t]*(?:\[[^\]\n]{1,40}\][ \t]*)?(?:[^\s:：\d]{1,20}(?:[ ]\([^()\n]{1,30}\))?[ ]?[:：])?"
    r"[ \t]*(?:[^\d\n、,:：]{1,20}[、,][ \t]*)?\Z"
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

    def has_context(self, ctx: ScanContext, start: int, end: int) -> bool:
        """A birth word shortly before (with no other date or label in between) or after the
        date, or in the previous line when the date answers it (``what's your date of birth?``
        / ``Customer: April 25, 1978``)."""
        rx = self._context_re
        if rx is None or not self.context_anywhere(ctx):
            return False
        low = ctx.lower
        window_start = max(0, start - self.WINDOW_BEFORE)
        last = None
        for found in rx.finditer(low, window_start, start):
            last = found
        if last is not None and not _OTHER_DATE_OR_LABEL_RE.search(low, last.end(), start):
            return True
        if rx.search(low, end, end + self.WINDOW_AFTER) is not None:
            return True
        line_start = low.rfind("\n", 0, start) + 1
        if line_start == 0 or not _ANSWER_PREFIX_RE.match(low[line_start:start]):
            return False
        prev_start = low.rfind("\n", 0, line_start - 1) + 1
        return rx.search(low, prev_start, line_start) is not None
