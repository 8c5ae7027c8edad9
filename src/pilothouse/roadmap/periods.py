"""Months and quarters, and the window of periods a timeline shows.

A timeline never shows all of time: it shows a window of consecutive periods (six
months, four quarters by default) that the reader pages through. The window also places
days on the page, as a percentage of its width, so that bars, milestones and the today
line line up with the period columns whatever the months' lengths.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MONTH, QUARTER = "month", "quarter"
SCALES = {MONTH: "Months", QUARTER: "Quarters"}
DEFAULT_PERIODS = {MONTH: 6, QUARTER: 4}
MAX_PERIODS = {MONTH: 24, QUARTER: 8}
# Where the default window starts, in periods before today's: a little of the past
# gives context to what is running now.
DEFAULT_LOOK_BACK = {MONTH: 1, QUARTER: 0}
# Paging stays within years a date field and a reader make sense of.
MIN_YEAR, MAX_YEAR = 1900, 2999

_MONTH_KEY = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_QUARTER_KEY = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True)
class Period:
    """One month ("2026-03") or quarter ("2026-Q1"), its first and last day included."""

    key: str
    label: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month(index: int) -> Period:
    """The month `index` months after January of year 0."""
    year, month = divmod(index, 12)
    start = dt.date(year, month + 1, 1)
    following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return Period(
        key=f"{year:04d}-{month + 1:02d}",
        label=start.strftime("%b %Y"),
        start=start,
        end=following - dt.timedelta(days=1),
    )


def _quarter(index: int) -> Period:
    year, quarter = divmod(index, 4)
    start = dt.date(year, quarter * 3 + 1, 1)
    following = _month(year * 12 + quarter * 3 + 3).start
    return Period(
        key=f"{year:04d}-Q{quarter + 1}",
        label=f"Q{quarter + 1} {year}",
        start=start,
        end=following - dt.timedelta(days=1),
    )


def _index(day: dt.date, scale: str) -> int:
    if scale == MONTH:
        return day.year * 12 + day.month - 1
    return day.year * 4 + (day.month - 1) // 3


def _period(index: int, scale: str) -> Period:
    return _month(index) if scale == MONTH else _quarter(index)


def period_of(day: dt.date, scale: str) -> Period:
    """The month or quarter `day` falls in."""
    return _period(_index(day, scale), scale)


def _parse_start(raw: str, scale: str) -> int:
    """The index of the period a `from` value names. A month given to a quarterly
    timeline means its quarter, and a quarter given to a monthly one its first month, so
    that switching the scale keeps the reader where they were."""
    month, quarter = _MONTH_KEY.fullmatch(raw), _QUARTER_KEY.fullmatch(raw)
    year = int((month or quarter)[1]) if month or quarter else None
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"from": f"Pick a year between {MIN_YEAR} and {MAX_YEAR}."})
    if month:
        return _index(dt.date(year, int(month[2]), 1), scale)
    if quarter:
        return _index(dt.date(year, (int(quarter[2]) - 1) * 3 + 1, 1), scale)
    raise ValidationError(
        {"from": f"Expected a month like 2026-03 or a quarter like 2026-Q1, got {raw!r}."}
    )


@dataclass(frozen=True)
class TimeWindow:
    """Consecutive periods of one scale, and how to place days across them."""

    scale: str
    periods: tuple[Period, ...]

    @property
    def start(self) -> dt.date:
        return self.periods[0].start

    @property
    def end(self) -> dt.date:
        return self.periods[-1].end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        first, last = self.periods[0], self.periods[-1]
        return first.label if first == last else f"{first.label} to {last.label}"

    @property
    def key(self) -> str:
        """The `from` value that opens this window."""
        return self.periods[0].key

    def shifted(self, count: int) -> TimeWindow:
        """The window `count` periods later (earlier if negative), of the same length."""
        first = _index(self.start, self.scale) + count
        return TimeWindow(
            scale=self.scale,
            periods=tuple(_period(first + i, self.scale) for i in range(len(self.periods))),
        )

    @property
    def previous_key(self) -> str:
        return self.shifted(-len(self.periods)).key

    @property
    def next_key(self) -> str:
        return self.shifted(len(self.periods)).key

    @property
    def boundaries(self) -> list[float]:
        """Where each period after the first begins, in percent of the window's width."""
        return [self.offset(period.start) for period in self.periods[1:]]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def offset(self, day: dt.date) -> float:
        """Where `day` begins, in percent of the window's width (clamped to the window)."""
        days = (min(max(day, self.start), self.end + dt.timedelta(days=1)) - self.start).days
        return round(days * 100 / self.days, 3)

    def span(self, start: dt.date, end: dt.date) -> tuple[float, float]:
        """(left, width) in percent of the days `start` to `end`, both included, as far
        as they fall in the window."""
        left = self.offset(start)
        right = self.offset(end + dt.timedelta(days=1))
        return left, round(max(right - left, 0.0), 3)


def time_window(
    *,
    today: dt.date,
    scale: str | None = None,
    start: str | None = None,
    periods: str | int | None = None,
) -> TimeWindow:
    """The window a timeline's query string asks for (`scale`, `from`, `periods`), each
    optional; a bad value is refused with a message naming the parameter."""
    scale = scale or MONTH
    if scale not in SCALES:
        raise ValidationError({"scale": f"Expected month or quarter, got {scale!r}."})
    count = DEFAULT_PERIODS[scale]
    if periods not in (None, ""):
        try:
            count = int(periods)
        except (TypeError, ValueError):
            raise ValidationError({"periods": f"Expected a number, got {periods!r}."}) from None
        if not 1 <= count <= MAX_PERIODS[scale]:
            raise ValidationError(
                {"periods": f"Show between 1 and {MAX_PERIODS[scale]} {scale}s, not {count}."}
            )
    first = _parse_start(start, scale) if start else _index(today, scale) - DEFAULT_LOOK_BACK[scale]
    return TimeWindow(scale=scale, periods=tuple(_period(first + i, scale) for i in range(count)))
