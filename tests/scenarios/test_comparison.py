"""The side-by-side comparison on the hand-checked world (world.py): figures worked out
by hand, which releases get forecasts, what the live plan reads for a comparison, the
values, and the live rows untouched by creating changes and comparing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from pilothouse.delivery import services as delivery_services
from pilothouse.delivery.models import CapacityPeriod, FeatureAssignment, Team
from pilothouse.prioritization import selectors as prioritization_selectors
from pilothouse.prioritization import services as prioritization_services
from pilothouse.prioritization.backlogs import ANY_STAGE, BacklogFilters
from pilothouse.roadmap.models import Feature, Release
from pilothouse.scenarios import comparison, releases, selectors, services
from pilothouse.scenarios.models import Scenario, ScenarioChange
from tests.factories import FeatureFactory, ReleaseFactory
from tests.prioritization.factories import (
    FeatureScoreFactory,
    ScoringModelFactory,
)
from tests.scenarios.world import Q2, TODAY, scoring_model

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


def forecasts(result, *, changed_only=True):
    """{release name: (live row, scenario row)} of the releases asked for."""
    ids = result.release_ids(changed_only=changed_only)
    pairs = comparison.release_forecasts(result, release_ids=ids, today=TODAY)
    return {(live or mine).name: (live, mine) for live, mine in pairs}


def test_release_forecasts_follow_the_pace_and_the_capacity(plan_world):
    # One item a week: R1's one remaining feature takes one week from today's Monday.
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert forecasts(result) == {}  # no change touches a release
    assert result.unchanged_releases == 1
    ((r1, same),) = forecasts(result, changed_only=False).values()
    assert (r1.name, r1.remaining, r1.p85) == ("R1", 1, dt.date(2027, 1, 17))
    assert same == r1
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
    assert result.release_ids() == [plan_world.r1.pk, plan_world.r2.pk]  # by date
    releases = forecasts(result)
    # R1: 1 item at half pace = 2 weeks; R2: F2 and F3 are second and third in the
    # queue, so Payments works 3 items for it, at half pace = 6 weeks.
    assert releases["R1"][0].p85 == dt.date(2027, 1, 17)
    assert releases["R1"][1].p85 == dt.date(2027, 1, 24)
    assert releases["R2"][0] is None  # the live plan delivers nothing of R2
    assert (releases["R2"][1].remaining, releases["R2"][1].p85) == (2, dt.date(2027, 2, 21))
    assert "\u00d70.50" in releases["R2"][1].note


@pytest.fixture
def forecast_calls(monkeypatch):
    """The scopes (items per lane) of every forecast the engine is asked for."""
    calls = []
    engine = releases.forecasting.forecast_parallel

    def counted(**kwargs):
        calls.append(list(kwargs["scopes"]))
        return engine(**kwargs)

    monkeypatch.setattr(releases.forecasting, "forecast_parallel", counted)
    return calls


def test_only_the_releases_a_change_touches_are_forecast(plan_world, forecast_calls):
    # R1 (F1) and, in the scenario, R2 (F3 moved into Q2) are delivered in the horizon.
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    change(plan_world, kind="add_team", team_name="Mobile", person_weeks=5)
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert forecast_calls == []  # comparing forecasts nothing by itself
    assert result.release_ids() == [plan_world.r2.pk]
    assert result.unchanged_releases == 1
    ((live, mine),) = forecasts(result).values()
    assert live is None
    # F3 is third in Payments' queue: three items at one a week.
    assert (mine.name, mine.remaining, mine.p85) == ("R2", 1, dt.date(2027, 1, 31))
    assert forecast_calls == [[3]]  # R2 on the scenario's side only


def test_a_release_forecast_alike_on_both_sides_is_computed_once(plan_world, forecast_calls):
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    ((live, mine),) = forecasts(result, changed_only=False).values()
    assert live == mine
    assert forecast_calls == [[1]]


def test_what_touches_a_releases_forecast(plan_world):
    """Its features (dropped, moved in or out), its teams' capacity, its date."""
    f4 = FeatureFactory(
        product=plan_world.f1.product, effort_low=1, effort_high=1, target_release=plan_world.r1
    )
    FeatureAssignment.objects.create(feature=f4, team=plan_world.team, queue_rank=5)
    touched = {
        "drop": {"kind": "drop_feature", "feature": plan_world.f1},
        "capacity": {
            "kind": "change_capacity",
            "team": plan_world.team,
            "period_start": Q2,
            "person_weeks": 12,
        },
        "date": {"kind": "move_date", "release": plan_world.r1, "target_date": dt.date(2027, 3, 1)},
    }
    for name, data in touched.items():
        ScenarioChange.objects.all().delete()
        change(plan_world, **data)
        result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
        assert result.release_ids() == [plan_world.r1.pk], name
        assert result.unchanged_releases == 0, name
    live, mine = forecasts(result)["R1"]
    assert (live.target_date, mine.target_date) == (dt.date(2027, 3, 31), dt.date(2027, 3, 1))
    assert live.p85 == mine.p85  # the same work at the same pace


