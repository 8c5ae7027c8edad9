"""The scenarios API: permissions for every role, errors naming the field, the
comparison and apply endpoints, auto-plan runs, and fixed query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.roadmap.models import Feature
from pilothouse.scenarios import services
from pilothouse.scenarios.models import AutoPlanRun, Scenario
from tests.factories import FeatureFactory, UserFactory
from tests.prioritization.factories import FeatureScoreFactory
from tests.scenarios.world import Q1, Q2, TODAY, scoring_model

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
WRITERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
APPLIERS = {Role.ADMIN, Role.PRODUCT_LEADER}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def body(**extra):
    return {"name": "Plan B", "first_period": "2027-01-01", "period_count": 2, **extra}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_a_scenario(api_as, role, plan_world):
    answer = api_as(UserFactory(role=role)).post("/scenarios", body())
    assert answer.status_code == (201 if role in WRITERS else 403)


def test_anonymous_callers_get_401_everywhere(anonymous_api, plan_world):
    pk = plan_world.scenario.pk
    for path in (
        "/scenarios",
        f"/scenarios/{pk}/comparison",
        "/auto-plan-runs",
        "/scenario-changes",
    ):
        assert anonymous_api.get(path).status_code == 401
    assert anonymous_api.post(f"/scenarios/{pk}/apply", {"version": 1}).status_code == 401
    assert anonymous_api.post("/auto-plan-runs", {"first_period": "2027-01-01"}).status_code == 401


def test_a_bad_change_is_422_naming_the_field(admin_api, plan_world):
    answer = admin_api.post(
        "/scenario-changes",
        {
            "scenario_id": plan_world.scenario.pk,
            "kind": "change_capacity",
            "team_id": plan_world.team.pk,
            "period_start": "2027-07-01",
            "person_weeks": "5",
        },
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["period_start"]
    unknown = admin_api.post(
        "/scenario-changes",
        {"scenario_id": plan_world.scenario.pk, "kind": "drop_feature", "feature_id": 987654},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "feature_id"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_comparison(api_as, role, plan_world):
    services.scenario_change.create(
        actor=None,
        data={
            "scenario": plan_world.scenario,
            "kind": "move_feature",
            "feature": plan_world.f3,
            "period_start": Q2,
        },
    )
    answer = api_as(UserFactory(role=role)).get(f"/scenarios/{plan_world.scenario.pk}/comparison")
    assert answer.status_code == 200
    data = answer.json()
    assert data["periods"] == ["Q1 2027", "Q2 2027"]
    assert data["live"]["value_delivered"] == 2.0
    assert data["scenario"]["value_delivered"] == 3.0
    q2 = data["scenario"]["teams"][0]["periods"][1]
    assert (q2["demand_low"], q2["demand_high"], q2["status"]) == (14.0, 18.0, "over_committed")
    # Forecasts of the releases the change touches: R2, which F3 joins. F3 is third in
    # Payments' queue (after F1 and F2), at one item a week: three weeks.
    assert (data["release_count"], data["unchanged_releases"]) == (1, 1)
    assert data["live"]["releases"] == []
    (r2,) = data["scenario"]["releases"]
    assert (r2["name"], r2["remaining_features"], r2["p85_date"]) == ("R2", 1, "2027-01-31")


def released(side):
    return [(row["name"], row["p85_date"]) for row in side["releases"]]


def test_every_releases_forecast_on_demand_a_page_at_a_time(admin_api, plan_world):
    services.scenario_change.create(
        actor=None,
        data={
            "scenario": plan_world.scenario,
            "kind": "move_feature",
            "feature": plan_world.f3,
            "period_start": Q2,
        },
    )
    path = f"/scenarios/{plan_world.scenario.pk}/comparison"
    every = admin_api.get(path, {"releases": "all"}).json()
    assert every["release_count"] == 2
    # R1's F1 heads Payments' queue; F3 is third in it (one item a week).
    assert released(every["live"]) == [("R1", "2027-01-17")]
    assert released(every["scenario"]) == [("R1", "2027-01-17"), ("R2", "2027-01-31")]
    second = admin_api.get(path, {"releases": "all", "release_limit": 1, "release_offset": 1})
    assert second.json()["release_count"] == 2
    assert released(second.json()["live"]) == []
    assert released(second.json()["scenario"]) == [("R2", "2027-01-31")]
    for params, field in (
        ({"releases": "some"}, "releases"),
        ({"release_limit": 0}, "release_limit"),
        ({"release_offset": -1}, "release_offset"),
    ):
        answer = admin_api.get(path, params)
        assert answer.status_code == 422
        assert field in [error["field"] for error in answer.json()["errors"]]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_apply(api_as, role, plan_world):
    services.scenario_change.create(
        actor=None,
        data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": plan_world.f1},
    )
    answer = api_as(UserFactory(role=role)).post(
        f"/scenarios/{plan_world.scenario.pk}/apply", {"version": plan_world.scenario.version}
    )
    applied = role in APPLIERS
    assert answer.status_code == (200 if applied else 403)
    assert (Feature.objects.get(pk=plan_world.f1.pk).target_release_id is None) == applied
    if applied:
        assert answer.json()["status"] == "applied"


def test_apply_with_a_stale_change_is_409_naming_it(admin_api, plan_world):
    stale = services.scenario_change.create(
        actor=None,
        data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": plan_world.f1},
    )
    Feature.objects.filter(pk=plan_world.f1.pk).update(version=5)
    answer = admin_api.post(f"/scenarios/{plan_world.scenario.pk}/apply", {"version": 1})
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(f"Change {stale.pk} (drop a feature):")
    assert Scenario.objects.get(pk=plan_world.scenario.pk).status == "draft"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_run_the_planner(api_as, role, plan_world):
    answer = api_as(UserFactory(role=role)).post(
        "/auto-plan-runs", {"first_period": "2027-01-01", "period_count": 2, "time_limit_s": 2}
    )
    assert answer.status_code == (201 if role in WRITERS else 403)
    if role in WRITERS:
        data = answer.json()
        assert data["status"] == "optimal"
        assert data["gap"] == 0.0
        assert Scenario.objects.filter(pk=data["scenario_id"], status="draft").exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"time_limit_s": 31}, "time_limit_s"),
        ({"team_ids": [987654]}, "team_ids"),
        ({"first_period": "2027-02-01"}, "first_period"),
        ({"scoring_model_id": 987654}, "scoring_model_id"),
        ({"granularity": "week"}, "granularity"),
    ],
)
def test_bad_run_parameters_are_422_naming_the_field(admin_api, plan_world, extra, field):
    answer = admin_api.post("/auto-plan-runs", {"first_period": "2027-01-01", **extra})
    assert answer.status_code == 422
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert not AutoPlanRun.objects.exists()


def test_an_infeasible_plan_is_a_run_with_its_explanation(admin_api, plan_world):
    Feature.objects.filter(pk=plan_world.f2.pk).update(target_release=plan_world.r1)
    answer = admin_api.post(
        "/auto-plan-runs", {"first_period": "2027-01-01", "period_count": 2, "time_limit_s": 2}
    )
    assert answer.status_code == 201
    data = answer.json()
    assert (data["status"], data["scenario_id"]) == ("infeasible", None)
    assert "Fixed dates cannot be met" in " ".join(data["explanation"])
    listed = admin_api.get("/auto-plan-runs").json()
    assert [item["id"] for item in listed["items"]] == [data["id"]]
    assert admin_api.get(f"/auto-plan-runs/{data['id']}").json()["status"] == "infeasible"


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert call().status_code == 200
    return len(queries)


def test_lists_cost_the_same_for_5_and_50(admin_api, plan_world):
    def grow(n):
        while Scenario.objects.count() < n:
            scenario = services.scenario.create(
                actor=None, data={"name": "S", "first_period": Q1, "period_count": 2}
            )
            feature = FeatureFactory(product=plan_world.f1.product)
            services.scenario_change.create(
                actor=None,
                data={"scenario": scenario, "kind": "drop_feature", "feature": feature},
            )
            services.auto_plan.create(
                actor=None,
                data={"first_period": Q1, "status": "unknown"},
                m2m={"teams": [plan_world.team]},
            )

    admin_api.get("/scenarios")  # the token's first use is recorded once: not counted
    counts = []
    for n in (5, 50):
        grow(n)
        counts.append(
            (
                _count(lambda: admin_api.get("/scenarios", {"limit": 100})),
                _count(lambda: admin_api.get("/scenario-changes", {"limit": 100})),
                _count(lambda: admin_api.get("/auto-plan-runs", {"limit": 100})),
            )
        )
    assert counts[0] == counts[1]


@pytest.mark.parametrize(("live", "expected"), [(False, 10), (True, 11)])
def test_the_comparison_costs_the_same_for_5_and_50_features(admin_api, plan_world, live, expected):
    from pilothouse.delivery.models import FeatureAssignment

    path = f"/scenarios/{plan_world.scenario.pk}/comparison"
    model = scoring_model(live=live)
    Scenario.objects.filter(pk=plan_world.scenario.pk).update(scoring_model=model)
    # A change that touches R1's forecast: its teams' history is read.
    services.scenario_change.create(
        actor=None,
        data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": plan_world.f1},
    )

    def grow(n):
        while Feature.objects.count() < n:
            feature = FeatureFactory(
                product=plan_world.f1.product,
                effort_low=1,
                effort_high=2,
                target_release=plan_world.r2,
            )
            FeatureAssignment.objects.create(feature=feature, team=plan_world.team, queue_rank=9)
            FeatureScoreFactory(feature=feature, scoring_model=model, inputs={"value": 2})
            services.scenario_change.create(
                actor=None,
                data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": feature},
            )

    grow(5)
    admin_api.get(path)  # the token's first use is recorded once: not counted
    few = _count(lambda: admin_api.get(path))
    grow(50)
    assert _count(lambda: admin_api.get(path)) == few
    # The token, the scenario, its changes, the live plan (five, with stored scores; a
    # live model's are one more), and the throughput of the forecast releases' teams.
    assert few == expected
