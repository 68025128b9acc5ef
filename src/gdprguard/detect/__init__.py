"""Personal-data detection and redaction for English and Japanese support text.

::

    from gdprguard.detect import Detector, KnownSubject, redact_text

    detector = Detector()
    text = "山田太郎様 090-1234-5678"
    findings = detector.analyze(text, known_subject=KnownSubject(names=["山田 太郎"]))
    redact_text(text, findings, "placeholder")
"""

from __future__ import annotations

from ._findings import ENTITY_TYPES, Finding, resolve_overlaps
from .engine import Detector
from .known_subject import KnownSubject
from .normalize import NormalizedText, normalize
from .redact import OPERATORS, Operator, pseudonym, redact_text

__all__ = [
    "ENTITY_TYPES",
    "OPERATORS",
    "Detector",
    "Finding",
    "KnownSubject",
    "NormalizedText",
    "Operator",
    "normalize",
    "pseudonym",
    "redact_text",
    "resolve_overlaps",
]
