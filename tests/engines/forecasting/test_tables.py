"""The split tables computed on demand, the tables kept per distribution of weeks, and
what must not change when they are: every draw (same seed, same forecast)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pilothouse.engines.forecasting import Risk, forecast_completion, forecast_queue
from pilothouse.engines.forecasting.blocks import (
    TABLE_SLOTS,
    InverseCdf,
    RowsOnDemand,
    forget_tables,
    split_weights,
    sum_distributions,
    tables_for,
)

START = dt.date(2026, 1, 5)
HALF = sum_distributions(np.bincount([0, 1, 1, 2, 3, 5, 8]) / 7, 3)[-1]  # 8 weeks, 0 .. 64
WEIGHTS = split_weights(HALF)  # 129 node sums x 65 first halves


def draws_for(rows: np.ndarray, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**64, size=rows.size, dtype=np.uint64)


def test_rows_numbered_from_a_first_row_draw_as_in_the_whole_table():
    whole = InverseCdf(WEIGHTS, 7)
    part = InverseCdf(WEIGHTS[40:90], 7, first_row=40)
    rows = np.random.default_rng(1).integers(40, 90, size=50_000)
    draws = draws_for(rows, 2)
    np.testing.assert_array_equal(part.sample(draws, rows), whole.sample(draws, rows))


def test_rows_on_demand_draw_the_same_whatever_was_computed_before():
    table = RowsOnDemand(lambda start, stop: WEIGHTS[start:stop], WEIGHTS.shape[0], 8)
    whole = InverseCdf(WEIGHTS, 9)
    rng = np.random.default_rng(3)
    narrow = rng.integers(50, 70, size=20_000)
    first = table.prepare(narrow)
    assert (first.first_row, first.rows) == (50, 20)  # only what the draws need
    draws = draws_for(narrow, 4)
    np.testing.assert_array_equal(first.sample(draws, narrow), whole.sample(draws, narrow))
    wide = np.concatenate([narrow, rng.integers(0, 129, size=20_000)])
    grown = table.prepare(wide)
    assert (grown.first_row, grown.rows) == (0, 129)
    assert grown.rows << grown.slices <= TABLE_SLOTS  # fewer slots per row, small arrays
    assert table.prepare(narrow) is grown  # kept, and covering the narrow rows too
    draws = draws_for(wide, 5)
    np.testing.assert_array_equal(grown.sample(draws, wide), whole.sample(draws, wide))


def test_the_tables_of_a_distribution_are_kept_and_shared():
    forget_tables()
    weeks = np.array([3, 0, 7, 5, 2, 9, 0, 4])
    kept = tables_for(weeks)
    assert tables_for(weeks[::-1].copy()) is kept  # the same distribution of weeks
    assert tables_for(np.array([3, 0, 7, 5, 2, 9, 0, 5])) is not kept
    forget_tables()
    assert tables_for(weeks) is not kept


@pytest.mark.parametrize("history", [[3, 0, 7, 5, 2, 9, 0, 4], [0, 3, 200, 7, 0, 12]])
def test_kept_tables_and_new_ones_give_the_same_forecasts(history):
    def forecasts():
        queue = forecast_queue(history=history, sizes=[30, 5, 60], start=START, seed=4)
        alone = forecast_completion(history=history, remaining=80, start=START, seed=9)
        return queue, alone

    forget_tables()
    first = forecasts()
    assert forecasts() == first  # the tables kept, and grown by the first forecasts
    forget_tables()
    assert forecasts() == first


def test_no_split_draws_the_same_as_a_split_of_exactly_one():
    # Without a split the factors are not drawn, yet the risks after them in the scope's
    # stream must be the same draws.
    risks = [Risk(0.3, 5, 40), Risk(0.8, 1, 3)]
    arguments = {"history": [4, 0, 7, 5], "remaining": 20, "remaining_high": 60}
    plain = forecast_completion(**arguments, risks=risks, start=START, seed=6)
    of_one = forecast_completion(**arguments, split=(1.0, 1.0), risks=risks, start=START, seed=6)
    assert plain == of_one
