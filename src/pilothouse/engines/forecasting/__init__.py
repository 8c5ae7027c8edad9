"""The forecasting engine: Monte Carlo delivery forecasts from weekly throughput.

numpy only; no Django. Each trial replays the future week by week, drawing each week's
completed items from the history with replacement (zero weeks included), until the
scope is done; the trials' week counts give the percentiles, the probability of
finishing by a date, and the distribution. Same arguments and seed, same answer. Bad
input raises ForecastError (a ValueError) naming the argument and saying why.

    from pilothouse.engines import forecasting

    f = forecasting.forecast_completion(history=[4, 0, 7, 5], remaining=40,
            split=(1.0, 1.3), risks=[forecasting.Risk(0.2, 5, 10)],
            seed=1, start=date(2026, 3, 2), target=date(2026, 6, 1))
    f.percentiles[85].weeks, f.percentiles[85].date, f.probability_by_target
    forecasting.forecast_items_by(history=h, start=d, until=later, trials=10_000, seed=1)
    forecasting.forecast_queue(history=h, sizes=[8, 13, 5], start=d, seed=1)
    forecasting.forecast_parallel(histories=[h1, h2], scopes=[60, 12], start=d, seed=1)
    forecasting.backtest(history=[(week_start, completed), ...], seed=1).calibration[85]

A forecast of W weeks means done by the end of week W, the date start + 7 W - 1 day.
See docs/forecasting.md for the meaning of every option.
"""

from pilothouse.engines.forecasting.backtest import backtest
from pilothouse.engines.forecasting.checks import HORIZON_WEEKS, MAX_TRIALS
from pilothouse.engines.forecasting.completion import (
    forecast_completion,
    forecast_items_by,
    forecast_parallel,
    forecast_queue,
)
from pilothouse.engines.forecasting.history import WeeklyHistory, weekly_history
from pilothouse.engines.forecasting.results import (
    PERCENTILES,
    BacktestPoint,
    BacktestReport,
    CompletionForecast,
    ForecastError,
    HistogramBin,
    ItemsBin,
    ItemsForecast,
    PercentilePoint,
    Risk,
    week_end,
    whole_weeks_until,
)

__all__ = [
    "HORIZON_WEEKS",
    "MAX_TRIALS",
    "PERCENTILES",
    "BacktestPoint",
    "BacktestReport",
    "CompletionForecast",
    "ForecastError",
    "HistogramBin",
    "ItemsBin",
    "ItemsForecast",
    "PercentilePoint",
    "Risk",
    "WeeklyHistory",
    "backtest",
    "forecast_completion",
    "forecast_items_by",
    "forecast_parallel",
    "forecast_queue",
    "week_end",
    "weekly_history",
    "whole_weeks_until",
]
