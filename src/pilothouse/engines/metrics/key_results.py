"""A key result that follows a metric: its current value read from the metric's values,
its progress, the history of that progress over the objective's period, and the score
of an objective (the mean of its key results' progress) with its colour band."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence

READINGS = ("latest", "period_sum", "period_mean")

# Colour bands of a score (0..1): from 0.7 green, from 0.4 yellow, below that red.
GREEN_FROM = 0.7
YELLOW_FROM = 0.4

_LABEL = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|H([12])|(0[1-9]|1[0-2])))?$")


def label_span(label: str) -> tuple[dt.date, dt.date]:
    """The first and last day of an objective's period label: a year (2026), a half
    (2026-H2), a quarter (2026-Q4) or a month (2026-11)."""
    match = _LABEL.match(label or "")
    if match is None:
        raise ValueError(f"period: {label!r} is not a year, half, quarter or month label.")
    year = int(match[1])
    if match[2]:
        first_month, months = (int(match[2]) - 1) * 3 + 1, 3
    elif match[3]:
        first_month, months = (int(match[3]) - 1) * 6 + 1, 6
    elif match[4]:
        first_month, months = int(match[4]), 1
    else:
        first_month, months = 1, 12
    start = dt.date(year, first_month, 1)
    last_month = first_month + months  # the month after the span, maybe next year's first
    after = dt.date(year + (last_month - 1) // 12, (last_month - 1) % 12 + 1, 1)
    return start, after - dt.timedelta(days=1)


def check_reading(reading: str) -> str:
    if reading not in READINGS:
        raise ValueError(f"reading: {reading!r} is not one of {', '.join(READINGS)}.")
    return reading


def _in_span(
    values: Iterable[tuple[dt.date, float]], start: dt.date, end: dt.date
) -> list[tuple[dt.date, float]]:
    return sorted(((day, value) for day, value in values if start <= day <= end), key=_day)


def _day(pair: tuple[dt.date, float]) -> dt.date:
    return pair[0]


def key_result_reading(
    *,
    values: Iterable[tuple[dt.date, float]],
    reading: str,
    start: dt.date,
    end: dt.date,
) -> float | None:
    """The key result's current value from the metric's values (period start, value):
    the latest value on or before `end` ("latest"; values before `start` count, so a
    key result reads its metric from the first day), or the sum or the mean of the
    values of periods starting within [start, end]. None when there is nothing to read."""
    check_reading(reading)
    if reading == "latest":
        before_end = [pair for pair in values if pair[0] <= end]
        return max(before_end, key=_day)[1] if before_end else None
    inside = [value for _day, value in _in_span(values, start, end)]
    if not inside:
        return None
    total = math.fsum(inside)
    return total if reading == "period_sum" else total / len(inside)


def reading_history(
    *,
    values: Iterable[tuple[dt.date, float]],
    reading: str,
    start: dt.date,
    end: dt.date,
) -> list[tuple[dt.date, float]]:
    """What the key result read on each date a value arrived within [start, end]: the
    value itself ("latest"), the running sum or the running mean."""
    check_reading(reading)
    history: list[tuple[dt.date, float]] = []
    running: list[float] = []
    for day, value in _in_span(values, start, end):
        running.append(value)
        if reading == "latest":
            history.append((day, value))
        elif reading == "period_sum":
            history.append((day, math.fsum(running)))
        else:
            history.append((day, math.fsum(running) / len(running)))
    return history


def progress(*, current: float, start: float, target: float) -> float:
    """(current - start) / (target - start), held within [0, 1]; works both ways (a
    target below the start is a decrease). A target equal to its start gives 0."""
    span = target - start
    if span == 0:
        return 0.0
    return min(1.0, max(0.0, (current - start) / span))


def score(progresses: Sequence[float]) -> float | None:
    """An objective's score: the mean progress of its key results; None without any."""
    if not progresses:
        return None
    return math.fsum(progresses) / len(progresses)


def score_band(value: float | None) -> str | None:
    """ "green" from 0.7, "yellow" from 0.4, else "red"; None for no score. Scores are
    compared as they are shown, to two places (0.6996 shows as 0.70: green), so that the
    colour never contradicts the figure beside it."""
    if value is None:
        return None
    shown = float(f"{value:.2f}")
    if shown >= GREEN_FROM:
        return "green"
    if shown >= YELLOW_FROM:
        return "yellow"
    return "red"
