"""Rolling a metric's values up into longer periods (days into weeks or months, weeks
into months is not offered: a month is not made of whole weeks) by the metric's
aggregation: the sum, the mean, the last value, the minimum or the maximum."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from pilothouse.engines.metrics.periods import check_granularity, is_coarser, period_start

AGGREGATIONS = ("sum", "mean", "last", "min", "max")


@dataclass(frozen=True)
class RolledValue:
    """The value of one longer period, and how many of the finer values made it (a
    period still in progress has fewer than a whole one)."""

    period_start: dt.date
    value: float
    count: int


def check_aggregation(aggregation: str) -> str:
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation: {aggregation!r} is not one of {', '.join(AGGREGATIONS)}.")
    return aggregation


def aggregate(values: list[float], aggregation: str) -> float:
    """One number from the values of a period, in their date order."""
    check_aggregation(aggregation)
    if not values:
        raise ValueError("values: nothing to aggregate.")
    if aggregation == "sum":
        return math.fsum(values)
    if aggregation == "mean":
        return math.fsum(values) / len(values)
    if aggregation == "last":
        return values[-1]
    if aggregation == "min":
        return min(values)
    return max(values)


def can_roll_up(*, source: str, target: str) -> bool:
    """Days roll up into weeks and months; any granularity into itself."""
    return target == source or (source == "day" and is_coarser(target, source))


def roll_up(
    *,
    values: Iterable[tuple[dt.date, float]],
    source: str,
    target: str,
    aggregation: str,
) -> list[RolledValue]:
    """Values of granularity `source` (period start, value) rolled up into periods of
    `target`, oldest first. The same granularity answers the values as they are (sorted);
    a finer target, or weeks into months, is refused."""
    check_granularity(source)
    check_granularity(target)
    check_aggregation(aggregation)
    if not can_roll_up(source=source, target=target):
        raise ValueError(f"target: values by {source} cannot be rolled up into {target}s.")
    groups: dict[dt.date, list[tuple[dt.date, float]]] = {}
    for day, value in values:
        groups.setdefault(period_start(day, target), []).append((day, value))
    rolled = []
    for start in sorted(groups):
        members = sorted(groups[start], key=lambda pair: pair[0])
        numbers = [value for _day, value in members]
        rolled.append(RolledValue(start, aggregate(numbers, aggregation), len(numbers)))
    return rolled
