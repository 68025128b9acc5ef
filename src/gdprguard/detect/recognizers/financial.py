"""CREDIT_CARD (Luhn), IBAN_CODE (ISO 13616 mod-97) and JP_BANK_ACCOUNT (context)."""

from __future__ import annotations

import re

from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer

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


_NOT_IN_NUMBER_BEFORE = r"[\d\-]|\d[ ]"
_NOT_IN_NUMBER_AFTER = r"(?![\d\-]|[ ]\d)"


# Issuer prefixes outside 2-6 (first digit) that issue cards: 15-digit JCB.
_OTHER_IINS = ("1800", "2131")
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
            rf"|([ \-])\d{{6}}\2\d{{4,5}}){_NOT_IN_NUMBER_AFTER}",
            0.9,
            not_after=_NOT_IN_NUMBER_BEFORE,
            prefilter=r"\d{4}[ \-]\d{4,6}[ \-]\d{4}",
        ),
        GuardPattern("card_plain", r"\d{13,19}(?![\d\-])", 0.8, not_after=_NOT_IN_NUMBER_BEFORE),
        GuardPattern(
            "card_maestro_12",
            rf"\d{{4}}([ \-]?)\d{{4}}\1\d{{4}}{_NOT_IN_NUMBER_AFTER}",
            0.6,
            requires_context=True,
            not_after=_NOT_IN_NUMBER_BEFORE,
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

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        if len(digits) == 12:
            return _MAESTRO_12.fullmatch(digits) is not None and luhn_ok(digits)
        if not 13 <= len(digits) <= 19:
            return False
        if digits[0] not in "23456" and not (len(digits) == 15 and digits.startswith(_OTHER_IINS)):
            return False
        if len(set(digits)) < 2:
            return False
        return luhn_ok(digits)


# Country code -> IBAN length (ISO 13616 registry, common countries).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VG": 24,
    "XK": 20,
}


def iban_ok(value: str) -> bool:
    """True when *value* (spaces allowed) is an IBAN of the right length with a valid checksum."""
    iban = value.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


class GuardIbanRecognizer(GuardPatternRecognizer):
    """``DE89 3704 0044 0532 0130 00``, ``GB82WEST12345698765432``."""

    ENTITY = "IBAN_CODE"
    FLAGS = 0
    PREFILTER = r"[A-Z]{2}\d{2}"
    PATTERNS = (
        GuardPattern(
            "iban",
            r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: ?[A-Z0-9]{4}){2,7}"
            r"(?: ?[A-Z0-9]{1,3})?)(?![A-Za-z0-9])",
            0.95,
        ),
    )
    CONTEXT = ("iban", "bank", "account", "transfer", "口座", "振込")

    def validate_result(self, pattern_text: str) -> bool | None:
        return iban_ok(pattern_text)


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
