"""Recognizer behaviour beyond single cases (those are in ``tests/detect_cases/``): a context
word raises a score."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_context_raises_score(detector: Detector) -> None:
    plain = detector.analyze("5551234567 is it", min_score=0.0)
    with_ctx = detector.analyze("phone: 5551234567", min_score=0.0)
    assert plain and with_ctx and with_ctx[0].score > plain[0].score
    assert detector.analyze("5551234567 is it") == []  # below the default threshold
