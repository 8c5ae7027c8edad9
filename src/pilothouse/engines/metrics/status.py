"""The status of a metric against its target, with the sentence that explains it.

The latest value is compared with the target that covers today, and the trend (a
least-squares line through the recent values) is projected to the target's end date:

- on track: the projection meets the target (or, with too few recent values for a
  trend, the latest value does);
- at risk: it falls short, by no more than the metric's tolerance (a percentage of the
  target);
- off track: it falls short by more;
- no target: no target covers today; no data: the metric has no value yet.

"Short" follows the direction: below the target when higher is better, above it when
lower is better. The sentence says the figures the verdict came from, e.g. "At 41,200
against a target of 45,000 by 31 Mar; rising 1.2% a week, it would reach 44,100 — 2%
short, within the 5% tolerance: at risk."
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pilothouse.engines.metrics.periods import check_granularity

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_TARGET = "no_target"
NO_DATA = "no_data"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, NO_TARGET, NO_DATA)
STATUS_LABELS = {
    ON_TRACK: "on track",
    AT_RISK: "at risk",
    OFF_TRACK: "off track",
    NO_TARGET: "no target",
    NO_DATA: "no data",
}
# Most urgent first: the order of a dashboard.
STATUS_ORDER = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 2, NO_TARGET: 3, NO_DATA: 4}

DIRECTIONS = ("higher", "lower")

# How far back the trend looks from the latest value, per granularity: eight whole weeks
# of days (so a weekly pattern weighs the same on every weekday), twelve weeks, six months.
TREND_WINDOW_DAYS = {"day": 56, "week": 84, "month": 183}
# The fewest values a trend is fitted through.
MIN_TREND_POINTS = 3
# A change smaller than this (percent per week or month) is described as steady.
STEADY_PERCENT = 0.05


@dataclass(frozen=True)
class Target:
    start: dt.date
    end: dt.date
    value: float


@dataclass(frozen=True)
class Trend:
    """A least-squares line: value = level + slope_per_day * (day - anchor).days."""

    anchor: dt.date
    level: float
    slope_per_day: float
    points: int

    def value_at(self, day: dt.date) -> float:
        return self.level + self.slope_per_day * (day - self.anchor).days


@dataclass(frozen=True)
class MetricStatus:
    status: str
    sentence: str
    latest: float | None = None
    latest_period: dt.date | None = None
    target: Target | None = None
    trend: Trend | None = None
    projected: float | None = None
    # Percent change per week (per month for monthly metrics), relative to the line's
    # value at the latest period; None without a trend or when that value is 0.
    change_percent: float | None = None
    # How far the judged value (projection, or latest) misses the target, in percent of
    # the target; 0 when it meets it.
    shortfall_percent: float | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def fit_trend(values: Sequence[tuple[dt.date, float]]) -> Trend | None:
    """The least-squares line through (day, value) pairs, anchored at the last day; None
    with fewer than MIN_TREND_POINTS values or all on one day."""
    if len(values) < MIN_TREND_POINTS:
        return None
    anchor = max(day for day, _value in values)
    xs = [float((day - anchor).days) for day, _value in values]
    ys = [float(value) for _day, value in values]
    mean_x = math.fsum(xs) / len(xs)
    mean_y = math.fsum(ys) / len(ys)
    spread = math.fsum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    level = mean_y - slope * mean_x  # the line's value at x = 0, the anchor
    return Trend(anchor=anchor, level=level, slope_per_day=slope, points=len(values))


def recent(
    values: Iterable[tuple[dt.date, float]], *, granularity: str, today: dt.date
) -> list[tuple[dt.date, float]]:
    """The values the trend is fitted through: those of the window before the latest
    value (on or before today), oldest first."""
    check_granularity(granularity)
    known = sorted((pair for pair in values if pair[0] <= today), key=lambda pair: pair[0])
    if not known:
        return []
    latest = known[-1][0]
    first = latest - dt.timedelta(days=TREND_WINDOW_DAYS[granularity] - 1)
    return [pair for pair in known if pair[0] >= first]


def covering_target(targets: Iterable[Target], today: dt.date) -> Target | None:
    """The target whose span holds today (targets of a metric do not overlap; if they
    did, the one that ends first)."""
    holding = [target for target in targets if target.start <= today <= target.end]
    return min(holding, key=lambda target: (target.end, target.start)) if holding else None


def evaluate(
    *,
    values: Iterable[tuple[dt.date, float]],
    targets: Iterable[Target],
    direction: str,
    granularity: str,
    tolerance_percent: float,
    today: dt.date,
    unit: str = "",
) -> MetricStatus:
    """The status of a metric from its values (period start, value; one dimension) and
    targets, as of `today`."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction: {direction!r} is not one of {', '.join(DIRECTIONS)}.")
    if not math.isfinite(tolerance_percent) or tolerance_percent < 0:
        raise ValueError("tolerance_percent: must be a number of 0 or more.")
    window = recent(values, granularity=granularity, today=today)
    if not window:
        return MetricStatus(NO_DATA, "No values yet.")
    latest_period, latest = window[-1]
    at = f"At {format_value(latest, unit)}"
    target = covering_target(targets, today)
    if target is None:
        return MetricStatus(
            NO_TARGET,
            f"{at} ({_period_words(latest_period, granularity)}); no target covers today.",
            latest=latest,
            latest_period=latest_period,
        )
    trend = fit_trend(window)
    change = _change_percent(trend, granularity) if trend else None
    projected = trend.value_at(target.end) if trend else None
    judged = projected if projected is not None else latest
    shortfall = _shortfall_percent(judged, target.value, direction)
    if shortfall <= 0:
        status = ON_TRACK
    elif shortfall <= tolerance_percent:
        status = AT_RISK
    else:
        status = OFF_TRACK
    opening = (
        f"{at} against a target of {format_value(target.value, unit)} "
        f"by {_day_words(target.end, today)}"
    )
    if trend is None:
        reasoning = "too few recent values for a trend, judged on the latest value"
    else:
        reasoning = (
            f"{_trend_words(trend, change, granularity, unit)}, "
            f"it would reach {format_value(projected, unit)}"
        )
    verdict = _verdict_words(status, shortfall, tolerance_percent, direction)
    return MetricStatus(
        status,
        f"{opening}; {reasoning}{verdict}: {STATUS_LABELS[status]}.",
        latest=latest,
        latest_period=latest_period,
        target=target,
        trend=trend,
        projected=projected,
        change_percent=change,
        shortfall_percent=max(0.0, shortfall),
    )


