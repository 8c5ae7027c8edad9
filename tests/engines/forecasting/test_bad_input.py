"""Every kind of bad input is refused with a message naming the argument."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pilothouse.engines.forecasting import ForecastError, Risk, forecast_completion

START = dt.date(2026, 1, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"history": []},
            r"history: no forecast is possible: the history is empty",
        ),
        (
            {"history": [0, 0, 0]},
            r"history: no forecast is possible: no item was completed in the 3 weeks of history",
        ),
        ({"history": [3, -1]}, r"history\[1\]: must be at least 0, got -1"),
        ({"history": [3, 2.5]}, r"history\[1\]: must be a whole number"),
        ({"history": [3, True]}, r"history\[1\]: must be a whole number"),
        ({"history": [3, 10**10]}, r"history\[1\]: must be at most 1,000,000,000"),
        ({"history": np.array([3, -2])}, r"history\[1\]: must be at least 0, got -2"),
        ({"history": np.array([3.0, 4.0])}, r"history\[0\]: must be a whole number"),
        ({"history": np.array([True, False])}, r"history\[0\]: must be a whole number"),
        ({"history": "35"}, "history: must be a sequence"),
        ({"remaining": -1}, "remaining: must be at least 0, got -1"),
        ({"remaining": 2.0}, "remaining: must be a whole number"),
        ({"remaining": 10, "remaining_high": 9}, r"remaining_high: 9 is below remaining \(10\)"),
        ({"remaining": 10**10}, "remaining: must be at most 1,000,000,000"),
        ({"split": (1.5, 1.2)}, r"split: the high factor \(1.2\) is below the low one \(1.5\)"),
        ({"split": (0.2, 0.5)}, "split: factors multiply the scope and must be at least 1"),
        ({"split": (1.0, 11.0)}, "split: factors must be at most 10"),
        ({"split": (1.0, float("nan"))}, "split: factors must be finite numbers"),
        ({"split": (1.2,)}, "split: must be a"),
        ({"risks": [Risk(1.5, 1, 2)]}, r"risks\[0\].probability: must be from 0 to 1, got 1.5"),
        ({"risks": [Risk(-0.1, 1, 2)]}, r"risks\[0\].probability: must be from 0 to 1"),
        (
            {"risks": [Risk(0.5, 1, 2), Risk(float("nan"), 1, 2)]},
            r"risks\[1\].probability: must be from 0 to 1",
        ),
        ({"risks": [Risk(0.5, 5, 2)]}, r"risks\[0\].extra_high: 2 is below extra_low \(5\)"),
        ({"risks": [Risk(0.5, -1, 2)]}, r"risks\[0\].extra_low: must be at least 0"),
        ({"risks": [(0.5, 1, 2)]}, r"risks\[0\]: must be a Risk"),
        ({"trials": 0}, "trials: must be a whole number from 1 to 1,000,000, got 0"),
        ({"trials": 2_000_000}, "trials: must be a whole number from 1 to 1,000,000"),
        ({"seed": -3}, "seed: must be a non-negative whole number or None"),
        ({"start": dt.datetime(2026, 1, 5, 9)}, "start: must be a date"),
        ({"target": dt.date(2026, 1, 4)}, r"target: 2026-01-04 is before the start \(2026-01-05\)"),
        ({"target": dt.date(2047, 1, 5)}, "target: 2047-01-05 is more than 20 years after"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(kwargs, message):
    arguments = {"history": [4, 5], "remaining": 20, "start": START, **kwargs}
    with pytest.raises(ForecastError, match=message):
        forecast_completion(**arguments)


def test_forecast_error_is_a_value_error():
    assert issubclass(ForecastError, ValueError)


def test_a_history_of_numpy_integers_is_the_same_history():
    as_list = forecast_completion(history=[4, 0, 7], remaining=30, start=START, seed=2)
    for history in (np.array([4, 0, 7]), np.array([4, 0, 7], dtype=np.uint8), [np.int64(4), 0, 7]):
        assert forecast_completion(history=history, remaining=30, start=START, seed=2) == as_list
