"""The rules of a plan case by case, the scaling to whole numbers, time limits, the sample."""

from __future__ import annotations

import dataclasses

import pytest

from pilothouse.engines.planning import PlanFeature, PlanProblem, PlanResult, auto_plan
from pilothouse.engines.planning.sample import sample_problem
from pilothouse.engines.roadmap import topological_order
from tests.engines.planning.oracle import violations

QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3")


def feature(fid: int, effort: float = 5, value: float = 10, **rest) -> PlanFeature:
    return PlanFeature(id=fid, team=rest.pop("team", "A"), effort=effort, value=value, **rest)


def solve(*features: PlanFeature, capacity=None, done=frozenset(), periods=QUARTERS):
    problem = PlanProblem(
        periods=periods,
        capacity=capacity if capacity is not None else {("A", p): 10 for p in range(3)},
        features=features,
        done=done,
    )
    result = auto_plan(problem, time_limit_s=2, workers=1)
    assert violations(problem, result.placements) == []
    return result


def test_the_most_valuable_features_that_fit_are_planned():
    result = solve(
        feature(1, effort=6, value=10),
        feature(2, effort=6, value=30),
        feature(3, effort=6, value=20),
        feature(4, effort=6, value=5),
        capacity={("A", 0): 10, ("A", 1): 10},
    )
    assert result.status == "optimal"
    assert result.planned.keys() == {2, 3}
    assert result.placements[1] is None
    assert result.placements[4] is None
    assert result.value == 50
    assert result.bound == 50
    assert result.gap == 0.0
    assert result.explanation == ()


def test_a_blocker_may_be_planned_in_the_same_period():
    result = solve(
        feature(1, blockers=(2,), value=50), feature(2, value=1), capacity={("A", 0): 10}
    )
    assert result.placements == {1: 0, 2: 0}


def test_a_feature_whose_blocker_is_left_out_is_left_out_too():
    result = solve(feature(1, effort=2, value=100, blockers=(2,)), feature(2, effort=11, value=1))
    assert result.placements == {1: None, 2: None}
    assert result.explanation == (
        "Feature 2 (11 person-weeks) fits in the capacity of team A in no period from 2027-Q1 on",
        "Feature 1 cannot be planned: its blocker 2 cannot be planned",
    )


def test_a_blocker_is_not_planned_after_what_it_blocks():
    # Feature 2 only fits in Q3 (capacity), so feature 1 cannot come before Q3.
    capacity = {("A", 0): 10, ("A", 1): 10, ("A", 2): 10, ("B", 2): 10}
    result = solve(
        feature(1, value=100, blockers=(2,)), feature(2, team="B", value=1), capacity=capacity
    )
    assert result.placements == {1: 2, 2: 2}


def test_a_done_blocker_is_satisfied():
    result = solve(feature(1, blockers=(77,)), done=frozenset({77}))
    assert result.placements == {1: 0}


def test_earliest_and_fixed_periods_are_kept():
    result = solve(
        feature(1, earliest_period=2), feature(2, fixed_period=1, value=0), feature(3, value=1)
    )
    assert result.placements[1] == 2
    assert result.placements[2] == 1
    assert result.placements[3] is not None
    assert result.value == 11


def test_effort_rounds_up_and_capacity_down_to_hundredths():
    # 3 x 0.333 = 0.999 fits 1.0 in person-weeks, but each counts as 0.34: only two fit.
    thirds = [feature(i, effort=0.333, value=1) for i in (1, 2, 3)]
    assert len(solve(*thirds, capacity={("A", 0): 1.0}).planned) == 2
    # Whole hundredths are exact despite binary floats: 10 x 0.1 fills 1.0.
    tenths = [feature(i, effort=0.1, value=1) for i in range(1, 11)]
    assert len(solve(*tenths, capacity={("A", 0): 1.0}).planned) == 10
    # 0.999 of capacity counts as 0.99: 0.99 fits, 0.995 (0.996 -> 1.0) does not.
    assert solve(feature(1, effort=0.99), capacity={("A", 0): 0.999}).placements == {1: 0}
    assert solve(feature(1, effort=0.995), capacity={("A", 0): 0.999}).placements == {1: None}


