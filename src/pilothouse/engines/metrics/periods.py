"""Periods of a metric's granularity: a day, a week starting on Monday, a calendar month.

A value is stored against the first day of its period; these functions say whether a
date starts a period, which period a date falls in, and where a period ends.
"""

from __future__ import annotations

import datetime as dt

GRANULARITIES = ("day", "week", "month")
_RANK = {name: index for index, name in enumerate(GRANULARITIES)}


def check_granularity(granularity: str) -> str:
    if granularity not in _RANK:
        raise ValueError(f"granularity: {granularity!r} is not one of {', '.join(GRANULARITIES)}.")
    return granularity


def is_coarser(coarse: str, fine: str) -> bool:
    """Whether periods of `coarse` are made of periods of `fine` (a week is coarser than a
    day; a month is not made of weeks, but both roll up from days)."""
    return _RANK[check_granularity(coarse)] > _RANK[check_granularity(fine)]


def period_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the period of `granularity` that `day` falls in."""
    check_granularity(granularity)
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def is_period_start(day: dt.date, granularity: str) -> bool:
    return period_start(day, granularity) == day


def next_period_start(start: dt.date, granularity: str) -> dt.date:
    """The first day of the period after the one that `start` falls in."""
    first = period_start(start, granularity)
    if granularity == "day":
        return first + dt.timedelta(days=1)
    if granularity == "week":
        return first + dt.timedelta(days=7)
    if first.month == 12:
        return dt.date(first.year + 1, 1, 1)
    return dt.date(first.year, first.month + 1, 1)


def period_end(start: dt.date, granularity: str) -> dt.date:
    """The last day of the period that `start` falls in."""
    return next_period_start(start, granularity) - dt.timedelta(days=1)


def misalignment(day: dt.date, granularity: str) -> str | None:
    """None if `day` starts a period of `granularity`, else a sentence saying why not and
    which date would."""
    if is_period_start(day, granularity):
        return None
    first = period_start(day, granularity)
    if granularity == "week":
        return (
            f"{day.isoformat()} is a {day:%A}; a week starts on Monday "
            f"(that week starts on {first.isoformat()})."
        )
    return (
        f"{day.isoformat()} is not the first day of a month "
        f"(that month starts on {first.isoformat()})."
    )


def period_label(start: dt.date, granularity: str) -> str:
    """A short label: 2026-03-09 for a day, W11 2026 for a week, Mar 2026 for a month."""
    if granularity == "week":
        year, week, _weekday = start.isocalendar()
        return f"W{week:02d} {year}"
    if granularity == "month":
        return f"{start:%b %Y}"
    return start.isoformat()
