"""The side-by-side comparison on the hand-checked world (world.py): figures worked out
by hand, and the live rows untouched by creating changes and comparing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from pilothouse.delivery.models import CapacityPeriod
from pilothouse.roadmap.models import Feature, Release
from pilothouse.scenarios import comparison, services
from tests.scenarios.world import Q2, TODAY

pytestmark = pytest.mark.django_db


def change(world, **data):
    return services.scenario_change.create(actor=None, data={"scenario": world.scenario, **data})


def cells(figures, team="Payments"):
    row = next(row for row in figures.teams if row.name == team)
    return [(c.capacity, c.low, c.high, c.status) for c in row.cells]


def test_the_live_plan_by_hand(plan_world):
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    # Q1: F1 4-6 weeks against 10; Q2: F2 8 weeks against 10; F3 is in no period.
    assert cells(result.live) == [(10.0, 4.0, 6.0, "ok"), (10.0, 8.0, 8.0, "ok")]
    assert result.live.delivered == 2
    assert result.live.value == 2.0  # no scoring model: each feature is worth 1
    assert result.scenario.value == result.live.value  # no changes yet


def test_moving_a_feature_into_a_full_quarter_over_commits_it(plan_world):
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    # Q2 now holds F2 (8) and F3 (6-10): 14-18 weeks against 10.
    assert cells(result.scenario) == [(10.0, 4.0, 6.0, "ok"), (10.0, 14.0, 18.0, "over_committed")]
    assert cells(result.live)[1][3] == "ok"
    assert (result.live.over_committed, result.scenario.over_committed) == (0, 1)
    assert (result.live.value, result.scenario.value) == (2.0, 3.0)


def test_more_capacity_turns_over_committed_into_at_risk(plan_world):
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    change(
        plan_world, kind="change_capacity", team=plan_world.team, period_start=Q2, person_weeks=15
    )
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert cells(result.scenario)[1] == (15.0, 14.0, 18.0, "at_risk")


def test_dropping_a_feature_and_adding_a_team(plan_world):
    change(plan_world, kind="drop_feature", feature=plan_world.f1)
    change(plan_world, kind="add_team", team_name="Mobile", person_weeks=5)
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert cells(result.scenario)[0] == (10.0, 0.0, 0.0, "ok")
    assert cells(result.scenario, "Mobile") == [(5.0, 0.0, 0.0, "ok"), (5.0, 0.0, 0.0, "ok")]
    assert [row.name for row in result.live.teams] == ["Payments"]
    assert result.scenario.value == 1.0


def test_release_forecasts_follow_the_pace_and_the_capacity(plan_world):
    # One item a week: R1's one remaining feature takes one week from today's Monday.
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    (r1,) = result.live.releases
    assert (r1.name, r1.remaining, r1.p85) == ("R1", 1, dt.date(2027, 1, 17))
    assert not r1.late
    # F2 and F3 move into R2 (dated in Q2); half the capacity halves the pace.
    change(plan_world, kind="move_feature", feature=plan_world.f2, period_start=Q2)
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    for start in (dt.date(2027, 1, 1), Q2):
        change(
            plan_world,
            kind="change_capacity",
            team=plan_world.team,
            period_start=start,
            person_weeks=5,
        )
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    releases = {row.name: row for row in result.scenario.releases}
    # R1: 1 item at half pace = 2 weeks; R2: 2 items at half pace = 4 weeks.
    assert releases["R1"].p85 == dt.date(2027, 1, 24)
    assert releases["R2"].p85 == dt.date(2027, 2, 7)
    assert "\u00d70.50" in releases["R2"].note


def test_a_move_date_change_moves_the_release_and_its_features(plan_world):
    change(plan_world, kind="move_date", release=plan_world.r1, target_date=dt.date(2027, 5, 15))
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    # F1's window now runs from 1 April (its end's quarter) to 15 May: all in Q2.
    assert cells(result.scenario) == [(10.0, 0.0, 0.0, "ok"), (10.0, 12.0, 14.0, "over_committed")]


def snapshot():
    return (
        [model_to_dict(f) | {"version": f.version} for f in Feature.objects.order_by("pk")],
        [model_to_dict(r) | {"version": r.version} for r in Release.objects.order_by("pk")],
        [model_to_dict(p) | {"version": p.version} for p in CapacityPeriod.objects.order_by("pk")],
    )


def test_changes_and_comparisons_leave_the_live_rows_alone(plan_world):
    before = snapshot()
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    change(plan_world, kind="drop_feature", feature=plan_world.f1)
    change(
        plan_world, kind="change_capacity", team=plan_world.team, period_start=Q2, person_weeks=0
    )
    change(plan_world, kind="move_date", release=plan_world.r2, target_date=dt.date(2027, 9, 1))
    change(plan_world, kind="add_team", team_name="Mobile", person_weeks=5)
    comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert snapshot() == before
