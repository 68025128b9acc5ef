"""Operators (placeholder, mask, pseudonym) and overlap resolution."""

from __future__ import annotations

import pytest

from gdprguard import UsageError
from gdprguard.detect import Detector, Finding, redact_text, resolve_overlaps
from gdprguard.detect.redact import pseudonym

KEY = b"k" * 32
TEXT = "Mail taro@example.jp or call 090-1234-5678."


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    return Detector().analyze(TEXT)


def test_placeholder(findings: list[Finding]) -> None:
    assert redact_text(TEXT, findings) == "Mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>."


def test_mask_keeps_length(findings: list[Finding]) -> None:
    out = redact_text(TEXT, findings, "mask")
    assert len(out) == len(TEXT)
    assert out == "Mail " + "█" * 15 + " or call " + "█" * 13 + "."


def test_pseudonym_is_stable_per_value_and_key(findings: list[Finding]) -> None:
    out1 = redact_text(TEXT, findings, "pseudonym", key=KEY)
    out2 = redact_text(TEXT, findings, "pseudonym", key=KEY)
    other = redact_text(TEXT, findings, "pseudonym", key=b"x" * 32)
    assert out1 == out2 and out1 != other
    assert "taro" not in out1 and "1234" not in out1
    assert out1.startswith("Mail <EMAIL_ADDRESS_") and "<PHONE_NUMBER_" in out1


def test_pseudonym_normalises_format_width_and_case() -> None:
    same = [
        pseudonym("PHONE_NUMBER", v, KEY)
        for v in ("090-1234-5678", "０９０－１２３４－５６７８", "+81 90 1234 5678", "09012345678")
    ]
    assert len(set(same)) == 1
    assert pseudonym("EMAIL_ADDRESS", "Taro@Example.JP", KEY) == pseudonym(
        "EMAIL_ADDRESS", "taro@example.jp", KEY
    )
    assert pseudonym("PERSON", "山田 太郎", KEY) == pseudonym("PERSON", "山田太郎", KEY)
    assert pseudonym("PERSON", "山田太郎", KEY) != pseudonym("PERSON", "山田次郎", KEY)
    assert pseudonym("PERSON", "x", KEY) != pseudonym("LOCATION", "x", KEY)


def test_pseudonym_needs_a_key(findings: list[Finding]) -> None:
    with pytest.raises(UsageError):
        redact_text(TEXT, findings, "pseudonym")


def test_unknown_operator_and_bad_spans() -> None:
    with pytest.raises(UsageError):
        redact_text("abc", [], "shred")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        redact_text("abc", [Finding(1, 9, "PERSON", 1.0)])


def test_overlapping_findings_are_merged_in_redaction() -> None:
    text = "0123456789"
    spans = [Finding(2, 6, "PERSON", 0.6), Finding(4, 8, "LOCATION", 0.9), Finding(5, 6, "URL", 1)]
    assert redact_text(text, spans) == "01<URL>89"
    assert redact_text(text, spans, "mask") == "01██████89"


def test_resolve_overlaps_is_deterministic() -> None:
    a = Finding(0, 10, "LOCATION", 0.7)
    b = Finding(3, 8, "JP_POSTAL_CODE", 0.95)
    c = Finding(8, 12, "PERSON", 0.95)
    d = Finding(8, 12, "EMAIL_ADDRESS", 0.95)
    for order in ([a, b, c, d], [d, c, b, a], [c, a, d, b]):
        assert resolve_overlaps(order) == [b, d]  # score, then length, then start, then type
    nested = [Finding(0, 10, "PERSON", 0.9), Finding(2, 4, "PERSON", 0.9)]
    assert resolve_overlaps(nested) == [nested[0]]


def test_empty_text_and_no_findings() -> None:
    assert Detector().analyze("") == []
    assert redact_text("", []) == ""
    assert redact_text("nothing here", []) == "nothing here"


def test_redaction_of_japanese_keeps_surrounding_text() -> None:
    text = "山田太郎様、〒150-0002 東京都渋谷区渋谷2丁目21番1号 までお願いします。"
    out = redact_text(text, Detector().analyze(text))
    assert out == "<PERSON>様、〒<JP_POSTAL_CODE> <LOCATION> までお願いします。"
