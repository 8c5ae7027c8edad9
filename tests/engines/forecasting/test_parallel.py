"""forecast_parallel: teams working side by side, each at its own pace, done when the
last of them is."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pilothouse.engines.forecasting import (
    ForecastError,
    forecast_completion,
    forecast_parallel,
)

START = dt.date(2026, 1, 5)
ATLAS = [3, 0, 5, 2, 4, 1, 0, 6, 2, 3, 4, 2, 5, 0, 3, 2, 4, 1, 3, 2, 5, 3, 0, 4, 2, 3]
BOREAS = [int(x) for x in np.random.default_rng(11).poisson(7, 52)]
SLOW = [1, 0, 0, 2, 1, 0, 1, 0]
FAST = [40, 55, 60, 45]


def weeks_of(forecast) -> np.ndarray:
    """The trials' week counts, from the histogram."""
    return np.repeat([b.weeks for b in forecast.histogram], [b.trials for b in forecast.histogram])


@pytest.mark.parametrize("seed", [0, 1, 12345])
@pytest.mark.parametrize("split", [None, (1.0, 1.6)])
def test_one_team_is_exactly_a_completion_forecast(seed, split):
    target = dt.date(2026, 4, 30)
    for history, scope in ((ATLAS, 60), (BOREAS, 1), (SLOW, 7), (ATLAS, 0)):
        alone = forecast_parallel(
            histories=[history], scopes=[scope], split=split, seed=seed, start=START, target=target
        )
        assert alone == forecast_completion(
            history=history, remaining=scope, split=split, seed=seed, start=START, target=target
        )


def test_the_first_team_draws_what_a_completion_forecast_draws():
    # With the other team's scope 0, only the first team's weeks are left.
    pair = forecast_parallel(histories=[ATLAS, BOREAS], scopes=[40, 0], seed=5, start=START)
    assert pair == forecast_completion(history=ATLAS, remaining=40, seed=5, start=START)


def test_the_latest_team_sets_the_date_at_every_percentile():
    both = forecast_parallel(histories=[ATLAS, BOREAS], scopes=[53, 126], seed=3, start=START)
    alone = [
        forecast_parallel(histories=[ATLAS, BOREAS], scopes=[53, 0], seed=3, start=START),
        forecast_parallel(histories=[ATLAS, BOREAS], scopes=[0, 126], seed=3, start=START),
    ]
    for share in (50, 85, 95):
        for team in alone:
            assert both.percentiles[share].weeks >= team.percentiles[share].weeks
    # Two comparable teams: finishing both takes longer than either, in distribution.
    assert both.percentiles[50].weeks > max(t.percentiles[50].weeks for t in alone)
    # Trial by trial (same seed, same paths): the maximum is at least each team's weeks.
    for team in alone:
        assert np.all(np.sort(weeks_of(both)) >= np.sort(weeks_of(team)))


def test_a_far_slower_team_alone_sets_the_forecast():
    both = forecast_parallel(histories=[FAST, SLOW], scopes=[50, 20], seed=9, start=START)
    slow_alone = forecast_parallel(histories=[FAST, SLOW], scopes=[0, 20], seed=9, start=START)
    # The fast team is done within two weeks, long before the slow one in every trial.
    assert both == slow_alone
    # And in distribution like the slow team's own forecast (its own random streams): the
    # median of about 36 weeks has a sampling error of a fraction of a week.
    own = forecast_completion(history=SLOW, remaining=20, seed=9, start=START)
    for share in (50, 85, 95):
        assert abs(both.percentiles[share].weeks - own.percentiles[share].weeks) <= 1
    assert stats.ks_2samp(weeks_of(both), weeks_of(own)).pvalue > 0.001


def test_the_teams_draw_independent_weeks():
    # Two identical teams: the maximum of two independent draws is later than one draw.
    one = forecast_parallel(histories=[ATLAS], scopes=[50], seed=4, start=START)
    two = forecast_parallel(histories=[ATLAS, ATLAS], scopes=[50, 50], seed=4, start=START)
    assert two.percentiles[50].weeks > one.percentiles[50].weeks
    # P(max <= w) = P(one <= w)^2 when independent: checked at the single team's median.
    w = one.percentiles[50].weeks
    share_one = sum(b.trials for b in one.histogram if b.weeks <= w) / one.trials
    share_two = sum(b.trials for b in two.histogram if b.weeks <= w) / two.trials
    assert abs(share_two - share_one**2) < 4 * np.sqrt(share_one**2 * (1 - share_one**2) / 10_000)


