"""backtest: the replay protocol on known histories, and calibration on a stationary one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pilothouse.engines.forecasting import ForecastError, backtest

MONDAY = dt.date(2020, 1, 6)


def dated(counts) -> list[tuple[dt.date, int]]:
    return [(MONDAY + dt.timedelta(days=7 * i), int(n)) for i, n in enumerate(counts)]


def test_a_constant_history_is_forecast_exactly():
    report = backtest(history=dated([5] * 30), scope=20, min_history_weeks=8, seed=1, trials=50)
    # Forecasts at weeks 8 .. 29; from week 27 on, fewer than 4 weeks remain to see 20 done.
    assert report.resolved == 19
    assert report.unresolved == 3
    assert report.skipped == 0
    assert report.calibration == {50: 1.0, 85: 1.0, 95: 1.0}
    first = report.points[0]
    assert first.as_of == MONDAY + dt.timedelta(weeks=8)
    assert first.history_weeks == 8
    assert first.percentile_weeks == {50: 4, 85: 4, 95: 4}
    assert first.actual_weeks == 4
    assert report.points[-1].actual_weeks is None
    assert report.points[-1].within(85) is None


def test_the_default_scope_is_the_past_pace_times_the_horizon():
    counts = [2, 4] * 10 + [30] * 10
    report = backtest(history=dated(counts), horizon_weeks=3, min_history_weeks=4, trials=100)
    first = report.points[0]
    assert first.scope == 9  # mean 3 a week before week 4, times 3 weeks
    assert first.actual_weeks == 4  # 2 + 4 + 2 = 8 after 3 weeks; 12 after the 4th
    # After the jump to 30 a week, the old pace under-promises: done sooner than forecast.
    late = next(point for point in report.points if point.history_weeks == 22)
    assert late.actual_weeks < late.percentile_weeks[50]


def test_only_the_past_is_used():
    quiet_then_busy = [1] * 10 + [10] * 10
    report = backtest(history=dated(quiet_then_busy), scope=5, min_history_weeks=10, trials=100)
    first = report.points[0]
    assert first.percentile_weeks == {50: 5, 85: 5, 95: 5}  # from the weeks of 1 only
    assert first.actual_weeks == 1


def test_weeks_without_a_past_throughput_are_skipped():
    report = backtest(history=dated([0] * 10 + [3] * 10), scope=3, min_history_weeks=8, trials=50)
    assert report.skipped == 3  # weeks 8, 9, 10 have only zero weeks behind them
    assert report.points[0].history_weeks == 11


def test_calibration_on_a_stationary_history_is_near_the_nominal_level():
    """Weekly throughput drawn independently from one Poisson law is the case the
    method assumes, so P85 forecasts should hold about 85 % of the time. "About": whole
    weeks lift the coverage of a percentile above its nominal level (the percentile
    covers at least q %), so the expectation is computed from the true law by
    simulation; the band of 0.08 allows for the forecasts' own estimation error (each
    forecast sees only the weeks before it) and for the correlation of overlapping
    outcomes (about 130 independent outcomes here: a standard error near 0.03)."""
    rng = np.random.default_rng(31)
    counts = rng.poisson(6, 1200)
    scope = 60
    report = backtest(
        history=dated(counts), scope=scope, min_history_weeks=26, step_weeks=3, trials=2000, seed=2
    )
    assert report.resolved > 350

    # The true law of the weeks to complete 60 items, from 200,000 fresh trials.
    true_weeks = np.argmax(np.cumsum(rng.poisson(6, (200_000, 40)), axis=1) >= scope, axis=1) + 1
    for share in (50, 85, 95):
        true_percentile = np.quantile(true_weeks, share / 100, method="inverted_cdf")
        expected = np.mean(true_weeks <= true_percentile)
        assert report.calibration[share] == pytest.approx(expected, abs=0.08), share


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"history": []}, "history: no forecast is possible: the history is empty"),
        ({"history": dated([3] * 8)}, "history: too short to backtest: 8 weeks"),
        ({"history": dated([3] * 20), "scope": 0}, "scope: must be at least 1"),
        ({"history": dated([3] * 20), "horizon_weeks": 0}, "horizon_weeks: must be at least 1"),
        ({"history": dated([3] * 20), "step_weeks": -1}, "step_weeks: must be at least 1"),
        ({"history": dated([3] * 20), "trials": 0}, "trials: must be a whole number from 1"),
        ({"history": dated([0] * 20)}, "no backtest is possible"),
        ({"history": dated([3] * 20), "scope": 500}, "no backtest is possible"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    with pytest.raises(ForecastError, match=message):
        backtest(**kwargs)
