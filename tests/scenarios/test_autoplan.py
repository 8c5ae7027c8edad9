"""Auto-plan runs over live data: the proposal respects capacity and dependencies and
is the engine's answer; infeasible dates come back explained; bad input is refused."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from pilothouse.core.models import ChangeRecord
from pilothouse.engines import planning
from pilothouse.roadmap.models import Dependency, Feature
from pilothouse.scenarios import comparison, services
from pilothouse.scenarios.models import AutoPlanRun, Scenario
from tests.factories import FeatureFactory
from tests.scenarios.world import Q1, TODAY

pytestmark = pytest.mark.django_db

PARAMS = {"granularity": "quarter", "first_period": Q1, "period_count": 2, "time_limit_s": 5}


def run(**extra):
    return services.auto_plan_run(actor=None, data={**PARAMS, **extra}, today=TODAY, workers=1)


def test_the_proposal_respects_capacity_and_dependencies(plan_world):
    # F3 (8 weeks) waits for F2 (8 weeks); 10 weeks a quarter, F1 (5) fixed in Q1 by R1.
    Feature.objects.filter(pk=plan_world.f3.pk).update(effort_low=8, effort_high=8)
    Dependency.objects.create(blocker=plan_world.f2, blocked=plan_world.f3)
    result = run()
    assert result.status == "optimal"
    assert result.gap == 0.0
    # F1 in Q1; F2 and F3 cannot share Q2 (16 > 10) and F3 cannot precede F2.
    placements = {int(k): v for k, v in result.placements.items()}
    assert placements[plan_world.f1.pk] == 0
    assert result.value == 2.0
    efforts = {plan_world.f1.pk: 5, plan_world.f2.pk: 8, plan_world.f3.pk: 8}
    for period in (0, 1):
        assert sum(efforts[pk] for pk, p in placements.items() if p == period) <= 10
    if placements[plan_world.f3.pk] is not None:
        assert placements[plan_world.f2.pk] is not None
        assert placements[plan_world.f2.pk] <= placements[plan_world.f3.pk]
    # The same problem given to the engine by hand has the same optimum.
    problem = planning.PlanProblem(
        periods=("Q1 2027", "Q2 2027"),
        capacity={("Payments", 0): 10, ("Payments", 1): 10},
        features=(
            planning.PlanFeature(id=1, team="Payments", effort=5, value=1, fixed_period=0),
            planning.PlanFeature(id=2, team="Payments", effort=8, value=1),
            planning.PlanFeature(id=3, team="Payments", effort=8, value=1, blockers=(2,)),
        ),
    )
    engine = planning.auto_plan(problem, time_limit_s=5, workers=1, seed=0)
    assert (engine.status, engine.value) == (result.status, result.value)


def test_the_proposal_becomes_a_draft_scenario_matching_the_plan(plan_world):
    result = run()
    scenario = result.scenario
    assert scenario.status == "draft"
    assert scenario.name.startswith(f"Auto-plan run {result.pk} (optimal)")
    compared = comparison.compare(scenario=scenario, today=TODAY)
    placements = {int(k): v for k, v in result.placements.items()}
    delivered = [pk for pk, period in placements.items() if period is not None]
    assert compared.scenario.delivered == len(delivered)
    # The planner never over-commits a team at the midpoint of the estimates.
    for row in compared.scenario.teams:
        for cell in row.cells:
            assert (cell.low + cell.high) / 2 <= cell.capacity + 1e-9


def test_infeasible_fixed_dates_come_back_with_the_engines_explanation(plan_world):
    Feature.objects.filter(pk=plan_world.f2.pk).update(target_release=plan_world.r1)
    scenarios = Scenario.objects.count()
    result = run()
    assert result.status == "infeasible"
    assert result.scenario is None
    assert Scenario.objects.count() == scenarios
    text = " ".join(result.explanation)
    assert "Fixed dates cannot be met" in text
    assert "Payments" in text
    assert "Q1 2027" in text
    assert AutoPlanRun.objects.filter(pk=result.pk, status="infeasible").exists()
    # Without the committed dates the same data plans.
    assert run(keep_committed_dates=False).status == "optimal"


def test_unestimated_and_blocked_features_are_left_out_and_listed(plan_world):
    outside = FeatureFactory(product=plan_world.f1.product, stage="planned")  # no team
    Dependency.objects.create(blocker=outside, blocked=plan_world.f2)
    Dependency.objects.create(blocker=plan_world.f2, blocked=plan_world.f3)
    Feature.objects.filter(pk=plan_world.f1.pk).update(effort_high=None)
    result = run()
    notes = " ".join(result.notes)
    assert f"Left out without both estimates: features {plan_world.f1.pk}." in notes
    assert (
        f"blocked by work outside the plan that is not done: features "
        f"{min(plan_world.f2.pk, plan_world.f3.pk)}, {max(plan_world.f2.pk, plan_world.f3.pk)}."
    ) in notes
    assert result.placements == {}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"time_limit_s": 31}, "time_limit_s"),
        ({"first_period": Q1.replace(month=2)}, "first_period"),
        ({"period_count": 0}, "period_count"),
    ],
)
def test_bad_parameters_name_the_field_and_write_nothing(plan_world, extra, field):
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        run(**extra)
    assert field in excinfo.value.message_dict
    assert ChangeRecord.objects.count() == before
    assert not AutoPlanRun.objects.exists()


def test_unknown_teams_are_named(plan_world):
    with pytest.raises(ValidationError) as excinfo:
        services.auto_plan_run(actor=None, data=PARAMS, team_ids=[plan_world.team.pk, 98765])
    assert excinfo.value.message_dict["team_ids"] == ["Unknown teams: 98765."]


def test_a_plan_stopped_at_the_time_limit_keeps_its_gap(plan_world, monkeypatch):
    solve = planning.auto_plan

    def stopped(problem, **kwargs):
        found = solve(problem, **kwargs)
        return dataclasses.replace(
            found,
            status="feasible",
            gap=0.25,
            bound=found.value / 0.75,
            explanation=("The time limit stopped the search.",),
        )

    monkeypatch.setattr(planning, "auto_plan", stopped)
    result = run()
    assert (result.status, result.gap) == ("feasible", 0.25)
    assert result.bound == pytest.approx(result.value / 0.75)
    assert result.scenario.name == f"Auto-plan run {result.pk} (gap 25.0%)"
    assert "The time limit stopped the search." in result.scenario.description


def test_infeasible_explanation_names_the_team_period_and_features(plan_world):
    Feature.objects.filter(pk=plan_world.f2.pk).update(target_release=plan_world.r1)
    result = run()
    first, second = sorted((plan_world.f1.pk, plan_world.f2.pk))
    assert result.explanation == [
        f"Fixed dates cannot be met: Team Payments has 10 person-weeks in Q1 2027 but "
        f"features {first} and {second} are fixed there with 13 person-weeks"
    ]