def _shortfall_percent(value: float, target: float, direction: str) -> float:
    """How far `value` misses `target` in percent of the target's size (negative: it
    beats it). A target of 0 is measured against the value itself."""
    gap = target - value if direction == "higher" else value - target
    scale = abs(target) or abs(value)
    if scale == 0:
        return 0.0
    return gap / scale * 100


def _change_percent(trend: Trend, granularity: str) -> float | None:
    base = trend.value_at(trend.anchor)
    if base == 0:
        return None
    return trend.slope_per_day * _step_days(granularity) / abs(base) * 100


def _step_days(granularity: str) -> float:
    return 30.4375 if granularity == "month" else 7.0


def _trend_words(trend: Trend, change: float | None, granularity: str, unit: str) -> str:
    step = "a month" if granularity == "month" else "a week"
    if change is None:
        amount = trend.slope_per_day * _step_days(granularity)
        if amount == 0:
            return "holding steady"
        verb = "rising" if amount > 0 else "falling"
        return f"{verb} {format_value(abs(amount), unit)} {step}"
    if abs(change) < STEADY_PERCENT:
        return "holding steady"
    verb = "rising" if change > 0 else "falling"
    return f"{verb} {format_percent(abs(change))} {step}"


def _verdict_words(status: str, shortfall: float, tolerance: float, direction: str) -> str:
    if status == ON_TRACK:
        return ""
    side = "short" if direction == "higher" else "over the target"
    within = "within" if status == AT_RISK else "beyond"
    return (
        f" — {format_percent(shortfall)} {side}, {within} the {format_percent(tolerance)} tolerance"
    )


def _day_words(day: dt.date, today: dt.date) -> str:
    text = f"{day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def _period_words(start: dt.date, granularity: str) -> str:
    if granularity == "week":
        return f"week of {start.day} {start:%b %Y}"
    if granularity == "month":
        return f"{start:%B %Y}"
    return f"{start.day} {start:%b %Y}"


def format_percent(value: float) -> str:
    """1.2%, 15%: one decimal below 10, none from 10."""
    text = f"{value:.1f}" if abs(value) < 10 else f"{value:.0f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}%"


def format_value(value: float, unit: str = "") -> str:
    """A figure as a person reads it: whole thousands with separators (41,200 users),
    smaller figures to four significant digits (99.98%, 938.9 ms, 0.034 s)."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if text in {"-0", "-0.0"}:
        text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"
