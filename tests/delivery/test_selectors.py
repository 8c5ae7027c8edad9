"""Delivery's reads: capacity, demand and status per period, throughput per week, each a
fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.delivery import selectors, workdays
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.roadmap.models import FeatureStage
from tests.factories import FeatureFactory, PersonFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 5, 15)


def period(team: Team, start: dt.date, granularity: str = "quarter", **fields):
    return CapacityPeriod.objects.create(
        team=team,
        granularity=granularity,
        start=start,
        end=workdays.period_end(start, granularity),
        **fields,
    )


def assign(team: Team, **feature_fields) -> FeatureAssignment:
    return FeatureAssignment.objects.create(team=team, feature=FeatureFactory(**feature_fields))


@pytest.fixture
def team():
    return Team.objects.create(name="Checkout squad")


def test_capacity_from_members_and_time_off(team):
    ada, bo = PersonFactory(), PersonFactory()
    TeamMember.objects.create(team=team, person=ada, allocation=100)
    TeamMember.objects.create(team=team, person=bo, allocation=50)
    TimeOff.objects.create(person=bo, start=D(2026, 7, 6), end=D(2026, 7, 17))  # 10 weekdays
    q3 = period(team, D(2026, 7, 1))
    figures = selectors.period_figures(periods=[q3], today=TODAY)[q3.pk]
    # Q3 2026 has 66 weekdays: 13.2 weeks for Ada, half of 11.2 for Bo.
    assert figures.capacity == pytest.approx(13.2 + 5.6)
    assert figures.computed


def test_time_off_counts_once_per_day_with_members_on_two_teams(team):
    other = Team.objects.create(name="Wallets")
    ada, bo = PersonFactory(), PersonFactory()
    TeamMember.objects.create(team=team, person=ada, allocation=50)
    TeamMember.objects.create(team=other, person=ada, allocation=50)
    TeamMember.objects.create(team=team, person=bo, allocation=100)
    TimeOff.objects.create(person=ada, start=D(2026, 7, 6), end=D(2026, 7, 10))  # 5 weekdays
    TimeOff.objects.create(person=ada, start=D(2026, 7, 9), end=D(2026, 7, 17))  # 5 more
    TimeOff.objects.create(person=ada, start=D(2026, 3, 2), end=D(2026, 3, 6))  # before Q3
    q3, theirs = period(team, D(2026, 7, 1)), period(other, D(2026, 7, 1))
    figures = selectors.period_figures(periods=[q3, theirs], today=TODAY)
    # Q3 2026 has 66 weekdays; Ada is away 10 of them, Bo never.
    assert figures[q3.pk].capacity == pytest.approx(0.5 * 11.2 + 13.2)
    assert figures[theirs.pk].capacity == pytest.approx(0.5 * 11.2)


def test_features_planned_at_no_time_are_not_read(team):
    q3 = period(team, D(2026, 7, 1), person_weeks=10)
    assign(team, horizon="later", effort_low=100, effort_high=100)  # unscheduled
    assign(team, horizon="now", effort_low=1, effort_high=1)
    assign(team, horizon="later", started_on=D(2026, 7, 1), effort_low=2, effort_high=2)
    release = ReleaseFactory(target_date=D(2026, 9, 1))
    assign(team, horizon="later", target_release=release, effort_low=3, effort_high=3)
    read = selectors.planned_features(team_ids=[team.pk])[team.pk]
    assert sorted(f.effort_low for f in read) == [1, 2, 3]
    assert selectors.period_figures(periods=[q3], today=TODAY)[q3.pk].demand.low == 5  # Q2: 1


def test_an_override_replaces_the_computed_capacity(team):
    TeamMember.objects.create(team=team, person=PersonFactory(), allocation=100)
    q3 = period(team, D(2026, 7, 1), person_weeks=30)
    figures = selectors.period_figures(periods=[q3], today=TODAY)[q3.pk]
    assert (figures.capacity, figures.computed) == (30.0, False)


def test_demand_and_status_per_period(team):
    q3 = period(team, D(2026, 7, 1), person_weeks=10)
    q4 = period(team, D(2026, 10, 1), person_weeks=10)
    # All of it in Q3 (its release's quarter): 8-12 against 10 is at risk.
    release = ReleaseFactory(target_date=D(2026, 9, 30))
    assign(team, product=release.product, target_release=release, effort_low=8, effort_high=12)
    # Spread over Q3 and Q4 by working days.
    late = ReleaseFactory(product=release.product, target_date=D(2026, 12, 31))
    assign(
        team,
        product=release.product,
        started_on=D(2026, 7, 1),
        target_release=late,
        effort_low=13,
        effort_high=26,
    )
    # Started, no end: runs to the end of the current quarter (Q2), in neither period.
    assign(team, started_on=D(2026, 5, 1), effort_low=40, effort_high=40)
    assign(team, horizon="later", effort_low=100, effort_high=100)  # unscheduled
    assign(team, horizon="next", stage=FeatureStage.RELEASED, effort_low=50, effort_high=50)
    assign(team, horizon="next")  # no estimate
    figures = selectors.team_capacity(team=team, today=TODAY)
    assert [f.period for f in figures] == [q3, q4]
    first, second = figures
    in_q3 = workdays.weekdays(D(2026, 7, 1), D(2026, 9, 30))
    in_q4 = workdays.weekdays(D(2026, 10, 1), D(2026, 12, 31))
    assert first.demand.low == pytest.approx(8 + 13 * in_q3 / (in_q3 + in_q4))
    assert first.demand.high == pytest.approx(12 + 26 * in_q3 / (in_q3 + in_q4))
    assert first.status == "over_committed"
    assert (first.demand.unestimated, first.demand.features) == (1, 3)
    assert second.demand.low == pytest.approx(13 * in_q4 / (in_q3 + in_q4))
    assert second.status == "at_risk"
    assert second.explanation == (
        "Demand 6.5\u201313 person-weeks against a capacity of 10: over-committed if the "
        "high estimates hold."
    )


def test_at_risk_when_only_the_high_estimates_exceed(team):
    q3 = period(team, D(2026, 7, 1), person_weeks=10)
    assign(team, horizon="next", effort_low=6, effort_high=14)
    figures = selectors.period_figures(periods=[q3], today=TODAY)[q3.pk]
    assert figures.status == "at_risk"
    assert figures.explanation.startswith("Demand 6\u201314 person-weeks")


def _grow(n: int) -> list[CapacityPeriod]:
    made = []
    for _ in range(n):
        team = Team.objects.create(name=f"Team {Team.objects.count() + 1}")
        person = PersonFactory()
        TeamMember.objects.create(team=team, person=person, allocation=80)
        TimeOff.objects.create(person=person, start=D(2026, 7, 1), end=D(2026, 7, 3))
        assign(team, horizon="next", effort_low=1, effort_high=2)
        made.append(period(team, D(2026, 7, 1)))
    return made


def test_period_figures_cost_two_queries_whatever_the_data():
    periods = _grow(5)
    with CaptureQueriesContext(connection) as small:
        selectors.period_figures(periods=periods, today=TODAY)
    periods += _grow(45)
    with CaptureQueriesContext(connection) as large:
        figures = selectors.period_figures(periods=periods, today=TODAY)
    assert len(small) == len(large) == 2
    assert all(f.demand.low == 1 for f in figures.values())


def test_upcoming_figures_are_this_and_the_next_period(team):
    period(team, D(2026, 1, 1))
    q2 = period(team, D(2026, 4, 1))
    q3 = period(team, D(2026, 7, 1))
    period(team, D(2026, 10, 1))
    found = selectors.upcoming_figures(team_ids=[team.pk], today=TODAY)
    assert [f.period for f in found[team.pk]] == [q2, q3]


def test_throughput_counts_features_and_work_items_per_week_with_empty_weeks(team):
    other = Team.objects.create(name="Wallets")
    assign(team, completed_on=D(2026, 5, 4), stage=FeatureStage.RELEASED)  # a Monday
    WorkItem.objects.create(team=team, title="a", completed_on=D(2026, 5, 10))  # its Sunday
    WorkItem.objects.create(team=team, title="b", completed_on=D(2026, 5, 18))
    WorkItem.objects.create(team=other, title="c", completed_on=D(2026, 5, 5))
    WorkItem.objects.create(team=team, title="old", completed_on=D(2026, 4, 1))
    series = selectors.throughput(
        team_ids=[team.pk, other.pk], first=D(2026, 4, 27), last=D(2026, 5, 18)
    )
    assert [(w.start, w.count) for w in series[team.pk]] == [
        (D(2026, 4, 27), 0),
        (D(2026, 5, 4), 2),
        (D(2026, 5, 11), 0),
        (D(2026, 5, 18), 1),
    ]
    assert [w.count for w in series[other.pk]] == [0, 1, 0, 0]


def test_throughput_costs_two_queries_whatever_the_data(team):
    def grow(n):
        for i in range(n):
            WorkItem.objects.create(
                team=team, title=str(i), completed_on=D(2026, 1, 1) + dt.timedelta(days=i)
            )

    grow(5)
    with CaptureQueriesContext(connection) as small:
        selectors.throughput(team_ids=[team.pk], first=D(2025, 12, 29), last=D(2026, 6, 29))
    grow(45)
    with CaptureQueriesContext(connection) as large:
        series = selectors.throughput(
            team_ids=[team.pk], first=D(2025, 12, 29), last=D(2026, 6, 29)
        )
    assert len(small) == len(large) == 2
    assert sum(w.count for w in series[team.pk]) == 50


def test_a_throughput_window_is_checked():
    assert selectors.throughput_window(None, None, today=TODAY, weeks=26) == (
        D(2025, 11, 17),
        D(2026, 5, 11),
    )
    with pytest.raises(ValidationError) as reversed_range:
        selectors.throughput_window(D(2026, 6, 1), D(2026, 5, 1), today=TODAY, weeks=26)
    assert list(reversed_range.value.message_dict) == ["from"]
    with pytest.raises(ValidationError) as too_long:
        selectors.throughput_window(D(2010, 1, 1), D(2026, 5, 1), today=TODAY, weeks=26)
    assert "at most 261 weeks" in too_long.value.message_dict["from"][0]


def test_one_teams_figures_in_one_query_agree_with_figures_between(team):
    other = Team.objects.create(name="Wallets")
    ada, bo, cy = PersonFactory(), PersonFactory(), PersonFactory()
    TeamMember.objects.create(team=team, person=ada, allocation=60)
    TeamMember.objects.create(team=other, person=ada, allocation=40)
    TeamMember.objects.create(team=team, person=bo, allocation=100)
    TeamMember.objects.create(team=other, person=cy, allocation=100)
    TimeOff.objects.create(person=ada, start=D(2026, 6, 29), end=D(2026, 7, 10))  # Q2 and Q3
    TimeOff.objects.create(person=ada, start=D(2026, 10, 5), end=D(2026, 10, 9))
    TimeOff.objects.create(person=bo, start=D(2026, 8, 3), end=D(2026, 8, 14))
    TimeOff.objects.create(person=cy, start=D(2026, 7, 1), end=D(2026, 7, 31))
    period(team, D(2026, 4, 1))
    q3, q4 = period(team, D(2026, 7, 1)), period(team, D(2026, 10, 1), person_weeks=7)
    period(other, D(2026, 7, 1))
    assign(team, horizon="next", effort_low=4, effort_high=8)
    planned = selectors.planned_features(team_ids=[team.pk])[team.pk]
    with CaptureQueriesContext(connection) as queries:
        found = selectors.team_figures_between(
            team_id=team.pk, start=D(2026, 8, 1), end=D(2026, 10, 15), today=TODAY, planned=planned
        )
    assert len(queries) == 1
    expected = selectors.figures_between(
        team_ids=[team.pk], start=D(2026, 8, 1), end=D(2026, 10, 15), today=TODAY
    )[team.pk]
    assert [f.period for f in found] == [q3, q4]
    assert found == expected
    assert found[0].capacity == pytest.approx(0.6 * (13.2 - 1.6) + (13.2 - 2))  # 8 and 10 days
    assert (
        selectors.team_figures_between(
            team_id=team.pk, start=D(2027, 1, 1), end=D(2027, 1, 2), today=TODAY, planned=planned
        )
        == []
    )
