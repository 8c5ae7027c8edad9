"""The scenario pages: who may open each (anonymous, viewer, contributor, product
manager, product leader, admin), what they show, and what they cost in queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.delivery.models import FeatureAssignment
from pilothouse.roadmap.models import Feature
from pilothouse.scenarios import services
from pilothouse.scenarios.models import AutoPlanRun, Scenario, ScenarioChange
from tests.factories import FeatureFactory, UserFactory
from tests.scenarios.world import Q1, Q2, TODAY
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
WRITERS = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
APPLIERS = {Role.ADMIN, Role.PRODUCT_LEADER}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def pages(world):
    pk = world.scenario.pk
    return {
        "list": reverse("scenarios:scenario_list"),
        "detail": reverse("scenarios:scenario_detail", args=[pk]),
        "new": reverse("scenarios:scenario_create"),
        "apply": reverse("scenarios:scenario_apply", args=[pk]),
        "auto_plan": reverse("scenarios:auto_plan"),
    }


def test_anonymous_visitors_are_sent_to_log_in(client, plan_world):
    for url in pages(plan_world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_page(client, plan_world, role):
    client.force_login(UserFactory(role=role))
    urls = pages(plan_world)
    expected = {
        "list": 200,
        "detail": 200,
        "new": 200 if role in WRITERS else 403,
        "apply": 200 if role in APPLIERS else 403,
        "auto_plan": 200 if role in WRITERS else 403,
    }
    assert {name: client.get(url).status_code for name, url in urls.items()} == expected
    detail = client.get(urls["detail"]).content.decode()
    assert ("Apply to the roadmap" in detail) == (role in APPLIERS)
    # Only the scenario's author (the system here) or a portfolio-wide role edits it.
    assert ("Add a change" in detail) == (role in APPLIERS)


def test_the_scenario_page_shows_the_comparison(client, plan_world):
    services.scenario_change.create(
        actor=None,
        data={
            "scenario": plan_world.scenario,
            "kind": "move_feature",
            "feature": plan_world.f3,
            "period_start": Q2,
        },
    )
    client.force_login(UserFactory(role=Role.VIEWER))
    html = client.get(pages(plan_world)["detail"]).content.decode()
    assert "14.0\u201318.0 of 10.0 pw" in html
    assert "Over-committed" in html
    assert "2027-01-17" in html  # R1's P85 date


def test_adding_and_removing_a_change_from_the_page(client, plan_world):
    client.force_login(UserFactory(role=Role.PRODUCT_LEADER))
    url = reverse("scenarios:change_create", args=[plan_world.scenario.pk])
    bad = client.post(url, {"kind": "change_capacity", "team": plan_world.team.pk})
    assert bad.status_code == 422
    assert "A change_capacity change needs this field." in bad.content.decode()
    assert not ScenarioChange.objects.exists()
    good = client.post(
        url,
        {
            "kind": "change_capacity",
            "team": plan_world.team.pk,
            "period_start": Q2.isoformat(),
            "person_weeks": "12",
        },
    )
    assert good.status_code == 302
    change = ScenarioChange.objects.get()
    assert change.person_weeks == 12
    client.post(reverse("scenarios:change_delete", args=[plan_world.scenario.pk, change.pk]))
    assert not ScenarioChange.objects.exists()


def test_a_viewer_cannot_post_changes(client, plan_world):
    client.force_login(UserFactory(role=Role.VIEWER))
    url = reverse("scenarios:change_create", args=[plan_world.scenario.pk])
    assert (
        client.post(url, {"kind": "drop_feature", "feature": plan_world.f1.pk}).status_code == 403
    )
    assert not ScenarioChange.objects.exists()


def test_applying_from_the_confirmation_page(client, plan_world):
    services.scenario_change.create(
        actor=None,
        data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": plan_world.f1},
    )
    client.force_login(UserFactory(role=Role.ADMIN))
    url = pages(plan_world)["apply"]
    assert "If any one of them cannot be made, none is." in client.get(url).content.decode()
    response = client.post(url, {"version": plan_world.scenario.version})
    assert response.status_code == 302
    assert Scenario.objects.get(pk=plan_world.scenario.pk).status == "applied"
    assert Feature.objects.get(pk=plan_world.f1.pk).target_release is None


def test_the_auto_plan_form_leads_to_its_result(client, plan_world):
    client.force_login(UserFactory(role=Role.PRODUCT_MANAGER))
    response = client.post(
        pages(plan_world)["auto_plan"],
        {
            "granularity": "quarter",
            "first_period": Q1.isoformat(),
            "period_count": "2",
            "time_limit_s": "2",
            "keep_committed_dates": "on",
        },
    )
    run = AutoPlanRun.objects.get()
    assert response.url == reverse("scenarios:auto_plan_result", args=[run.pk])
    html = client.get(response.url).content.decode()
    assert "Optimal:" in html
    assert "See the proposed scenario" in html
    bad = client.post(
        pages(plan_world)["auto_plan"],
        {
            "granularity": "quarter",
            "first_period": "2027-02-01",
            "period_count": "2",
            "time_limit_s": "2",
        },
    )
    assert "The first period starts on the first day of a quarter." in bad.content.decode()
    assert AutoPlanRun.objects.count() == 1


def test_the_scenario_page_costs_the_same_for_5_and_50_features(client, plan_world):
    client.force_login(UserFactory(role=Role.ADMIN))
    url = pages(plan_world)["detail"]

    def grow():
        for _ in range(45):
            feature = FeatureFactory(
                product=plan_world.f1.product, effort_low=1, effort_high=2, horizon="now"
            )
            FeatureAssignment.objects.create(feature=feature, team=plan_world.team, queue_rank=9)
            services.scenario_change.create(
                actor=None,
                data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": feature},
            )

    assert_same_queries(lambda: client.get(url), grow)


def test_the_list_costs_the_same_for_5_and_50_scenarios(client, plan_world):
    client.force_login(UserFactory(role=Role.ADMIN))

    def grow(count=45):
        for n in range(count):
            services.scenario.create(
                actor=None, data={"name": f"S{n}", "first_period": Q1, "period_count": 2}
            )
            services.auto_plan.create(actor=None, data={"first_period": Q1, "status": "unknown"})

    grow(4)
    assert_same_queries(lambda: client.get(pages(plan_world)["list"]), grow)
