"""Checks of every argument, each failure a ForecastError naming the argument.

They run before anything is drawn, so bad input changes nothing and costs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from pilothouse.engines.forecasting.results import ForecastError, Risk

MAX_TRIALS = 1_000_000
# Beyond a billion items a scope is a data error, and sums stay far from int64's limit.
MAX_ITEMS = 1_000_000_000
MAX_SPLIT = 10.0
HORIZON_WEEKS = 52 * 20


def is_whole(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_count(value: object, name: str, *, minimum: int = 0) -> int:
    if not is_whole(value):
        raise ForecastError(f"{name}: must be a whole number, got {value!r}")
    if value < minimum:  # type: ignore[operator]
        raise ForecastError(f"{name}: must be at least {minimum}, got {value}")
    if value > MAX_ITEMS:  # type: ignore[operator]
        raise ForecastError(f"{name}: must be at most {MAX_ITEMS:,}, got {value}")
    return int(value)  # type: ignore[arg-type]


def _plain_counts(history: Sequence[int] | np.ndarray) -> np.ndarray | None:
    """The weeks as an array when all are whole numbers from 0 to MAX_ITEMS, checked at
    once (ints or an integer array; not bools, which numpy would take for 0 and 1)."""
    if isinstance(history, np.ndarray):
        if history.dtype.kind not in "iu":
            return None
    elif not set(map(type, history)) <= {int}:
        return None
    try:
        weeks = np.asarray(history, dtype=np.int64)
    except OverflowError:
        return None
    if weeks.ndim != 1 or (weeks.size and not 0 <= weeks.min() <= weeks.max() <= MAX_ITEMS):
        return None
    return weeks


def check_history(history: Sequence[int], name: str = "history") -> np.ndarray:
    """Weekly completed counts as an array; refuses what allows no forecast, saying why
    (naming the argument `name`)."""
    if isinstance(history, (str, bytes)) or not isinstance(history, (Sequence, np.ndarray)):
        raise ForecastError(f"{name}: must be a sequence of weekly completed counts")
    weeks = _plain_counts(history)
    if weeks is None:  # the week at fault is named
        for index, value in enumerate(history):
            check_count(value, f"{name}[{index}]")
        weeks = np.asarray(history, dtype=np.int64)
    if weeks.size == 0:
        raise ForecastError(
            f"{name}: no forecast is possible: the history is empty "
            "(the forecast samples past weeks, so it needs at least one)"
        )
    if not weeks.any():
        raise ForecastError(
            f"{name}: no forecast is possible: no item was completed in the "
            f"{len(weeks)} weeks of history"
        )
    return weeks


def check_trials(trials: object) -> int:
    if not is_whole(trials) or not 1 <= trials <= MAX_TRIALS:  # type: ignore[operator]
        raise ForecastError(
            f"trials: must be a whole number from 1 to {MAX_TRIALS:,}, got {trials!r}"
        )
    return int(trials)  # type: ignore[arg-type]


def check_seed(seed: object) -> int | None:
    if seed is not None and (not is_whole(seed) or seed < 0):  # type: ignore[operator]
        raise ForecastError(f"seed: must be a non-negative whole number or None, got {seed!r}")
    return None if seed is None else int(seed)  # type: ignore[arg-type]


def check_date(value: object, name: str) -> dt.date:
    # A datetime is a date too; a week-level forecast must not take one silently.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ForecastError(f"{name}: must be a date, got {value!r}")
    return value


def check_target(target: object, name: str, start: dt.date) -> dt.date | None:
    if target is None:
        return None
    day = check_date(target, name)
    if day < start:
        raise ForecastError(f"{name}: {day} is before the start ({start})")
    if (day - start).days > 7 * HORIZON_WEEKS:
        raise ForecastError(f"{name}: {day} is more than 20 years after the start ({start})")
    return day


def check_split(split: object) -> tuple[float, float] | None:
    """Factors of at least 1: breaking items down only adds items. A factor below 1 is
    most often a growth rate typed as a fraction (0.2 for "20 % more"), so it is refused
    rather than read as a shrinking scope."""
    if split is None:
        return None
    if not isinstance(split, (tuple, list)) or len(split) != 2:
        raise ForecastError(f"split: must be a (low, high) pair of factors, got {split!r}")
    low, high = split
    for value in (low, high):
        if is_whole(value):
            continue
        if not isinstance(value, (float, np.floating)) or not math.isfinite(value):
            raise ForecastError(f"split: factors must be finite numbers, got {split!r}")
    if low < 1:
        raise ForecastError(
            f"split: factors multiply the scope and must be at least 1 "
            f"(1.2 means 20 % more items), got {low}"
        )
    if high > MAX_SPLIT:
        raise ForecastError(f"split: factors must be at most {MAX_SPLIT:g}, got {high}")
    if high < low:
        raise ForecastError(f"split: the high factor ({high}) is below the low one ({low})")
    return float(low), float(high)


def check_risks(risks: object) -> tuple[Risk, ...]:
    if isinstance(risks, (str, bytes)) or not isinstance(risks, Sequence):
        raise ForecastError("risks: must be a sequence of Risk")
    checked = []
    for index, risk in enumerate(risks):
        name = f"risks[{index}]"
        if not isinstance(risk, Risk):
            raise ForecastError(f"{name}: must be a Risk, got {risk!r}")
        p = risk.probability
        if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
            raise ForecastError(f"{name}.probability: must be a number from 0 to 1, got {p!r}")
        if not 0 <= p <= 1:  # NaN fails this too
            raise ForecastError(f"{name}.probability: must be from 0 to 1, got {p}")
        low = check_count(risk.extra_low, f"{name}.extra_low")
        high = check_count(risk.extra_high, f"{name}.extra_high")
        if high < low:
            raise ForecastError(f"{name}.extra_high: {high} is below extra_low ({low})")
        checked.append(Risk(float(p), low, high))
    return tuple(checked)


def check_scope(remaining: object, remaining_high: object) -> tuple[int, int]:
    low = check_count(remaining, "remaining")
    if remaining_high is None:
        return low, low
    high = check_count(remaining_high, "remaining_high")
    if high < low:
        raise ForecastError(f"remaining_high: {high} is below remaining ({low})")
    return low, high
