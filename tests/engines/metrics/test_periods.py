"""Periods of a granularity: which dates start a period, where periods end."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines.metrics import (
    GRANULARITIES,
    is_period_start,
    misalignment,
    next_period_start,
    period_end,
    period_label,
    period_start,
)

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


def test_a_week_starts_on_monday_and_a_month_on_the_first():
    assert is_period_start(dt.date(2026, 3, 16), "week")  # a Monday
    assert not is_period_start(dt.date(2026, 3, 17), "week")
    assert is_period_start(dt.date(2026, 3, 1), "month")
    assert not is_period_start(dt.date(2026, 3, 2), "month")
    assert is_period_start(dt.date(2026, 3, 17), "day")


def test_period_ends_and_next_starts():
    assert period_end(dt.date(2026, 3, 16), "week") == dt.date(2026, 3, 22)
    assert period_end(dt.date(2024, 2, 1), "month") == dt.date(2024, 2, 29)  # a leap year
    assert next_period_start(dt.date(2026, 12, 1), "month") == dt.date(2027, 1, 1)
    assert next_period_start(dt.date(2026, 12, 31), "day") == dt.date(2027, 1, 1)


def test_a_misaligned_date_is_explained_with_the_date_that_would_do():
    assert misalignment(dt.date(2026, 3, 16), "week") is None
    assert misalignment(dt.date(2026, 3, 18), "week") == (
        "2026-03-18 is a Wednesday; a week starts on Monday (that week starts on 2026-03-16)."
    )
    assert misalignment(dt.date(2026, 3, 18), "month") == (
        "2026-03-18 is not the first day of a month (that month starts on 2026-03-01)."
    )


def test_labels():
    assert period_label(dt.date(2026, 3, 16), "week") == "W12 2026"
    assert period_label(dt.date(2026, 3, 1), "month") == "Mar 2026"
    assert period_label(dt.date(2026, 3, 17), "day") == "2026-03-17"


def test_an_unknown_granularity_is_refused_by_name():
    with pytest.raises(ValueError, match="granularity: 'quarter' is not one of day, week, month"):
        period_start(dt.date(2026, 1, 1), "quarter")


@given(day=days, granularity=st.sampled_from(GRANULARITIES))
def test_periods_tile_the_calendar(day, granularity):
    start = period_start(day, granularity)
    assert start <= day <= period_end(start, granularity)
    assert is_period_start(start, granularity)
    assert period_start(start, granularity) == start
    following = next_period_start(start, granularity)
    assert following == period_end(start, granularity) + dt.timedelta(days=1)
    assert is_period_start(following, granularity)
    assert (misalignment(day, granularity) is None) == (day == start)
