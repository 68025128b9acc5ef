"""Detection time grows linearly with the length of a record.

Ratio tests, not wall-clock limits: a record ten times longer may take at most
``MAX_RATIO`` times as long (linear is 10; the quadratic steps these tests guard against made it
40 and more). CPU time of this process is measured, so other work on the machine does not count,
and the shorter run keeps its best of a few tries.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bench.detection.long_records import TICKET_JA

from _cpu_time import assert_grows_linearly
from gdprguard.detect import Detector, Finding, resolve_overlaps
from gdprguard.detect.engine import _drop_person_inside_location
from gdprguard.detect.recognizers import RawMatch

MAX_RATIO = 20.0
SORTING_MAX_RATIO = 45.0


@pytest.mark.slow
def test_a_long_japanese_record_takes_linear_time() -> None:
    detector = Detector()

    def make(n: int) -> Callable[[], object]:
        text = (TICKET_JA * (n // len(TICKET_JA) + 1))[:n]
        return lambda: detector.analyze(text)

    assert_grows_linearly(make, 50_000, limit=MAX_RATIO)


@pytest.mark.slow
def test_a_long_single_line_record_takes_linear_time() -> None:
    detector = Detector()
    line = TICKET_JA.replace("\n", "　")

    def make(n: int) -> Callable[[], object]:
        text = (line * (n // len(line) + 1))[:n]
        return lambda: detector.analyze(text)

    assert_grows_linearly(make, 30_000, limit=MAX_RATIO)


@pytest.mark.slow
def test_resolving_overlaps_is_linear() -> None:
    def make(n: int) -> Callable[[], object]:
        # scores scattered over the positions, so kept spans arrive in no particular order
        findings = [
            Finding(i * 10, i * 10 + 8, "PHONE_NUMBER", 0.5 + (i * 7919 % n) / (2 * n))
            for i in range(n)
        ]
        findings += [Finding(i * 10 + 4, i * 10 + 12, "PERSON", 0.4) for i in range(n)]
        return lambda: resolve_overlaps(findings)

    # Ranking is a sort (n log n) of objects that outgrow the CPU caches at 200,000 findings:
    # measured 13-22 on an idle machine, so the linear bound would be flaky. The quadratic
    # kept-span insertion this test guards against made it 100 and more.
    assert_grows_linearly(make, 10_000, limit=SORTING_MAX_RATIO)


@pytest.mark.slow
def test_dropping_names_inside_addresses_is_linear() -> None:
    def make(n: int) -> Callable[[], object]:
        raw = [RawMatch("LOCATION", i * 50, i * 50 + 30, 0.7, "A") for i in range(n)]
        raw += [RawMatch("PERSON", i * 50 + 35, i * 50 + 45, 0.7, "P") for i in range(n)]
        return lambda: _drop_person_inside_location(raw)

    assert_grows_linearly(make, 10_000, limit=MAX_RATIO)


def test_names_inside_addresses_are_still_dropped() -> None:
    raw = [
        RawMatch("LOCATION", 0, 30, 0.7, "A"),
        RawMatch("LOCATION", 5, 10, 0.7, "A"),
        RawMatch("PERSON", 12, 20, 0.7, "P"),  # inside the first address
        RawMatch("PERSON", 28, 35, 0.7, "P"),  # crosses its end
        RawMatch("PERSON", 14, 18, 1.0, "KnownSubjectRecognizer"),  # the requester: kept
    ]
    kept = _drop_person_inside_location(raw)
    assert [(m.start, m.recognizer) for m in kept if m.type == "PERSON"] == [
        (28, "P"),
        (14, "KnownSubjectRecognizer"),
    ]
