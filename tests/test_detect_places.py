"""Place names: scored by their context, reported by default only where a person is."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector
from gdprguard.detect.lexicon import is_country, is_place_name, place_kind
from gdprguard.detect.recognizers.places import BARE_SCORE, PERSONAL_SCORE


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def _places(detector: Detector, text: str, language: str, min_score: float) -> dict[str, float]:
    return {
        text[f.start : f.end]: f.score
        for f in detector.analyze(text, language, min_score=min_score)
        if f.type == "LOCATION"
    }


def test_the_gazetteer_knows_countries_regions_and_cities() -> None:
    assert place_kind("France") == "country"
    assert place_kind("Texas") == "region"
    assert place_kind("Lisbon") == "city"
    assert place_kind("LAPPEENRANTA") is None  # capitals only for listed names
    assert is_place_name("HELSINKI")
    assert is_country("ドイツ") and is_place_name("大阪") and is_place_name("大阪府")
    assert not is_place_name("Smith")


def test_a_bare_place_scores_below_the_default_threshold(detector: Detector) -> None:
    text = "The blender ships from China; I live in Leeds."
    assert _places(detector, text, "en", 0.5) == {"Leeds": PERSONAL_SCORE}
    assert _places(detector, text, "en", 0.3) == {"China": BARE_SCORE, "Leeds": PERSONAL_SCORE}


def test_japanese_places_keep_their_suffix_and_skip_nationalities(detector: Detector) -> None:
    text = "札幌市在住です。日本人の友人が中国語で書きました。"
    assert _places(detector, text, "ja", 0.3) == {"札幌市": PERSONAL_SCORE}


def test_a_place_that_is_part_of_a_name_is_not_a_place(detector: Detector) -> None:
    found = detector.analyze("Paris Hilton and Michael Jordan", "en", min_score=0.0)
    assert not [f for f in found if f.type == "LOCATION"]


def test_a_place_does_not_veto_a_person_with_the_same_name(detector: Detector) -> None:
    text = "Hi Sydney,\nthanks for the update."
    found = detector.analyze(text, "en")
    assert [(text[f.start : f.end], f.type) for f in found] == [("Sydney", "PERSON")]
