"""Properties over generated histories and scopes (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pilothouse.engines.forecasting import forecast_completion

START = dt.date(2026, 1, 5)

# At least one item a week on average: every scope below is done well within 20 years.
histories = st.lists(st.integers(0, 12), min_size=1, max_size=30).filter(
    lambda weeks: sum(weeks) >= len(weeks)
)
seeds = st.integers(0, 2**32)
targets = st.integers(0, 400).map(lambda days: START + dt.timedelta(days=days))


def done_within(forecast) -> np.ndarray:
    """Trials done in w weeks or fewer, for w = 0 .. 1,100."""
    counts = np.zeros(1101, dtype=np.int64)
    for item in forecast.histogram:
        counts[item.weeks] += item.trials
    return np.cumsum(counts)


@settings(max_examples=60, deadline=None)
@given(history=histories, remaining=st.integers(0, 300), seed=seeds, target=targets)
def test_percentiles_are_ordered_and_the_probability_is_a_share(history, remaining, seed, target):
    forecast = forecast_completion(
        history=history, remaining=remaining, start=START, target=target, seed=seed, trials=300
    )
    p = forecast.percentiles
    assert p[50].weeks <= p[85].weeks <= p[95].weeks
    assert p[50].date <= p[85].date <= p[95].date
    assert 0.0 <= forecast.probability_by_target <= 1.0
    assert sum(b.trials for b in forecast.histogram) + forecast.unfinished == 300
    low = forecast.histogram[0].weeks
    assert [b.weeks for b in forecast.histogram] == list(range(low, low + len(forecast.histogram)))


@settings(max_examples=60, deadline=None)
@given(
    history=histories,
    smaller=st.integers(0, 200),
    more=st.integers(0, 100),
    seed=seeds,
    target=targets,
    split=st.none() | st.tuples(st.floats(1, 1.5), st.floats(0, 0.5)),
)
def test_more_remaining_is_never_done_sooner_for_the_same_draws(
    history, smaller, more, seed, target, split
):
    factors = None if split is None else (split[0], split[0] + split[1])
    assume(factors is None or factors[1] <= 10)

    def forecast(remaining):
        return forecast_completion(
            history=history,
            remaining=remaining,
            split=factors,
            start=START,
            target=target,
            seed=seed,
            trials=300,
        )

    small, large = forecast(smaller), forecast(smaller + more)
    for share in (50, 85, 95):
        assert small.percentiles[share].weeks <= large.percentiles[share].weeks
    assert small.probability_by_target >= large.probability_by_target
    # Trial by trial (same draws), so the whole distribution moves: its CDF is lower.
    assert np.all(done_within(small) >= done_within(large))


@settings(max_examples=40, deadline=None)
@given(history=histories, remaining=st.integers(1, 200), seed=seeds)
def test_a_split_never_makes_it_sooner(history, remaining, seed):
    plain = forecast_completion(history=history, remaining=remaining, start=START, seed=seed)
    grown = forecast_completion(
        history=history, remaining=remaining, split=(1.0, 1.5), start=START, seed=seed
    )
    assert np.all(done_within(plain) >= done_within(grown))
