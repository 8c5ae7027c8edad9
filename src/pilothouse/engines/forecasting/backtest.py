"""Backtesting: replay the history to see how often past forecasts would have been right.

The protocol, at each week T of the history from week `min_history_weeks` on (every
`step_weeks`):

1. the past is the weeks before T only; if nothing was completed in it (or the scope
   is out of its reach within 20 years), there is no forecast and T is "skipped";
2. the scope is `scope` items if given, else what the past pace suggests for
   `horizon_weeks` weeks: the mean weekly throughput before T times `horizon_weeks`,
   rounded up (what a team would plan for a quarter, knowing only its past);
3. the forecast is `forecast_completion` from the past, started at T (seed + the point's
   index, so the points' draws are independent);
4. the actual is how many weeks from T the history took to complete that many items;
   a point whose scope the rest of the history never reaches is "unresolved" and left
   out of the calibration (a slight bias near the end of the history: slow outcomes are
   the ones that cannot be seen yet; keep the scope small next to the history).

Calibration at percentile q is the share of resolved points whose actual weeks were at
most the forecast's q-th percentile. A well-calibrated forecast scores about q %; with
whole weeks a little more, since a percentile rounds up to a week that covers at least q %.
Consecutive points share most of their future, so their outcomes are correlated: read
the calibration of a short history with a wide margin.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from pilothouse.engines.forecasting.checks import check_count, check_seed, check_trials
from pilothouse.engines.forecasting.completion import forecast_completion
from pilothouse.engines.forecasting.history import weekly_history
from pilothouse.engines.forecasting.results import (
    PERCENTILES,
    BacktestPoint,
    BacktestReport,
    ForecastError,
)


def _actual_weeks(counts: np.ndarray, at: int, scope: int) -> int | None:
    """Weeks from index `at` until `scope` items were completed, None if never."""
    if scope == 0:
        return 0
    done = np.cumsum(counts[at:])
    reached = int(np.searchsorted(done, scope, side="left"))
    return reached + 1 if reached < done.size else None


def backtest(
    *,
    history: Sequence[tuple[dt.date, int]],
    scope: int | None = None,
    horizon_weeks: int = 12,
    min_history_weeks: int = 8,
    step_weeks: int = 1,
    trials: int = 2_000,
    seed: int | None = None,
) -> BacktestReport:
    """Replay `history` ((week_start, completed) rows, oldest first; gaps of whole
    weeks count as zero weeks) as described in the module's documentation."""
    weeks = weekly_history(history)
    if scope is not None:
        scope = check_count(scope, "scope", minimum=1)
    horizon_weeks = check_count(horizon_weeks, "horizon_weeks", minimum=1)
    min_history_weeks = check_count(min_history_weeks, "min_history_weeks", minimum=1)
    step_weeks = check_count(step_weeks, "step_weeks", minimum=1)
    trials = check_trials(trials)
    seed = check_seed(seed)
    counts = np.asarray(weeks.counts, dtype=np.int64)
    if counts.size <= min_history_weeks:
        raise ForecastError(
            f"history: too short to backtest: {counts.size} weeks, need more than "
            f"min_history_weeks ({min_history_weeks}) to replay any"
        )
    points = []
    skipped = 0
    for number, at in enumerate(range(min_history_weeks, counts.size, step_weeks)):
        past = counts[:at]
        if not past.any():
            skipped += 1
            continue
        size = scope if scope is not None else math.ceil(past.mean() * horizon_weeks)
        try:
            forecast = forecast_completion(
                history=past.tolist(),
                remaining=size,
                trials=trials,
                seed=None if seed is None else seed + number,
                start=weeks.weeks[at][0],
            )
        except ForecastError:  # the scope is out of reach of this past within 20 years
            skipped += 1
            continue
        points.append(
            BacktestPoint(
                as_of=weeks.weeks[at][0],
                history_weeks=at,
                scope=size,
                percentile_weeks={q: p.weeks for q, p in forecast.percentiles.items()},
                actual_weeks=_actual_weeks(counts, at, size),
            )
        )
    resolved = [point for point in points if point.actual_weeks is not None]
    if not resolved:
        raise ForecastError(
            "history: no backtest is possible: no replayed scope was completed within the "
            "history (a smaller scope or a longer history would give some)"
        )
    calibration = {q: sum(bool(p.within(q)) for p in resolved) / len(resolved) for q in PERCENTILES}
    return BacktestReport(
        points=tuple(points),
        calibration=calibration,
        resolved=len(resolved),
        unresolved=len(points) - len(resolved),
        skipped=skipped,
        scope=scope,
        horizon_weeks=horizon_weeks,
        min_history_weeks=min_history_weeks,
        trials=trials,
    )
