"""The timeline with team lanes: its exact, fixed number of queries, and the lanes'
figures (periods stacked on the planned features) agreeing with figures_between."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.delivery import selectors, workdays
from pilothouse.delivery.models import (
    Allocation,
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
)
from pilothouse.delivery.timeline_lanes import lane_figures
from pilothouse.roadmap.models import Dependency, Milestone
from tests.factories import FeatureFactory, PersonFactory, ProductFactory, ReleaseFactory
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db

# The timeline by product: the session and its user, five lists of filter choices, the
# lanes, the ranked items, their rows, their blockers, the milestones and their products.
TIMELINE_QUERIES = 13
# Team lanes add their notes: the teams' periods in view with their people, and the
# teams' planned features.
TEAM_LANE_QUERIES = TIMELINE_QUERIES + 2


def _quarter(offset: int = 0) -> tuple[dt.date, dt.date]:
    start = workdays.period_containing(timezone.localdate(), "quarter")[0]
    for _ in range(offset):
        start = workdays.period_end(start, "quarter") + dt.timedelta(days=1)
    return start, workdays.period_end(start, "quarter")


class Teams:
    """Teams with members, time off, allocations, periods, milestones and queued features
    that the quarter timeline draws (each waiting for a blocker off the page)."""

    def __init__(self) -> None:
        self.product = ProductFactory()
        self.foundation = FeatureFactory(product=self.product, title="Foundation")
        self.count = 0

    def grow(self, teams: int, *, features: int) -> None:
        today = timezone.localdate()
        for _ in range(teams):
            self.count += 1
            team = Team.objects.create(name=f"Team {self.count:02d}")
            team.products.add(self.product)
            for offset in range(2):
                start, end = _quarter(offset)
                CapacityPeriod.objects.create(team=team, start=start, end=end)
            for _ in range(2):
                person = PersonFactory()
                TeamMember.objects.create(team=team, person=person, allocation=80)
                TimeOff.objects.create(person=person, start=today, end=today + dt.timedelta(4))
                start, end = _quarter(1)
                Allocation.objects.create(
                    person=person, team=team, start=start, end=end, percent=50
                )
            release = ReleaseFactory(product=self.product, target_date=_quarter(1)[1])
            # A milestone in view, or the page would skip reading milestones' products.
            Milestone.objects.create(name=f"Launch {self.count}", date=_quarter(1)[0]).products.add(
                self.product
            )
            for rank in range(features):
                feature = FeatureFactory(
                    product=self.product,
                    stage="planned",
                    target_release=release,
                    effort_low=3,
                    effort_high=6,
                )
                FeatureAssignment.objects.create(team=team, feature=feature, queue_rank=rank)
                Dependency.objects.create(blocker=self.foundation, blocked=feature)


@pytest.fixture
def world() -> Teams:
    world = Teams()
    world.grow(1, features=2)
    return world


def test_the_team_lanes_cost_the_same_exact_queries_for_2_and_20_features(
    world, as_user, make_user
):
    client = as_user(make_user("viewer"))
    url = reverse("roadmap:timeline")

    def page():
        response = client.get(url, {"lanes": "team", "scale": "quarter"})
        assert response.status_code == 200
        return response

    assert assert_same_queries(page, lambda: world.grow(4, features=18)) == TEAM_LANE_QUERIES
    lanes = page().context["timeline"].lanes
    assert len(lanes) == 5
    assert all(lane.note for lane in lanes)
    assert sum(lane.total for lane in lanes) == 2 + 4 * 18
    by_product = count_queries(lambda: client.get(url, {"scale": "quarter"}))
    assert by_product == TIMELINE_QUERIES


def _snapshot(found: dict[int, list[selectors.PeriodFigures]]) -> dict:
    return {
        team_id: [
            (
                f.period.pk,
                round(f.capacity, 9),
                f.computed,
                round(f.demand.low, 9),
                round(f.demand.high, 9),
                f.status,
                f.explanation,
            )
            for f in figures
        ]
        for team_id, figures in found.items()
    }


def test_the_lane_figures_in_two_queries_agree_with_figures_between(django_assert_num_queries):
    """Time off across two periods and outside them, a person on two teams, allocations
    in one period only, a period with its own capacity, a team without members or
    features and one planning by month."""
    product = ProductFactory()
    (q1_start, q1_end), (q2_start, q2_end) = _quarter(0), _quarter(1)
    busy, side, empty, monthly = (
        Team.objects.create(name=name) for name in ("Busy", "Side", "Empty", "Monthly")
    )
    for team in (busy, side, empty):
        CapacityPeriod.objects.create(team=team, start=q1_start, end=q1_end)
        CapacityPeriod.objects.create(team=team, start=q2_start, end=q2_end)
    CapacityPeriod.objects.filter(team=side, start=q2_start).update(person_weeks=Decimal("7.5"))
    month = q1_start
    while month <= q2_end:
        end = workdays.period_end(month, "month")
        CapacityPeriod.objects.create(team=monthly, granularity="month", start=month, end=end)
        month = end + dt.timedelta(days=1)
    ann, bob, cy = PersonFactory(name="Ann"), PersonFactory(name="Bob"), PersonFactory(name="Cy")
    TeamMember.objects.create(team=busy, person=ann, allocation=100)
    TeamMember.objects.create(team=busy, person=bob, allocation=50)
    TeamMember.objects.create(team=side, person=ann, allocation=30)
    TeamMember.objects.create(team=monthly, person=cy, allocation=100)
    TimeOff.objects.create(
        person=ann, start=q1_end - dt.timedelta(10), end=q2_start + dt.timedelta(6)
    )
    TimeOff.objects.create(
        person=ann, start=q1_start - dt.timedelta(40), end=q1_start - dt.timedelta(30)
    )
    TimeOff.objects.create(
        person=cy, start=q1_start + dt.timedelta(35), end=q1_start + dt.timedelta(40)
    )
    Allocation.objects.create(person=bob, team=busy, start=q2_start, end=q2_end, percent=80)
    Allocation.objects.create(person=ann, team=side, start=q1_start, end=q1_end, percent=20)
    for team, low, high in ((busy, 4, 9), (busy, 1, 2), (side, 2, 3), (monthly, 1, 8)):
        FeatureAssignment.objects.create(
            team=team,
            feature=FeatureFactory(
                product=product,
                horizon="now",
                started_on=q1_start,
                effort_low=low,
                effort_high=high,
            ),
            queue_rank=1,
        )
    today = timezone.localdate()
    team_ids = [busy.pk, side.pk, empty.pk, monthly.pk]
    apart = selectors.figures_between(team_ids=team_ids, start=q1_start, end=q2_end, today=today)
    with django_assert_num_queries(2):
        joined = lane_figures(team_ids=team_ids, start=q1_start, end=q2_end, today=today)
    assert _snapshot(joined) == _snapshot(apart)
    assert len(joined[monthly.pk]) == 6
    assert [f.computed for f in joined[side.pk]] == [True, False]
    assert [f.capacity for f in joined[empty.pk]] == [0, 0]
    assert joined[side.pk][1].period.person_weeks == Decimal("7.5")
    assert joined[side.pk][1].period.label == apart[side.pk][1].period.label
    assert lane_figures(team_ids=[], start=q1_start, end=q2_end, today=today) == {}
