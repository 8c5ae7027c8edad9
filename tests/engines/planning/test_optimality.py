"""auto_plan is exact on small problems: the same optimum as trying every assignment."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pilothouse.engines.planning import auto_plan
from pilothouse.engines.planning.units import value_factor, value_units
from tests.engines.planning.oracle import brute_force, plan_value, violations
from tests.engines.planning.strategies import problems


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_plan_is_as_good_as_the_best_of_every_assignment(problem):
    result = auto_plan(problem, time_limit_s=5, workers=1)
    best = brute_force(problem)
    if best is None:
        # Only fixed dates can make a problem infeasible; leaving all else out is valid.
        assert result.status == "infeasible"
        assert any(f.fixed_period is not None for f in problem.features)
        assert result.gap is None
        assert result.explanation
        assert all(line.startswith("Fixed dates cannot be met: ") for line in result.explanation)
        return
    optimum, valid = best
    assert result.status == "optimal"
    assert result.gap == 0.0
    assert violations(problem, result.placements) == []
    assert result.value == plan_value(problem, result.placements)
    assert result.bound == result.value
    # Optimal for the scaled values, exactly ...
    factor = value_factor(f.value for f in problem.features)

    def scaled(placements):
        return sum(
            value_units(f.value, factor) for f in problem.features if placements[f.id] is not None
        )

    assert scaled(result.placements) == max(scaled(p) for p in valid)
    # ... and within half a unit per feature of the true optimum.
    largest = max((f.value for f in problem.features), default=0.0)
    assert result.value <= optimum + 1e-9
    assert optimum - result.value <= len(problem.features) * largest / 1e6 + 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_features=5, periods=2, fixed_share=0.0))
def test_with_no_fixed_dates_there_is_always_an_optimal_plan(problem):
    result = auto_plan(problem, time_limit_s=5, workers=2, seed=3)
    best = brute_force(problem)
    assert best is not None
    assert result.status == "optimal"
    assert abs(result.value - best[0]) <= len(problem.features) * 1000 / 1e6 + 1e-9
