"""The forecast endpoints: /releases/{id}/forecast, /initiatives/{id}/forecast,
/teams/{id}/forecast and the ad hoc POST /forecasts; who may read them, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.delivery import forecasts
from pilothouse.delivery.models import FeatureAssignment, Team, WorkItem
from pilothouse.engines import forecasting
from tests.factories import FeatureFactory, InitiativeFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
HISTORY = [2, 0, 3, 1, 4, 2, 0, 3]
START = dt.date(2026, 3, 2)


@pytest.fixture
def setup():
    """A team with three items a week for the last 26 weeks, a release and an initiative
    with five features each in its queue."""
    product = ProductFactory()
    team = Team.objects.create(name="Checkout squad")
    team.products.add(product)
    this_week = forecasts.forecast_start(timezone.localdate())
    WorkItem.objects.bulk_create(
        WorkItem(team=team, title=f"{w}.{n}", completed_on=this_week - dt.timedelta(weeks=w))
        for w in range(1, 27)
        for n in range(3)
    )
    release = ReleaseFactory(product=product)
    initiative = InitiativeFactory()
    for i in range(5):
        FeatureAssignment.objects.create(
            team=team,
            feature=FeatureFactory(product=product, target_release=release, initiative=initiative),
            queue_rank=i,
        )
    return {"team": team, "release": release, "initiative": initiative}


def paths(setup) -> list[str]:
    return [
        f"/releases/{setup['release'].pk}/forecast",
        f"/initiatives/{setup['initiative'].pk}/forecast",
        f"/teams/{setup['team'].pk}/forecast",
    ]


def test_a_release_forecast_answers_the_engines_figures(setup, admin_api):
    release = setup["release"]
    body = admin_api.get(f"/releases/{release.pk}/forecast").json()
    expected = forecasting.forecast_completion(
        history=[3] * 26,
        remaining=5,
        trials=forecasts.TRIALS,
        seed=forecasts.seed_of("release", release.pk),
        start=forecasts.forecast_start(timezone.localdate()),
    ).to_dict()
    assert {k: body[k] for k in expected} == expected
    assert body["percentiles"]["85"]["weeks"] == 2  # three a week, five items
    assert (body["remaining"], body["history_weeks"], body["reason"]) == (5, 26, None)
    assert body["teams"] == [{"id": setup["team"].pk, "name": "Checkout squad"}]
    assert body["scopes"] == [
        {
            "team_id": setup["team"].pk,
            "name": "Checkout squad",
            "scope": 5,
            "features": 5,
            "history_total": 78,
            "text": "Checkout squad: 5 features ahead of and including this release's last "
            "one (5 of them this release's)",
        }
    ]


def test_a_release_behind_other_work_counts_the_work_ahead(setup, admin_api):
    team, release = setup["team"], setup["release"]
    # Twelve features of other work go ahead of the release's last one.
    for _ in range(12):
        FeatureAssignment.objects.create(team=team, feature=FeatureFactory(), queue_rank=3.5)
    body = admin_api.get(f"/releases/{release.pk}/forecast").json()
    assert [(s["scope"], s["features"]) for s in body["scopes"]] == [(17, 5)]
    assert body["percentiles"]["50"]["weeks"] == 6  # seventeen items at three a week
    assert body["remaining"] == 5


def test_a_split_rate_is_taken_from_the_query(setup, admin_api):
    path = f"/releases/{setup['release'].pk}/forecast"
    body = admin_api.get(path, {"split_low": "2", "split_high": "2"}).json()
    assert body["split"] == [2.0, 2.0]
    assert body["percentiles"]["50"]["weeks"] == 4  # ten items at three a week


@pytest.mark.parametrize(
    ("params", "field"),
    [({"split_low": "0.5", "split_high": "2"}, "split_low"), ({"split_low": "1.5"}, "split_high")],
)
def test_a_bad_split_rate_is_422_naming_it(setup, admin_api, params, field):
    response = admin_api.get(f"/releases/{setup['release'].pk}/forecast", params)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_an_initiative_forecast_and_its_reason(setup, admin_api):
    body = admin_api.get(f"/initiatives/{setup['initiative'].pk}/forecast").json()
    assert body["remaining"] == 5
    assert body["percentiles"]["85"]["weeks"] == 2
    empty = InitiativeFactory()
    body = admin_api.get(f"/initiatives/{empty.pk}/forecast").json()
    assert body["percentiles"] is None
    assert body["reason"] == "Nothing to forecast: no feature of this initiative is left to do."


def test_a_team_forecast_answers_each_queue_position(setup, admin_api):
    body = admin_api.get(f"/teams/{setup['team'].pk}/forecast").json()
    assert body["reason"] is None
    assert body["count"] == body["remaining"] == 5
    assert body["beyond_horizon_from"] is None
    assert [row["position"] for row in body["items"]] == [1, 2, 3, 4, 5]
    assert [row["percentiles"]["50"]["weeks"] for row in body["items"]] == [1, 1, 1, 2, 2]
    assert not any(row["beyond_horizon"] for row in body["items"])


def test_a_team_forecast_is_paged_like_every_list(setup, admin_api):
    team = setup["team"]
    for i in range(60):  # 65 not done in all, one done feature among them
        stage = "released" if i == 10 else "discovery"
        FeatureAssignment.objects.create(
            team=team, feature=FeatureFactory(stage=stage), queue_rank=5 + i
        )
    first = admin_api.get(f"/teams/{team.pk}/forecast").json()
    assert first["count"] == 64
    assert len(first["items"]) == 50  # the default limit
    page = admin_api.get(f"/teams/{team.pk}/forecast", {"limit": 5, "offset": 14}).json()
    assert page["count"] == 64
    assert [row["position"] for row in page["items"]] == [15, 17, 18, 19, 20]  # 16 is done
    assert page["items"] == first["items"][14:19]
    past = admin_api.get(f"/teams/{team.pk}/forecast", {"offset": 64}).json()
    assert (past["items"], past["count"]) == ([], 64)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_a_bad_page_of_a_team_forecast_is_422(setup, admin_api, params):
    response = admin_api.get(f"/teams/{setup['team'].pk}/forecast", params)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == list(params)


@pytest.mark.parametrize("size", [5, 200])
def test_a_team_forecast_costs_the_same_queries_whatever_the_queue(setup, admin_api, size):
    team = setup["team"]
    for i in range(size):
        FeatureAssignment.objects.create(team=team, feature=FeatureFactory(), queue_rank=5 + i)
    path = f"/teams/{team.pk}/forecast"
    admin_api.get(path)
    with CaptureQueriesContext(connection) as queries:
        body = admin_api.get(path, {"offset": 3}).json()
    # token, team, the page of the queue, the history (two)
    assert len(queries) == 5
    assert body["count"] == size + 5


def test_unknown_ids_are_404(admin_api):
    for path in ("/releases/999999/forecast", "/initiatives/999999/forecast"):
        assert admin_api.get(path).status_code == 404
    assert admin_api.get("/teams/999999/forecast").status_code == 404


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_may_read_forecasts(setup, api_as, make_user, role):
    client = api_as(make_user(role, username=f"u-{role}"))
    for path in paths(setup):
        assert client.get(path).status_code == 200, path
    answer = client.post("/forecasts", {"history": HISTORY, "remaining": 5, "start": "2026-03-02"})
    assert answer.status_code == 200


def test_anonymous_callers_are_401(setup, anonymous_api):
    for path in paths(setup):
        assert anonymous_api.get(path).status_code == 401, path
    assert anonymous_api.post("/forecasts", {"history": HISTORY, "remaining": 5}).status_code == 401


def test_an_inactive_user_may_not_read(setup, api_as, make_user):
    user = make_user(Role.VIEWER, username="gone")
    client = api_as(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(paths(setup)[0]).status_code in {401, 403}


# --- the ad hoc forecast --------------------------------------------------------------


def test_an_ad_hoc_forecast_is_the_engines(admin_api):
    body = {
        "history": HISTORY,
        "remaining": 10,
        "remaining_high": 14,
        "split": [1.0, 1.2],
        "risks": [{"probability": 0.3, "extra_low": 1, "extra_high": 4}],
        "trials": 5000,
        "seed": 7,
        "start": "2026-03-02",
        "target": "2026-06-01",
    }
    response = admin_api.post("/forecasts", body)
    assert response.status_code == 200, response.json()
    expected = forecasting.forecast_completion(
        history=HISTORY,
        remaining=10,
        remaining_high=14,
        split=(1.0, 1.2),
        risks=[forecasting.Risk(0.3, 1, 4)],
        trials=5000,
        seed=7,
        start=START,
        target=dt.date(2026, 6, 1),
    )
    assert response.json() == expected.to_dict()


def test_the_ad_hoc_start_defaults_to_this_weeks_monday(admin_api):
    body = admin_api.post("/forecasts", {"history": [5], "remaining": 10}).json()
    monday = forecasts.forecast_start(timezone.localdate())
    assert body["percentiles"]["50"] == {
        "weeks": 2,
        "date": (monday + dt.timedelta(days=13)).isoformat(),
    }


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"history": [], "remaining": 5}, "history", "the history is empty"),
        ({"history": [0, 0, 0], "remaining": 5}, "history", "no item was completed in the 3"),
        ({"history": [1, -1], "remaining": 5}, "history[1]", "at least 0"),
        ({"history": [1], "remaining": -2}, "remaining", "at least 0"),
        ({"history": [1], "remaining": 5, "remaining_high": 2}, "remaining_high", ""),
        ({"history": [1], "remaining": 5, "split": [0.2, 1.2]}, "split", ""),
        ({"history": [1], "remaining": 5, "trials": 100_001}, "trials", "100,000"),
        ({"history": [1], "remaining": 5, "trials": 0}, "trials", ""),
        (
            {"history": [1], "remaining": 5, "start": "2026-03-02", "target": "2026-01-01"},
            "target",
            "before the start",
        ),
        (
            {
                "history": [1],
                "remaining": 5,
                "risks": [{"probability": 2, "extra_low": 1, "extra_high": 2}],
            },
            "risks[0]",
            "",
        ),
        ({"history": "many", "remaining": 5}, "history", ""),
        ({"remaining": 5}, "history", ""),
    ],
)
def test_bad_ad_hoc_input_is_422_naming_the_field(admin_api, body, field, words):
    response = admin_api.post("/forecasts", body)
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert any(
        (error["field"] or "").startswith(field) and words in error["message"] for error in errors
    ), errors
