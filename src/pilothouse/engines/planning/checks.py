"""The checks run on a whole problem before it is solved, and its scaled form.

Everything that makes a problem meaningless is refused here with a `PlanningError`
naming the feature, team or period: unknown teams, duplicate ids, blockers that are
neither features nor done, blocker cycles, periods out of range, and a fixed feature
that alone overflows its team's capacity in its period. What only a combination of
fixed dates makes impossible is left to the solver, which can say which ones conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pilothouse.engines.planning import units
from pilothouse.engines.planning.problem import (
    MAX_WEEKS,
    PlanFeature,
    PlanningError,
    PlanProblem,
    check_number,
)
from pilothouse.engines.roadmap import CycleError, topological_order


@dataclass(frozen=True)
class CheckedProblem:
    """A problem that passed every check, with its figures in solver units.

    `blockers` keeps only the blockers still to deliver (not in `done`), each once;
    `order` lists the feature ids with every blocker before what it blocks.
    """

    problem: PlanProblem
    features: dict[int, PlanFeature]
    blockers: dict[int, tuple[int, ...]]
    order: tuple[int, ...]
    teams: tuple[str, ...]
    effort: dict[int, int]
    capacity: dict[tuple[str, int], int]
    value: dict[int, int]
    value_factor: float

    def label(self, period: int) -> str:
        return self.problem.periods[period]


def _check_periods(periods: object) -> tuple[str, ...]:
    if not isinstance(periods, tuple) or not periods:
        raise PlanningError("periods: must be a non-empty tuple of labels")
    seen: set[str] = set()
    for index, label in enumerate(periods):
        if not isinstance(label, str) or not label.strip():
            raise PlanningError(f"periods[{index}]: must be a non-empty label, got {label!r}")
        if label in seen:
            raise PlanningError(f"periods[{index}]: label {label!r} is repeated")
        seen.add(label)
    return periods


def _check_capacity(capacity: object, count: int) -> dict[tuple[str, int], float]:
    if not isinstance(capacity, Mapping):
        raise PlanningError("capacity: must map (team, period index) to person-weeks")
    checked: dict[tuple[str, int], float] = {}
    for key, weeks in capacity.items():
        if (
            not isinstance(key, tuple)
            or len(key) != 2
            or not isinstance(key[0], str)
            or isinstance(key[1], bool)
            or not isinstance(key[1], int)
        ):
            raise PlanningError(f"capacity: key {key!r} must be a (team, period index) pair")
        team, period = key
        if not 0 <= period < count:
            raise PlanningError(
                f"capacity[{key!r}]: period {period} is out of range (0 to {count - 1})"
            )
        number = check_number(weeks, f"capacity of team {team} in period {period}")
        if number > MAX_WEEKS:
            raise PlanningError(
                f"capacity of team {team} in period {period}: over {MAX_WEEKS:g} weeks"
            )
        checked[key] = number
    return checked


def _check_feature(
    feature: PlanFeature, periods: tuple[str, ...], teams: set[str], done: frozenset[int]
) -> None:
    if not isinstance(feature, PlanFeature):
        raise PlanningError(f"features: {feature!r} is not a PlanFeature")
    where = f"feature {feature.id}"
    if feature.team not in teams:
        raise PlanningError(f"{where}: unknown team {feature.team!r} (it has no capacity)")
    last = len(periods) - 1
    if not 0 <= feature.earliest_period <= last:
        raise PlanningError(
            f"{where}: earliest_period {feature.earliest_period} is out of range (0 to {last})"
        )
    fixed = feature.fixed_period
    if fixed is not None:
        if not 0 <= fixed <= last:
            raise PlanningError(f"{where}: fixed_period {fixed} is out of range (0 to {last})")
        if fixed < feature.earliest_period:
            raise PlanningError(
                f"{where}: fixed in {periods[fixed]}, before its earliest period "
                f"{periods[feature.earliest_period]}"
            )
    if feature.id in done:
        raise PlanningError(f"{where}: is both done and among the features to plan")


def _check_blockers(features: dict[int, PlanFeature], done: frozenset[int]) -> None:
    for feature in features.values():
        unknown = sorted({b for b in feature.blockers if b not in features and b not in done})
        if unknown:
            names = ", ".join(str(b) for b in unknown)
            raise PlanningError(
                f"feature {feature.id}: blockers {names} are neither features of the problem "
                "nor done"
                if len(unknown) > 1
                else f"feature {feature.id}: blocker {names} is neither a feature of the "
                "problem nor done"
            )


def check_problem(problem: PlanProblem) -> CheckedProblem:
    """The problem in solver units, or a PlanningError naming what is wrong with it."""
    if not isinstance(problem, PlanProblem):
        raise PlanningError("problem: must be a PlanProblem")
    periods = _check_periods(problem.periods)
    capacity = _check_capacity(problem.capacity, len(periods))
    if not isinstance(problem.done, frozenset):
        raise PlanningError("done: must be a frozenset of feature ids")
    if not isinstance(problem.features, tuple):
        raise PlanningError("features: must be a tuple of PlanFeature")
    teams = {team for team, _ in capacity}
    features: dict[int, PlanFeature] = {}
    for feature in problem.features:
        _check_feature(feature, periods, teams, problem.done)
        if feature.id in features:
            raise PlanningError(f"feature {feature.id}: the id is repeated")
        features[feature.id] = feature
    _check_blockers(features, problem.done)
    blockers = {
        fid: tuple(dict.fromkeys(b for b in f.blockers if b not in problem.done))
        for fid, f in features.items()
    }
    edges = [(blocker, fid) for fid, ids in blockers.items() for blocker in ids]
    try:
        order = topological_order(nodes=sorted(features), edges=edges)
    except CycleError as error:
        if len(error.cycle) == 2:
            raise PlanningError(f"feature {error.cycle[0]}: blocks itself") from None
        cycle = " -> ".join(str(fid) for fid in error.cycle)
        raise PlanningError(
            f"blockers: features {cycle} block each other in a cycle (each blocks the next)"
        ) from None

    effort = {fid: units.effort_units(f.effort) for fid, f in features.items()}
    capacity_units = {
        (team, period): units.capacity_units(capacity.get((team, period), 0.0))
        for team in sorted(teams)
        for period in range(len(periods))
    }
    for fid, feature in features.items():
        fixed = feature.fixed_period
        if fixed is not None and effort[fid] > capacity_units[(feature.team, fixed)]:
            raise PlanningError(
                f"feature {fid}: fixed in {periods[fixed]} with {units.weeks(effort[fid]):g} "
                f"person-weeks, more than the capacity of team {feature.team} there "
                f"({units.weeks(capacity_units[(feature.team, fixed)]):g})"
            )
    factor = units.value_factor(f.value for f in features.values())
    return CheckedProblem(
        problem=problem,
        features=features,
        blockers=blockers,
        order=tuple(order),
        teams=tuple(sorted(teams)),
        effort=effort,
        capacity=capacity_units,
        value={fid: units.value_units(f.value, factor) for fid, f in features.items()},
        value_factor=factor,
    )
