"""What the forecasts answer: frozen dataclasses, and the error for input that allows none.

Dates follow one rule everywhere (see docs/forecasting.md): week 1 starts on the start
date, and a forecast of W weeks means "done by the end of week W", the date
`start + 7 * W - 1 day`. A forecast of 0 weeks (nothing left) is dated the day before
the start: already done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

PERCENTILES: tuple[int, ...] = (50, 85, 95)


class ForecastError(ValueError):
    """Input that allows no forecast; the message names the argument and says why."""


@dataclass(frozen=True)
class Risk:
    """Something that may add work: with `probability` (0 to 1) per trial, it adds a
    whole number of items drawn uniformly from `extra_low` to `extra_high` inclusive."""

    probability: float
    extra_low: int
    extra_high: int


@dataclass(frozen=True)
class PercentilePoint:
    weeks: int
    date: dt.date


@dataclass(frozen=True)
class HistogramBin:
    """`trials` of the simulation were done after exactly `weeks` weeks."""

    weeks: int
    trials: int


@dataclass(frozen=True)
class ItemsBin:
    """`trials` of the simulation completed exactly `items` items."""

    items: int
    trials: int


def week_end(start: dt.date, weeks: int) -> dt.date:
    """The last day of week `weeks` counted from `start` (week 1 starts on `start`)."""
    return start + dt.timedelta(days=7 * weeks - 1)


def whole_weeks_until(start: dt.date, day: dt.date) -> int:
    """How many whole weeks from `start` end on or before `day`."""
    return ((day - start).days + 1) // 7


@dataclass(frozen=True)
class CompletionForecast:
    """When a scope is done: weeks and dates at the 50th, 85th and 95th percentiles of
    the trials, the share of trials done on or before `target`, and the distribution.

    `unfinished` trials were not done within the horizon (20 years); they are left out
    of the histogram, count as not done by the target, and lie above every reported
    percentile (a percentile that falls among them raises ForecastError instead).
    """

    trials: int
    start: dt.date
    percentiles: dict[int, PercentilePoint]
    probability_by_target: float | None
    histogram: tuple[HistogramBin, ...]
    target: dt.date | None = None
    unfinished: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `pilothouse forecast --json`, exactly."""
        return {
            "trials": self.trials,
            "percentiles": {
                str(share): {"weeks": point.weeks, "date": point.date.isoformat()}
                for share, point in sorted(self.percentiles.items())
            },
            "probability_by_target": self.probability_by_target,
            "histogram": [{"weeks": b.weeks, "trials": b.trials} for b in self.histogram],
        }


@dataclass(frozen=True)
class ItemsForecast:
    """How many items are done by `until` (in the `weeks` whole weeks from `start` that
    end on or before it). `percentiles[85]` is the confidence reading: at least that many
    items in 85 % of trials (so it is lower than `percentiles[50]`)."""

    trials: int
    start: dt.date
    until: dt.date
    weeks: int
    percentiles: dict[int, int]
    histogram: tuple[ItemsBin, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "trials": self.trials,
            "start": self.start.isoformat(),
            "until": self.until.isoformat(),
            "weeks": self.weeks,
            "percentiles": {str(share): items for share, items in sorted(self.percentiles.items())},
            "histogram": [{"items": b.items, "trials": b.trials} for b in self.histogram],
        }


@dataclass(frozen=True)
class BacktestPoint:
    """One replayed forecast: made at the start of week `as_of` from the
    `history_weeks` weeks before it, for `scope` items. `actual_weeks` is how many weeks
    the history then took to complete that many items (None: not within the history)."""

    as_of: dt.date
    history_weeks: int
    scope: int
    percentile_weeks: dict[int, int]
    actual_weeks: int | None

    def within(self, share: int) -> bool | None:
        """Whether the scope was actually done by the forecast's percentile `share`."""
        if self.actual_weeks is None:
            return None
        return self.actual_weeks <= self.percentile_weeks[share]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "history_weeks": self.history_weeks,
            "scope": self.scope,
            "forecast_weeks": {str(s): w for s, w in sorted(self.percentile_weeks.items())},
            "actual_weeks": self.actual_weeks,
            "within": {str(s): self.within(s) for s in sorted(self.percentile_weeks)},
        }


@dataclass(frozen=True)
class BacktestReport:
    """The replayed forecasts and their calibration: per percentile, the share of the
    resolved points whose actual completion came within that percentile's forecast
    (well calibrated: about 0.50, 0.85, 0.95, a little above with whole weeks)."""

    points: tuple[BacktestPoint, ...]
    calibration: dict[int, float]
    resolved: int
    unresolved: int
    skipped: int
    scope: int | None
    horizon_weeks: int
    min_history_weeks: int
    trials: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "calibration": {str(s): share for s, share in sorted(self.calibration.items())},
            "resolved": self.resolved,
            "unresolved": self.unresolved,
            "skipped": self.skipped,
            "scope": self.scope,
            "horizon_weeks": self.horizon_weeks,
            "min_history_weeks": self.min_history_weeks,
            "trials": self.trials,
            "points": [point.to_dict() for point in self.points],
        }
