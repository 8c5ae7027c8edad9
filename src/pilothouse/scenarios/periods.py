"""The periods of a scenario or an auto-plan run: plain date arithmetic, no database.

A horizon is a granularity (month or quarter), the first day of its first period and a
count of periods, e.g. the next four quarters from 2027-01-01.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pilothouse.delivery import workdays

MAX_PERIODS = 12


@dataclass(frozen=True)
class Period:
    index: int
    start: dt.date
    end: dt.date
    label: str


def horizon(*, granularity: str, first: dt.date, count: int) -> list[Period]:
    periods = []
    start = first
    for index in range(count):
        end = workdays.period_end(start, granularity)
        periods.append(Period(index, start, end, workdays.period_label(start, granularity)))
        start = end + dt.timedelta(days=1)
    return periods


def index_of(periods: list[Period], day: dt.date | None) -> int | None:
    """The index of the period containing `day`, or None (outside, or no day)."""
    if day is None:
        return None
    for period in periods:
        if period.start <= day <= period.end:
            return period.index
    return None


def horizon_column(period: Period, *, today: dt.date) -> str:
    """The now / next / later column a feature planned in `period` goes to on the board:
    now up to the end of the current quarter, next in the following quarter, later after."""
    current_end = workdays.period_containing(today, workdays.QUARTER)[1]
    if period.start <= current_end:
        return "now"
    next_end = workdays.period_end(current_end + dt.timedelta(days=1), workdays.QUARTER)
    return "next" if period.start <= next_end else "later"
