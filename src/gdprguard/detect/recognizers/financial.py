"""CREDIT_CARD (Luhn), IBAN_CODE (ISO 13616 mod-97) and JP_BANK_ACCOUNT (context)."""

from __future__ import annotations

import re

from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer, RawMatch, ScanContext, matches_at

__all__ = ["GuardCreditCardRecognizer", "GuardIbanRecognizer", "JpBankAccountRecognizer", "luhn_ok"]


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_NOT_IN_NUMBER_BEFORE = r"[\d\-]"
_NOT_IN_NUMBER_AFTER = r"(?![\d\-]|[ ]\d)"
# a grouped number goes on only with its own separator: "4577-7777-7777-7770 4577 …" is two
_NOT_IN_GROUPED_NUMBER_AFTER = r"(?![\d\-])(?(1)(?!\1\d)|(?!\2\d))"
# at most this many digits in a group of a longer number written with spaces
_MAX_GROUP = 6


def continues_number(text: str, start: int) -> bool:
    """True when the digits at *start* follow a digit group and a space that belong to the same
    longer number (``1234 5678 9012 3456 7890``). A whole number before the space (seven digits
    or more) or the last group of a hyphenated one (``4577-7777-7777-7770 4577 …``) is a number
    of its own: the next one starts afresh."""
    if start < 2 or text[start - 1] != " " or not _is_digit(text[start - 2]):
        return False
    i = start - 2
    while i > 0 and _is_digit(text[i - 1]):
        i -= 1
    if start - 1 - i > _MAX_GROUP:
        return False
    return i == 0 or text[i - 1] != "-"


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


# Maestro issues 12-digit cards too; only with a card word nearby (a 12-digit number is as
# likely a My Number or a tracking number).
_MAESTRO_12 = lazy_re(r"(?:50(?:18|20|38)|5[6-8]\d\d|6304|6759|676[1-3]|6390)\d{8}")


