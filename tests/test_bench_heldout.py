"""The hand-written held-out detection set is well-formed and in sync with its sources."""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path

import pytest
from bench.detection.checksums import iban_is_valid, luhn_is_valid, my_number_is_valid
from bench.detection.heldout.build import (
    HELDOUT_DIR,
    SourceError,
    load_jsonl,
    parse_source,
    to_jsonl,
)
from bench.detection.heldout_eval import (
    HELDOUT_END,
    HELDOUT_START,
    merge_heldout_block,
    write_heldout_docs,
)
from bench.detection.model import ENTITY_TYPES, Sample
from bench.detection.run import END_MARKER, START_MARKER, BenchError, _keep_heldout_block

LANGUAGES = ("en", "ja")
MIN_TEXTS = 100


def _digits(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", value) if c.isdigit())


@pytest.fixture(scope="module", params=LANGUAGES)
def heldout(request: pytest.FixtureRequest) -> tuple[str, list[Sample], list[dict]]:
    path = HELDOUT_DIR / f"{request.param}.jsonl"
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return request.param, load_jsonl(path), raw


def test_records_have_the_documented_shape(heldout: tuple[str, list[Sample], list[dict]]) -> None:
    language, samples, raw = heldout
    assert len(samples) >= MIN_TEXTS
    assert len({s.id for s in samples}) == len(samples)
    for rec in raw:
        assert {"id", "language", "text", "spans"} <= rec.keys()
        assert rec["language"] == language
        assert rec["id"].startswith(f"{language}-")
        for span in rec["spans"]:
            assert set(span) == {"type", "start", "end"}
            assert all(isinstance(span[k], int) for k in ("start", "end"))


def test_spans_are_in_bounds_non_empty_and_trimmed(
    heldout: tuple[str, list[Sample], list[dict]],
) -> None:
    _language, samples, _raw = heldout
    for s in samples:
        for span in s.spans:
            where = f"{s.id} {span.type} {span.start}:{span.end}"
            assert span.type in ENTITY_TYPES, where
            assert 0 <= span.start < span.end <= len(s.text), where
            value = s.text[span.start : span.end]
            assert value == value.strip(), f"{where} starts or ends with whitespace"
        for nm in s.near_misses:
            assert 0 <= nm.start < nm.end <= len(s.text), f"{s.id} near-miss {nm.kind}"


def test_no_overlapping_spans_of_the_same_type(
    heldout: tuple[str, list[Sample], list[dict]],
) -> None:
    _language, samples, _raw = heldout
    for s in samples:
        spans = sorted(s.spans, key=lambda x: (x.type, x.start))
        for a, b in itertools.pairwise(spans):
            if a.type == b.type:
                assert a.end <= b.start, f"{s.id}: overlapping {a.type} spans"


def test_hard_negatives_do_not_overlap_labels(
    heldout: tuple[str, list[Sample], list[dict]],
) -> None:
    _language, samples, _raw = heldout
    for s in samples:
        for nm in s.near_misses:
            for span in s.spans:
                assert nm.end <= span.start or span.end <= nm.start, f"{s.id} {nm.kind}"


def test_check_digits_of_planted_identifiers(
    heldout: tuple[str, list[Sample], list[dict]],
) -> None:
    _language, samples, _raw = heldout
    for s in samples:
        for span in s.spans:
            value = s.text[span.start : span.end]
            if span.type == "CREDIT_CARD":
                assert luhn_is_valid(_digits(value)), f"{s.id}: card fails Luhn"
            elif span.type == "JP_MY_NUMBER":
                assert my_number_is_valid(_digits(value)), f"{s.id}: My Number check digit"
            elif span.type == "IBAN_CODE":
                assert iban_is_valid(value), f"{s.id}: IBAN fails mod-97"
            elif span.type == "JP_POSTAL_CODE":
                assert len(_digits(value)) == 7 and "〒" not in value, s.id
            elif span.type == "PERSON":
                for honorific in ("様", "さん", "Mr.", "Mrs.", "Ms."):
                    assert not value.endswith(honorific) and not value.startswith(honorific)


def test_jsonl_matches_the_marked_up_source(
    heldout: tuple[str, list[Sample], list[dict]],
) -> None:
    language, _samples, _raw = heldout
    source = (HELDOUT_DIR / f"source_{language}.txt").read_text(encoding="utf-8")
    jsonl = (HELDOUT_DIR / f"{language}.jsonl").read_text(encoding="utf-8")
    assert to_jsonl(parse_source(source, language)) == jsonl, (
        "regenerate with python -m bench.detection.heldout.build"
    )


def test_every_language_covers_its_key_entity_types() -> None:
    en = {sp.type for s in load_jsonl(HELDOUT_DIR / "en.jsonl") for sp in s.spans}
    ja = {sp.type for s in load_jsonl(HELDOUT_DIR / "ja.jsonl") for sp in s.spans}
    common = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "LOCATION", "DATE_TIME"}
    assert common | {"IBAN_CODE", "IP_ADDRESS", "URL"} <= en
    assert common | {"JP_MY_NUMBER", "JP_POSTAL_CODE", "JP_BANK_ACCOUNT"} <= ja


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("=== en-001 order\nHi [[X:Bob]]", "unknown marker"),
        ("=== en-001 order\ncard [[CC:4111 1111 1111 1112]]", "Luhn"),
        ("=== ja-001 order\n番号[[MYNUM:123456789012]]", "My Number"),
        ("=== en-001 order\n[[IBAN:DE00 1234 5678 9012 3456 78]]", "mod-97"),
        ("=== en-001 order\nHi [[P: Bob]]", "whitespace"),
        ("=== en-001 order\nHi [[P:Bob]", "unbalanced"),
        ("text before the header\n=== en-001 order\nHi", "header"),
        ("=== en-001 a\nx\n=== en-001 b\ny", "duplicate"),
    ],
)
def test_source_parser_rejects_bad_records(source: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_source(source, source[4:6])


def test_source_parser_records_exact_offsets() -> None:
    (sample,) = parse_source(
        "=== ja-001 order\n〒[[ZIP:150-0001]] [[~order:A-1]] [[P:山田]]様\n", "ja"
    )
    assert sample.text == "〒150-0001 A-1 山田様"
    assert [(sp.type, sample.text[sp.start : sp.end]) for sp in sample.spans] == [
        ("JP_POSTAL_CODE", "150-0001"),
        ("PERSON", "山田"),
    ]
    assert [(n.kind, sample.text[n.start : n.end]) for n in sample.near_misses] == [
        ("order", "A-1")
    ]


def test_heldout_block_replaces_only_itself(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"intro\n{START_MARKER}\nmain table\n{END_MARKER}\noutro\n", encoding="utf-8")
    write_heldout_docs(f"{HELDOUT_START}\nfirst\n{HELDOUT_END}", doc)
    write_heldout_docs(f"{HELDOUT_START}\nsecond\n{HELDOUT_END}", doc)
    text = doc.read_text(encoding="utf-8")
    assert "main table" in text and "second" in text and "first" not in text
    assert text.startswith("intro\n") and text.endswith(f"{END_MARKER}\noutro\n")
    assert text.count(HELDOUT_START) == 1
    merged = merge_heldout_block("a\n", f"{HELDOUT_START}\nx\n{HELDOUT_END}")
    assert merged == f"a\n\n{HELDOUT_START}\nx\n{HELDOUT_END}"


def test_heldout_docs_without_markers_is_a_clear_error(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(BenchError, match="markers"):
        write_heldout_docs(f"{HELDOUT_START}\nx\n{HELDOUT_END}", doc)


def test_full_run_without_heldout_keeps_the_existing_block(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    block = f"{HELDOUT_START}\nheld-out table\n{HELDOUT_END}"
    doc.write_text(f"{START_MARKER}\nold\n\n{block}\n{END_MARKER}\n", encoding="utf-8")
    assert _keep_heldout_block("new report", doc) == f"new report\n\n{block}"
    fresh = f"new report\n\n{HELDOUT_START}\nfresh\n{HELDOUT_END}"
    assert _keep_heldout_block(fresh, doc) == fresh
    doc.write_text(f"{START_MARKER}\nold\n{END_MARKER}\n", encoding="utf-8")
    assert _keep_heldout_block("new report", doc) == "new report"