def test_values_are_scaled_relative_to_the_largest():
    tiny = solve(feature(1, value=2e-9), feature(2, value=3e-9), capacity={("A", 0): 5})
    assert tiny.placements == {1: None, 2: 0}
    huge = solve(feature(1, value=2e12), feature(2, value=3e12), capacity={("A", 0): 5})
    assert huge.placements == {1: None, 2: 0}
    assert huge.value == 3e12


def test_all_values_zero_and_no_features():
    result = solve(feature(1, value=0), feature(2, value=0))
    assert result.status == "optimal"
    assert result.value == 0.0
    assert result.gap == 0.0
    empty = solve()
    assert empty.status == "optimal"
    assert empty.placements == {}
    assert empty.load == {("A", 0): 0.0, ("A", 1): 0.0, ("A", 2): 0.0}


def test_load_is_the_planned_effort_per_team_and_period():
    capacity = {("A", 0): 10, ("B", 1): 4}
    result = solve(
        feature(1, effort=2.5),
        feature(2, effort=7.5),
        feature(3, team="B", effort=4),
        capacity=capacity,
    )
    assert result.load == {
        ("A", 0): 10.0,
        ("A", 1): 0.0,
        ("A", 2): 0.0,
        ("B", 0): 0.0,
        ("B", 1): 4.0,
        ("B", 2): 0.0,
    }


def test_the_result_is_frozen():
    result = solve(feature(1))
    assert isinstance(result, PlanResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "unknown"  # type: ignore[misc]


def test_one_worker_and_a_seed_give_the_same_plan_twice():
    problem = sample_problem(features=40, teams=3, periods=3, seed=5)
    first = auto_plan(problem, time_limit_s=5, workers=1, seed=9)
    second = auto_plan(problem, time_limit_s=5, workers=1, seed=9)
    assert first.status == "optimal"
    assert first.placements == second.placements


# --- Time limits -------------------------------------------------------------------------


def test_stopped_at_the_time_limit_the_best_plan_comes_with_its_gap():
    problem = sample_problem(features=600, teams=8, periods=4, seed=1)
    result = auto_plan(problem, time_limit_s=1.0, workers=2)
    # Far too little time to prove 600 features optimal: never claim it.
    assert result.status in ("feasible", "unknown")
    if result.status == "feasible":
        assert violations(problem, result.placements) == []
        assert result.gap is not None
        assert result.gap > 0
        assert result.bound > result.value
        assert result.explanation[0].startswith("Stopped at the time limit of 1 s: the plan's")
    else:
        assert result.gap is None
        assert result.explanation[0].startswith("No plan found within the time limit of 1 s")


def test_no_plan_at_all_within_a_tiny_limit_is_unknown():
    problem = sample_problem(features=600, teams=8, periods=4, seed=1)
    result = auto_plan(problem, time_limit_s=0.001, workers=1)
    assert result.status == "unknown"
    assert result.gap is None
    assert result.value == 0.0
    assert set(result.placements.values()) == {None}
    assert result.explanation[0] == (
        "No plan found within the time limit of 0.001 s: the solver found no plan meeting "
        "every fixed date and did not prove there is none; allow more time"
    )


# --- The sample ------------------------------------------------------------------------


def test_the_sample_is_seeded_and_shaped_as_asked():
    problem = sample_problem(features=300, teams=8, periods=4, seed=42)
    assert problem == sample_problem(features=300, teams=8, periods=4, seed=42)
    assert problem != sample_problem(features=300, teams=8, periods=4, seed=43)
    assert len(problem.features) == 300
    assert problem.periods == ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4")
    assert len({team for team, _ in problem.capacity}) == 8
    assert all(1 <= f.effort <= 26 for f in problem.features)
    blocked = [f for f in problem.features if f.blockers]
    assert 0.10 <= len(blocked) / 300 <= 0.20
    assert problem.done
    assert any(f.fixed_period is not None for f in problem.features)
    ids = [f.id for f in problem.features]
    edges = [(b, f.id) for f in problem.features for b in f.blockers if b not in problem.done]
    assert len(topological_order(nodes=ids, edges=edges)) == 300
    demand = sum(f.effort for f in problem.features)
    assert 0.55 <= sum(problem.capacity.values()) / demand <= 0.85


def test_a_small_sample_is_solved_to_optimality():
    problem = sample_problem(features=60, teams=3, periods=4, seed=7)
    result = auto_plan(problem, time_limit_s=10, workers=2)
    assert result.status == "optimal"
    assert violations(problem, result.placements) == []
    assert 0 < len(result.planned) < 60
