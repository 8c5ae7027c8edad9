"""The scenario pages: who may open each (anonymous, viewer, contributor, product
manager, product leader, admin), what they show, and what they cost in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.roadmap.models import Feature
from pilothouse.scenarios import services, views
from pilothouse.scenarios.models import AutoPlanRun, Scenario, ScenarioChange
from tests.factories import FeatureFactory, ProductFactory, ReleaseFactory, UserFactory
from tests.prioritization.factories import FeatureScoreFactory
from tests.scenarios.world import Q1, Q2, TODAY, scoring_model
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
    url = pages(plan_world)["detail"]
    html = client.get(url).content.decode()
    assert "14.0\u201318.0 of 10.0 pw" in html
    assert "Over-committed" in html
    # Forecasts of the releases the change touches: R2, which F3 joins (third in
    # Payments' queue, at one item a week: three weeks); R1 is forecast alike on both
    # sides, on demand.
    releases = section(html, "releases")
    assert "<td>R2</td>" in releases
    assert "2027-01-31 (1 left)" in releases
    assert "<td>R1</td>" not in releases
    assert "1 other release delivered within these periods is forecast alike" in releases
    every = section(client.get(url, {"forecasts": "all"}).content.decode(), "releases")
    assert "<td>R1</td>" in every
    assert "<td>R2</td>" in every
    assert "1 of them is forecast alike in both plans" in every


def section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    return html[start : html.index("</section>", start)]


def test_a_team_only_the_scenario_gives_work_is_not_called_new(client, plan_world):
    mobile = Team.objects.create(name="Mobile")
    idle = FeatureFactory(product=plan_world.f1.product, effort_low=3, effort_high=3)
    FeatureAssignment.objects.create(feature=idle, team=mobile, queue_rank=0)
    for data in (
        {"kind": "move_feature", "feature": idle, "period_start": Q2},
        {"kind": "add_team", "team_name": "Growth", "person_weeks": 5},
    ):
        services.scenario_change.create(actor=None, data={"scenario": plan_world.scenario, **data})
    client.force_login(UserFactory(role=Role.VIEWER))
    teams = section(client.get(pages(plan_world)["detail"]).content.decode(), "teams")
    assert 'Growth <span class="muted small">(new)</span>' in teams
    assert "Mobile</th>" in teams
    assert "Mobile <span" not in teams


def test_the_changes_are_shown_a_page_at_a_time(client, plan_world):
    for _ in range(views.CHANGES_PER_PAGE + 3):
        feature = FeatureFactory(product=plan_world.f1.product)
        services.scenario_change.create(
            actor=None,
            data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": feature},
        )
    client.force_login(UserFactory(role=Role.PRODUCT_LEADER))
    url = pages(plan_world)["detail"]
    first = section(client.get(url).content.decode(), "changes")
    assert first.count("Remove</button>") == views.CHANGES_PER_PAGE
    assert f"1\u2013{views.CHANGES_PER_PAGE} of {views.CHANGES_PER_PAGE + 3}" in first
    assert f'href="{url}?changes=2#changes"' in first
    last = section(client.get(url, {"changes": 2}).content.decode(), "changes")
    assert last.count("Remove</button>") == 3
    assert "Page 2 of 2" in last
    assert f'href="{url}?changes=1#changes"' in last


def test_the_release_forecasts_are_shown_a_page_at_a_time(client, plan_world, monkeypatch):
    monkeypatch.setattr(views, "RELEASES_PER_PAGE", 1)
    services.scenario_change.create(
        actor=None,
        data={
            "scenario": plan_world.scenario,
            "kind": "change_capacity",
            "team": plan_world.team,
            "period_start": Q1,
            "person_weeks": 20,
        },
    )
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
    url = pages(plan_world)["detail"]
    first = section(client.get(url).content.decode(), "releases")  # by date: R1, then R2
    assert "<td>R1</td>" in first
    assert "<td>R2</td>" not in first
    assert "Page 1 of 2" in first
    second = section(client.get(url, {"releases": 2}).content.decode(), "releases")
    assert "<td>R2</td>" in second
    assert "<td>R1</td>" not in second
    # Twice the capacity in Q1 out of 20 over the horizon: the pace scaled by 1.5.
    assert "Pace scaled by capacity \u00d71.50" in second


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


def test_the_change_form_offers_every_team_and_the_open_releases_by_product(client, plan_world):
    shipped = ReleaseFactory(product=plan_world.f1.product, name="R0", status="released")
    other = ReleaseFactory(
        product=ProductFactory(name="Atlas"), name="A1", target_date=dt.date(2027, 5, 1)
    )
    mobile = Team.objects.create(name="Mobile")  # no capacity, no features
    client.force_login(UserFactory(role=Role.PRODUCT_LEADER))
    url = pages(plan_world)["detail"]
    form = client.get(url).context["change_form"]
    assert list(form.fields["team"].choices) == [
        ("", "---------"),
        (mobile.pk, "Mobile"),
        (plan_world.team.pk, "Payments"),
    ]
    assert list(form.fields["release"].choices) == [
        ("", "---------"),
        ("Atlas", [(other.pk, "A1")]),
        ("Checkout", [(plan_world.r1.pk, "R1"), (plan_world.r2.pk, "R2")]),
    ]
    # What the page does not offer is still accepted, as through the API.
    response = client.post(
        reverse("scenarios:change_create", args=[plan_world.scenario.pk]),
        {"kind": "move_date", "release": shipped.pk, "target_date": "2027-06-01"},
    )
    assert response.status_code == 302
    assert ScenarioChange.objects.get().release == shipped
    # A refused change is drawn again with the same choices.
    refused = client.post(
        reverse("scenarios:change_create", args=[plan_world.scenario.pk]),
        {"kind": "move_date", "release": plan_world.r1.pk},
    )
    assert refused.status_code == 422
    assert [
        group for group, _ in list(refused.context["change_form"].fields["release"].choices)[1:]
    ] == [
        "Atlas",
        "Checkout",
    ]


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


@pytest.mark.parametrize(("live", "expected"), [(False, 12), (True, 13)])
def test_the_scenario_page_costs_the_same_for_5_and_50_features(client, plan_world, live, expected):
    """With every read the page can make: a scoring model, a change touching releases
    (their forecasts read the throughput and the queues), a page of changes and the
    change form; from one forecast release to a full page of them."""
    client.force_login(UserFactory(role=Role.ADMIN))
    url = pages(plan_world)["detail"]
    model = scoring_model(live=live)
    Scenario.objects.filter(pk=plan_world.scenario.pk).update(scoring_model=model)
    # F1 heads Payments' queue: dropping it brings every release behind it forward.
    services.scenario_change.create(
        actor=None,
        data={"scenario": plan_world.scenario, "kind": "drop_feature", "feature": plan_world.f1},
    )
    product = plan_world.f1.product

    def grow():
        release = None
        for n in range(45):
            if n % 2 == 0:  # 23 releases, each with features in the queue and one not
                release = ReleaseFactory(
                    product=product, name=f"G{n}", target_date=Q2 + dt.timedelta(days=n)
                )
                alone = FeatureFactory(product=product, target_release=release)
                services.scenario_change.create(
                    actor=None,
                    data={
                        "scenario": plan_world.scenario,
                        "kind": "drop_feature",
                        "feature": alone,
                    },
                )
            feature = FeatureFactory(
                product=product, effort_low=1, effort_high=2, target_release=release
            )
            FeatureAssignment.objects.create(feature=feature, team=plan_world.team, queue_rank=9)
            FeatureScoreFactory(feature=feature, scoring_model=model, inputs={"value": 2})
            services.scenario_change.create(
                actor=None,
                data={
                    "scenario": plan_world.scenario,
                    "kind": "drop_feature",
                    "feature": FeatureFactory(product=product),
                },
            )

    queries = assert_same_queries(lambda: client.get(url), grow)
    html = client.get(url).content.decode()
    assert f"1\u2013{views.RELEASES_PER_PAGE} of 24" in section(html, "releases")
    # The session and its user, the scenario, the page of changes, the comparison (the
    # changes and the live plan's five, which read stored scores, queue places and
    # queue lengths along; a live model's scores are one more) and the forecasts'
    # throughput (two): within the pages' budget of 15. The change form draws on the
    # comparison.
    assert queries == expected


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
