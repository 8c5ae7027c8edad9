"""A team's capacity from its members' allocations to it: where a member has allocations to
the team that meet a period, that period counts them (weighted by working days, less
time off) instead of the membership share; otherwise nothing changes.

Weekdays of 2026 (counted on the calendar): Q1 64 (January 22), Q2 65, Q3 66; a working
week is 5 of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.delivery import demand, selectors, workdays
from pilothouse.delivery.models import Allocation, CapacityPeriod, Team, TeamMember, TimeOff
from tests.factories import PersonFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 1, 15)


def quarter(team: Team, start: dt.date, **fields) -> CapacityPeriod:
    return CapacityPeriod.objects.create(
        team=team, start=start, end=workdays.period_end(start, "quarter"), **fields
    )


@pytest.fixture
def team():
    """Ana (member at 100 %): 50 % on the team in January, with Jan 5-9 off, and 80 %
    all of Q2; Ben (member at 40 %) has no allocations. Periods Q1 to Q3 2026."""
    team = Team.objects.create(name="Core")
    other = Team.objects.create(name="Elsewhere")
    ana, ben = PersonFactory(name="Ana"), PersonFactory(name="Ben")
    TeamMember.objects.create(team=team, person=ana, allocation=100)
    TeamMember.objects.create(team=team, person=ben, allocation=40)
    TimeOff.objects.create(person=ana, start=D(2026, 1, 5), end=D(2026, 1, 9))
    Allocation.objects.create(
        person=ana, team=team, start=D(2026, 1, 1), end=D(2026, 1, 31), percent=50
    )
    Allocation.objects.create(
        person=ana, team=team, start=D(2026, 4, 1), end=D(2026, 6, 30), percent=80
    )
    # Neither another team's allocation nor a product's changes this team's capacity.
    Allocation.objects.create(
        person=ben, team=other, start=D(2026, 1, 1), end=D(2026, 12, 31), percent=60
    )
    Allocation.objects.create(
        person=ben, product=ProductFactory(), start=D(2026, 1, 1), end=D(2026, 12, 31), percent=30
    )
    for start in (D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)):
        quarter(team, start)
    return team


# Ana Q1: 0.5 x (22 - 5) / 5 = 1.7; Ben: 0.4 x 64 / 5 = 5.12.
# Ana Q2: 0.8 x 65 / 5 = 10.4;      Ben: 0.4 x 65 / 5 = 5.2.
# Ana Q3 (no allocation): 66 / 5 = 13.2; Ben: 0.4 x 66 / 5 = 5.28.
EXPECTED = [1.7 + 5.12, 10.4 + 5.2, 13.2 + 5.28]


def test_periods_with_allocations_use_them_instead_of_the_membership(team):
    figures = selectors.team_capacity(team=team, today=TODAY)
    assert [f.capacity for f in figures] == pytest.approx(EXPECTED)
    assert all(f.computed for f in figures)


def test_every_read_of_capacity_agrees(team):
    between = selectors.figures_between(
        team_ids=[team.pk], start=D(2026, 1, 1), end=D(2026, 9, 30), today=TODAY
    )[team.pk]
    assert [f.capacity for f in between] == pytest.approx(EXPECTED)
    one_team = selectors.team_figures_between(
        team_id=team.pk, start=D(2026, 1, 1), end=D(2026, 9, 30), today=TODAY, planned=[]
    )
    assert [f.capacity for f in one_team] == pytest.approx(EXPECTED)
    upcoming = selectors.upcoming_figures(team_ids=[team.pk], today=TODAY, count=3)[team.pk]
    assert [f.capacity for f in upcoming] == pytest.approx(EXPECTED)


def test_overlapping_allocations_add_up_and_an_override_still_wins(team):
    ana = team.members.get(person__name="Ana").person
    Allocation.objects.create(
        person=ana, team=team, start=D(2026, 5, 1), end=D(2026, 5, 31), percent=40
    )
    period = team.capacity_periods.get(start=D(2026, 7, 1))
    period.person_weeks = 7
    period.save()
    figures = selectors.team_capacity(team=team, today=TODAY)
    # Q2: Ana's 80 % all quarter plus 40 % on May's 21 weekdays: 10.4 + 0.4 x 21 / 5.
    assert figures[1].capacity == pytest.approx(10.4 + 1.68 + 5.2)
    assert (figures[2].capacity, figures[2].computed) == (7.0, False)


def test_an_allocation_reaching_into_a_period_counts_only_its_days_there(team):
    ana = team.members.get(person__name="Ana").person
    # From March 30 to April 3: two weekdays in Q1 (30, 31), three in Q2 (1-3).
    Allocation.objects.create(
        person=ana, team=team, start=D(2026, 3, 30), end=D(2026, 4, 3), percent=100
    )
    figures = selectors.team_capacity(team=team, today=TODAY)
    assert figures[0].capacity == pytest.approx(1.7 + 2 / 5 + 5.12)
    assert figures[1].capacity == pytest.approx(10.4 + 3 / 5 + 5.2)


def test_a_non_member_with_an_allocation_adds_nothing(team):
    Allocation.objects.create(
        person=PersonFactory(), team=team, start=D(2026, 1, 1), end=D(2026, 3, 31), percent=100
    )
    figures = selectors.team_capacity(team=team, today=TODAY)
    assert figures[0].capacity == pytest.approx(EXPECTED[0])


def test_the_capacity_of_a_team_still_costs_three_queries(team):
    with CaptureQueriesContext(connection) as queries:
        selectors.team_capacity(team=team, today=TODAY)
    assert len(queries.captured_queries) == 3


def test_one_allocation_over_the_whole_period_equals_the_membership_share():
    start, end = D(2026, 4, 1), D(2026, 6, 30)
    away = [(D(2026, 5, 4), D(2026, 5, 8))]
    assert demand.allocated_weeks(
        start=start, end=end, allocations=[(D(2026, 1, 1), D(2026, 12, 31), 60)], time_off=away
    ) == pytest.approx(demand.member_weeks(start=start, end=end, allocation=60, time_off=away))
    # 0.6 x (65 - 5) / 5
    assert demand.member_weeks(start=start, end=end, allocation=60, time_off=away) == (
        pytest.approx(7.2)
    )
