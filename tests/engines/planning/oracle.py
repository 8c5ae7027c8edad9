"""An independent check of plans, and the best plan by trying every assignment.

Written from the rules in docs/autoplan.md, in plain Python on the problem as given (real
person-weeks, no scaling), so that it shares no code with the engine.
"""

from __future__ import annotations

import itertools
import math

from pilothouse.engines.planning import PlanProblem

TOLERANCE = 1e-9


def violations(problem: PlanProblem, placements: dict[int, int | None]) -> list[str]:
    """Every rule the placements break, in words; empty for a valid plan."""
    features = {f.id: f for f in problem.features}
    found = []
    if set(placements) != set(features):
        found.append(f"placements cover {sorted(placements)}, not {sorted(features)}")
        return found
    load: dict[tuple[str, int], list[float]] = {}
    for fid, period in placements.items():
        feature = features[fid]
        if feature.fixed_period is not None and period != feature.fixed_period:
            found.append(f"{fid} fixed in {feature.fixed_period}, placed in {period}")
        if period is None:
            continue
        if not 0 <= period < len(problem.periods):
            found.append(f"{fid} in period {period}, out of range")
        if period < feature.earliest_period:
            found.append(f"{fid} in {period}, before its earliest {feature.earliest_period}")
        load.setdefault((feature.team, period), []).append(feature.effort)
        for blocker in feature.blockers:
            if blocker in problem.done:
                continue
            before = placements.get(blocker)
            if before is None:
                found.append(f"{fid} planned in {period} but its blocker {blocker} is not")
            elif before > period:
                found.append(f"{fid} in {period} before its blocker {blocker} in {before}")
    for slot, efforts in load.items():
        capacity = problem.capacity.get(slot, 0.0)
        if math.fsum(efforts) > capacity + TOLERANCE:
            found.append(f"{slot}: {math.fsum(efforts)} planned, capacity {capacity}")
    return found


def plan_value(problem: PlanProblem, placements: dict[int, int | None]) -> float:
    return math.fsum(f.value for f in problem.features if placements[f.id] is not None)


def brute_force(problem: PlanProblem) -> tuple[float, list[dict[int, int | None]]] | None:
    """The best value over every assignment of periods (or none) to the features, and the
    valid assignments; None when no assignment is valid."""
    ids = [f.id for f in problem.features]
    choices: list[int | None] = [None, *range(len(problem.periods))]
    valid = []
    for assignment in itertools.product(choices, repeat=len(ids)):
        placements = dict(zip(ids, assignment, strict=True))
        if not violations(problem, placements):
            valid.append(placements)
    if not valid:
        return None
    return max(plan_value(problem, p) for p in valid), valid
