"""The entity types gdprguard detects, in a module light enough for any part to import."""

from __future__ import annotations

__all__ = ["ENTITY_TYPES"]

#: Every entity type the detector can report (Presidio's names where one exists).
ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "URL",
    "LOCATION",
    "DATE_TIME",
    "JP_MY_NUMBER",
    "JP_POSTAL_CODE",
    "JP_BANK_ACCOUNT",
    "JP_DRIVER_LICENSE",
    "JP_PASSPORT",
)
