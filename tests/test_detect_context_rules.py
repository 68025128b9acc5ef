"""Context rules beyond single cases (those are in ``tests/detect_cases/``): the address veto
when only PERSON is asked for, a known subject inside an address, redacted HTML attributes."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector, redact_text


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_person_only_request_still_uses_addresses_to_veto_street_names(
    detector: Detector,
) -> None:
    text = "Send it to 0877 Andrew Harbors, Lake Jessica, AL 96730?"
    assert detector.analyze(text, entities={"PERSON"}) == []


def test_known_subject_inside_an_address_is_kept(detector: Detector) -> None:
    from gdprguard.detect import KnownSubject

    text = "Send it to 0877 Andrew Harbors, Lake Jessica, AL 96730?"
    subject = KnownSubject(names=["Andrew Harbors"])
    findings = detector.analyze(text, entities={"PERSON"}, known_subject=subject)
    assert [text[f.start : f.end] for f in findings] == ["Andrew Harbors"]


def test_redacted_html_keeps_no_email_in_attributes(detector: Detector) -> None:
    html = '<p>Write to <a href="mailto:jo&#64;example.com" title="Jo">us</a></p>'
    out = redact_text(html, detector.analyze(html), "placeholder")
    assert "jo&#64;example.com" not in out and "example.com" not in out
