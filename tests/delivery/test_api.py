"""The read endpoints of a team (capacity per period, throughput per week) and the rules
of delivery's resources as the API answers them (the standard endpoints are covered by
the matrices of tests/api)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilothouse.delivery import workdays
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    WorkItem,
)
from pilothouse.delivery.selectors import Week
from tests.api.helpers import assert_error, unchanged
from tests.factories import FeatureFactory, PersonFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def team():
    return Team.objects.create(name="Checkout squad")


def quarter(team, start, **fields):
    return CapacityPeriod.objects.create(
        team=team, start=start, end=workdays.period_end(start, "quarter"), **fields
    )


def test_capacity_answers_each_period_with_its_status(team, admin_api):
    today = timezone.localdate()
    current = workdays.period_containing(today, "quarter")[0]
    period = quarter(team, current, person_weeks=5)
    FeatureAssignment.objects.create(
        team=team, feature=FeatureFactory(horizon="now", effort_low=8, effort_high=10)
    )
    response = admin_api.get(f"/teams/{team.pk}/capacity")
    assert response.status_code == 200
    body = response.json()
    assert body["team_id"] == team.pk
    assert body["over_committed"] is True
    [row] = body["periods"]
    assert (row["id"], row["start"], row["capacity"], row["capacity_computed"]) == (
        period.pk,
        current.isoformat(),
        5.0,
        False,
    )
    assert (row["demand_low"], row["demand_high"], row["status"]) == (8.0, 10.0, "over_committed")
    assert row["explanation"].startswith("Demand 8\u201310 person-weeks against a capacity of 5")


def test_throughput_answers_weeks_in_the_range(team, admin_api):
    WorkItem.objects.create(team=team, title="a", completed_on=D(2026, 3, 4))
    WorkItem.objects.create(team=team, title="b", completed_on=D(2026, 3, 5))
    response = admin_api.get(
        f"/teams/{team.pk}/throughput", {"from": "2026-03-01", "to": "2026-03-20"}
    )
    assert response.status_code == 200
    assert response.json()["weeks"] == [
        {"week": "2026-02-23", "count": 0, "partial": False},
        {"week": "2026-03-02", "count": 2, "partial": False},
        {"week": "2026-03-09", "count": 0, "partial": False},
        {"week": "2026-03-16", "count": 0, "partial": False},
    ]


def test_throughput_defaults_to_26_weeks_the_last_one_not_over(team, admin_api):
    weeks = admin_api.get(f"/teams/{team.pk}/throughput").json()["weeks"]
    assert len(weeks) == 26
    assert weeks[-1]["week"] == workdays.week_start(timezone.localdate()).isoformat()
    assert [week["partial"] for week in weeks] == [False] * 25 + [True]


def test_a_week_is_over_after_its_sunday():
    week = Week(start=D(2026, 3, 16), count=3)
    assert not week.over(D(2026, 3, 22))  # its Sunday
    assert week.over(D(2026, 3, 23))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-05-01", "to": "2026-03-01"}, "from"),
        ({"from": "someday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
    ],
)
def test_a_bad_throughput_range_is_422(team, admin_api, params, field):
    assert_error(admin_api.get(f"/teams/{team.pk}/throughput", params), 422, field)


def test_an_unknown_team_is_404(admin_api):
    assert_error(admin_api.get("/teams/987654/capacity"), 404)
    assert_error(admin_api.get("/teams/987654/throughput"), 404)


def test_the_read_endpoints_need_credentials(team, anonymous_api):
    assert_error(anonymous_api.get(f"/teams/{team.pk}/capacity"), 401)
    assert_error(anonymous_api.get(f"/teams/{team.pk}/throughput"), 401)


def test_an_overlapping_period_is_422_naming_start_and_the_other(team, admin_api):
    quarter(team, D(2026, 7, 1))
    body = {"team_id": team.pk, "granularity": "month", "start": "2026-08-01"}
    with unchanged(CapacityPeriod):
        error = assert_error(admin_api.post("/capacity-periods", body), 422, "start")
    assert "Q3 2026" in error["errors"][0]["message"]


def test_members_answer_their_allocation_across_teams(team, admin_api):
    other = Team.objects.create(name="Wallets")
    person = PersonFactory()
    TeamMember.objects.create(team=team, person=person, allocation=70)
    member = TeamMember.objects.create(team=other, person=person, allocation=50)
    body = admin_api.get(f"/team-members/{member.pk}").json()
    assert (body["allocation"], body["total_allocation"], body["over_allocated"]) == (50, 120, True)
    listed = admin_api.get("/team-members", {"team_id": team.pk}).json()["items"]
    assert [(m["total_allocation"], m["over_allocated"]) for m in listed] == [(120, True)]


def test_an_assignment_without_a_rank_goes_to_the_end_and_flags_no_estimate(team, admin_api):
    FeatureAssignment.objects.create(team=team, feature=FeatureFactory(), queue_rank=10)
    feature = FeatureFactory(effort_low=None, effort_high=None)
    response = admin_api.post(
        "/feature-assignments", {"feature_id": feature.pk, "team_id": team.pk}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["queue_rank"], response.json()["no_estimate"]) == (1034.0, True)


def test_a_work_item_with_a_repeated_external_id_is_422(team, admin_api):
    WorkItem.objects.create(team=team, title="a", completed_on=D(2026, 3, 4), external_id="T-1")
    body = {"team_id": team.pk, "title": "b", "completed_on": "2026-03-05", "external_id": "T-1"}
    with unchanged(WorkItem):
        assert_error(admin_api.post("/work-items", body), 422)


def test_moving_an_assignment_in_its_queue(team, admin_api):
    first, second, third = (
        FeatureAssignment.objects.create(team=team, feature=FeatureFactory(), queue_rank=rank)
        for rank in (0, 1024, 2048)
    )
    response = admin_api.post(
        f"/feature-assignments/{third.pk}/move", {"version": 1, "after_id": first.pk}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["queue_rank"], response.json()["version"]) == (512.0, 2)
    stale = admin_api.post(f"/feature-assignments/{third.pk}/move", {"version": 1})
    assert_error(stale, 409)
    other = FeatureAssignment.objects.create(
        team=Team.objects.create(name="Wallets"), feature=FeatureFactory()
    )
    with unchanged(FeatureAssignment):
        wrong = admin_api.post(
            f"/feature-assignments/{second.pk}/move", {"version": 1, "after_id": other.pk}
        )
        assert_error(wrong, 422, "after_id")


def test_a_viewer_may_not_move_an_assignment(team, api_as, make_user):
    assignment = FeatureAssignment.objects.create(team=team, feature=FeatureFactory())
    viewer = api_as(make_user("viewer", username="viewer"))
    with unchanged(FeatureAssignment):
        assert_error(viewer.post(f"/feature-assignments/{assignment.pk}/move", {"version": 1}), 403)


def _grow(team, n: int) -> None:
    start = dt.date(2026, 1, 1) + dt.timedelta(days=92 * CapacityPeriod.objects.count())
    start = workdays.period_containing(start, "quarter")[0]
    for i in range(n):
        person = PersonFactory()
        TeamMember.objects.create(team=team, person=person, allocation=50)
        FeatureAssignment.objects.create(
            team=team, feature=FeatureFactory(horizon="next", effort_low=1, effort_high=2)
        )
        WorkItem.objects.create(team=team, title=str(i), completed_on=dt.date(2026, 3, 2))
        quarter(team, start)
        start = workdays.period_end(start, "quarter") + dt.timedelta(days=1)


def _queries(api, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_the_capacity_costs_the_same_queries_for_5_and_50_periods(team, admin_api):
    _grow(team, 5)
    admin_api.get(f"/teams/{team.pk}/capacity")  # warm the caches
    small, _ = _queries(admin_api, f"/teams/{team.pk}/capacity")
    _grow(team, 45)
    large, body = _queries(admin_api, f"/teams/{team.pk}/capacity")
    assert len(body["periods"]) == 50
    assert small == large


def test_the_throughput_costs_the_same_queries_for_5_and_50_items(team, admin_api):
    path = f"/teams/{team.pk}/throughput?from=2026-01-01&to=2026-06-30"
    _grow(team, 5)
    admin_api.get(path)
    small, _ = _queries(admin_api, path)
    _grow(team, 45)
    large, body = _queries(admin_api, path)
    assert sum(week["count"] for week in body["weeks"]) == 50
    assert small == large
