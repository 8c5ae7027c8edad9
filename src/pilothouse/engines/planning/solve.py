"""`auto_plan`: check the problem, solve it within a time limit, say how good the plan is.

The solver stops at the time limit with the best plan found so far and the best bound it
proved; the gap between them is reported rather than hidden. Statuses: "optimal" (the
plan is proven best for the scaled values), "feasible" (a plan, with its gap), "infeasible"
(the fixed dates cannot all be met; the explanation says which and why) and "unknown"
(the time ran out before any plan was found, or before infeasibility was proven).
"""

from __future__ import annotations

import math
import time

from ortools.sat.python import cp_model

from pilothouse.engines.planning import explain
from pilothouse.engines.planning.checks import CheckedProblem, check_problem
from pilothouse.engines.planning.model import build_model, candidate_periods, solver_for
from pilothouse.engines.planning.problem import PlanningError, PlanProblem, PlanResult

# A zero bound (every value 0) divides as this, so the gap stays 0 rather than undefined.
_TINY = 1e-9
# The share of the limit kept for stopping the solver and reading its answer.
_READING_SHARE = 0.005
# The solver always gets this long, even when checking and building used up the limit.
_MIN_SOLVE_SECONDS = 0.001
# How many features that fit nowhere are named before "and N more".
_NAMED = 10


def _check_options(time_limit_s: object, workers: object, seed: object) -> None:
    if (
        isinstance(time_limit_s, bool)
        or not isinstance(time_limit_s, (int, float))
        or not math.isfinite(time_limit_s)
        or time_limit_s <= 0
    ):
        raise PlanningError(f"time_limit_s: must be a positive number, got {time_limit_s!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PlanningError(f"workers: must be a whole number of at least 1, got {workers!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise PlanningError(f"seed: must be a whole number from 0 to 2**31 - 1, got {seed!r}")


def _load(checked: CheckedProblem, planned: dict[int, int]) -> dict[tuple[str, int], float]:
    efforts: dict[tuple[str, int], list[float]] = {
        (team, period): []
        for team in checked.teams
        for period in range(len(checked.problem.periods))
    }
    for fid, period in planned.items():
        feature = checked.features[fid]
        efforts[(feature.team, period)].append(feature.effort)
    return {slot: math.fsum(values) for slot, values in efforts.items()}


def _unplaceable(checked: CheckedProblem, allowed: dict[int, tuple[int, ...]]) -> list[str]:
    """Features that cannot be planned in any period of the horizon, and why."""
    lines = []
    for fid in checked.order:
        if allowed[fid]:
            continue
        feature = checked.features[fid]
        missing = [b for b in checked.blockers[fid] if not allowed[b]]
        if missing:
            lines.append(
                f"Feature {fid} cannot be planned: its blocker {missing[0]} cannot be planned"
            )
        else:
            lines.append(
                f"Feature {fid} ({explain.format_weeks(checked.effort[fid])} person-weeks) "
                f"fits in the capacity of team {feature.team} in no period from "
                f"{checked.label(feature.earliest_period)} on"
            )
    if len(lines) > _NAMED:
        lines = [*lines[:_NAMED], f"... and {len(lines) - _NAMED} more features that fit nowhere"]
    return lines


def auto_plan(
    problem: PlanProblem, *, time_limit_s: float = 10.0, workers: int = 2, seed: int = 0
) -> PlanResult:
    """The plan of most value within capacity and dependencies, found within the limit.

    The time limit covers the whole call; only explaining an infeasible plan may take a
    little longer (its last check gets at least 0.2 s; none starts after the limit).
    Raises PlanningError for bad input (the message names the feature, team or period).
    `workers` is the number of solver threads; with more than one, two runs may return
    different plans of the same value, or at the time limit different plans altogether.
    """
    started = time.perf_counter()
    _check_options(time_limit_s, workers, seed)
    checked = check_problem(problem)
    allowed = candidate_periods(checked)
    fixed = [fid for fid in checked.order if checked.features[fid].fixed_period is not None]
    plan = build_model(checked, allowed, assume=fixed)
    # The limit covers the whole call: checking and building count against it, and a
    # sliver is kept for the solver to stop and the answer to be read.
    remaining = max(
        float(time_limit_s) * (1 - _READING_SHARE) - (time.perf_counter() - started),
        _MIN_SOLVE_SECONDS,
    )
    solver = solver_for(time_limit_s=remaining, workers=workers, seed=seed)
    status = solver.solve(plan.model)
    notes = _unplaceable(checked, allowed)

    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        planned = {
            fid: period
            for fid, choices in plan.choices.items()
            for period, literal in choices.items()
            if solver.boolean_value(literal)
        }
        value_units = sum(checked.value[fid] for fid in planned)
        if status == cp_model.OPTIMAL:
            bound_units = value_units
        else:
            # The objective is a whole number, so its bound may be rounded down.
            bound_units = max(math.floor(solver.best_objective_bound + 1e-6), value_units)
        gap = (bound_units - value_units) / max(bound_units, _TINY)
        value = math.fsum(checked.features[fid].value for fid in planned)
        if status == cp_model.FEASIBLE:
            notes.insert(
                0,
                f"Stopped at the time limit of {time_limit_s:g} s: the plan's value is within "
                f"{gap:.2%} of the best bound found",
            )
        return PlanResult(
            status="optimal" if status == cp_model.OPTIMAL else "feasible",
            placements={fid: planned.get(fid) for fid in checked.features},
            value=value,
            bound=value + (bound_units - value_units) / checked.value_factor,
            gap=0.0 if status == cp_model.OPTIMAL else gap,
            solve_seconds=time.perf_counter() - started,
            load=_load(checked, planned),
            explanation=tuple(notes),
        )

    if status == cp_model.INFEASIBLE:
        by_index = {literal.index: fid for fid, literal in plan.assumed.items()}
        suggested = [
            by_index[index]
            for index in solver.sufficient_assumptions_for_infeasibility()
            if index in by_index
        ]
        conflict = explain.minimal_conflict(
            checked, allowed, suggested, deadline=started + float(time_limit_s)
        )
        return PlanResult(
            status="infeasible",
            placements=dict.fromkeys(checked.features),
            value=0.0,
            bound=None,
            gap=None,
            solve_seconds=time.perf_counter() - started,
            load=_load(checked, {}),
            explanation=explain.describe(checked, allowed, conflict),
        )

    if status == cp_model.UNKNOWN:
        bound = solver.best_objective_bound
        return PlanResult(
            status="unknown",
            placements=dict.fromkeys(checked.features),
            value=0.0,
            bound=bound / checked.value_factor if math.isfinite(bound) else None,
            gap=None,
            solve_seconds=time.perf_counter() - started,
            load=_load(checked, {}),
            explanation=(
                f"No plan found within the time limit of {time_limit_s:g} s: the solver "
                "found no plan meeting every fixed date and did not prove there is none; "
                "allow more time",
                *notes,
            ),
        )
    # MODEL_INVALID: the model is built here, so this is a defect, not bad input.
    raise RuntimeError(f"the planning model is invalid: {plan.model.validate()}")
