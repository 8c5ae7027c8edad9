"""weekly_history: dated rows checked, in order, gaps of whole weeks filled with zeros."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.engines.forecasting import ForecastError, weekly_history

MONDAY = dt.date(2026, 1, 5)


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=7 * n)


def test_missing_weeks_count_as_zero():
    history = weekly_history([(week(0), 4), (week(3), 6), (week(4), 1)])
    assert history.counts == [4, 0, 0, 6, 1]
    assert [day for day, _ in history.weeks] == [week(n) for n in range(5)]
    assert history.filled == 2
    assert history.next_week == week(5)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "history: no forecast is possible: the history is empty"),
        ([(week(0), 1), (week(0), 2)], r"history\[1\]: week 2026-01-05 is not after"),
        ([(week(1), 1), (week(0), 2)], r"history\[1\]: week 2026-01-05 is not after"),
        (
            [(week(0), 1), (MONDAY + dt.timedelta(days=10), 2)],
            r"history\[1\]: week 2026-01-15 is 10 days after .* whole weeks apart",
        ),
        ([(week(0), -2)], r"history\[0\]: completed: must be at least 0"),
        ([("2026-01-05", 2)], r"history\[0\]: week_start must be a date"),
        ([(week(0),)], r"history\[0\]: must be a \(week_start, completed\) pair"),
    ],
)
def test_bad_rows_are_refused_naming_the_row(rows, message):
    with pytest.raises(ForecastError, match=message):
        weekly_history(rows)


def test_labels_name_the_rows_in_messages():
    with pytest.raises(ForecastError, match="line 3: week 2026-01-05 is not after"):
        weekly_history([(week(0), 1), (week(0), 1)], labels=["line 2", "line 3"])
