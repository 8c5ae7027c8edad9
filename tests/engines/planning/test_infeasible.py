"""Fixed dates that cannot be met: the status, and sentences naming the conflict."""

from __future__ import annotations

from pilothouse.engines.planning import PlanFeature, PlanProblem, auto_plan
from tests.engines.planning.oracle import brute_force

QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3")


def problem(*features: PlanFeature, capacity: dict | None = None) -> PlanProblem:
    return PlanProblem(
        periods=QUARTERS,
        capacity=capacity
        or {(team, p): 30 for team in ("Payments", "Mobile") for p in range(len(QUARTERS))},
        features=features,
    )


def feature(fid: int, team: str = "Payments", effort: float = 5, **rest) -> PlanFeature:
    return PlanFeature(id=fid, team=team, effort=effort, value=rest.pop("value", 10), **rest)


def explain(plan: PlanProblem) -> tuple[str, ...]:
    result = auto_plan(plan, time_limit_s=2)
    assert result.status == "infeasible"
    assert result.gap is None
    assert result.bound is None
    assert result.value == 0.0
    assert set(result.placements.values()) == {None}
    assert brute_force(plan) is None or len(plan.features) > 6
    return result.explanation


def test_two_fixed_features_overbooking_a_team_in_a_period_are_named():
    plan = problem(
        feature(12, effort=20, fixed_period=0),
        feature(14, effort=22, fixed_period=0),
        feature(15, effort=5, blockers=(12,)),
        feature(16, team="Mobile", effort=30, fixed_period=0),
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: Team Payments has 30 person-weeks in 2027-Q1 but "
        "features 12 and 14 are fixed there with 42 person-weeks",
    )


def test_only_the_conflicting_fixed_dates_are_named_among_many():
    plan = problem(
        feature(1, fixed_period=0),
        feature(2, fixed_period=1),
        feature(3, team="Mobile", effort=25, fixed_period=2),
        feature(4, effort=20, fixed_period=2),
        feature(5, team="Mobile", effort=10, fixed_period=2),
        feature(6, effort=25, fixed_period=1),
        feature(7, team="Mobile", effort=20, fixed_period=1),
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: Team Mobile has 30 person-weeks in 2027-Q3 but "
        "features 3 and 5 are fixed there with 35 person-weeks",
    )


def test_a_fixed_feature_before_its_fixed_blocker():
    plan = problem(feature(1, fixed_period=0, blockers=(2,)), feature(2, fixed_period=1))
    assert explain(plan) == (
        "Fixed dates cannot be met: feature 1 is fixed in 2027-Q1 but its blocker 2 is fixed "
        "later, in 2027-Q2",
    )


def test_a_fixed_blocker_further_down_the_chain_is_named_with_the_features_between():
    plan = problem(
        feature(1, fixed_period=1, blockers=(2,)),
        feature(2, team="Mobile", blockers=(3,)),
        feature(3, fixed_period=2),
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: feature 1 is fixed in 2027-Q2 but its blocker 3 "
        "(through feature 2) is fixed later, in 2027-Q3",
    )


def test_a_blocker_that_cannot_start_in_time():
    plan = problem(feature(1, fixed_period=0, blockers=(2,)), feature(2, earliest_period=1))
    assert explain(plan) == (
        "Fixed dates cannot be met: feature 1 is fixed in 2027-Q1 but its blocker 2 cannot "
        "start before 2027-Q2",
    )


def test_a_blocker_too_big_for_any_period_up_to_the_date():
    capacity = {("Payments", 0): 10, ("Payments", 1): 10, ("Payments", 2): 50}
    plan = problem(
        feature(1, fixed_period=1, blockers=(2,)), feature(2, effort=12), capacity=capacity
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: feature 1 is fixed in 2027-Q2 but its blocker 2 (12 "
        "person-weeks) fits in the capacity of team Payments in no period up to 2027-Q2",
    )


def test_blockers_that_together_overflow_the_periods_before_a_date():
    capacity = {("Payments", 0): 10, ("Payments", 1): 10, ("Payments", 2): 10}
    plan = problem(
        feature(1, effort=8, fixed_period=1, blockers=(2, 3)),
        feature(2, effort=8),
        feature(3, effort=7.5),
        capacity=capacity,
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: Team Payments has 20 person-weeks from 2027-Q1 to "
        "2027-Q2 but needs 23.5 there for features 1 (fixed) and 2 and 3 (needed first by "
        "fixed features)",
    )


def test_a_blocker_of_another_team_crowding_a_period():
    capacity = {(team, p): 10 for team in ("Payments", "Mobile") for p in range(3)}
    plan = problem(
        feature(1, effort=6, fixed_period=1),
        feature(2, effort=3, fixed_period=1),
        feature(3, team="Mobile", effort=1, fixed_period=1, blockers=(4,)),
        feature(4, effort=2, earliest_period=1),
        capacity=capacity,
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: Team Payments has 10 person-weeks in 2027-Q2 but needs "
        "11 there for features 1 and 2 (fixed) and 4 (needed first by fixed features)",
    )


def test_a_conflict_no_single_rule_explains_is_still_named():
    # Three 6-week blockers cannot share two 10-week periods, though 18 < 20.
    capacity = {(team, p): 10 for team in ("Payments", "Mobile") for p in range(3)}
    plan = problem(
        feature(1, team="Mobile", effort=1, fixed_period=1, blockers=(2, 3, 4)),
        feature(2, effort=6),
        feature(3, effort=6),
        feature(4, effort=6),
        capacity=capacity,
    )
    assert explain(plan) == (
        "Fixed dates cannot be met: feature 1 (Mobile, 2027-Q2), with the blockers it needs "
        "first, leaves no plan within capacity",
    )


def test_relaxing_the_named_dates_makes_the_plan_feasible():
    plan = problem(
        feature(12, effort=20, fixed_period=0),
        feature(14, effort=22, fixed_period=0),
        feature(20, effort=5, fixed_period=1),
    )
    assert auto_plan(plan, time_limit_s=2).status == "infeasible"
    relaxed = problem(
        feature(12, effort=20),
        feature(14, effort=22, fixed_period=0),
        feature(20, effort=5, fixed_period=1),
    )
    result = auto_plan(relaxed, time_limit_s=2)
    assert result.status == "optimal"
    assert result.placements == {12: 1, 14: 0, 20: 1}
