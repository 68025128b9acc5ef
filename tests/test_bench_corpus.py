"""The detection benchmark corpus: deterministic, exact labels, valid (and invalid) check digits."""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path

import phonenumbers
import pytest
from bench.detection.checksums import (
    iban_from_bban,
    iban_is_valid,
    luhn_is_valid,
    my_number_check_digit,
    my_number_is_valid,
)
from bench.detection.corpus import build_corpus, generate, main, write_jsonl
from bench.detection.hard_cases import hard_cases
from bench.detection.metrics import Pred, match
from bench.detection.model import ENTITY_TYPES, Piece, Sample, SampleBuilder
from bench.detection.run import END_MARKER, START_MARKER, BenchError, near_miss_hits, write_docs

N = 150


@pytest.fixture(scope="module")
def corpus() -> list[Sample]:
    return build_corpus(samples=N, seed=7)


def _digits(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", value) if c.isdigit())


def test_same_seed_gives_identical_corpus(corpus: list[Sample]) -> None:
    again = build_corpus(samples=N, seed=7)
    assert [s.to_dict() for s in again] == [s.to_dict() for s in corpus]


def test_other_seed_gives_other_texts(corpus: list[Sample]) -> None:
    other = generate("en", 20, seed=8)
    assert [s.text for s in other] != [s.text for s in corpus[:20]]


def test_smaller_corpus_is_a_prefix() -> None:
    assert [s.text for s in generate("ja", 10, seed=7)] == [
        s.text for s in generate("ja", 30, seed=7)[:10]
    ]


def test_sizes_and_languages(corpus: list[Sample]) -> None:
    assert sum(s.language == "en" and not s.id.startswith("hard") for s in corpus) == N
    assert sum(s.language == "ja" and not s.id.startswith("hard") for s in corpus) == N
    assert len({s.id for s in corpus}) == len(corpus)
    assert {s.language for s in corpus} == {"en", "ja"}


def test_labelled_span_text_equals_planted_value(corpus: list[Sample]) -> None:
    for s in corpus:
        for sp in s.spans:
            assert 0 <= sp.start < sp.end <= len(s.text)
            assert s.text[sp.start : sp.end] == sp.value, s.id
            assert sp.value == sp.value.strip(), s.id
            assert sp.type in ENTITY_TYPES
        for nm in s.near_misses:
            assert s.text[nm.start : nm.end] == nm.value, s.id


def test_spans_do_not_overlap(corpus: list[Sample]) -> None:
    for s in corpus:
        marks = sorted(
            [(x.start, x.end) for x in s.spans] + [(x.start, x.end) for x in s.near_misses]
        )
        for (_a0, a1), (b0, _b1) in itertools.pairwise(marks):
            assert a1 <= b0, s.id


def test_every_entity_type_is_planted(corpus: list[Sample]) -> None:
    en = {sp.type for s in corpus if s.language == "en" for sp in s.spans}
    ja = {sp.type for s in corpus if s.language == "ja" for sp in s.spans}
    assert ja == set(ENTITY_TYPES)
    assert {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "IP_ADDRESS",
        "LOCATION",
        "DATE_TIME",
        "URL",
    } <= en


def test_identifiers_have_valid_check_digits(corpus: list[Sample]) -> None:
    for s in corpus:
        for sp in s.spans:
            if sp.type == "CREDIT_CARD":
                assert luhn_is_valid(_digits(sp.value)), s.id
            elif sp.type == "JP_MY_NUMBER":
                assert my_number_is_valid(_digits(sp.value)), s.id
            elif sp.type == "IBAN_CODE":
                assert iban_is_valid(sp.value), s.id
            elif sp.type == "PHONE_NUMBER":
                value = unicodedata.normalize("NFKC", sp.value).replace("(0)", "")
                assert any(
                    phonenumbers.is_valid_number(phonenumbers.parse(value, region))
                    for region in ("JP", "US", "GB", "AU", "DE", "FR")
                ), (s.id, sp.value)


def test_near_misses_fail_their_checks(corpus: list[Sample]) -> None:
    kinds = set()
    for s in corpus:
        for nm in s.near_misses:
            kinds.add(nm.kind)
            if nm.kind == "bad_luhn_16":
                assert len(_digits(nm.value)) == 16 and not luhn_is_valid(_digits(nm.value))
            if nm.kind in ("tracking_number", "bad_my_number_12") and len(_digits(nm.value)) == 12:
                assert not my_number_is_valid(_digits(nm.value))
    assert {"order_number", "tracking_number", "bad_luhn_16", "price", "timestamp", "sku"} <= kinds


def test_check_digit_algorithms_on_known_values() -> None:
    assert my_number_check_digit("12345678901") == 8
    assert my_number_is_valid("1234 5678 9018") and not my_number_is_valid("123456789017")
    assert luhn_is_valid("4111 1111 1111 1111") and not luhn_is_valid("4111 1111 1111 1112")
    assert iban_is_valid("GB82 WEST 1234 5698 7654 32") and not iban_is_valid(
        "GB82 WEST 1234 5698 7654 33"
    )
    assert iban_from_bban("DE", "370400440532013000") == "DE89370400440532013000"


def test_hard_cases_cover_html_fullwidth_and_near_misses() -> None:
    cases = hard_cases()
    cats = {s.category for s in cases}
    assert {"hard/html", "hard/fullwidth", "hard/mixed", "hard/near_miss", "hard/ja_name"} <= cats
    assert any("&nbsp;" in s.text for s in cases)
    assert any("＠" in sp.value for s in cases for sp in s.spans)
    assert all(not s.spans for s in cases if s.category == "hard/near_miss" and s.language == "ja")


def test_builder_offsets_and_bad_labels() -> None:
    s = (
        SampleBuilder()
        .extend(["Hi ", Piece("Ann Lee", "PERSON"), ", order ", Piece("A1", "~order")])
        .build("x", "en", "t")
    )
    assert s.text == "Hi Ann Lee, order A1"
    assert [(sp.start, sp.end) for sp in s.spans] == [(3, 10)]
    assert [(n.start, n.end) for n in s.near_misses] == [(18, 20)]
    with pytest.raises(ValueError, match="unknown label"):
        SampleBuilder().add(Piece("x", "NOT_A_TYPE"))


def test_overlap_rule_needs_half_of_gold_and_half_of_prediction() -> None:
    s = (
        SampleBuilder()
        .extend(["Dear ", Piece("山田太郎", "PERSON"), "様 ok"])
        .build("x", "ja", "t")
    )
    honorific = Pred("PERSON", 5, 10)  # 山田太郎様
    surname = Pred("PERSON", 5, 7)  # 山田: half the gold span
    whole_line = Pred("PERSON", 0, 13)  # swallows the sentence
    wrong_type = Pred("LOCATION", 5, 9)
    assert match(s, [honorific], "overlap")[0] == [(0, 0)]
    assert match(s, [surname], "overlap")[0] == [(0, 0)]
    assert match(s, [whole_line], "overlap")[0] == []
    assert match(s, [wrong_type], "overlap")[1:] == ([0], [0])
    assert match(s, [honorific], "exact")[0] == []


def test_cli_writes_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert main(["--out", str(out), "--samples", "3", "--seed", "1"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6 + len(hard_cases())
    assert set(rows[0]) == {"id", "language", "category", "text", "spans", "near_misses"}
    for row in rows:
        for sp in row["spans"]:
            assert row["text"][sp["start"] : sp["end"]].strip()
    write_jsonl([], out)
    assert out.read_text() == ""


def test_write_docs_replaces_only_the_detection_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"# B\n{START_MARKER}\nold\n{END_MARKER}\n<!-- bench:vault:start -->\nv\n", "utf-8"
    )
    write_docs("| new |", doc)
    assert doc.read_text("utf-8") == (
        f"# B\n{START_MARKER}\n| new |\n{END_MARKER}\n<!-- bench:vault:start -->\nv\n"
    )
    doc.write_text("no markers", "utf-8")
    with pytest.raises(BenchError, match="lacks the markers"):
        write_docs("x", doc)


def test_near_miss_hits_count_any_overlapping_prediction() -> None:
    s = (
        SampleBuilder()
        .extend(
            ["Order ", Piece("112-4839201-5530122", "~order_number"), " at ", Piece("9:00", "~ts")]
        )
        .build("x", "en", "t")
    )
    result = near_miss_hits([s], [[Pred("PHONE_NUMBER", 10, 20), Pred("NOT_SCORED", 29, 33)]])
    assert result.total == {"order_number": 1, "ts": 1}
    assert result.flagged == {"order_number": 1}
