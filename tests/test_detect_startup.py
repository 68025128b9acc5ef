"""Start-up stays light: detection and ``gdprguard scan`` import neither Presidio nor spaCy.

Presidio remains the integration surface: each recognizer turns into a Presidio recognizer on
request and runs in an ``AnalyzerEngine`` of the caller's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gdprguard.detect import Detector
from gdprguard.detect.recognizers import DEFAULT_RECOGNIZERS, GuardEmailRecognizer, ScanContext

HEAVY = ("presidio_analyzer", "spacy", "thinc")


def _loaded_after(code: str) -> dict[str, bool]:
    """Run *code* in a fresh interpreter; which modules of interest it left loaded."""
    probe = (
        "import sys\n"
        f"{code}\n"
        "names = ('presidio_analyzer', 'spacy', 'thinc', 'sudachipy', 'gdprguard.connectors', "
        "'gdprguard.policy')\n"
        "print(__import__('json').dumps({n: n in sys.modules for n in names}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_and_running_detection_loads_neither_presidio_nor_spacy() -> None:
    loaded = _loaded_after(
        "from gdprguard.detect import Detector, KnownSubject\n"
        "d = Detector()\n"
        "assert d.analyze('Hi Sarah, call 090-1234-5678 or mail sarah@example.com')\n"
        "assert d.analyze('x', known_subject=KnownSubject(names=['Sarah Lee']))  == []\n"
    )
    assert not any(loaded[m] for m in HEAVY), loaded
    assert not loaded["sudachipy"], "SudachiPy loads on the first Japanese text only"


def test_japanese_text_loads_sudachi_but_not_presidio() -> None:
    loaded = _loaded_after(
        "from gdprguard.detect import Detector\n"
        "assert Detector().analyze('山田太郎様、090-1234-5678 までご連絡ください。')\n"
    )
    assert loaded["sudachipy"]
    assert not any(loaded[m] for m in HEAVY), loaded


def test_cli_scan_path_is_light(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": 1, "text": "call 090-1234-5678"}\n', encoding="utf-8")
    loaded = _loaded_after(
        f"from gdprguard.cli.main import main\nassert main(['scan', {str(records)!r}]) == 0\n"
    )
    assert not any(loaded[m] for m in HEAVY), loaded
    # a command imports its own module only: no connectors, no policy engine for a scan
    assert not loaded["gdprguard.connectors"] and not loaded["gdprguard.policy"], loaded


def test_help_after_a_command_lists_every_command_in_order() -> None:
    order = subprocess.run(
        [
            sys.executable,
            "-c",
            "import io, contextlib\n"
            "from gdprguard.cli.main import main\n"
            "main(['scan', '--help'])\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            "    main(['--help'])\n"
            "lines = buf.getvalue().split('Commands:')[1].splitlines()\n"
            "print(' '.join(l.split()[0] for l in lines if l.strip()))\n",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()[-1]
    import typer

    from gdprguard.cli.main import app

    expected = list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert order.split() == expected
    assert expected.index("scan") < expected.index("sweep")


@pytest.mark.slow
def test_recognizers_load_into_a_presidio_engine_of_your_own() -> None:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry

    from gdprguard.detect.presidio import blank_nlp_engine, presidio_recognizers

    registry = RecognizerRegistry(supported_languages=["en", "ja"])
    for recognizer in presidio_recognizers():
        assert isinstance(recognizer, EntityRecognizer)
        registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(
        registry=registry, nlp_engine=blank_nlp_engine(), supported_languages=["en", "ja"]
    )
    text = "call 090-1234-5678 or mail a@example.com"
    got = {(r.entity_type, text[r.start : r.end]) for r in engine.analyze(text, language="en")}
    assert got >= {("PHONE_NUMBER", "090-1234-5678"), ("EMAIL_ADDRESS", "a@example.com")}
    names = {type(r).__name__ for r in registry.recognizers}
    assert names == {"GuardPresidioRecognizer"}
    assert {r.name for r in registry.recognizers} == {c.__name__ for c in DEFAULT_RECOGNIZERS}


def test_a_wrapped_recognizer_reports_what_scan_finds() -> None:
    recognizer = GuardEmailRecognizer()
    text = "write to jane.doe@example.com or JOHN@EXAMPLE.ORG"
    wrapped = recognizer.to_presidio()
    results = wrapped.analyze(text, ["EMAIL_ADDRESS"])
    scanned = recognizer.scan(ScanContext(text))
    assert [(r.start, r.end, r.score) for r in results] == [
        (m.start, m.end, m.score) for m in scanned
    ]
    assert wrapped.analyze(text, ["PHONE_NUMBER"]) == []


def test_registry_is_built_on_first_access_and_wraps_the_same_recognizers() -> None:
    detector = Detector()
    assert detector._registry is None  # nothing Presidio until asked
    registry = detector.registry
    assert [r.guard for r in registry.recognizers] == detector.recognizers  # type: ignore[attr-defined]
    assert detector.registry is registry
