"""forecast_queue and forecast_items_by, consistent with forecast_completion."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from pilothouse.engines.forecasting import (
    ForecastError,
    forecast_completion,
    forecast_items_by,
    forecast_queue,
)

START = dt.date(2026, 1, 5)
HISTORY = [int(x) for x in np.random.default_rng(5).poisson(4, 52)]


def test_each_queue_position_equals_a_completion_forecast_for_its_cumulative_size():
    sizes = [3, 0, 8, 13, 5, 1, 21, 2]
    targets = [None, START, dt.date(2026, 3, 1), None, None, dt.date(2026, 6, 1), None, None]
    queue = forecast_queue(
        history=HISTORY, sizes=sizes, start=START, trials=3000, seed=8, targets=targets
    )
    assert len(queue) == len(sizes)
    for position, cumulative in enumerate(itertools.accumulate(sizes)):
        alone = forecast_completion(
            history=HISTORY,
            remaining=cumulative,
            start=START,
            trials=3000,
            seed=8,
            target=targets[position],
        )
        assert queue[position] == alone, position
    # The order of the queue holds: a later position is never done sooner.
    for earlier, later in itertools.pairwise(queue):
        for share in (50, 85, 95):
            assert earlier.percentiles[share].weeks <= later.percentiles[share].weeks


def test_a_queue_longer_than_a_block_of_trials_still_agrees():
    sizes = [40, 40]
    queue = forecast_queue(history=HISTORY, sizes=sizes, start=START, trials=20_000, seed=1)
    alone = forecast_completion(history=HISTORY, remaining=80, start=START, trials=20_000, seed=1)
    assert queue[1] == alone


def test_items_by_a_date_at_constant_throughput():
    items = forecast_items_by(
        history=[5], start=START, until=dt.date(2026, 3, 15), trials=100, seed=1
    )
    # 2026-03-15 is the last day of week 10.
    assert items.weeks == 10
    assert items.percentiles == {50: 50, 85: 50, 95: 50}
    assert [(b.items, b.trials) for b in items.histogram] == [(50, 100)]
    short = forecast_items_by(history=[5], start=START, until=dt.date(2026, 3, 14), trials=10)
    assert short.weeks == 9


def test_items_by_confidence_reads_at_least_that_many():
    items = forecast_items_by(
        history=HISTORY, start=START, until=dt.date(2026, 6, 28), trials=5000, seed=3
    )
    assert items.percentiles[95] <= items.percentiles[85] <= items.percentiles[50]
    counts = np.repeat([b.items for b in items.histogram], [b.trials for b in items.histogram])
    for share, value in items.percentiles.items():
        assert np.mean(counts >= value) >= share / 100
        assert np.mean(counts >= value + 1) < share / 100


@pytest.mark.parametrize("remaining", [1, 40, 75, 100])
def test_items_by_agrees_with_the_probability_by_the_same_date(remaining):
    until = dt.date(2026, 6, 28)
    items = forecast_items_by(history=HISTORY, start=START, until=until, trials=4000, seed=6)
    completion = forecast_completion(
        history=HISTORY, remaining=remaining, start=START, target=until, trials=4000, seed=6
    )
    at_least = sum(b.trials for b in items.histogram if b.items >= remaining) / 4000
    assert at_least == completion.probability_by_target


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": []}, "sizes: the queue is empty"),
        ({"sizes": [3, -1]}, r"sizes\[1\]: must be at least 0"),
        ({"sizes": [3, 4], "targets": [None]}, "targets: must have one date or None per"),
        (
            {"sizes": [3], "targets": [dt.date(2025, 1, 1)]},
            r"targets\[0\]: 2025-01-01 is before the start",
        ),
    ],
)
def test_bad_queues_are_refused(kwargs, message):
    with pytest.raises(ForecastError, match=message):
        forecast_queue(history=HISTORY, start=START, **kwargs)


def test_items_by_refuses_a_date_before_the_start():
    with pytest.raises(ForecastError, match="until: 2025-12-31 is before the start"):
        forecast_items_by(history=HISTORY, start=START, until=dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("history", "sizes"),
    [
        # Over 30,000 units in all: thresholds found by a search, not a lookup table.
        ([int(x) for x in np.random.default_rng(7).poisson(64, 40)], [20_000, 0, 15_000]),
        # Blocks of one week (a week too large for small tables).
        ([0, 3, 200, 7, 0, 12], [50, 400, 1]),
        # Every feature of no size: done before the first week.
        ([2, 5], [0, 0]),
    ],
)
def test_queue_positions_equal_completion_forecasts_at_the_edges(history, sizes):
    queue = forecast_queue(history=history, sizes=sizes, start=START, trials=1500, seed=2)
    for position, cumulative in enumerate(itertools.accumulate(sizes)):
        alone = forecast_completion(
            history=history, remaining=cumulative, start=START, trials=1500, seed=2
        )
        assert queue[position] == alone, position


def test_a_queue_position_beyond_twenty_years_is_refused_naming_it():
    # One item a week: 500 items take 500 weeks, 1,100 more than the 1,040 of 20 years.
    with pytest.raises(ForecastError, match=r"sizes\[1\]: no forecast is possible .* 100.0%"):
        forecast_queue(history=[1], sizes=[500, 600], start=START, trials=100)
    done = forecast_queue(history=[1], sizes=[500, 540], start=START, trials=100)
    assert [q.percentiles[85].weeks for q in done] == [500, 1040]