class GuardCreditCardRecognizer(GuardPatternRecognizer):
    """Card numbers of 13-19 digits (12-digit Maestro next to a card word), plain or grouped
    with spaces/hyphens, with an issuer prefix and passing Luhn."""

    ENTITY = "CREDIT_CARD"
    FLAGS = 0
    PREFILTER = r"\d{4}"
    NEAR_MISS = True
    PATTERNS = (
        GuardPattern(
            "card_grouped",
            rf"\d{{4}}(?:([ \-])\d{{4}}\1\d{{4}}\1\d{{1,4}}(?:\1\d{{3}})?"
            rf"|([ \-])\d{{6}}\2\d{{4,5}}){_NOT_IN_GROUPED_NUMBER_AFTER}",
            0.9,
            not_after=_NOT_IN_NUMBER_BEFORE,
            prefilter=r"\d{4}[ \-]\d{4,6}[ \-]\d{4}",
        ),
        GuardPattern(
            "card_plain",
            r"\d{13,19}(?![\d\-])",
            0.8,
            not_after=_NOT_IN_NUMBER_BEFORE,
            prefilter=r"\d{13}",
        ),
        GuardPattern(
            "card_maestro_12",
            rf"\d{{4}}([ \-]?)\d{{4}}\1\d{{4}}{_NOT_IN_NUMBER_AFTER}",
            0.6,
            requires_context=True,
            not_after=_NOT_IN_NUMBER_BEFORE,
            prefilter=r"\d{4}[ \-]?\d{4}[ \-]?\d{4}",
        ),
    )
    CONTEXT = (
        "card",
        "credit",
        "visa",
        "mastercard",
        "amex",
        "jcb",
        "diners",
        "discover",
        "cc",
        "カード",
        "クレジット",
        "カード番号",
    )

    def accept(
        self, pattern: GuardPattern, value: str, match: re.Match[str], ctx: ScanContext
    ) -> bool:
        return not continues_number(ctx.text, match.start()) and super().accept(
            pattern, value, match, ctx
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        if len(digits) == 12:
            return _MAESTRO_12.fullmatch(digits) is not None and luhn_ok(digits)
        if not 13 <= len(digits) <= 19:
            return False
        # first digit 2-6, or a 15-digit card starting with 1: UATP (the airlines' card, ISO/IEC
        # 7812 major industry identifier 1) and JCB's 1800 range
        if digits[0] not in "23456" and not (len(digits) == 15 and digits[0] == "1"):
            return False
        if len(set(digits)) < 2:
            return False
        return luhn_ok(digits)


# Country code -> IBAN length: every country of the SWIFT IBAN Registry (release 101, 89
# countries). Territories that use another country's IBAN (Åland: FI, Jersey: GB, the French
# overseas departments: FR) write that country's code.
# fmt: off
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
# fmt: on


def iban_ok(value: str) -> bool:
    """True when *value* (spaces or hyphens allowed) is an IBAN of the right length with a valid
    checksum."""
    iban = value.replace(" ", "").replace("-", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def iban_length(value: str) -> int:
    """How many characters of *value* (a run of groups that starts with a country code) are its
    IBAN: the run up to its country's length, cut between two groups, when that checks out;
    0 otherwise: ``FR54 1273 9000 7005 1234 5678 942 X`` is an IBAN and a word."""
    length = IBAN_LENGTHS.get(value[:2])
    if length is None:
        return 0
    count = 0
    for i, ch in enumerate(value):
        if ch not in _IBAN_SEPARATORS:
            count += 1
            if count == length:
                cut = i + 1
                if cut < len(value) and value[cut] not in _IBAN_SEPARATORS:
                    return 0  # the country's length ends inside a group
                return cut if iban_ok(value[:cut]) else 0
    return 0


_IBAN_SEPARATORS = " -"


_IBAN_HEAD_RE = lazy_re(r"[A-Z]{2}\d{2}")
_IBAN_HEAD_LOWER_RE = lazy_re(r"[a-z]{2}\d{2}")


def _heads(rx: re.Pattern[str], ctx: ScanContext) -> list[int]:
    # two letters and two digits: two such heads never overlap, so one scan finds them all
    return [m.start() for m in rx.finditer(ctx.text)]


def iban_starts(ctx: ScanContext) -> list[int]:
    """Where an upper-case IBAN can start: a country code and two check digits."""
    return _heads(_IBAN_HEAD_RE, ctx)


def iban_lower_starts(ctx: ScanContext) -> list[int]:
    """Where a lower-case IBAN can start."""
    return _heads(_IBAN_HEAD_LOWER_RE, ctx)


class GuardIbanRecognizer(GuardPatternRecognizer):
    """``DE89 3704 0044 0532 0130 00``, ``GB82WEST12345698765432``, ``AL35-2021-1109-…``; in
    lower case only next to an IBAN or bank word.

    A run of groups longer than its country's IBAN (a word or number right after it) is cut to
    that length between two groups."""

    ENTITY = "IBAN_CODE"
    FLAGS = 0
    PREFILTER = r"[A-Za-z]{2}\d{2}"
    PATTERNS = (
        GuardPattern(
            "iban",
            r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?:[ \-]?[A-Z0-9]{4}){2,7}"
            r"(?:[ \-]?[A-Z0-9]{1,3})?)(?![A-Za-z0-9])",
            0.95,
            starts_at=iban_starts,
        ),
        GuardPattern(  # typed in lower case (gb82west…): only next to an IBAN or bank word
            "iban_lower_case",
            r"(?<![A-Za-z0-9])[a-z]{2}\d{2}(?:[a-z0-9]{11,30}|(?:[ \-]?[a-z0-9]{4}){2,7}"
            r"(?:[ \-]?[a-z0-9]{1,3})?)(?![A-Za-z0-9])",
            0.95,
            requires_context=True,
            starts_at=iban_lower_starts,
        ),
    )
    CONTEXT = ("iban", "bank", "account", "transfer", "口座", "振込")

    def validate_result(self, pattern_text: str) -> bool | None:
        return iban_ok(pattern_text)

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """IBANs in the normalised text, each cut to its country's length."""
        prefilter = self._prefilter
        if prefilter is not None and not ctx.contains(prefilter):
            return []
        out: list[RawMatch] = []
        for pattern, rx in self._compiled:
            if pattern.requires_context and not self.context_anywhere(ctx):
                continue
            if pattern.prefilter is not None and not ctx.contains(pattern.prefilter):
                continue
            starts = pattern.starts_at
            matches = rx.finditer(ctx.text) if starts is None else matches_at(rx, ctx, starts(ctx))
            for m in matches:
                length = iban_length(m.group().upper())
                if not length:
                    continue
                start, end = m.start(), m.start() + length
                score = pattern.score
                if self.has_context(ctx, start, end):
                    if not pattern.requires_context:
                        score = min(1.0, score + self.CONTEXT_BOOST)
                elif pattern.requires_context:
                    continue
                out.append(RawMatch(self.ENTITY, start, end, round(score, 2), self.rec_name))
        return out


class JpBankAccountRecognizer(GuardPatternRecognizer):
    """``普通 1234567``, ``口座番号：1234567``, ゆうちょ ``記号 12345 番号 12345678``."""

    ENTITY = "JP_BANK_ACCOUNT"
    FLAGS = re.IGNORECASE
    PREFILTER = r"\d{5}"
    PATTERNS = (
        GuardPattern(
            "jp_account_type",
            r"(?:普通|当座|貯蓄|総合)(?:預金)?(?:口座)?\s*(?:番号)?\s*[:：]?\s*(?:no\.?\s*)?"
            r"(?P<pii>\d{7})(?!\d)",
            0.85,
        ),
        GuardPattern(
            "jp_account_number",
            r"口座(?:番号)?\s*(?:は|[:：])?\s*(?P<pii>\d{7,8})(?!\d)",
            0.85,
        ),
        GuardPattern(  # ゆうちょ銀行 記号14090 番号38112751
            "yucho_kigo",
            r"記号\s*[:：]?\s*(?P<pii>1\d{4}[\s、,/-]*番号\s*[:：]?\s*\d{6,8})(?![\d\-])",
            0.85,
        ),
        GuardPattern(
            "yucho",
            r"(?<!\d)(?P<pii>1\d{4}-?\d{6,8})(?![\d\-])",
            0.6,
            requires_context=True,
            prefilter=r"1\d{4}-?\d{6}",
        ),
        GuardPattern(
            "account_number_en",
            r"(?:bank\s+)?(?:account|acct\.?)\s*(?:number|no\.?|#)\s*(?:is\s*)?[:：]?\s*"
            r"(?P<pii>\d{7,8})(?!\d)",
            0.55,
            requires_context=True,
            starts_with=("bank", "account", "acct"),
        ),
    )
    CONTEXT = ("銀行", "支店", "ゆうちょ", "記号", "口座", "振込", "bank", "branch", "transfer")
    WINDOW_BEFORE = 60
