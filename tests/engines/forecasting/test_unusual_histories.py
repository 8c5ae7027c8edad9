"""Histories at the edges of the block sampler: huge weekly counts, counts too far
apart for small tables (weeks drawn one by one), very long histories, and scopes at
the boundary of a block. Each against a plain one-trial-at-a-time loop, in distribution
(a two-sample Kolmogorov-Smirnov test at the 0.1 % level, fixed seeds), and the same
draws must still answer every question alike."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from scipy import stats

from pilothouse.engines.forecasting import (
    Risk,
    forecast_completion,
    forecast_items_by,
    forecast_queue,
)
from pilothouse.engines.forecasting.blocks import BlockModel

START = dt.date(2026, 1, 5)


def plain_weeks(history: list[int], remaining: int, trials: int, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    results = []
    for _ in range(trials):
        done = weeks = 0
        while done < remaining:
            done += rng.choice(history)
            weeks += 1
        results.append(weeks)
    return np.array(results)


def engine_weeks(forecast) -> np.ndarray:
    return np.repeat([b.weeks for b in forecast.histogram], [b.trials for b in forecast.histogram])


HISTORIES = {
    # Multiples of 10^7 up to the largest count allowed: divided by their common
    # divisor, small tables.
    "huge counts": ([0, 10**7, 2 * 10**7, 10**7, 10**9], 10**9),
    # 1 and a billion: no common divisor, one week per block.
    "huge and small": ([1, 10**9, 0, 1, 2], 10**9),
    # The largest week too large for a small table: one week per block.
    "spread out": ([0, 3, 200, 7, 0, 12], 2_000),
    "zero weeks": ([0, 0, 0, 4, 0, 9], 150),
}


@pytest.mark.parametrize("case", HISTORIES)
def test_unusual_histories_agree_with_a_plain_loop(case):
    history, remaining = HISTORIES[case]
    forecast = forecast_completion(
        history=history, remaining=remaining, start=START, trials=10_000, seed=5
    )
    engine = engine_weeks(forecast)
    assert engine.size == 10_000
    plain = plain_weeks(history, remaining, 5_000, seed=5)
    assert stats.ks_2samp(engine, plain).pvalue > 0.001


@pytest.mark.parametrize("case", HISTORIES)
def test_unusual_histories_answer_every_question_with_the_same_draws(case):
    history, remaining = HISTORIES[case]
    sizes = [remaining // 3, 0, remaining // 3, remaining - 2 * (remaining // 3)]
    queue = forecast_queue(history=history, sizes=sizes, start=START, trials=2000, seed=3)
    cumulative = np.cumsum(sizes)
    for position, size in enumerate(cumulative):
        alone = forecast_completion(
            history=history, remaining=int(size), start=START, trials=2000, seed=3
        )
        assert queue[position] == alone
    until = START + dt.timedelta(weeks=queue[1].percentiles[50].weeks)
    items = forecast_items_by(history=history, start=START, until=until, trials=2000, seed=3)
    for size in cumulative:
        completion = forecast_completion(
            history=history, remaining=int(size), start=START, target=until, trials=2000, seed=3
        )
        at_least = sum(b.trials for b in items.histogram if b.items >= size) / 2000
        assert at_least == completion.probability_by_target


def test_a_history_longer_than_65536_weeks():
    history = [int(x) for x in np.random.default_rng(1).poisson(3, 70_000)]
    forecast = forecast_completion(history=history, remaining=300, start=START, seed=2)
    plain = plain_weeks(history, 300, 5_000, seed=2)
    assert stats.ks_2samp(engine_weeks(forecast), plain).pvalue > 0.001


@pytest.mark.parametrize("remaining", [255, 256, 257, 511, 512, 1040])
def test_constant_throughput_across_block_boundaries(remaining):
    # One item a week: blocks of 256 weeks; a scope on a block's last week included.
    assert BlockModel(np.array([1]), key=0).size == 256
    forecast = forecast_completion(history=[1], remaining=remaining, start=START, trials=50)
    assert {p.weeks for p in forecast.percentiles.values()} == {remaining}
    assert forecast.histogram[0].trials == 50


def test_constant_five_a_week_is_exactly_ten_weeks_for_fifty_items():
    forecast = forecast_completion(history=[5, 5, 5], remaining=50, start=START, seed=8)
    assert {p.weeks for p in forecast.percentiles.values()} == {10}
    assert [(b.weeks, b.trials) for b in forecast.histogram] == [(10, 10_000)]


def test_trials_with_nothing_to_do_in_a_whole_chunk_of_trials():
    # Trials are simulated in chunks; a chunk in which no risk fires has nothing to do.
    forecast = forecast_completion(
        history=[3, 0, 4],
        remaining=0,
        risks=[Risk(0.0001, 10, 10)],
        start=START,
        trials=40_000,
        seed=1,
    )
    assert forecast.percentiles[95].weeks == 0
    assert sum(b.trials for b in forecast.histogram) == 40_000