def plain_weeks(histories, scopes, split, trials, seed) -> list[int]:
    """One trial at a time: each team draws its weeks until it reaches its scope (times
    a split factor drawn for it), and the trial takes as long as the slowest team."""
    rng = random.Random(seed)
    results = []
    for _ in range(trials):
        latest = 0
        for history, scope in zip(histories, scopes, strict=True):
            need = -(-scope * rng.uniform(*split) // 1) if split else scope
            done = weeks = 0
            while done < need:
                done += rng.choice(history)
                weeks += 1
            latest = max(latest, weeks)
        results.append(latest)
    return results


@pytest.mark.parametrize(
    ("scopes", "split"), [([25, 120, 10], None), ([40, 90, 15], (1.0, 1.5))], ids=["plain", "split"]
)
def test_agrees_with_a_plain_implementation(scopes, split):
    histories = [ATLAS, BOREAS, SLOW]
    engine = forecast_parallel(
        histories=histories, scopes=scopes, split=split, trials=10_000, seed=21, start=START
    )
    plain = np.array(plain_weeks(histories, scopes, split, trials=4_000, seed=21))
    assert stats.ks_2samp(weeks_of(engine), plain).pvalue > 0.001
    # Each percentile W of the engine: the plain share within W reaches it, within W - 1
    # it does not, up to 4 standard errors of a difference of two proportions.
    for share in (50, 85, 95):
        w = engine.percentiles[share].weeks
        q = share / 100
        margin = 4 * np.sqrt(q * (1 - q) * (1 / 10_000 + 1 / plain.size))
        assert np.mean(plain <= w) >= q - margin
        assert np.mean(plain <= w - 1) < q + margin


def test_a_shifted_plain_implementation_is_caught():
    """The check above has teeth: a week more on every plain trial is rejected."""
    histories, scopes = [ATLAS, BOREAS, SLOW], [25, 120, 10]
    engine = forecast_parallel(histories=histories, scopes=scopes, seed=21, start=START)
    plain = np.array(plain_weeks(histories, scopes, None, trials=4_000, seed=21)) + 1
    assert stats.ks_2samp(weeks_of(engine), plain).pvalue < 0.001


def test_same_seed_same_forecast_and_a_target():
    args = {"histories": [ATLAS, BOREAS], "scopes": [30, 60], "start": START, "seed": 8}
    first = forecast_parallel(**args, target=dt.date(2026, 3, 29))
    assert first == forecast_parallel(**args, target=dt.date(2026, 3, 29))
    weeks = weeks_of(first)
    assert first.probability_by_target == pytest.approx(np.mean(weeks <= 12))


@settings(max_examples=40, deadline=None)
@given(
    scopes=st.lists(st.integers(0, 80), min_size=1, max_size=3),
    team=st.integers(0, 2),
    more=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    split=st.sampled_from([None, (1.0, 2.0)]),
)
def test_a_deeper_scope_is_never_done_sooner(scopes, team, more, seed, split):
    histories = [ATLAS, BOREAS, SLOW][: len(scopes)]
    team %= len(scopes)
    deeper = list(scopes)
    deeper[team] += more
    target = START + dt.timedelta(weeks=10)
    kwargs = {"histories": histories, "split": split, "seed": seed, "start": START}
    before = forecast_parallel(scopes=scopes, target=target, **kwargs)
    after = forecast_parallel(scopes=deeper, target=target, **kwargs)
    for share in (50, 85, 95):
        assert after.percentiles[share].weeks >= before.percentiles[share].weeks
    assert after.probability_by_target <= before.probability_by_target


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"histories": [], "scopes": []}, "histories: no team to forecast"),
        ({"histories": "3,4", "scopes": [1]}, "histories: must be a sequence"),
        ({"histories": [ATLAS, BOREAS], "scopes": [3]}, "scopes: must have one item count per"),
        ({"histories": [ATLAS], "scopes": 3}, "scopes: must be a sequence"),
        (
            {"histories": [ATLAS, [0, 0, 0]], "scopes": [3, 4]},
            "histories[1]: no forecast is possible: no item was completed in the 3 weeks",
        ),
        ({"histories": [ATLAS, []], "scopes": [3, 4]}, "histories[1]: no forecast is possible"),
        ({"histories": [ATLAS, [2, -1]], "scopes": [3, 4]}, "histories[1][1]: must be at least 0"),
        ({"histories": [ATLAS, BOREAS], "scopes": [3, -4]}, "scopes[1]: must be at least 0"),
        ({"histories": [ATLAS], "scopes": [2.5]}, "scopes[0]: must be a whole number"),
        ({"histories": [ATLAS], "scopes": [3], "split": (0.2, 1)}, "split: factors multiply"),
        ({"histories": [ATLAS], "scopes": [3], "trials": 0}, "trials: must be a whole number"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(kwargs, message):
    with pytest.raises(ForecastError) as caught:
        forecast_parallel(start=START, seed=1, **kwargs)
    assert str(caught.value).startswith(message)


def test_beyond_the_horizon_is_refused_as_a_completion_forecast_is():
    with pytest.raises(ForecastError, match=r"^scopes: no forecast is possible at the 50th"):
        forecast_parallel(histories=[ATLAS, [0] * 51 + [1]], scopes=[5, 100], seed=1, start=START)
