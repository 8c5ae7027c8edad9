"""Working days and capacity periods: plain date arithmetic, no database.

A working day is a weekday (Monday to Friday); public holidays are left to time off.
A working week is five working days, so a period's working weeks are its weekdays / 5.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

MONTH, QUARTER = "month", "quarter"
WORKING_DAYS_PER_WEEK = 5


def weekdays(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days from `start` to `end`, both included (0 if end < start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    # The `rest` days left start on `first` (0: Monday): those up to Sunday, then those
    # from the Monday after.
    first = start.weekday()
    to_sunday = min(rest, 7 - first)
    this_week = max(0, min(first + to_sunday, WORKING_DAYS_PER_WEEK) - first)
    next_week = min(rest - to_sunday, WORKING_DAYS_PER_WEEK)
    return full_weeks * WORKING_DAYS_PER_WEEK + this_week + next_week


def overlap(
    start: dt.date, end: dt.date, other_start: dt.date, other_end: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The days two spans share, or None."""
    first, last = max(start, other_start), min(end, other_end)
    return (first, last) if first <= last else None


def is_period_start(day: dt.date, granularity: str) -> bool:
    if day.day != 1:
        return False
    return granularity == MONTH or (day.month - 1) % 3 == 0


def period_end(start: dt.date, granularity: str) -> dt.date:
    """The last day of the month or quarter that begins on `start`."""
    months = 1 if granularity == MONTH else 3
    index = start.year * 12 + start.month - 1 + months
    following = dt.date(index // 12, index % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_label(start: dt.date, granularity: str) -> str:
    if granularity == MONTH:
        return start.strftime("%b %Y")
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


@lru_cache(maxsize=4096)  # asked for every planned feature of every team on a page
def period_containing(day: dt.date, granularity: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the month or quarter that contains `day`."""
    month = day.month if granularity == MONTH else (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, month, 1)
    return start, period_end(start, granularity)


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())
