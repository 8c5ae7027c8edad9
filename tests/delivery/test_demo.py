"""The demo organization's delivery teams: what a first visit needs to see (an
over-committed team next quarter, over-allocated people, a queue with unassigned
features left, two years of weekly history with quiet weeks), valid rows, determinism."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from pilothouse import demo
from pilothouse.core.models import User
from pilothouse.delivery import selectors, workdays
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.roadmap.models import Feature
from tests.demo.conftest import TODAY


@pytest.fixture
def built(db):
    return demo.build(scale="small", seed=42, today=TODAY)


def test_counts_match_the_summary(built):
    assert built.teams == Team.objects.count() == 4
    assert built.team_members == TeamMember.objects.count()
    assert built.time_off == TimeOff.objects.count() > 0
    assert built.capacity_periods == CapacityPeriod.objects.count()
    assert built.feature_assignments == FeatureAssignment.objects.count()
    assert built.work_items == WorkItem.objects.count()
    assert "delivery" in demo.STAGES


def test_every_product_has_a_team_and_some_features_are_unassigned(built):
    assert not Team.objects.filter(products=None).exists()
    upcoming = Feature.objects.exclude(stage__in=selectors.DONE_STAGES)
    assert upcoming.filter(assignment__isnull=True).exists()
    assert upcoming.filter(assignment__isnull=False).exists()


def test_periods_cover_this_and_the_next_three_quarters_and_one_team_plans_by_month(built):
    this_quarter = workdays.period_containing(TODAY, "quarter")[0]
    quarterly = CapacityPeriod.objects.filter(granularity="quarter")
    for team in Team.objects.filter(capacity_periods__granularity="quarter").distinct():
        starts = list(quarterly.filter(team=team).values_list("start", flat=True))
        assert starts[0] == this_quarter
        assert len(starts) == 4
    assert CapacityPeriod.objects.filter(granularity="month").values("team").distinct().count() == 1


def test_a_team_is_over_committed_next_quarter(built):
    next_start = workdays.period_containing(TODAY, "quarter")[1] + dt.timedelta(days=1)
    periods = list(CapacityPeriod.objects.filter(start=next_start, granularity="quarter"))
    figures = selectors.period_figures(periods=periods, today=TODAY)
    assert any(f.status == "over_committed" for f in figures.values())


def test_some_people_are_allocated_over_100_percent(built):
    totals = selectors.allocation_totals(
        person_ids=TeamMember.objects.values_list("person_id", flat=True)
    )
    assert any(total > 100 for total in totals.values())
    assert any(total <= 100 for total in totals.values())


def test_two_years_of_weekly_history_with_quiet_weeks(built):
    last = workdays.week_start(TODAY) - dt.timedelta(weeks=1)
    first = last - dt.timedelta(weeks=103)
    series = selectors.throughput(
        team_ids=Team.objects.values_list("pk", flat=True), first=first, last=last
    )
    for weeks in series.values():
        counts = [week.count for week in weeks]
        assert len(counts) == 104
        assert 0 in counts
        assert max(counts) >= 5
    assert not WorkItem.objects.filter(completed_on__gte=workdays.week_start(TODAY)).exists()


def test_full_clean_passes_on_a_sample_of_every_model(built):
    for model in (Team, TeamMember, TimeOff, CapacityPeriod, FeatureAssignment, WorkItem):
        for obj in model.objects.order_by("id")[:20]:
            obj.full_clean()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_teams():
    def rows():
        with transaction.atomic():
            demo.build(scale="small", seed=7, today=TODAY)
            found = (
                sorted(TeamMember.objects.values_list("team__name", "person__email", "allocation")),
                sorted(
                    FeatureAssignment.objects.values_list(
                        "team__name", "feature__title", "queue_rank"
                    )
                ),
                sorted(WorkItem.objects.values_list("team__name", "external_id", "completed_on")),
            )
            transaction.set_rollback(True)
        assert not User.objects.exists()
        return found

    assert rows() == rows()
