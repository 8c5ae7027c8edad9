"""Typed inputs and outputs of the planning engine (frozen dataclasses).

A `PlanFeature` checks its own fields when built; what depends on the whole problem
(teams without capacity, unknown blockers, cycles, periods out of range) is checked by
`checks.check_problem` before anything is solved. Every refusal is a `PlanningError`
whose message names the feature, team or period at fault.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

PlanStatus = Literal["optimal", "feasible", "infeasible", "unknown"]
PLAN_STATUSES: tuple[PlanStatus, ...] = ("optimal", "feasible", "infeasible", "unknown")

# Effort and capacity beyond this are typing mistakes, and keeping them below it keeps
# every sum of the scaled model far inside 64-bit integers.
MAX_WEEKS = 1_000_000.0


class PlanningError(ValueError):
    """The problem cannot be planned as given; the message names what is wrong."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_number(value: object, name: str, *, positive: bool = False) -> float:
    """A finite, non-negative (or positive) number no larger than MAX_WEEKS, as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlanningError(f"{name}: must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise PlanningError(f"{name}: must be finite, got {value!r}")
    if positive and number <= 0:
        raise PlanningError(f"{name}: must be greater than 0, got {value!r}")
    if number < 0:
        raise PlanningError(f"{name}: must not be negative, got {value!r}")
    return number


@dataclass(frozen=True)
class PlanFeature:
    """A feature to place in one of the problem's periods, or to leave out of the horizon.

    `effort` is in person-weeks, all of it spent by `team` in the period the feature is
    planned in. `value` comes from any scoring model (only its ratios matter). Each id in
    `blockers` must be planned in the same period as this feature or an earlier one, or
    be already delivered (in the problem's `done`). `fixed_period` is a committed date:
    the feature must be planned exactly in that period. No feature is planned before
    `earliest_period`.
    """

    id: int
    team: str
    effort: float
    value: float
    blockers: tuple[int, ...] = ()
    fixed_period: int | None = None
    earliest_period: int = 0

    def __post_init__(self) -> None:
        if not _is_int(self.id):
            raise PlanningError(f"id: must be an integer, got {self.id!r}")
        where = f"feature {self.id}"
        if not isinstance(self.team, str) or not self.team.strip():
            raise PlanningError(f"{where}: team must be a non-empty string, got {self.team!r}")
        effort = check_number(self.effort, f"{where}: effort", positive=True)
        if effort > MAX_WEEKS:
            raise PlanningError(f"{where}: effort {self.effort!r} is over {MAX_WEEKS:g} weeks")
        check_number(self.value, f"{where}: value")
        if not isinstance(self.blockers, tuple) or not all(_is_int(b) for b in self.blockers):
            raise PlanningError(f"{where}: blockers must be a tuple of integer ids")
        if self.fixed_period is not None and not _is_int(self.fixed_period):
            raise PlanningError(f"{where}: fixed_period must be a period index or None")
        if not _is_int(self.earliest_period):
            raise PlanningError(f"{where}: earliest_period must be a period index")


@dataclass(frozen=True)
class PlanProblem:
    """Periods in order, each team's capacity per period, the features and what is done.

    `capacity` maps `(team, period index)` to person-weeks; a missing pair is no
    capacity. A team with no pair at all is unknown. `done` holds the ids of blockers
    already delivered: a feature blocked only by them is free to be planned anywhere.
    """

    periods: tuple[str, ...]
    capacity: Mapping[tuple[str, int], float]
    features: tuple[PlanFeature, ...]
    done: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PlanResult:
    """A proposed plan and how good it is known to be.

    `placements` maps every feature's id to its period index, or None when it is left
    out of the horizon. `value` is the sum of the planned features' values; `bound` the
    best upper bound the solver proved (None when infeasible); `gap` is
    `(bound - value) / bound` measured on the scaled values the solver optimizes (0.0
    when optimal, None when there is no plan). `load` is the effort planned per
    `(team, period)`, for every team with capacity and every period. `explanation` says
    in words why there is no plan, or what limited it.
    """

    status: PlanStatus
    placements: dict[int, int | None]
    value: float
    bound: float | None
    gap: float | None
    solve_seconds: float
    load: dict[tuple[str, int], float] = field(default_factory=dict)
    explanation: tuple[str, ...] = ()

    @property
    def planned(self) -> dict[int, int]:
        """Only the features that are planned, with their period index."""
        return {fid: period for fid, period in self.placements.items() if period is not None}
