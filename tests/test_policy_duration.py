"""Policy durations: ``30d``, ``12w``, ``6m``, ``5y``, calendar arithmetic and clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gdprguard.policy import Duration, parse_duration


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("30d", 30, "d"),
        ("12w", 12, "w"),
        ("6m", 6, "m"),
        ("5y", 5, "y"),
        (" 30 days ", 30, "d"),
        ("1 year", 1, "y"),
        ("18 months", 18, "m"),
        ("2 weeks", 2, "w"),
        ("3 yrs", 3, "y"),
        ("10Y", 10, "y"),
    ],
)
def test_parses(text: str, count: int, unit: str) -> None:
    assert parse_duration(text) == Duration(count, unit)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("five years", "write a whole number and a unit"),
        ("30", "write a whole number and a unit"),
        (30, "30 has no unit"),
        ("0d", "is zero"),
        ("12h", "retention works in days"),
        ("90 minutes", "retention works in days"),
        ("3 fortnights", "unknown unit 'fortnights'"),
        ("-3d", "write a whole number"),
        ("1.5y", "write a whole number"),
        ("200y", "longer than 100 years"),
        (True, "must be text"),
        (None, "must be text"),
    ],
)
def test_rejects_with_a_way_to_fix_it(value: object, needle: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    assert needle in str(caught.value)


def test_months_and_years_are_calendar_units() -> None:
    jan31 = datetime(2025, 1, 31, 12, tzinfo=UTC)
    assert Duration(1, "m").after(jan31) == datetime(2025, 2, 28, 12, tzinfo=UTC)
    assert Duration(13, "m").after(jan31) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    leap = datetime(2024, 2, 29, tzinfo=UTC)
    assert Duration(1, "y").after(leap) == datetime(2025, 2, 28, tzinfo=UTC)
    assert Duration(4, "y").after(leap) == datetime(2028, 2, 29, tzinfo=UTC)
    assert Duration(1, "y").before(datetime(2025, 3, 1, tzinfo=UTC)) == datetime(
        2024, 3, 1, tzinfo=UTC
    )
    assert Duration(2, "w").after(jan31) - jan31 == timedelta(days=14)
    assert Duration(30, "d").timedelta_from(jan31) == timedelta(days=30)
    assert Duration(1, "m").timedelta_from(jan31) == timedelta(days=28)


def test_bounds_and_text() -> None:
    assert (Duration(6, "m").min_days, Duration(6, "m").max_days) == (168, 186)
    assert (Duration(2, "y").min_days, Duration(2, "y").max_days) == (730, 732)
    assert str(Duration(5, "y")) == "5y"
    assert Duration(1, "y").describe() == "1 year"
    assert Duration(3, "m").describe() == "3 months"
