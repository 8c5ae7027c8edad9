"""When will it be done, and how much will be done by a date: the public forecasts.

Percentiles are read off the trials with the inverted empirical CDF (numpy's
"inverted_cdf" method, computed here in exact integer arithmetic): the 85th percentile
is the smallest week count W such that at least 85 % of trials are done within W
weeks. The results are therefore whole weeks that some trial actually took.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from pilothouse.engines.forecasting.checks import (
    MAX_ITEMS,
    check_count,
    check_date,
    check_history,
    check_risks,
    check_scope,
    check_seed,
    check_split,
    check_target,
    check_trials,
)
from pilothouse.engines.forecasting.results import (
    PERCENTILES,
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
from pilothouse.engines.forecasting.simulation import (
    NOT_DONE,
    Draws,
    done_within_by_threshold,
    draw_scopes,
    items_within,
    weeks_to_reach,
)


def _rank(share: int, trials: int) -> int:
    """The 0-based position in sorted order of the `share` percentile (inverted CDF):
    the smallest k with (k + 1) / trials >= share / 100, without float rounding."""
    return -(-share * trials // 100) - 1


def _completion(
    done_within: np.ndarray, *, trials: int, start: dt.date, target: dt.date | None, label: str
) -> CompletionForecast:
    """The forecast from done_within[w], how many trials were done within w weeks, for
    w = 0 .. W (W: the horizon, or a week by which every trial is done)."""
    last = done_within.size - 1
    done = int(done_within[-1])
    unfinished = trials - done
    # One search for all: the first week in which a trial is done, the week by which all
    # the trials done within the horizon are, and each percentile's week.
    ranks = [1, done] + [_rank(share, trials) + 1 for share in PERCENTILES]
    first, end, *weeks = np.searchsorted(done_within, ranks).tolist()
    percentiles = {}
    for share, value in zip(PERCENTILES, weeks, strict=True):
        if value > last:
            raise ForecastError(
                f"{label}: no forecast is possible at the {share}th percentile: in "
                f"{unfinished / trials:.1%} of trials the scope is not done within 20 years "
                "at the throughput of the history"
            )
        percentiles[share] = PercentilePoint(weeks=value, date=week_end(start, value))
    probability = None
    if target is not None:
        probability = int(done_within[min(whole_weeks_until(start, target), last)]) / trials
    # The histogram: every week from the first to the last in which a trial was done.
    counts = done_within[first : end + 1].copy()
    counts[1:] -= done_within[first:end]
    if first:
        counts[0] -= done_within[first - 1]
    histogram = tuple(map(HistogramBin, range(first, end + 1), counts.tolist()))
    return CompletionForecast(
        trials=trials,
        start=start,
        percentiles=percentiles,
        probability_by_target=probability,
        histogram=histogram,
        target=target,
        unfinished=unfinished,
    )


def forecast_completion(
    *,
    history: Sequence[int],
    remaining: int,
    remaining_high: int | None = None,
    split: tuple[float, float] | None = None,
    risks: Sequence[Risk] = (),
    trials: int = 10_000,
    seed: int | None = None,
    start: dt.date,
    target: dt.date | None = None,
) -> CompletionForecast:
    """When `remaining` items (or a number uniform over [remaining, remaining_high]),
    grown by a `split` factor and by the `risks` that fire, are done, working weeks like
    those of `history` (weekly completed counts, oldest first) from `start` on.

    Same arguments and seed, same forecast. Raises ForecastError naming the argument."""
    weeks_history = check_history(history)
    low, high = check_scope(remaining, remaining_high)
    factors = check_split(split)
    checked_risks = check_risks(risks)
    count = check_trials(trials)
    start = check_date(start, "start")
    day = check_target(target, "target", start)
    draws = Draws(history=weeks_history, trials=count, seed=check_seed(seed))
    scopes = draw_scopes(draws=draws, low=low, high=high, split=factors, risks=checked_risks)
    weeks = weeks_to_reach(draws, scopes)
    # Week counts are small integers: counting them is cheaper than sorting the trials.
    done_within = np.cumsum(np.bincount(weeks, minlength=NOT_DONE + 1)[:NOT_DONE])
    return _completion(done_within, trials=count, start=start, target=day, label="remaining")


def forecast_parallel(
    *,
    histories: Sequence[Sequence[int]],
    scopes: Sequence[int],
    split: tuple[float, float] | None = None,
    trials: int = 10_000,
    seed: int | None = None,
    start: dt.date,
    target: dt.date | None = None,
) -> CompletionForecast:
    """When several teams working side by side are all done: team i works weeks like
    those of `histories[i]` until it has done `scopes[i]` items (grown by a `split`
    factor drawn for each team and trial), and a trial is done in the week the last of
    its teams is.

    Each team is simulated from its own history in its own random streams of the one
    seed; team 0's are those of `forecast_completion`, so with one team the answer is
    exactly `forecast_completion(history=histories[0], remaining=scopes[0])`. A team's
    weeks do not depend on its scope, so a larger scope is never done sooner, trial by
    trial. Raises ForecastError naming the argument (`histories[1]`: which team)."""
    if isinstance(histories, (str, bytes)) or not isinstance(histories, Sequence):
        raise ForecastError("histories: must be a sequence of weekly histories, one per team")
    if len(histories) == 0:
        raise ForecastError("histories: no team to forecast (give at least one history)")
    if isinstance(scopes, (str, bytes)) or not isinstance(scopes, Sequence):
        raise ForecastError("scopes: must be a sequence of item counts, one per team")
    if len(scopes) != len(histories):
        raise ForecastError(
            f"scopes: must have one item count per history ({len(histories)}), got {len(scopes)}"
        )
    weeks_histories = [check_history(h, f"histories[{i}]") for i, h in enumerate(histories)]
    items = [check_count(scope, f"scopes[{i}]") for i, scope in enumerate(scopes)]
    factors = check_split(split)
    count = check_trials(trials)
    start = check_date(start, "start")
    day = check_target(target, "target", start)
    first = Draws(history=weeks_histories[0], trials=count, seed=check_seed(seed))
    weeks = np.zeros(count, dtype=np.int64)
    for lane, (weeks_history, scope) in enumerate(zip(weeks_histories, items, strict=True)):
        draws = first if lane == 0 else first.for_lane(history=weeks_history, lane=lane)
        team_scopes = draw_scopes(draws=draws, low=scope, high=scope, split=factors, risks=())
        np.maximum(weeks, weeks_to_reach(draws, team_scopes), out=weeks)
    done_within = np.cumsum(np.bincount(weeks, minlength=NOT_DONE + 1)[:NOT_DONE])
    return _completion(done_within, trials=count, start=start, target=day, label="scopes")


def forecast_queue(
    *,
    history: Sequence[int],
    sizes: Sequence[int],
    start: dt.date,
    trials: int = 10_000,
    seed: int | None = None,
    targets: Sequence[dt.date | None] | None = None,
) -> tuple[CompletionForecast, ...]:
    """Forecasts for an ordered queue (a team's features, `sizes[i]` items each, worked
    in order): item i is done when the cumulative throughput covers sum(sizes[:i + 1]).
    One simulation serves every position, so position i equals `forecast_completion`
    with that cumulative size and the same seed. `targets[i]` (optional) is the date
    whose probability is asked for position i."""
    weeks_history = check_history(history)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise ForecastError("sizes: must be a sequence of item counts, in queue order")
    if len(sizes) == 0:
        raise ForecastError("sizes: the queue is empty")
    cumulative = np.cumsum([check_count(size, f"sizes[{i}]") for i, size in enumerate(sizes)])
    if cumulative[-1] > MAX_ITEMS:
        raise ForecastError(f"sizes: must add up to at most {MAX_ITEMS:,}, got {cumulative[-1]}")
    count = check_trials(trials)
    start = check_date(start, "start")
    if targets is not None and len(targets) != len(sizes):
        raise ForecastError(
            f"targets: must have one date or None per queue position ({len(sizes)}), "
            f"got {len(targets)}"
        )
    days = [
        check_target(target, f"targets[{i}]", start) for i, target in enumerate(targets or ())
    ] or [None] * len(sizes)
    draws = Draws(history=weeks_history, trials=count, seed=check_seed(seed))
    done = done_within_by_threshold(draws, cumulative.astype(np.int64)).T.copy()
    return tuple(
        _completion(done[i], trials=count, start=start, target=days[i], label=f"sizes[{i}]")
        for i in range(len(sizes))
    )


def forecast_items_by(
    *,
    history: Sequence[int],
    start: dt.date,
    until: dt.date,
    trials: int = 10_000,
    seed: int | None = None,
) -> ItemsForecast:
    """How many items are done in the whole weeks from `start` that end on or before
    `until`. percentiles[q] is the largest count reached in at least q % of trials
    ("at least that many, with q % confidence"). With the same seed, the share of trials
    with at least N items equals `forecast_completion(remaining=N, target=until)`'s
    probability_by_target."""
    weeks_history = check_history(history)
    count = check_trials(trials)
    start = check_date(start, "start")
    day = check_target(check_date(until, "until"), "until", start)
    assert day is not None
    weeks = whole_weeks_until(start, day)
    draws = Draws(history=weeks_history, trials=count, seed=check_seed(seed))
    items = items_within(draws, weeks)
    descending = np.sort(items)[::-1]
    percentiles = {share: int(descending[_rank(share, count)]) for share in PERCENTILES}
    # Only the counts that occur: weeks of millions of items spread them far apart.
    values, counts = np.unique(items, return_counts=True)
    histogram = tuple(
        ItemsBin(items=int(value), trials=int(n)) for value, n in zip(values, counts, strict=True)
    )
    return ItemsForecast(
        trials=count,
        start=start,
        until=day,
        weeks=weeks,
        percentiles=percentiles,
        histogram=histogram,
    )
