"""Rolling values up into longer periods by a metric's aggregation."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines.metrics import AGGREGATIONS, RolledValue, aggregate, roll_up

MONDAY = dt.date(2026, 3, 2)


def week_of_days(values):
    return [(MONDAY + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def test_a_week_of_days_by_each_aggregation():
    # Given out of order: the last value is the latest day's, not the last given.
    days = list(reversed(week_of_days([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])))
    expected = {"sum": 28.0, "mean": 4.0, "last": 7.0, "min": 1.0, "max": 7.0}
    for aggregation, value in expected.items():
        assert roll_up(values=days, source="day", target="week", aggregation=aggregation) == [
            RolledValue(MONDAY, value, 7)
        ]


def test_days_into_months_split_at_the_first():
    days = [(dt.date(2026, 1, 30), 1.0), (dt.date(2026, 1, 31), 2.0), (dt.date(2026, 2, 1), 5.0)]
    assert roll_up(values=days, source="day", target="month", aggregation="sum") == [
        RolledValue(dt.date(2026, 1, 1), 3.0, 2),
        RolledValue(dt.date(2026, 2, 1), 5.0, 1),
    ]


def test_a_period_in_progress_says_how_many_values_made_it():
    [rolled] = roll_up(
        values=week_of_days([10.0, 20.0]), source="day", target="week", aggregation="sum"
    )
    assert (rolled.value, rolled.count) == (30.0, 2)


def test_weeks_do_not_roll_into_months_nor_into_days():
    weeks = [(MONDAY, 1.0)]
    with pytest.raises(ValueError, match="target: values by week cannot be rolled up into months"):
        roll_up(values=weeks, source="week", target="month", aggregation="sum")
    with pytest.raises(ValueError, match="target: values by week cannot be rolled up into days"):
        roll_up(values=weeks, source="week", target="day", aggregation="sum")
    assert roll_up(values=weeks, source="week", target="week", aggregation="sum") == [
        RolledValue(MONDAY, 1.0, 1)
    ]


def test_bad_aggregations_are_refused_by_name():
    with pytest.raises(ValueError, match="aggregation: 'median' is not one of"):
        aggregate([1.0], "median")
    with pytest.raises(ValueError, match="values: nothing to aggregate"):
        aggregate([], "sum")


values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=120
)


@given(values=values)
def test_rolling_up_keeps_the_total_and_the_count(values):
    days = [(dt.date(2025, 12, 1) + dt.timedelta(days=i), v) for i, v in enumerate(values)]
    for target in ("week", "month"):
        rolled = roll_up(values=days, source="day", target=target, aggregation="sum")
        assert math.fsum(r.value for r in rolled) == pytest.approx(math.fsum(values), abs=1e-6)
        assert sum(r.count for r in rolled) == len(values)
        assert [r.period_start for r in rolled] == sorted({r.period_start for r in rolled})


@given(values=values, aggregation=st.sampled_from(AGGREGATIONS))
def test_every_aggregation_stays_within_the_values(values, aggregation):
    result = aggregate(values, aggregation)
    if aggregation == "sum":
        assert result == pytest.approx(math.fsum(values))
    else:
        assert min(values) - 1e-9 <= result <= max(values) + 1e-9
