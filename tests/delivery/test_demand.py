"""Working days, capacity of a member, a feature's planned window, demand spread over
periods, and the status in words: plain arithmetic, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.delivery import demand, workdays
from pilothouse.delivery.demand import PlannedFeature

D = dt.date


def feature(**fields) -> PlannedFeature:
    values = {
        "feature_id": 1,
        "effort_low": 4.0,
        "effort_high": 8.0,
        "started_on": None,
        "completed_on": None,
        "release_date": None,
        "horizon": "",
    }
    return PlannedFeature(**{**values, **fields})


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 6, 1), D(2026, 6, 7), 5),  # Monday to Sunday
        (D(2026, 6, 6), D(2026, 6, 7), 0),  # a weekend
        (D(2026, 6, 5), D(2026, 6, 8), 2),  # Friday to Monday
        (D(2026, 7, 1), D(2026, 9, 30), 66),  # Q3 2026
        (D(2026, 6, 8), D(2026, 6, 1), 0),  # reversed
    ],
)
def test_weekdays(start, end, expected):
    assert workdays.weekdays(start, end) == expected


@pytest.mark.parametrize("first", [D(2026, 6, 1) + dt.timedelta(days=i) for i in range(7)])
def test_weekdays_agree_with_counting_day_by_day(first):
    for length in range(-1, 40):
        last = first + dt.timedelta(days=length)
        days = [first + dt.timedelta(days=i) for i in range(length + 1)]
        assert workdays.weekdays(first, last) == sum(day.weekday() < 5 for day in days)


def test_a_placed_feature_counts_its_working_days_once():
    window = (D(2026, 7, 1), D(2026, 9, 30))
    placed = demand.Placed(feature(), window)
    assert placed.working_days == 66
    assert demand.placed([feature(horizon="now")], today=D(2026, 8, 3)) == [
        demand.Placed(feature(horizon="now"), (D(2026, 8, 3), D(2026, 9, 30)), 43)
    ]


def test_period_boundaries():
    assert workdays.is_period_start(D(2026, 4, 1), "quarter")
    assert not workdays.is_period_start(D(2026, 5, 1), "quarter")
    assert workdays.is_period_start(D(2026, 5, 1), "month")
    assert not workdays.is_period_start(D(2026, 5, 2), "month")
    assert workdays.period_end(D(2026, 10, 1), "quarter") == D(2026, 12, 31)
    assert workdays.period_end(D(2028, 2, 1), "month") == D(2028, 2, 29)
    assert workdays.period_label(D(2026, 10, 1), "quarter") == "Q4 2026"
    assert workdays.week_start(D(2026, 6, 7)) == D(2026, 6, 1)


def test_a_members_weeks_are_their_share_less_their_time_off():
    # Q3 2026: 66 weekdays = 13.2 weeks; half time; ten weekdays away, two spans
    # that overlap by a week are counted once.
    away = [(D(2026, 7, 6), D(2026, 7, 17)), (D(2026, 7, 13), D(2026, 7, 17))]
    weeks = demand.member_weeks(
        start=D(2026, 7, 1), end=D(2026, 9, 30), allocation=50, time_off=away
    )
    assert weeks == pytest.approx(0.5 * (66 - 10) / 5)


def test_time_off_outside_the_period_does_not_count():
    weeks = demand.member_weeks(
        start=D(2026, 7, 1),
        end=D(2026, 9, 30),
        allocation=100,
        time_off=[(D(2026, 6, 22), D(2026, 7, 3))],  # three weekdays of it in July
    )
    assert weeks == pytest.approx((66 - 3) / 5)


TODAY = D(2026, 5, 15)


@pytest.mark.parametrize(
    ("fields", "window"),
    [
        (
            {"started_on": D(2026, 4, 1), "release_date": D(2026, 8, 31)},
            (D(2026, 4, 1), D(2026, 8, 31)),
        ),
        ({"release_date": D(2026, 8, 31)}, (D(2026, 7, 1), D(2026, 8, 31))),
        # Started after its release's date: the date is what is late.
        (
            {"started_on": D(2026, 9, 5), "release_date": D(2026, 8, 31)},
            (D(2026, 7, 1), D(2026, 8, 31)),
        ),
        ({"started_on": D(2026, 3, 2)}, (D(2026, 3, 2), D(2026, 6, 30))),
        ({"horizon": "now"}, (TODAY, D(2026, 6, 30))),
        ({"horizon": "next"}, (D(2026, 7, 1), D(2026, 9, 30))),
        ({"horizon": "later"}, None),
        ({}, None),
    ],
)
def test_a_features_planned_window(fields, window):
    assert demand.planned_window(feature(**fields), today=TODAY) == window


def test_demand_is_spread_over_periods_by_working_days():
    # July and August 2026: 23 and 21 weekdays.
    planned = [feature(started_on=D(2026, 7, 1), release_date=D(2026, 8, 31))]
    july = demand.demand_in(planned, start=D(2026, 7, 1), end=D(2026, 7, 31), today=TODAY)
    august = demand.demand_in(planned, start=D(2026, 8, 1), end=D(2026, 8, 31), today=TODAY)
    assert july.low == pytest.approx(4 * 23 / 44)
    assert august.high == pytest.approx(8 * 21 / 44)
    assert july.low + august.low == pytest.approx(4)
    assert (july.features, august.features) == (1, 1)


def test_features_without_an_estimate_are_counted_apart():
    planned = [feature(horizon="next"), feature(feature_id=2, horizon="next", effort_high=None)]
    found = demand.demand_in(planned, start=D(2026, 7, 1), end=D(2026, 9, 30), today=TODAY)
    assert (found.low, found.high, found.unestimated, found.features) == (4, 8, 1, 2)


@pytest.mark.parametrize(
    ("capacity", "status", "sentence"),
    [
        (
            38,
            demand.OVER_COMMITTED,
            "Demand 42\u201355 person-weeks against a capacity of 38: over-committed even "
            "at the low estimates.",
        ),
        (
            50,
            demand.AT_RISK,
            "Demand 42\u201355 person-weeks against a capacity of 50: over-committed if "
            "the high estimates hold.",
        ),
        (55, demand.OK, "Demand 42\u201355 person-weeks against a capacity of 55."),
    ],
)
def test_status_and_its_explanation(capacity, status, sentence):
    wanted = demand.PeriodDemand(low=42, high=55, features=3)
    assert demand.status_of(capacity=capacity, low=42, high=55) == status
    assert demand.explain(capacity=capacity, demand=wanted, status=status) == sentence


def test_the_explanation_mentions_features_without_an_estimate():
    wanted = demand.PeriodDemand(low=12.25, high=12.25, unestimated=2, features=4)
    text = demand.explain(capacity=20.04, demand=wanted, status=demand.OK)
    assert text == (
        "Demand 12.2 person-weeks against a capacity of 20. "
        "2 planned features without an estimate not counted."
    )
