"""The status of a metric against its target, with the sentence that explains it:
worked examples computed by hand, and properties checked against numpy's least squares."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pilothouse.engines.metrics import (
    AT_RISK,
    NO_DATA,
    NO_TARGET,
    OFF_TRACK,
    ON_TRACK,
    STATUS_ORDER,
    Target,
    evaluate,
    fit_trend,
    format_percent,
    format_value,
    recent,
)

TODAY = dt.date(2026, 2, 18)
Q1 = Target(dt.date(2026, 1, 1), dt.date(2026, 3, 31), 45_000)


def line(*, days: int, last: float, per_day: float, end: dt.date = TODAY):
    """Daily values on a straight line, ending at `last` on `end`."""
    return [
        (end - dt.timedelta(days=days - 1 - i), last - per_day * (days - 1 - i))
        for i in range(days)
    ]


def status(values, targets=(Q1,), **options):
    settings = {"direction": "higher", "granularity": "day", "tolerance_percent": 5.0}
    return evaluate(values=values, targets=targets, today=TODAY, **{**settings, **options})


def test_at_risk_when_the_projection_falls_short_within_the_tolerance():
    # 70 a day is 490 a week: 1.19 % of 41,200. 41 days to 31 March: 41,200 + 41 x 70 =
    # 44,070, which is (45,000 - 44,070) / 45,000 = 2.07 % short.
    result = status(line(days=60, last=41_200, per_day=70))
    assert result.status == AT_RISK
    assert result.projected == pytest.approx(44_070)
    assert result.shortfall_percent == pytest.approx(2.0667, abs=1e-3)
    assert result.change_percent == pytest.approx(490 / 41_200 * 100)
    assert result.sentence == (
        "At 41,200 against a target of 45,000 by 31 Mar; rising 1.2% a week, it would "
        "reach 44,070 — 2.1% short, within the 5% tolerance: at risk."
    )


def test_on_track_when_the_projection_meets_the_target():
    result = status(line(days=60, last=42_500, per_day=70))  # 42,500 + 2,870 = 45,370
    assert result.status == ON_TRACK
    assert result.sentence == (
        "At 42,500 against a target of 45,000 by 31 Mar; rising 1.2% a week, it would "
        "reach 45,370: on track."
    )


def test_off_track_when_lower_is_better_and_it_holds_far_above():
    flat = line(days=30, last=320, per_day=0)
    target = Target(dt.date(2026, 1, 1), dt.date(2026, 6, 30), 280)
    result = status(flat, [target], direction="lower", tolerance_percent=5)
    # (320 - 280) / 280 = 14.3 % over.
    assert result.status == OFF_TRACK
    assert result.sentence == (
        "At 320 against a target of 280 by 30 Jun; holding steady, it would reach 320 — "
        "14% over the target, beyond the 5% tolerance: off track."
    )


def test_units_and_a_falling_trend_that_does_the_job_when_lower_is_better():
    values = line(days=56, last=300, per_day=-2)  # falling 2 ms a day
    target = Target(dt.date(2026, 1, 1), dt.date(2026, 3, 31), 250)
    result = status(values, [target], direction="lower", unit="ms")
    # 41 days x -2 = -82: it would reach 218 ms, under the 250 ms target.
    assert result.status == ON_TRACK
    assert result.sentence == (
        "At 300 ms against a target of 250 ms by 31 Mar; falling 4.7% a week, it would "
        "reach 218 ms: on track."
    )


def test_with_too_few_values_the_latest_is_judged():
    values = [(TODAY - dt.timedelta(days=1), 43_000.0), (TODAY, 44_000.0)]
    result = status(values)
    assert result.trend is None
    assert result.status == AT_RISK  # 44,000 is 2.2 % short of 45,000
    assert result.sentence == (
        "At 44,000 against a target of 45,000 by 31 Mar; too few recent values for a "
        "trend, judged on the latest value — 2.2% short, within the 5% tolerance: at risk."
    )


def test_no_target_and_no_data():
    weekly = [(dt.date(2026, 2, 9), 12.5), (dt.date(2026, 2, 16), 13.0)]
    result = status(weekly, [], granularity="week", unit="%")
    assert result.status == NO_TARGET
    assert result.sentence == "At 13% (week of 16 Feb 2026); no target covers today."
    assert status([], [Q1]).status == NO_DATA
    assert status([], [Q1]).sentence == "No values yet."
    # A target that ended, or starts later, covers nothing today.
    past = Target(dt.date(2025, 10, 1), dt.date(2025, 12, 31), 1)
    assert status(weekly, [past], granularity="week").status == NO_TARGET


def test_values_after_today_are_not_read():
    values = [*line(days=30, last=41_200, per_day=70), (TODAY + dt.timedelta(days=5), 1e9)]
    assert status(values).latest == 41_200


def test_a_target_of_zero_is_measured_against_the_value():
    bugs = line(days=10, last=3, per_day=0)
    target = Target(dt.date(2026, 1, 1), dt.date(2026, 3, 31), 0)
    result = status(bugs, [target], direction="lower", unit="bugs")
    assert result.status == OFF_TRACK
    assert result.shortfall_percent == pytest.approx(100)


def test_the_trend_window_is_eight_weeks_of_days():
    old = line(days=100, last=10_000, per_day=-500, end=TODAY - dt.timedelta(days=56))
    new = line(days=56, last=41_200, per_day=70)
    window = recent(old + new, granularity="day", today=TODAY)
    assert window == new
    assert fit_trend(window).slope_per_day == pytest.approx(70)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="direction: 'up' is not one of higher, lower"):
        status([], direction="up")
    with pytest.raises(ValueError, match="tolerance_percent: must be a number of 0 or more"):
        status([], tolerance_percent=-1)
    with pytest.raises(ValueError, match="granularity: 'year'"):
        status([], granularity="year")


def test_figures_read_as_people_read_them():
    assert format_value(41_200, "users") == "41,200 users"
    assert format_value(99.982, "%") == "99.98%"
    assert format_value(938.93, "ms") == "938.9 ms"
    assert format_value(-0.0) == "0"
    assert format_percent(1.19) == "1.2%"
    assert format_percent(14.29) == "14%"
    assert format_percent(5.0) == "5%"


# --- properties ------------------------------------------------------------------------------

series = st.lists(
    st.floats(min_value=-1e5, max_value=1e5, allow_nan=False), min_size=3, max_size=56
)


def as_days(values):
    return [(TODAY - dt.timedelta(days=len(values) - 1 - i), v) for i, v in enumerate(values)]


@given(values=series)
def test_the_trend_is_numpys_least_squares_line(values):
    pairs = as_days(values)
    assume(max(values) - min(values) > 1e-6)
    trend = fit_trend(pairs)
    xs = np.array([(day - TODAY).days for day, _ in pairs], dtype=float)
    slope, intercept = np.polyfit(xs, np.array(values), 1)
    assert trend.slope_per_day == pytest.approx(slope, rel=1e-6, abs=1e-6)
    assert trend.value_at(TODAY) == pytest.approx(intercept, rel=1e-6, abs=1e-4)


@given(
    values=series,
    shift=st.floats(min_value=0, max_value=1e5),
    target=st.floats(min_value=-1e5, max_value=1e5),
    tolerance=st.floats(min_value=0, max_value=50),
)
def test_higher_values_never_make_it_worse_when_higher_is_better(values, shift, target, tolerance):
    goal = [Target(dt.date(2026, 1, 1), dt.date(2026, 3, 31), target)]
    base = status(as_days(values), goal, tolerance_percent=tolerance)
    raised = status(as_days([v + shift for v in values]), goal, tolerance_percent=tolerance)
    assume(abs(target) > 1e-3)
    assert STATUS_ORDER[raised.status] >= STATUS_ORDER[base.status] or raised.status == base.status


@given(values=series, target=st.floats(min_value=-1e5, max_value=1e5))
def test_lower_is_better_mirrors_higher_is_better(values, target):
    goal = [Target(dt.date(2026, 1, 1), dt.date(2026, 3, 31), target)]
    mirrored = [Target(dt.date(2026, 1, 1), dt.date(2026, 3, 31), -target)]
    higher = status(as_days(values), goal)
    lower = status(as_days([-v for v in values]), mirrored, direction="lower")
    assert lower.status == higher.status
