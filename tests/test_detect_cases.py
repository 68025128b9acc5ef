"""Detection cases from ``tests/detect_cases/*.yaml``: one file per entity type, English and
Japanese side by side, grouped by the rule they exercise. Each case says which spans must be
found, which text must not be touched, or that the type must not be reported at all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gdprguard.detect import Detector, Finding

CASES_DIR = Path(__file__).parent / "detect_cases"
LANGUAGES = ("en", "ja")


@dataclass(frozen=True)
class Case:
    """One text and what detection must (not) report in it."""

    id: str
    type: str
    text: str
    found: tuple[str, ...] = ()
    not_found: tuple[str, ...] = ()
    clean: bool = False


def _cases() -> list[Case]:
    out: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in doc["rules"]:
            etype = group.get("type", doc["type"])
            for lang in LANGUAGES:
                for i, item in enumerate(group.get(lang, ())):
                    unknown = set(item) - {"text", "found", "not_found", "clean"}
                    assert not unknown, f"{path.name}: unknown keys {unknown}"
                    out.append(
                        Case(
                            id=f"{path.stem}:{group['rule']}:{lang}{i}",
                            type=etype,
                            text=item["text"],
                            found=tuple(str(v) for v in item.get("found", ())),
                            not_found=tuple(str(v) for v in item.get("not_found", ())),
                            clean=bool(item.get("clean", False)),
                        )
                    )
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def _of_type(findings: list[Finding], etype: str) -> list[Finding]:
    return [f for f in findings if f.type == etype]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(detector: Detector, case: Case) -> None:
    found = _of_type(detector.analyze(case.text), case.type)
    spans = [case.text[f.start : f.end] for f in found]
    for value in case.found:
        assert value in spans, (case.type, value, spans)
    for value in case.not_found:
        start = case.text.index(value)
        end = start + len(value)
        assert not [f for f in found if f.start < end and start < f.end], (value, spans)
    if case.clean:
        assert spans == []


def test_every_case_checks_something() -> None:
    assert CASES
    for case in CASES:
        assert case.found or case.not_found or case.clean, case.id
