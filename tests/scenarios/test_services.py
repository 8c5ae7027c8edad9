"""Scenario writes: each change kind's checks name the field and write nothing;
applying is explicit, change-logged with the actor, and all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.delivery.models import CapacityPeriod, FeatureAssignment, Team
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import Feature, Release
from pilothouse.scenarios import services
from pilothouse.scenarios.models import Scenario, ScenarioChange
from tests.factories import FeatureFactory, UserFactory
from tests.scenarios.world import Q1, Q2, TODAY

pytestmark = pytest.mark.django_db


def change(world, actor=None, **data):
    return services.scenario_change.create(actor=actor, data={"scenario": world.scenario, **data})


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "drop_feature"}, "feature", "A drop_feature change needs this field."),
        (
            {"kind": "move_feature", "period_start": dt.date(2027, 7, 1)},
            "period_start",
            "2027-07-01 does not start one of the scenario's periods (Q1 2027, Q2 2027).",
        ),
        (
            {"kind": "change_capacity", "period_start": Q1, "person_weeks": -1},
            "person_weeks",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"kind": "add_team", "team_name": "payments", "person_weeks": 5},
            "team_name",
            "A team named 'payments' exists already.",
        ),
        (
            {"kind": "move_date", "target_date": dt.date(2027, 5, 1), "person_weeks": 3},
            "person_weeks",
            "A move_date change does not use this field.",
        ),
    ],
)
def test_bad_changes_name_the_field_and_write_nothing(plan_world, data, field, message):
    data = dict(data)
    if data["kind"] == "move_feature":
        data["feature"] = plan_world.f1
    if data["kind"] == "change_capacity":
        data["team"] = plan_world.team
    if data["kind"] == "move_date":
        data["release"] = plan_world.r1
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        change(plan_world, **data)
    assert message in excinfo.value.message_dict[field]
    assert ChangeRecord.objects.count() == before
    assert not ScenarioChange.objects.exists()


def test_two_changes_of_one_feature_are_refused(plan_world):
    first = change(plan_world, kind="drop_feature", feature=plan_world.f1)
    with pytest.raises(ValidationError) as excinfo:
        change(plan_world, kind="move_feature", feature=plan_world.f1, period_start=Q2)
    assert excinfo.value.message_dict["feature"] == [
        f"Change {first.pk} already changes this feature."
    ]


def test_a_feature_in_no_queue_needs_a_team(plan_world):
    loose = FeatureFactory(product=plan_world.f1.product)
    with pytest.raises(ValidationError) as excinfo:
        change(plan_world, kind="move_feature", feature=loose, period_start=Q2)
    assert "is in no team's queue" in excinfo.value.message_dict["team"][0]


def test_a_product_manager_drafts_and_edits_only_their_own(plan_world):
    pm = UserFactory(role=Role.PRODUCT_MANAGER)
    other = UserFactory(role=Role.PRODUCT_MANAGER)
    mine = services.scenario.create(
        actor=pm, data={"name": "Mine", "first_period": Q1, "period_count": 2}
    )
    services.scenario_change.create(
        actor=pm, data={"scenario": mine, "kind": "drop_feature", "feature": plan_world.f1}
    )
    with pytest.raises(PermissionDenied):
        services.scenario_change.create(
            actor=other, data={"scenario": mine, "kind": "drop_feature", "feature": plan_world.f2}
        )
    with pytest.raises(PermissionDenied):
        services.scenario.create(
            actor=UserFactory(role=Role.CONTRIBUTOR), data={"name": "No", "first_period": Q1}
        )


def test_apply_makes_every_change_through_the_services_with_the_actor(plan_world):
    leader = UserFactory(role=Role.PRODUCT_LEADER)
    queued_f1 = ("featureassignment", FeatureAssignment.objects.get(feature=plan_world.f1).pk)
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    change(plan_world, kind="drop_feature", feature=plan_world.f1)
    change(
        plan_world, kind="change_capacity", team=plan_world.team, period_start=Q2, person_weeks=15
    )
    change(plan_world, kind="move_date", release=plan_world.r2, target_date=dt.date(2027, 6, 15))
    change(plan_world, kind="add_team", team_name="Mobile", person_weeks=5)
    since = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
    scenario = services.scenario_apply(
        actor=leader, instance=plan_world.scenario, version=plan_world.scenario.version, today=TODAY
    )
    assert (scenario.status, scenario.applied_by) == ("applied", leader)
    f1, f3 = Feature.objects.get(pk=plan_world.f1.pk), Feature.objects.get(pk=plan_world.f3.pk)
    # F3 moved to Q2 2027 (the next quarter on 15 January): R2 is dated there.
    assert (f3.horizon, f3.target_release_id) == ("next", plan_world.r2.pk)
    assert (f1.horizon, f1.target_release_id) == ("", None)
    # A dropped feature leaves its team's queue as well, as the comparison counted it.
    assert not FeatureAssignment.objects.filter(feature_id=plan_world.f1.pk).exists()
    assert Release.objects.get(pk=plan_world.r2.pk).target_date == dt.date(2027, 6, 15)
    assert CapacityPeriod.objects.get(team=plan_world.team, start=Q2).person_weeks == 15
    mobile = Team.objects.get(name="Mobile")
    assert list(mobile.capacity_periods.values_list("start", "person_weeks")) == [(Q1, 5), (Q2, 5)]
    records = ChangeRecord.objects.filter(pk__gt=since)
    assert {r.actor_id for r in records} == {leader.pk}
    changed = {(r.content_type.model, r.object_id) for r in records}
    assert {("feature", plan_world.f1.pk), ("feature", plan_world.f3.pk), queued_f1} <= changed
    assert ("release", plan_world.r2.pk) in changed
    assert ("scenario", plan_world.scenario.pk) in changed


def test_a_stale_change_in_the_middle_rolls_everything_back(plan_world):
    change(plan_world, kind="move_date", release=plan_world.r2, target_date=dt.date(2027, 6, 15))
    change(plan_world, kind="drop_feature", feature=plan_world.f1)
    stale = change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q2)
    change(plan_world, kind="add_team", team_name="Mobile", person_weeks=5)
    # Someone edits F3 after the scenario was drafted.
    roadmap_services.feature.update(
        actor=None, instance=plan_world.f3, version=None, data={"title": "F3, renamed"}
    )
    before = ChangeRecord.objects.count()
    with pytest.raises(services.StaleChange) as excinfo:
        services.scenario_apply(actor=None, instance=plan_world.scenario, version=None, today=TODAY)
    assert str(excinfo.value).startswith(f"Change {stale.pk} (move a feature to a period):")
    assert ChangeRecord.objects.count() == before
    assert Release.objects.get(pk=plan_world.r2.pk).target_date == dt.date(2027, 6, 30)
    assert Feature.objects.get(pk=plan_world.f1.pk).target_release_id == plan_world.r1.pk
    assert FeatureAssignment.objects.filter(feature_id=plan_world.f1.pk).exists()
    assert not Team.objects.filter(name="Mobile").exists()
    assert Scenario.objects.get(pk=plan_world.scenario.pk).status == "draft"


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_leaders_and_admins_apply(plan_world, role):
    change(plan_world, kind="drop_feature", feature=plan_world.f1)
    with pytest.raises(PermissionDenied):
        services.scenario_apply(
            actor=UserFactory(role=role), instance=plan_world.scenario, version=None, today=TODAY
        )
    assert Feature.objects.get(pk=plan_world.f1.pk).target_release_id == plan_world.r1.pk


def test_an_applied_scenario_neither_applies_again_nor_changes(plan_world):
    made = change(plan_world, kind="drop_feature", feature=plan_world.f1)
    services.scenario_apply(actor=None, instance=plan_world.scenario, version=None, today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.scenario_apply(actor=None, instance=plan_world.scenario, version=None, today=TODAY)
    assert "only drafts apply" in excinfo.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as excinfo:
        change(plan_world, kind="drop_feature", feature=plan_world.f2)
    assert "only drafts change" in excinfo.value.message_dict["scenario"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.scenario_change.delete(actor=None, instance=made)
    assert excinfo.value.message_dict["scenario"] == [
        "Only a draft scenario's changes are removed."
    ]
    assert ScenarioChange.objects.filter(pk=made.pk).exists()


def test_moving_a_feature_to_another_team_reassigns_it(plan_world):
    other = Team.objects.create(name="Core")
    change(plan_world, kind="move_feature", feature=plan_world.f3, period_start=Q1, team=other)
    services.scenario_apply(actor=None, instance=plan_world.scenario, version=None, today=TODAY)
    assignment = FeatureAssignment.objects.get(feature=plan_world.f3)
    assert assignment.team == other
    # Q1 holds today: the "now" column; no release of the product is dated in Q1 but R1.
    f3 = Feature.objects.get(pk=plan_world.f3.pk)
    assert (f3.horizon, f3.target_release_id) == ("now", plan_world.r1.pk)
