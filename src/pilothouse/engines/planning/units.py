"""Whole-number units for the solver, which works on integers only.

Effort and capacity are counted in hundredths of a person-week. A figure that is already
a whole number of hundredths (within floating-point noise: 0.1 * 100 is
10.000000000000002) is kept exactly; any finer figure rounds effort up and capacity down,
so that a plan within capacity in units is within capacity in person-weeks too.

Values are scaled so that the largest value of the problem becomes VALUE_RESOLUTION and
rounded to the nearest unit: the solver's optimum is optimal for these scaled values,
which can differ from the true values by half a unit each (one millionth of the largest
value, halved). Values from scoring models rarely agree to six significant figures, and
1,000 features of the largest value still sum far below 2**63.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

EFFORT_UNITS_PER_WEEK = 100
VALUE_RESOLUTION = 1_000_000
_NOISE = 1e-9


def _near_whole(scaled: float) -> int | None:
    nearest = round(scaled)
    return nearest if abs(scaled - nearest) <= _NOISE * max(1.0, abs(scaled)) else None


def effort_units(weeks: float) -> int:
    """Person-weeks as hundredths, rounded up."""
    scaled = weeks * EFFORT_UNITS_PER_WEEK
    whole = _near_whole(scaled)
    return whole if whole is not None else math.ceil(scaled)


def capacity_units(weeks: float) -> int:
    """Person-weeks as hundredths, rounded down."""
    scaled = weeks * EFFORT_UNITS_PER_WEEK
    whole = _near_whole(scaled)
    return whole if whole is not None else math.floor(scaled)


def weeks(units: int) -> float:
    """Hundredths of a person-week back as person-weeks."""
    return units / EFFORT_UNITS_PER_WEEK


def value_factor(values: Iterable[float]) -> float:
    """Units per unit of value: the largest value maps to VALUE_RESOLUTION (1.0 if all are 0)."""
    largest = max(values, default=0.0)
    return VALUE_RESOLUTION / largest if largest > 0 else 1.0


def value_units(value: float, factor: float) -> int:
    return round(value * factor)
