"""forecast_completion: the exact cases, dates, seeds and how the scope options move it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pilothouse.engines.forecasting import (
    HORIZON_WEEKS,
    ForecastError,
    Risk,
    forecast_completion,
    week_end,
)

START = dt.date(2026, 3, 2)  # a Monday
VARIED = [3, 0, 7, 5, 2, 9, 0, 4, 6, 1, 8, 5]


def weeks_of(forecast) -> dict[int, int]:
    return {share: point.weeks for share, point in forecast.percentiles.items()}


def test_constant_history_gives_exactly_ten_weeks_at_every_percentile():
    forecast = forecast_completion(history=[5] * 26, remaining=50, start=START, seed=3)
    assert weeks_of(forecast) == {50: 10, 85: 10, 95: 10}
    assert [(b.weeks, b.trials) for b in forecast.histogram] == [(10, 10_000)]
    assert forecast.unfinished == 0
    # Done by the end of week 10: the Sunday nine weeks and six days after the start.
    assert forecast.percentiles[85].date == dt.date(2026, 5, 10)
    assert forecast.percentiles[85].date == START + dt.timedelta(days=69)


def test_the_date_is_the_last_day_of_the_week_the_scope_is_done():
    assert week_end(START, 1) == dt.date(2026, 3, 8)
    assert week_end(START, 0) == dt.date(2026, 3, 1)  # nothing left: done before the start
    nothing = forecast_completion(history=[5], remaining=0, start=START, target=START)
    assert weeks_of(nothing) == {50: 0, 85: 0, 95: 0}
    assert nothing.probability_by_target == 1.0


def test_probability_by_target_counts_trials_done_on_or_before_it():
    def probability(target: dt.date) -> float | None:
        forecast = forecast_completion(history=[5], remaining=50, start=START, target=target)
        return forecast.probability_by_target

    assert probability(dt.date(2026, 5, 10)) == 1.0  # the last day of week 10
    assert probability(dt.date(2026, 5, 9)) == 0.0  # a day short
    assert forecast_completion(history=[5], remaining=5, start=START).probability_by_target is None


def test_a_partial_week_counts_as_a_whole_one():
    assert weeks_of(forecast_completion(history=[5], remaining=51, start=START)) == {
        50: 11,
        85: 11,
        95: 11,
    }


def test_same_seed_same_forecast_and_another_seed_another():
    first = forecast_completion(history=VARIED, remaining=60, start=START, seed=11, trials=2000)
    again = forecast_completion(history=VARIED, remaining=60, start=START, seed=11, trials=2000)
    other = forecast_completion(history=VARIED, remaining=60, start=START, seed=12, trials=2000)
    assert first == again
    assert first.to_dict() == again.to_dict()
    assert first.histogram != other.histogram


def test_zero_weeks_in_the_history_slow_the_forecast():
    busy = forecast_completion(history=[6, 6], remaining=60, start=START, seed=1)
    with_idle = forecast_completion(history=[6, 0], remaining=60, start=START, seed=1)
    assert weeks_of(busy) == {50: 10, 85: 10, 95: 10}
    assert with_idle.percentiles[50].weeks == pytest.approx(20, abs=2)
    assert with_idle.percentiles[95].weeks > with_idle.percentiles[50].weeks


def test_split_scales_the_scope_and_rounds_up():
    # 1.1 x 10 must be 11 items, not 12 (floating point lands a hair above 11).
    exact = forecast_completion(history=[1], remaining=10, split=(1.1, 1.1), start=START)
    assert weeks_of(exact) == {50: 11, 85: 11, 95: 11}
    grown = forecast_completion(history=[1], remaining=100, split=(1.0, 1.5), start=START, seed=2)
    weeks = [b.weeks for b in grown.histogram]
    # 100 items only for a factor of exactly 1.0; just above it rounds up to 101.
    assert min(weeks) == 101
    assert max(weeks) == 150
    # Uniform factors: the median scope is about 125 items.
    assert grown.percentiles[50].weeks == pytest.approx(125, abs=2)
    assert grown.percentiles[95].weeks == pytest.approx(148, abs=1)


def test_remaining_high_makes_the_scope_uniform_over_the_range():
    ranged = forecast_completion(
        history=[1], remaining=20, remaining_high=29, start=START, seed=5, trials=20_000
    )
    assert [b.weeks for b in ranged.histogram] == list(range(20, 30))
    for item in ranged.histogram:  # 2,000 each expected; 4.5 standard deviations
        assert abs(item.trials - 2000) < 4.5 * np.sqrt(20_000 * 0.1 * 0.9)


def test_a_risk_adds_items_with_its_probability():
    base = {"history": [1], "remaining": 10, "start": START, "seed": 9, "trials": 20_000}
    never = forecast_completion(**base, risks=[Risk(0.0, 5, 5)])
    always = forecast_completion(**base, risks=[Risk(1.0, 5, 5)])
    sometimes = forecast_completion(**base, risks=[Risk(0.3, 5, 5)])
    assert weeks_of(never) == {50: 10, 85: 10, 95: 10}
    assert weeks_of(always) == {50: 15, 85: 15, 95: 15}
    counts = {b.weeks: b.trials for b in sometimes.histogram if b.trials}
    assert set(counts) == {10, 15}
    assert counts[15] / 20_000 == pytest.approx(0.3, abs=4.5 * np.sqrt(0.3 * 0.7 / 20_000))
    assert weeks_of(sometimes) == {50: 10, 85: 15, 95: 15}


def test_risks_add_up_and_their_extra_is_uniform():
    two = forecast_completion(
        history=[1],
        remaining=0,
        risks=[Risk(1.0, 1, 3), Risk(1.0, 10, 10)],
        start=START,
        seed=4,
        trials=9000,
    )
    assert {b.weeks for b in two.histogram} == {11, 12, 13}
    for item in two.histogram:
        assert abs(item.trials - 3000) < 4.5 * np.sqrt(9000 / 3 * 2 / 3)


def test_trials_not_done_within_twenty_years_are_counted_not_looped_over():
    # One week in 100 completes one item: 20 items take 2,000 weeks on average.
    slow = [1] + [0] * 99
    with pytest.raises(ForecastError, match=r"remaining: no forecast is possible at the 50th"):
        forecast_completion(history=slow, remaining=20, start=START, seed=1, trials=500)
    # 5 items: about 500 weeks on average; 2.5 % of trials run past the horizon.
    partly = forecast_completion(history=slow, remaining=5, start=START, seed=1, trials=2000)
    assert 0 < partly.unfinished < 2000 * 0.05
    assert sum(b.trials for b in partly.histogram) + partly.unfinished == 2000
    assert max(b.weeks for b in partly.histogram) <= HORIZON_WEEKS


def test_to_dict_is_the_cli_shape():
    forecast = forecast_completion(
        history=[5], remaining=50, start=START, target=dt.date(2026, 6, 1), trials=10
    )
    assert forecast.to_dict() == {
        "trials": 10,
        "percentiles": {
            "50": {"weeks": 10, "date": "2026-05-10"},
            "85": {"weeks": 10, "date": "2026-05-10"},
            "95": {"weeks": 10, "date": "2026-05-10"},
        },
        "probability_by_target": 1.0,
        "histogram": [{"weeks": 10, "trials": 10}],
    }
