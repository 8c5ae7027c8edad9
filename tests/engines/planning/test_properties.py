"""Properties of every plan on larger random problems: capacity, blockers, fixed dates."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from pilothouse.engines.planning import PlanProblem, auto_plan
from tests.engines.planning.oracle import plan_value, violations
from tests.engines.planning.strategies import problems, rough_capacities, rough_efforts

LARGER = problems(
    max_features=25,
    teams=("A", "B", "C", "D"),
    periods=4,
    efforts=rough_efforts,
    capacities=rough_capacities,
    fixed_share=0.1,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LARGER)
def test_a_plan_never_exceeds_capacity_nor_comes_before_a_blocker(problem):
    result = auto_plan(problem, time_limit_s=2, workers=2)
    assert result.status in ("optimal", "feasible", "infeasible")
    features = {f.id: f for f in problem.features}
    if result.status == "infeasible":
        assert any(f.fixed_period is not None for f in problem.features)
        assert all(period is None for period in result.placements.values())
        assert result.explanation[0].startswith("Fixed dates cannot be met: ")
        return
    # Capacity in real person-weeks, blockers no later and planned (or done), fixed dates
    # exactly, earliest periods: the oracle checks them all.
    assert violations(problem, result.placements) == []
    assert result.value == plan_value(problem, result.placements)
    assert result.bound is not None
    assert result.bound >= result.value - 1e-6 * max(1.0, result.value)
    assert 0.0 <= result.gap <= 1.0
    for fid, period in result.placements.items():
        if features[fid].fixed_period is not None:
            assert period == features[fid].fixed_period
    expected_load = {
        (team, p): math.fsum(
            f.effort for f in problem.features if f.team == team and result.placements[f.id] == p
        )
        for team, p in result.load
    }
    assert result.load == expected_load
    assert {team for team, _ in result.load} == {team for team, _ in problem.capacity}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LARGER)
def test_more_capacity_never_lowers_the_optimal_value(problem):
    result = auto_plan(problem, time_limit_s=2, workers=2)
    roomier = PlanProblem(
        periods=problem.periods,
        capacity={slot: weeks * 2 for slot, weeks in problem.capacity.items()},
        features=problem.features,
        done=problem.done,
    )
    more = auto_plan(roomier, time_limit_s=2, workers=2)
    if result.status != "optimal" or more.status != "optimal":
        return
    largest = max((f.value for f in problem.features), default=0.0)
    assert more.value >= result.value - len(problem.features) * largest / 1e6 - 1e-9
