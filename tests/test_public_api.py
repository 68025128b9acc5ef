"""The curated public surface: ``gdprguard.__all__`` names exist and nothing drifts."""

from __future__ import annotations

import subprocess
import sys

import gdprguard


def test_every_exported_name_resolves() -> None:
    for name in gdprguard.__all__:
        assert getattr(gdprguard, name) is not None, name


def test_exports_are_sorted_and_unique() -> None:
    names = [n for n in gdprguard.__all__ if n != "__version__"]
    assert names == sorted(names)
    assert len(set(gdprguard.__all__)) == len(gdprguard.__all__)


def test_contract_python_api() -> None:
    from gdprguard import Detector

    findings = Detector().analyze("Write to jane.doe@example.com please", language="auto")
    assert [(f.type, f.start, f.end) for f in findings] == [("EMAIL_ADDRESS", 9, 29)]
    assert 0.0 < findings[0].score <= 1.0


def test_import_is_light() -> None:
    """`import gdprguard` must not pull Presidio, spaCy, SQLAlchemy or Flask."""
    code = (
        "import sys, gdprguard; heavy = [m for m in ('presidio_analyzer', 'spacy', 'sqlalchemy', "
        "'flask') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_attribute() -> None:
    try:
        gdprguard.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
