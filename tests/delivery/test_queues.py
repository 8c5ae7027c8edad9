"""delivery.queues: slices of a team's queue and a feature's place in it, numbered over
the whole queue in SQL, each one query whatever the length of the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.delivery import queues, selectors
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.roadmap.models import FeatureStage
from tests.factories import FeatureFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def team():
    return Team.objects.create(name="Checkout squad")


def assign(team: Team, rank: float = 0, **feature_fields) -> FeatureAssignment:
    return FeatureAssignment.objects.create(
        team=team, feature=FeatureFactory(**feature_fields), queue_rank=rank
    )


# --- slices of the queue --------------------------------------------------------------


def _queue(team: Team) -> list[FeatureAssignment]:
    """Seven assignments: done ones at ranks 1, 4 and 5 (released, completed, rejected)."""
    done = {
        1: {"stage": FeatureStage.RELEASED},
        4: {"completed_on": D(2026, 5, 1)},
        5: {"stage": FeatureStage.REJECTED},
    }
    return [
        FeatureAssignment.objects.create(
            team=team, feature=FeatureFactory(**done.get(rank, {})), queue_rank=rank
        )
        for rank in range(7, 0, -1)  # created in reverse: the order is the rank's
    ][::-1]


def test_the_head_of_the_queue_is_numbered_over_the_whole_queue(team):
    rows = _queue(team)
    head = queues.queue_head(team=team, count=4)
    assert [row.pk for row in head.rows] == [row.pk for row in rows[:4]]
    assert [row.position for row in head.rows] == [1, 2, 3, 4]
    assert [row.pending_position for row in head.rows] == [None, 1, 2, None]
    assert (head.total, head.pending) == (7, 4)
    assert queues.queue_head(team=Team.objects.create(name="Empty"), count=4) == (
        queues.QueueSlice(rows=[], total=0, pending=0)
    )


@pytest.mark.parametrize(
    ("offset", "limit", "positions"),
    [(0, None, [2, 3, 6, 7]), (0, 2, [2, 3]), (1, 2, [3, 6]), (3, 5, [7]), (4, 2, []), (9, 1, [])],
)
def test_a_slice_of_the_not_done_features_keeps_queue_positions(team, offset, limit, positions):
    _queue(team)
    found = queues.pending_queue(team=team, offset=offset, limit=limit)
    assert [row.position for row in found.rows] == positions
    assert [row.pending_position for row in found.rows] == list(
        range(offset + 1, offset + 1 + len(positions))
    )
    assert (found.total, found.pending) == (7, 4)  # known past the end too


def test_queue_slices_cost_one_query_whatever_the_queue(team):
    _queue(team)
    for _ in range(40):
        assign(team)
    with CaptureQueriesContext(connection) as queries:
        head = queues.queue_head(team=team, count=20)
        found = queues.pending_queue(team=team, offset=10, limit=5)
        assert [row.feature.title for row in head.rows + found.rows]  # already read
    assert len(queries) == 2
    assert (len(head.rows), len(found.rows), found.pending) == (20, 5, 44)


def test_a_features_place_is_its_position_with_the_teams_planned_features(team):
    other = Team.objects.create(name="Wallets")
    assign(other, 0, horizon="now", effort_low=9, effort_high=9)
    release = ReleaseFactory(target_date=D(2026, 9, 30))
    assign(team, 1, stage=FeatureStage.RELEASED, horizon="now")  # done: position only
    planned = assign(team, 2, target_release=release, effort_low=3, effort_high=5)
    assign(team, 3, horizon="later")  # unscheduled: counted in no period, not read
    mine = assign(team, 4, horizon="next")
    place = queues.queue_place(feature_id=mine.feature_id)
    assert (place.team_id, place.team_name, place.position) == (team.pk, team.name, 4)
    assert sorted(f.feature_id for f in place.planned) == sorted(
        [planned.feature_id, mine.feature_id]
    )
    # The same features as planned_features reads for the team's demand.
    assert sorted(place.planned, key=lambda f: f.feature_id) == sorted(
        selectors.planned_features(team_ids=[team.pk])[team.pk], key=lambda f: f.feature_id
    )
    for rank in (3, 1):  # planned at no time, done: a place, no demand of their own
        other = FeatureAssignment.objects.get(team=team, queue_rank=rank)
        found = queues.queue_place(feature_id=other.feature_id)
        assert found.position == rank
        assert found.planned == place.planned
    assert queues.queue_place(feature_id=FeatureFactory().pk) is None


def test_a_features_place_costs_one_query_whatever_the_queue(team):
    mine = assign(team, 50, horizon="now")
    for i in range(60):
        assign(team, i, horizon="next" if i % 2 else "later")
    with CaptureQueriesContext(connection) as queries:
        place = queues.queue_place(feature_id=mine.feature_id)
    assert len(queries) == 1
    assert place.position == 51
    assert len(place.planned) == 31
