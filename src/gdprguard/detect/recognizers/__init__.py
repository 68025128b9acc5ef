"""gdprguard's recognizers: Presidio recognizers with a fast ``scan()`` path."""

from __future__ import annotations

from ._base import (
    GuardPattern,
    GuardPatternRecognizer,
    GuardRecognizer,
    RawMatch,
    ScanContext,
    compile_words,
)
from .address import EnAddressRecognizer, JpAddressRecognizer
from .dates import DateOfBirthRecognizer
from .financial import GuardCreditCardRecognizer, GuardIbanRecognizer, JpBankAccountRecognizer
from .internet import GuardEmailRecognizer, GuardIpRecognizer, GuardUrlRecognizer
from .jp_ids import (
    JpDriverLicenseRecognizer,
    JpMyNumberRecognizer,
    JpPassportRecognizer,
    JpPostalCodeRecognizer,
)
from .person_en import EnPersonRecognizer
from .person_ja import JaPersonRecognizer
from .phone import GuardPhoneRecognizer
from .places import PlaceRecognizer

__all__ = [
    "DEFAULT_RECOGNIZERS",
    "DateOfBirthRecognizer",
    "EnAddressRecognizer",
    "EnPersonRecognizer",
    "GuardCreditCardRecognizer",
    "GuardEmailRecognizer",
    "GuardIbanRecognizer",
    "GuardIpRecognizer",
    "GuardPattern",
    "GuardPatternRecognizer",
    "GuardPhoneRecognizer",
    "GuardRecognizer",
    "GuardUrlRecognizer",
    "JaPersonRecognizer",
    "JpAddressRecognizer",
    "JpBankAccountRecognizer",
    "JpDriverLicenseRecognizer",
    "JpMyNumberRecognizer",
    "JpPassportRecognizer",
    "JpPostalCodeRecognizer",
    "PlaceRecognizer",
    "RawMatch",
    "ScanContext",
    "compile_words",
]

#: The recognizer classes a :class:`~gdprguard.detect.Detector` registers by default.
DEFAULT_RECOGNIZERS: tuple[type[GuardPatternRecognizer] | type[GuardRecognizer], ...] = (
    GuardEmailRecognizer,
    GuardUrlRecognizer,
    GuardIpRecognizer,
    GuardPhoneRecognizer,
    GuardCreditCardRecognizer,
    GuardIbanRecognizer,
    JpBankAccountRecognizer,
    JpMyNumberRecognizer,
    JpPostalCodeRecognizer,
    JpDriverLicenseRecognizer,
    JpPassportRecognizer,
    DateOfBirthRecognizer,
    EnAddressRecognizer,
    JpAddressRecognizer,
    PlaceRecognizer,
    EnPersonRecognizer,
    JaPersonRecognizer,
)
