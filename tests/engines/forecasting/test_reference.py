"""The engine against a deliberately plain implementation of the same documented rules:
one trial at a time, Python's random.Random, a while loop per trial.

The two use different random generators, so they agree only in distribution. Two
checks, both with fixed seeds (deterministic) and margins set from sampling theory, not
from the observed results:

- a two-sample Kolmogorov-Smirnov test of the trials' week counts must not reject at
  the 0.1 % level (with ties the test is conservative: a real discrepancy of a week
  still shows at these sample sizes, see the shifted control);
- for each reported percentile W of the engine, the plain implementation's share of
  trials done within W must be at least the percentile, and its share within W - 1
  below it, each up to 4 standard errors of the difference of two proportions.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest
from scipy import stats

from pilothouse.engines.forecasting import Risk, forecast_completion

START = dt.date(2026, 1, 5)
HISTORY = [int(x) for x in np.random.default_rng(2024).poisson(6, 104)] + [0] * 8


def plain_weeks(
    *,
    history: list[int],
    remaining: int,
    remaining_high: int,
    split: tuple[float, float],
    risks: list[Risk],
    trials: int,
    seed: int,
) -> list[int]:
    rng = random.Random(seed)
    results = []
    for _ in range(trials):
        scope = rng.randint(remaining, remaining_high)
        scope = math.ceil(scope * rng.uniform(*split) - 1e-9)
        for risk in risks:
            if rng.random() < risk.probability:
                scope += rng.randint(risk.extra_low, risk.extra_high)
        done = weeks = 0
        while done < scope:
            done += rng.choice(history)
            weeks += 1
        results.append(weeks)
    return results


def engine_weeks(forecast) -> np.ndarray:
    return np.repeat([b.weeks for b in forecast.histogram], [b.trials for b in forecast.histogram])


CASES = {
    "fixed scope": {"remaining": 120, "remaining_high": 120, "split": (1.0, 1.0), "risks": []},
    "range, split and risks": {
        "remaining": 80,
        "remaining_high": 140,
        "split": (1.0, 1.4),
        "risks": [Risk(0.25, 10, 30)],
    },
}


@pytest.mark.parametrize("case", CASES)
def test_percentiles_agree_with_a_plain_implementation(case):
    options = CASES[case]
    forecast = forecast_completion(history=HISTORY, start=START, seed=7, trials=10_000, **options)
    plain = np.array(plain_weeks(history=HISTORY, trials=5_000, seed=7, **options))
    engine = engine_weeks(forecast)
    assert engine.size == 10_000

    assert stats.ks_2samp(engine, plain).pvalue > 0.001
    for share, point in forecast.percentiles.items():
        q = share / 100
        margin = 4 * math.sqrt(q * (1 - q) * (1 / engine.size + 1 / plain.size))
        assert np.mean(plain <= point.weeks) >= q - margin, share
        assert np.mean(plain <= point.weeks - 1) < q + margin, share


def test_the_comparison_notices_a_forecast_one_week_off():
    # The control: the same checks reject the engine's trials shifted by one week.
    options = CASES["fixed scope"]
    forecast = forecast_completion(history=HISTORY, start=START, seed=7, trials=10_000, **options)
    plain = np.array(plain_weeks(history=HISTORY, trials=5_000, seed=7, **options))
    assert stats.ks_2samp(engine_weeks(forecast) + 1, plain).pvalue < 0.001
