"""What makes detection generalise beyond the benchmark templates, past single cases (those
are in ``tests/detect_cases/``): multicultural name lists that leave words out, hiragana given
names, nested address matches, an IP address after a version of the same digits, many addresses
in one text."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector
from gdprguard.detect.recognizers import RawMatch
from gdprguard.detect.recognizers.address import _outermost
from gdprguard.detect.recognizers.person_en import (
    ambiguous_given_names,
    given_names,
    is_given_name,
    is_surname,
    surnames,
)
from gdprguard.detect.recognizers.person_ja import is_kana_given, ja_given_kana


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_ip_after_login_word_is_still_found(detector: Detector) -> None:
    text = "version 10.0.2.1 installed, login from 10.0.2.1 failed"
    found = [f for f in detector.analyze(text) if f.type == "IP_ADDRESS"]
    assert [(f.start, f.end) for f in found] == [(text.rindex("10.0"), len(text) - len(" failed"))]


def test_gazetteers_are_multicultural_and_exclude_words() -> None:
    names = given_names()
    for name in ("Kofi", "Priyanka", "Tamika", "Jürgen", "Mathilde", "Lukas", "Adebayo", "Aiko"):
        assert name in names, name
    for word in ("Will", "Victoria", "Austin", "Park", "Echo", "Thanks", "Order"):
        assert word not in names, word
    assert "Austin" in ambiguous_given_names()
    assert is_given_name("jenna") and is_given_name("Jenna") and not is_given_name("JENNA")
    assert "Nowak" in surnames() and is_surname("ogawa")
    assert not is_surname("Do")  # two-letter family names are words too
    assert len(names) > 15_000 and len(surnames()) > 15_000


def test_kana_given_names() -> None:
    assert "はると" in ja_given_kana()
    assert is_kana_given("あやか") and is_kana_given("はると")
    assert not is_kana_given("みな") and not is_kana_given("よろしく")


def test_outermost_drops_nested_matches_only() -> None:
    def m(start: int, end: int) -> RawMatch:
        return RawMatch("LOCATION", start, end, 0.7, "EnAddressRecognizer")

    outer, inner, same_end, twin_a = m(0, 50), m(10, 30), m(20, 50), m(60, 70)
    twin_b = m(60, 70)
    apart = m(80, 90)
    kept = _outermost([inner, outer, same_end, twin_a, twin_b, apart])
    assert kept == [outer, twin_a, twin_b, apart]


def test_many_addresses_in_one_text(detector: Detector) -> None:
    text = "Storgata 41, 0182 Oslo. " * 2000
    found = [f for f in detector.analyze(text) if f.type == "LOCATION"]
    assert len(found) == 2000
