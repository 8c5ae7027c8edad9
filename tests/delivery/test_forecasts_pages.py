"""The delivery forecast on pages: the panel of a release's and an initiative's page, the
queue forecast of a team's page; who sees them and what they cost in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.delivery import forecasts
from pilothouse.delivery.models import FeatureAssignment, Team, WorkItem
from tests.factories import FeatureFactory, InitiativeFactory, ReleaseFactory
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db


def this_monday() -> dt.date:
    return forecasts.forecast_start(timezone.localdate())


@pytest.fixture
def team(web_world):
    """Three items a week for the last 26 weeks, on the viewer's world's product."""
    team = Team.objects.create(name="Checkout squad")
    team.products.add(web_world.mine.product)
    WorkItem.objects.bulk_create(
        WorkItem(team=team, title=f"{w}.{n}", completed_on=this_monday() - dt.timedelta(weeks=w))
        for w in range(1, 27)
        for n in range(3)
    )
    return team


def queued(team, n: int, **fields) -> list:
    features = []
    for _ in range(n):
        feature = FeatureFactory(product=team.products.get(), **fields)
        FeatureAssignment.objects.create(team=team, feature=feature, queue_rank=len(features))
        features.append(feature)
    return features


def test_a_release_page_shows_its_forecast(as_user, web_world, team):
    target = this_monday() + dt.timedelta(weeks=10)
    release = ReleaseFactory(product=web_world.mine.product, target_date=target)
    features = queued(team, 6, target_release=release)
    response = as_user(web_world.viewer).get(reverse("roadmap:release_detail", args=[release.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delivery forecast" in html
    assert "6 features not done, counted as one item each" in html
    assert "78 items completed in the last 26 weeks" in html
    p85 = this_monday() + dt.timedelta(days=13)  # six items at three a week: two weeks
    assert f"<strong>{p85.day} {p85:%b %Y}</strong>" in html
    assert '<span class="badge badge--ok">Likely</span> 100 % of trials' in html
    assert "Counts features as items" in html
    assert reverse("roadmap:feature_detail", args=[features[0].pk]) in html
    assert reverse("delivery:team_detail", args=[team.pk]) in html
    assert html.count("<svg") >= 1
    assert "Checkout squad: 6 features ahead of and including this release&#x27;s last one" in html


def test_a_release_page_counts_the_work_ahead_in_the_queue(as_user, web_world, team):
    queued(team, 30)  # other work first
    release = ReleaseFactory(product=web_world.mine.product)
    feature = FeatureFactory(product=web_world.mine.product, target_release=release)
    FeatureAssignment.objects.create(team=team, feature=feature, queue_rank=100)
    response = as_user(web_world.viewer).get(reverse("roadmap:release_detail", args=[release.pk]))
    html = response.content.decode()
    assert "1 feature not done" in html
    assert (
        "Checkout squad: 31 features ahead of and including this release&#x27;s last one "
        "(1 of them this release&#x27;s)"
    ) in html
    p85 = this_monday() + dt.timedelta(weeks=11, days=-1)  # 31 items at three a week
    assert f"<strong>{p85.day} {p85:%b %Y}</strong>" in html


def test_the_page_says_why_there_is_no_forecast(as_user, web_world):
    release = ReleaseFactory(product=web_world.theirs.product)
    FeatureFactory(product=release.product, target_release=release)
    response = as_user(web_world.viewer).get(reverse("roadmap:release_detail", args=[release.pk]))
    html = response.content.decode()
    assert "No forecast: no feature of this release is in a team&#x27;s queue" in html
    assert "<svg" not in html


def test_a_split_rate_on_the_page_and_a_bad_one(as_user, web_world, team):
    release = ReleaseFactory(product=web_world.mine.product)
    queued(team, 6, target_release=release)
    url = reverse("roadmap:release_detail", args=[release.pk])
    client = as_user(web_world.viewer)
    html = client.get(url, {"split_low": "2", "split_high": "2"}).content.decode()
    assert "\u00d7 2.0\u20132.0 items per feature" in html
    bad = client.get(url, {"split_low": "0.2", "split_high": "2"}).content.decode()
    assert "split_low: A split rate is from 1 to 10" in bad
    assert "The forecast above uses no split rate." in bad


def test_an_initiative_page_shows_its_forecast(as_user, web_world, team):
    initiative = InitiativeFactory(end_date=this_monday() - dt.timedelta(days=3))
    queued(team, 4, initiative=initiative)
    response = as_user(web_world.viewer).get(reverse("web:initiative_detail", args=[initiative.pk]))
    html = response.content.decode()
    assert "Delivery forecast" in html
    assert "(passed)" in html
    assert '<span class="badge badge--over_committed">Unlikely</span> 0 % of trials' in html


def test_anonymous_visitors_see_no_forecast(client, web_world, team):
    release = ReleaseFactory(product=web_world.mine.product)
    initiative = InitiativeFactory()
    queued(team, 2, target_release=release, initiative=initiative)
    for url in (
        reverse("roadmap:release_detail", args=[release.pk]),
        reverse("web:initiative_detail", args=[initiative.pk]),
        reverse("delivery:team_detail", args=[team.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url
        assert b"Delivery forecast" not in response.content


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_sees_the_forecast(as_user, web_world, team, role):
    release = ReleaseFactory(product=web_world.theirs.product)
    queued(team, 2, target_release=release)
    html = as_user(web_world.user(role)).get(reverse("roadmap:release_detail", args=[release.pk]))
    assert "Delivery forecast" in html.content.decode()


def test_the_team_page_forecasts_its_queue_in_order(as_user, web_world, team):
    release = ReleaseFactory(
        product=web_world.mine.product, target_date=this_monday() + dt.timedelta(days=6)
    )
    queued(team, 4, target_release=release)
    done = FeatureFactory(product=web_world.mine.product, stage="released")
    FeatureAssignment.objects.create(team=team, feature=done, queue_rank=99)
    response = as_user(web_world.viewer).get(reverse("delivery:team_detail", args=[team.pk]))
    html = response.content.decode()
    assert "Done by (P85)" in html
    queue = response.context["queue"]
    p85 = [item.forecast.p85.weeks for item in queue[:4]]
    assert p85 == sorted(p85)
    assert p85[0] == 1
    assert p85[-1] == 2
    assert queue[4].forecast is None  # the done feature: no forecast, "Done"
    assert "Unlikely</span> by" in html  # positions 4 need two weeks: not by Sunday
    assert "Likely</span> by" in html


def test_the_team_page_marks_features_beyond_the_forecast_horizon(as_user, web_world):
    slow = Team.objects.create(name="Slow squad")
    slow.products.add(web_world.mine.product)
    WorkItem.objects.create(team=slow, title="once", completed_on=this_monday() - dt.timedelta(7))
    queued(slow, 60)  # about 40 items in 20 years at one item in 26 weeks
    response = as_user(web_world.viewer).get(reverse("delivery:team_detail", args=[slow.pk]))
    queue = response.context["queue"]
    beyond = [item.position for item in queue if item.forecast.beyond_horizon]
    assert beyond == list(range(beyond[0], 61))
    assert all(item.forecast.forecast is not None for item in queue[: beyond[0] - 1])
    html = response.content.decode()
    assert f"From position {beyond[0]} on, the queue is not done within 20 years" in html
    assert html.count("Beyond the forecast horizon") == len(beyond)


def _grow(team, release, initiative, n: int) -> None:
    queued(team, n, target_release=release, initiative=initiative)
    FeatureFactory.create_batch(n, product=team.products.get(), target_release=release)


def test_the_release_and_initiative_pages_cost_the_same_queries_for_5_and_50(
    as_user, web_world, team
):
    release = ReleaseFactory(product=web_world.mine.product)
    initiative = InitiativeFactory()
    _grow(team, release, initiative, 5)
    client = as_user(web_world.viewer)
    urls = [
        reverse("roadmap:release_detail", args=[release.pk]),
        reverse("web:initiative_detail", args=[initiative.pk]),
        reverse("delivery:team_detail", args=[team.pk]),
    ]
    assert_same_queries(
        lambda: [client.get(url) for url in urls], lambda: _grow(team, release, initiative, 45)
    )
