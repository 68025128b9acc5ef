"""Leak counting and the Faker-ticket and long-record benchmarks (small runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.detection.faker_tickets import (
    FAKER_END,
    FAKER_START,
    TEMPLATES,
    dialable,
    evaluate,
    generate,
    report,
)
from bench.detection.leaks import count_leaks, leak_table, structured_survivors, survives
from bench.detection.long_records import TICKET_JA, record
from bench.detection.metrics import Pred
from bench.detection.model import Piece, Sample, SampleBuilder, Span
from bench.detection.run import END_MARKER, START_MARKER, STRUCTURED, keep_block, merge_block

TEXT = "call 090-1234-5678 now"
SPAN = Span("PHONE_NUMBER", 5, 18, "090-1234-5678")


@pytest.mark.parametrize(
    ("preds", "survived"),
    [
        ([], True),
        ([Pred("PHONE_NUMBER", 5, 18)], False),
        ([Pred("PERSON", 0, 22)], False),  # redacted as something else: not in clear
        ([Pred("PHONE_NUMBER", 5, 14)], True),  # "5678" left
        ([Pred("PHONE_NUMBER", 5, 13), Pred("X", 14, 18)], False),  # only "-" left
    ],
)
def test_a_value_survives_when_a_letter_or_digit_is_left(preds: list[Pred], survived: bool) -> None:
    assert survives(TEXT, SPAN, preds) is survived


def _sample(category: str, value: str, label: str) -> Sample:
    return SampleBuilder().extend(["x ", Piece(value, label), " y"]).build("id", "en", category)


def test_leak_rows_and_table() -> None:
    samples = [
        _sample("a", "090-1234-5678", "PHONE_NUMBER"),
        _sample("a", "Kofi Mensah", "PERSON"),
        _sample("b", "jo@example.com", "EMAIL_ADDRESS"),
    ]
    preds = [[], [Pred("PERSON", 2, 13)], []]
    rows = count_leaks(samples, preds)
    assert rows["a"].planted == {"PHONE_NUMBER": 1, "PERSON": 1}
    assert rows["a"].survived == {"PHONE_NUMBER": 1}
    assert structured_survivors(rows.values(), STRUCTURED) == 2
    table = leak_table(rows.values(), STRUCTURED)
    assert table[-1] == "| **all** | 3 | 2 | 2 | EMAIL_ADDRESS 1/1, PHONE_NUMBER 1/1 |"


def test_faker_tickets_are_deterministic_and_labelled_exactly() -> None:
    first, again = generate(60, seed=3), generate(60, seed=3)
    assert [t.sample.text for t in first] == [t.sample.text for t in again]
    for ticket in first:
        for span in ticket.sample.spans:
            assert ticket.sample.text[span.start : span.end] == span.value
        for value in ticket.invalid:
            assert all(span.value != value for span in ticket.sample.spans)
    names = {t.name for t in TEMPLATES}
    assert {t.sample.category.split(" (")[0] for t in generate(100, seed=1)} == names


@pytest.mark.parametrize(
    ("value", "locale", "ok"),
    [
        ("090-1234-5678", "ja_JP", True),
        ("65-9086-4992", "ja_JP", False),  # a Japanese area code without its trunk 0
        ("(0115) 4960605", "en_GB", True),  # drama range: unassigned, still dialable
        ("028 9018123", "en_GB", False),  # one digit short
        ("001-415-555-0132", "en_US", True),
        ("(137) 950-3800 x827", "en_CA", False),  # NANP area codes never start with 1
        ("8517 5737", "en_AU", False),  # local number without its area code
        ("01665889", "en_AU", False),  # a short code with a trunk 0 written before it
    ],
)
def test_dialable_as_written(value: str, locale: str, ok: bool) -> None:
    assert dialable(value, locale) is ok


def test_faker_report_block_counts_what_survives() -> None:
    tickets = generate(20, seed=5)
    result = evaluate(tickets, lambda text: [])  # an engine that finds nothing
    planted = sum(sum(r.planted.values()) for r in result.rows.values())
    assert sum(sum(r.survived.values()) for r in result.rows.values()) == planted > 0
    block = report(result, "cmd", 5)
    assert block.startswith(FAKER_START) and block.endswith(FAKER_END)
    assert f"| **all** | {planted} | {planted} |" in block


def test_long_record_is_the_ticket_repeated() -> None:
    text = record(1000)
    assert len(text) == 1000 and text.startswith(TICKET_JA)


def test_sub_blocks_are_replaced_in_place_or_carried_over(tmp_path: Path) -> None:
    block = f"{FAKER_START}\nnew\n{FAKER_END}"
    section = f"head\n\n{FAKER_START}\nold\n{FAKER_END}\n\ntail"
    assert merge_block(section, block, FAKER_START, FAKER_END) == f"head\n\n{block}\n\ntail"
    assert merge_block("head\n", block, FAKER_START, FAKER_END) == f"head\n\n{block}"
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"{START_MARKER}\nx\n\n{block}\n{END_MARKER}\n", encoding="utf-8")
    assert keep_block("report", FAKER_START, FAKER_END, doc) == f"report\n\n{block}"
    assert keep_block(f"r\n{block}", FAKER_START, FAKER_END, doc) == f"r\n{block}"
