"""Durations of the policy language: ``30d``, ``12w``, ``6m``, ``5y`` (or ``30 days``, ``1 year``).

Months and years are calendar units: ``1m`` after 31 January is the last day of February, ``1y``
after 29 February 2024 is 28 February 2025. A day is 24 hours. Retention works in days, so there
are no hours, minutes or seconds.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

__all__ = ["MAX_DURATION_YEARS", "Duration", "parse_duration"]

Unit = Literal["d", "w", "m", "y"]
MAX_DURATION_YEARS = 100
_UNITS: dict[str, Unit] = {
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "m": "m", "month": "m", "months": "m", "mo": "m",
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
}  # fmt: skip
_SUB_DAY = {"h", "hr", "hrs", "hour", "hours", "min", "mins", "minute", "minutes", "s", "sec"}
_PATTERN = re.compile(r"^\s*(\d+)\s*([A-Za-z]+)\s*$")
_HOW = "write a whole number and a unit, e.g. 30d, 12w, 6m (months) or 5y"
_UNIT_DAYS: dict[Unit, tuple[int, int]] = {"d": (1, 1), "w": (7, 7), "m": (28, 31), "y": (365, 366)}
_UNIT_NAMES: dict[Unit, str] = {"d": "day", "w": "week", "m": "month", "y": "year"}


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True, slots=True)
class Duration:
    """A whole number of days, weeks, calendar months or calendar years."""

    count: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def describe(self) -> str:
        """``"3 years"``: for explanations."""
        name = _UNIT_NAMES[self.unit]
        return f"{self.count} {name}{'' if self.count == 1 else 's'}"

    def after(self, moment: datetime) -> datetime:
        """*moment* plus this duration (calendar arithmetic for months and years)."""
        if self.unit == "d":
            return moment + timedelta(days=self.count)
        if self.unit == "w":
            return moment + timedelta(weeks=self.count)
        return _add_months(moment, self.count * (12 if self.unit == "y" else 1))

    def before(self, moment: datetime) -> datetime:
        """*moment* minus this duration."""
        if self.unit in ("d", "w"):
            return moment - (self.after(moment) - moment)
        return _add_months(moment, -self.count * (12 if self.unit == "y" else 1))

    def timedelta_from(self, moment: datetime) -> timedelta:
        """The exact length of this duration when it starts at *moment*."""
        return self.after(moment) - moment

    @property
    def min_days(self) -> int:
        """The fewest days this duration can be (a month is 28 to 31 days)."""
        return self.count * _UNIT_DAYS[self.unit][0]

    @property
    def max_days(self) -> int:
        """The most days this duration can be."""
        return self.count * _UNIT_DAYS[self.unit][1]

    def surely_at_least(self, other: Duration) -> bool:
        """Whether this duration is at least *other* from any starting moment.

        Exact between calendar units (months, years) and between fixed ones (days, weeks);
        across the two it assumes the shortest month and the longest.
        """
        mine, theirs = self._in_months(), other._in_months()
        if mine is not None and theirs is not None:
            return mine >= theirs
        if mine is None and theirs is None:
            return self.min_days >= other.min_days
        return self.min_days >= other.max_days

    def _in_months(self) -> int | None:
        if self.unit == "y":
            return self.count * 12
        return self.count if self.unit == "m" else None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate, serialization=core_schema.to_string_ser_schema()
        )


def _error(message: str) -> PydanticCustomError:
    return PydanticCustomError("duration", message)


def parse_duration(value: object) -> Duration:
    """Parse ``30d``, ``6m``, ``5 years``…; raises ``ValueError`` saying how to write one."""
    try:
        return _validate(value)
    except PydanticCustomError as exc:
        raise ValueError(exc.message()) from None


def _validate(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _error(f"a duration must be text such as 30d, not {type(value).__name__}; {_HOW}")
    if isinstance(value, int):
        raise _error(f"{value} has no unit; {_HOW}, e.g. {value}d")
    match = _PATTERN.match(value)
    if match is None:
        raise _error(f"invalid duration {value!r}; {_HOW}")
    count, word = int(match.group(1)), match.group(2).lower()
    unit = _UNITS.get(word)
    if unit is None:
        if word in _SUB_DAY:
            raise _error(
                f"invalid duration {value!r}: retention works in days, not hours or minutes; "
                "use d, w, m (months) or y"
            )
        raise _error(f"invalid duration {value!r}: unknown unit {word!r}; {_HOW}")
    if count == 0:
        raise _error(f"duration {value!r} is zero; use at least 1d, or leave the key out")
    duration = Duration(count, unit)
    if duration.min_days > MAX_DURATION_YEARS * 366:
        raise _error(f"duration {value!r} is longer than {MAX_DURATION_YEARS} years")
    return duration
