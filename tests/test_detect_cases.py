"""Detection cases from ``tests/detect_cases/*.yaml``: one file per entity type, English and
Japanese side by side, grouped by the rule they exercise.

A file names its entity ``type`` and lists ``rules``; a rule may name another ``type`` for its
cases and a ``language`` to analyse them in (``auto`` by default: the detector picks it). Each
case is a ``text`` and what detection must report in it, for the rule's type:

- ``found``: spans that must be reported (exactly these characters);
- ``not_found``: text that no finding may touch;
- ``not_span``: spans that must not be reported as they are (a shorter or longer one may be);
- ``exactly``: the reported spans, all of them, in order;
- ``clean``: nothing at all of the type;
- ``nothing``: nothing of any type.

The files are validated when collected: an unknown key, a value that is not in its text or a
case that checks nothing fails loudly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from gdprguard.detect import ENTITY_TYPES, Detector, Finding

CASES_DIR = Path(__file__).parent / "detect_cases"


def _entity_type(value: str | None) -> str | None:
    if value is not None and value not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {value!r}; one of {', '.join(ENTITY_TYPES)}")
    return value


class CaseSpec(BaseModel):
    """One text and what detection must (not) report in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    found: tuple[str, ...] = ()
    not_found: tuple[str, ...] = ()
    not_span: tuple[str, ...] = ()
    exactly: tuple[str, ...] | None = None
    clean: bool = False
    nothing: bool = False

    @model_validator(mode="after")
    def _checks_something_real(self) -> CaseSpec:
        checks = (self.found, self.not_found, self.not_span, self.clean, self.nothing)
        if not any(checks) and self.exactly is None:
            raise ValueError("the case checks nothing: add found, not_found, … or clean")
        for value in (*self.found, *self.not_found, *self.not_span, *(self.exactly or ())):
            if not value or value not in self.text:
                raise ValueError(f"{value!r} is not in the case's text")
        return self


class RuleSpec(BaseModel):
    """Cases of one rule, English and Japanese side by side."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    type: str | None = None
    language: Literal["auto", "en", "ja"] = "auto"
    en: tuple[CaseSpec, ...] = ()
    ja: tuple[CaseSpec, ...] = ()

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        return _entity_type(value)

    @model_validator(mode="after")
    def _has_cases(self) -> RuleSpec:
        if not (self.en or self.ja):
            raise ValueError(f"rule {self.rule!r} has no cases")
        return self


class CaseFile(BaseModel):
    """A case file: the entity type of its cases and its rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    rules: tuple[RuleSpec, ...]

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        return _entity_type(value)

    @model_validator(mode="after")
    def _rules_are_unique(self) -> CaseFile:
        names = [r.rule for r in self.rules]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"rules named twice: {duplicates}")
        return self


class Case(BaseModel):
    """A case ready to run: its id, type and analysis language."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    language: str
    spec: CaseSpec


def load_case_file(path: Path) -> list[Case]:
    """The cases of one file; a malformed file raises ``ValueError`` naming the file."""
    try:
        doc = CaseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path.name} is malformed: {exc}") from exc
    out = []
    for group in doc.rules:
        for lang in ("en", "ja"):
            for i, spec in enumerate(getattr(group, lang)):
                out.append(
                    Case(
                        id=f"{path.stem}:{group.rule}:{lang}{i}",
                        type=group.type or doc.type,
                        language=group.language,
                        spec=spec,
                    )
                )
    return out


def _cases() -> list[Case]:
    out: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        out.extend(load_case_file(path))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def _of_type(findings: list[Finding], etype: str) -> list[Finding]:
    return [f for f in findings if f.type == etype]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(detector: Detector, case: Case) -> None:
    spec = case.spec
    findings = detector.analyze(spec.text, case.language)
    found = _of_type(findings, case.type)
    spans = [spec.text[f.start : f.end] for f in found]
    for value in spec.found:
        assert value in spans, (case.type, value, spans)
    for value in spec.not_found:
        start = spec.text.index(value)
        end = start + len(value)
        assert not [f for f in found if f.start < end and start < f.end], (value, spans)
    for value in spec.not_span:
        assert value not in spans, (case.type, value, spans)
    if spec.exactly is not None:
        assert spans == list(spec.exactly)
    if spec.clean:
        assert spans == []
    if spec.nothing:
        assert findings == []


def test_every_entity_type_has_a_case_that_finds_it() -> None:
    found_types = {c.type for c in CASES if c.spec.found or c.spec.exactly}
    assert found_types == set(ENTITY_TYPES)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("type: PERSON\nrules:\n  - rule: r\n    en:\n      - {text: a b, fnd: [a]}\n", "fnd"),
        ("type: PERSON\nrules:\n  - rule: r\n    en:\n      - {text: a b, found: [c]}\n", "'c'"),
        ("type: PERSON\nrules:\n  - rule: r\n    en:\n      - {text: a b}\n", "checks nothing"),
        ("type: PERSONS\nrules: []\n", "unknown entity type 'PERSONS'"),
        ("type: PERSON\nrules:\n  - rule: r\n    de:\n      - {text: a, clean: true}\n", "de"),
        (
            "type: PERSON\nrules:\n  - {rule: r, en: [{text: a, clean: true}]}\n"
            "  - {rule: r, ja: [{text: b, clean: true}]}\n",
            "rules named twice",
        ),
        ("type: PERSON\nrules: [\n", "malformed"),
    ],
)
def test_a_malformed_case_file_fails_loudly(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml is malformed") as info:
        load_case_file(path)
    assert problem in str(info.value)


def test_a_well_formed_case_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(
        "type: PERSON\nrules:\n  - rule: r\n    language: en\n"
        "    ja: [{text: 林様, found: [林]}]\n    en: [{text: a, nothing: true}]\n",
        encoding="utf-8",
    )
    cases = load_case_file(path)
    assert [(c.id, c.type, c.language) for c in cases] == [
        ("good:r:en0", "PERSON", "en"),
        ("good:r:ja0", "PERSON", "en"),
    ]
