"""The Detector: options, Presidio integration, optional spaCy model, public names."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from gdprguard import UsageError
from gdprguard._config import DetectionConfig
from gdprguard.detect import ENTITY_TYPES, Detector, Finding

TEXT = "Hi Sarah,\nmail sarah@example.com, 山田太郎様 090-1234-5678"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_findings_are_sorted_frozen_and_in_bounds(detector: Detector) -> None:
    findings = detector.analyze(TEXT)
    assert findings == sorted(findings)
    assert all(0 <= f.start < f.end <= len(TEXT) for f in findings)
    assert all(a.end <= b.start for a, b in pairwise(findings))
    with pytest.raises(AttributeError):
        findings[0].start = 3  # type: ignore[misc]
    assert set(findings[0].to_dict()) == {"type", "start", "end", "score"}


def test_entities_filter_and_min_score(detector: Detector) -> None:
    only = detector.analyze(TEXT, entities=["EMAIL_ADDRESS", "phone_number"])
    assert {f.type for f in only} == {"EMAIL_ADDRESS", "PHONE_NUMBER"}
    assert detector.analyze(TEXT, min_score=1.0) == [
        f for f in detector.analyze(TEXT) if f.score >= 1.0
    ]


def test_unknown_entity_lists_valid_ones(detector: Detector) -> None:
    with pytest.raises(UsageError, match="EMAIL_ADDRESS"):
        detector.analyze(TEXT, entities=["SSN"])


def test_language_forcing(detector: Detector) -> None:
    ja_only = {f.type for f in detector.analyze(TEXT, "ja")}
    en_only = {(f.type, TEXT[f.start : f.end]) for f in detector.analyze(TEXT, "en")}
    assert "PERSON" in ja_only  # 山田太郎 via SudachiPy
    assert ("PERSON", "Sarah") in en_only and ("PERSON", "山田太郎") not in en_only
    with pytest.raises(UsageError):
        detector.analyze(TEXT, "fr")


@pytest.mark.slow
def test_large_text_is_handled(detector: Detector) -> None:
    chunk = "お問い合わせありがとうございます。山田太郎様の電話は090-1234-5678です。\n"
    text = chunk * (1_000_000 // len(chunk))
    findings = detector.analyze(text)
    assert len([f for f in findings if f.type == "PHONE_NUMBER"]) == text.count("090-1234-5678")


def test_binary_junk_and_mojibake_do_not_crash(detector: Detector) -> None:
    junk = bytes(range(256)).decode("latin-1") + "\ud800\x00\ufffd"
    detector.analyze(junk)
    mojibake = "å±±ç”°å¤ªéƒŽæ§˜ 090-1234-5678".encode().decode("latin-1")
    assert any(f.type == "PHONE_NUMBER" for f in detector.analyze(mojibake))


@pytest.mark.slow
def test_registry_holds_presidio_recognizers_and_presidio_engine_works(detector: Detector) -> None:
    from presidio_analyzer import EntityRecognizer

    assert all(isinstance(r, EntityRecognizer) for r in detector.registry.recognizers)
    engine = detector.analyzer_engine()
    results = engine.analyze("call 090-1234-5678 or mail a@example.com", language="en")
    assert {r.entity_type for r in results} >= {"PHONE_NUMBER", "EMAIL_ADDRESS"}
    results = engine.analyze("山田太郎様", language="ja")
    assert [r.entity_type for r in results] == ["PERSON"]


def test_our_class_names_do_not_shadow_presidio_predefined_recognizers() -> None:
    import presidio_analyzer

    from gdprguard.detect.recognizers import DEFAULT_RECOGNIZERS

    conf = Path(presidio_analyzer.__file__).parent / "conf" / "default_recognizers.yaml"
    predefined = conf.read_text()
    for cls in DEFAULT_RECOGNIZERS:
        assert f"name: {cls.__name__}\n" not in predefined


def test_custom_presidio_recognizer_in_registry_is_used() -> None:
    from presidio_analyzer import Pattern, PatternRecognizer

    detector = Detector()
    detector.registry.add_recognizer(
        PatternRecognizer("PERSON", name="Employees", patterns=[Pattern("emp", r"EMP-\d{4}", 0.9)])
    )
    assert [f.recognizer for f in detector.analyze("ask EMP-1234")] == ["Employees"]


def test_every_documented_type_is_reportable() -> None:
    assert len(set(ENTITY_TYPES)) == len(ENTITY_TYPES) == 14


def test_installed_spacy_model_adds_person_and_location(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [{"label": "PERSON", "pattern": "Zyx Qwerty"}, {"label": "GPE", "pattern": "Ruritania"}]
    )
    model_dir = tmp_path / "model"
    nlp.to_disk(model_dir)
    detector = Detector(DetectionConfig(spacy_model=str(model_dir)))
    text = "we met Zyx Qwerty in Ruritania"
    got = {(f.type, text[f.start : f.end]) for f in detector.analyze(text)}
    assert got == {("PERSON", "Zyx Qwerty"), ("LOCATION", "Ruritania")}


def test_missing_spacy_model_is_a_config_error() -> None:
    from gdprguard import ConfigError

    with pytest.raises(ConfigError, match="spacy_model"):
        Detector(DetectionConfig(spacy_model="no_such_model_xyz")).analyze("hello there")


def test_finding_is_a_value_object() -> None:
    assert Finding(1, 2, "URL", 0.5) == Finding(1, 2, "URL", 0.5)