def test_features_that_count_in_no_period_are_not_read(plan_world):
    mobile = Team.objects.create(name="Mobile")
    idle = FeatureFactory(product=plan_world.f1.product, effort_low=3, effort_high=3)
    FeatureAssignment.objects.create(feature=idle, team=mobile, queue_rank=0)
    # A release dated before the horizon: its features' windows end before it.
    past = ReleaseFactory(product=plan_world.f1.product, target_date=dt.date(2026, 12, 1))
    late = FeatureFactory(
        product=plan_world.f1.product, effort_low=2, effort_high=2, target_release=past
    )
    FeatureAssignment.objects.create(feature=late, team=plan_world.team, queue_rank=7)
    periods = plan_world.scenario.periods()
    live = selectors.live_plan(periods=periods, today=TODAY, comparing=plan_world.scenario)
    # F3 and Mobile's feature have no release, no start and no board column.
    assert set(live.items) == {plan_world.f1.pk, plan_world.f2.pk}
    whole = selectors.live_plan(periods=periods, today=TODAY)
    assert set(whole.items) == {f.pk for f in (plan_world.f1, plan_world.f2, plan_world.f3)} | {
        idle.pk,
        late.pk,
    }
    # Mobile has neither capacity nor features in the horizon: no row.
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert [row.name for row in result.live.teams] == ["Payments"]
    # What the scenario moves or re-dates is read, whatever its plan.
    change(plan_world, kind="move_feature", feature=idle, period_start=Q2)
    change(plan_world, kind="move_date", release=past, target_date=dt.date(2027, 2, 1))
    live = selectors.live_plan(periods=periods, today=TODAY, comparing=plan_world.scenario)
    assert set(live.items) == {plan_world.f1.pk, plan_world.f2.pk, idle.pk, late.pk}
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    assert [row.name for row in result.live.teams] == ["Payments"]
    assert cells(result.scenario, "Mobile") == [
        (0.0, 0.0, 0.0, "ok"),
        (0.0, 3.0, 3.0, "over_committed"),
    ]
    assert not next(row for row in result.scenario.teams if row.name == "Mobile").added
    # Payments' Q1 takes the re-dated feature: 4-6 (F1) and 2 weeks.
    assert cells(result.live)[0] == (10.0, 4.0, 6.0, "ok")
    assert cells(result.scenario)[0] == (10.0, 6.0, 8.0, "ok")


def test_a_team_row_the_changes_leave_alone_is_the_live_one(plan_world):
    mobile = Team.objects.create(name="Mobile")
    delivery_services.capacity_period.create(
        actor=None,
        data={"team": mobile, "granularity": "quarter", "start": Q2, "person_weeks": 4},
    )
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    result = comparison.compare(scenario=plan_world.scenario, today=TODAY)
    (live_mobile, mine_mobile), (live_payments, mine_payments) = result.pairs()  # by name
    assert mine_mobile is live_mobile
    assert mine_payments is not live_payments
    assert cells(result.scenario, "Mobile") == [(0.0, 0.0, 0.0, "ok"), (4.0, 0.0, 0.0, "ok")]


def test_values_come_from_the_stored_scores_of_the_models_scope(plan_world):
    model = ScoringModelFactory(product=plan_world.f1.product)
    services.scenario.update(
        actor=None,
        instance=plan_world.scenario,
        version=plan_world.scenario.version,
        data={"scoring_model": model},
    )
    FeatureScoreFactory(feature=plan_world.f1, scoring_model=model, score=800.0)
    outside = FeatureFactory(effort_low=1, effort_high=1, horizon="now")  # another product
    FeatureAssignment.objects.create(feature=outside, team=plan_world.team, queue_rank=8)
    FeatureScoreFactory(feature=outside, scoring_model=model, score=5.0)
    ids = [plan_world.f1.pk, plan_world.f2.pk, outside.pk]
    values = selectors.feature_values(scoring_model=model, feature_ids=ids)
    assert values == {plan_world.f1.pk: 800.0, plan_world.f2.pk: None, outside.pk: None}
    # The same as the model's backlog says.
    backlog = prioritization_selectors.backlog(
        scoring_model=model, filters=BacklogFilters(stage=ANY_STAGE)
    )
    scored = {row.feature_id: row.score for row in backlog}
    assert {pk: scored.get(pk) for pk in values} == values
    # The same again as read along with the live plan.
    periods = plan_world.scenario.periods()
    live = selectors.live_plan(periods=periods, today=TODAY, valued_by=model)
    assert {pk: live.values[pk] for pk in ids} == values
    assert selectors.live_plan(periods=periods, today=TODAY).values is None
    scenario = Scenario.objects.get(pk=plan_world.scenario.pk)
    result = comparison.compare(scenario=scenario, today=TODAY)
    # Delivered: F1 (800) in Q1, F2 (unscored) in Q2, and the other product's feature
    # (the now column: Q1), outside the model's scope: unscored.
    assert result.live.value == 800.0
    assert result.live.unscored == sorted([plan_world.f2.pk, outside.pk])
    assert result.valued_by == model.name


def test_values_of_a_live_model_are_computed(plan_world):
    model = scoring_model(live=True)
    prioritization_services.feature_score_set(
        actor=None, feature=plan_world.f1, scoring_model=model, inputs={"value": 2}
    )
    values = selectors.feature_values(scoring_model=model, feature_ids=[plan_world.f1.pk])
    assert values == {plan_world.f1.pk: 12.0}  # 2 x 6 weeks, worked out when read
    with pytest.raises(ValueError, match="computed when read"):
        selectors.live_plan(periods=plan_world.scenario.periods(), today=TODAY, valued_by=model)
    Scenario.objects.filter(pk=plan_world.scenario.pk).update(scoring_model=model)
    scenario = Scenario.objects.get(pk=plan_world.scenario.pk)
    result = comparison.compare(scenario=scenario, today=TODAY)
    assert (result.live.value, result.live.unscored) == (12.0, [plan_world.f2.pk])


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
