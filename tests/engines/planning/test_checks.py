"""Bad input is refused before solving, with a message naming the feature, team or period."""

from __future__ import annotations

import math

import pytest

from pilothouse.engines.planning import PlanFeature, PlanningError, PlanProblem, auto_plan

PERIODS = ("2027-Q1", "2027-Q2")
CAPACITY = {("Payments", 0): 30.0, ("Payments", 1): 30.0, ("Mobile", 0): 10.0}


def feature(fid: int = 1, **changes) -> PlanFeature:
    fields = {"id": fid, "team": "Payments", "effort": 5.0, "value": 10.0} | changes
    return PlanFeature(**fields)


def plan(*features: PlanFeature, **changes) -> PlanProblem:
    fields = {"periods": PERIODS, "capacity": CAPACITY, "features": features} | changes
    return PlanProblem(**fields)


def refused(problem: PlanProblem, message: str, **options) -> None:
    with pytest.raises(PlanningError, match=message):
        auto_plan(problem, time_limit_s=2, **options)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"effort": -1.0}, r"feature 1: effort: must be greater than 0, got -1.0"),
        ({"effort": 0}, r"feature 1: effort: must be greater than 0, got 0"),
        ({"effort": math.nan}, r"feature 1: effort: must be finite, got nan"),
        ({"effort": "5"}, r"feature 1: effort: must be a number, got '5'"),
        ({"effort": 2e6}, r"feature 1: effort 2000000.0 is over 1e\+06 weeks"),
        ({"value": -0.5}, r"feature 1: value: must not be negative, got -0.5"),
        ({"value": math.inf}, r"feature 1: value: must be finite, got inf"),
        ({"value": True}, r"feature 1: value: must be a number, got True"),
        ({"team": " "}, r"feature 1: team must be a non-empty string, got ' '"),
        ({"blockers": [2]}, r"feature 1: blockers must be a tuple of integer ids"),
        ({"fixed_period": "2027-Q1"}, r"feature 1: fixed_period must be a period index or None"),
        ({"earliest_period": None}, r"feature 1: earliest_period must be a period index"),
        ({"id": "F-1"}, r"id: must be an integer, got 'F-1'"),
    ],
)
def test_a_feature_checks_its_own_fields(changes, message):
    with pytest.raises(PlanningError, match=message):
        feature(**changes)


def test_planning_error_is_a_value_error():
    assert issubclass(PlanningError, ValueError)


def test_an_unknown_team_is_one_without_any_capacity():
    refused(
        plan(feature(7, team="Search")), r"feature 7: unknown team 'Search' \(it has no capacity\)"
    )
    # A team known in one period has no capacity in the others: not an error.
    result = auto_plan(plan(feature(7, team="Mobile", effort=5)), time_limit_s=2)
    assert result.placements == {7: 0}
    zero = {("Search", 0): 0.0}
    result = auto_plan(plan(feature(7, team="Search"), capacity=zero), time_limit_s=2)
    assert result.placements == {7: None}


def test_duplicate_feature_ids():
    refused(plan(feature(3), feature(4), feature(3)), r"feature 3: the id is repeated")


def test_blockers_that_are_neither_features_nor_done_are_named():
    refused(plan(feature(1, blockers=(9,))), r"feature 1: blocker 9 is neither a feature")
    refused(
        plan(feature(1, blockers=(9, 2, 8, 50)), feature(2), done=frozenset({50})),
        r"feature 1: blockers 8, 9 are neither features of the problem nor done",
    )


def test_a_blocker_cycle_is_named():
    refused(
        plan(feature(1, blockers=(3,)), feature(2, blockers=(1,)), feature(3, blockers=(2,))),
        r"blockers: features 1 -> 2 -> 3 -> 1 block each other in a cycle",
    )
    refused(plan(feature(5, blockers=(5,))), r"feature 5: blocks itself")


def test_a_feature_cannot_be_both_done_and_to_plan():
    refused(
        plan(feature(1), feature(2, blockers=(1,)), done=frozenset({1})),
        r"feature 1: is both done and among the features to plan",
    )


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ({("Payments", 0): -1.0}, r"capacity of team Payments in period 0: must not be negative"),
        (
            {("Payments", 2): 5.0},
            r"capacity\[\('Payments', 2\)\]: period 2 is out of range \(0 to 1\)",
        ),
        ({("Payments", "2027-Q1"): 5.0}, r"capacity: key \('Payments', '2027-Q1'\) must be"),
        ({"Payments": 5.0}, r"capacity: key 'Payments' must be a \(team, period index\) pair"),
        ({("Payments", 0): math.nan}, r"capacity of team Payments in period 0: must be finite"),
        ({("Payments", 0): 5e6}, r"capacity of team Payments in period 0: over 1e\+06 weeks"),
    ],
)
def test_bad_capacity(capacity, message):
    refused(plan(feature(), capacity=capacity), message)


def test_periods_out_of_range():
    refused(
        plan(feature(4, fixed_period=2)), r"feature 4: fixed_period 2 is out of range \(0 to 1\)"
    )
    refused(plan(feature(4, fixed_period=-1)), r"feature 4: fixed_period -1 is out of range")
    refused(plan(feature(4, earliest_period=5)), r"feature 4: earliest_period 5 is out of range")
    refused(
        plan(feature(4, fixed_period=0, earliest_period=1)),
        r"feature 4: fixed in 2027-Q1, before its earliest period 2027-Q2",
    )


def test_a_fixed_feature_larger_than_its_period():
    refused(
        plan(feature(6, effort=31, fixed_period=1)),
        r"feature 6: fixed in 2027-Q2 with 31 person-weeks, more than the capacity of team "
        r"Payments there \(30\)",
    )
    # Unfixed, the same feature is simply left out.
    result = auto_plan(plan(feature(6, effort=31)), time_limit_s=2)
    assert result.status == "optimal"
    assert result.placements == {6: None}
    assert result.explanation == (
        "Feature 6 (31 person-weeks) fits in the capacity of team Payments in no period from "
        "2027-Q1 on",
    )


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ((), r"periods: must be a non-empty tuple of labels"),
        (["2027-Q1"], r"periods: must be a non-empty tuple of labels"),
        (("2027-Q1", ""), r"periods\[1\]: must be a non-empty label"),
        (("2027-Q1", "2027-Q1"), r"periods\[1\]: label '2027-Q1' is repeated"),
    ],
)
def test_bad_periods(periods, message):
    refused(plan(feature(), periods=periods), message)


def test_bad_containers():
    refused(plan(feature(), done={1}), r"done: must be a frozenset of feature ids")
    refused(
        PlanProblem(periods=PERIODS, capacity=CAPACITY, features=[feature()]),
        r"features: must be a tuple",
    )
    refused(plan("feature"), r"features: 'feature' is not a PlanFeature")
    with pytest.raises(PlanningError, match=r"problem: must be a PlanProblem"):
        auto_plan({"periods": PERIODS})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_limit_s": 0}, r"time_limit_s: must be a positive number, got 0"),
        ({"time_limit_s": math.inf}, r"time_limit_s: must be a positive number"),
        ({"workers": 0}, r"workers: must be a whole number of at least 1, got 0"),
        ({"seed": -1}, r"seed: must be a whole number from 0"),
    ],
)
def test_bad_solver_options(options, message):
    with pytest.raises(PlanningError, match=message):
        auto_plan(plan(feature()), **({"time_limit_s": 2} | options))
