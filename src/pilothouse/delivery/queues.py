"""Reads of a team's queue numbered in SQL: a slice of it (the head a team's page shows,
a page of the not-done features the forecast API answers) and a feature's place in it,
each one query however long the queue.

Positions are window functions over the whole queue, and a filter on a window function
applies after the numbering (Django wraps the query), so a slice reads its own rows only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from pilothouse.delivery import demand
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.delivery.selectors import DONE_STAGES, SCHEDULED

QUEUE_ORDER = (F("queue_rank").asc(), F("id").asc())


@dataclass
class QueueSlice:
    """Consecutive rows of a team's queue, each with `position` (in the whole queue,
    from 1), `pending_position` (among the features not done, from 1; None for a done
    one) and `no_estimate`; and the queue's totals."""

    rows: list[FeatureAssignment]
    total: int  # assignments in the queue
    pending: int  # of which not done


# What a slice of the queue shows and forecasts: model instances are built field by
# field, and a feature has many.
QUEUE_FIELDS = (
    "version",
    "team_id",
    "feature_id",
    "queue_rank",
    "note",
    "feature__title",
    "feature__stage",
    "feature__effort_low",
    "feature__effort_high",
    "feature__started_on",
    "feature__completed_on",
    "feature__horizon",
    "feature__product__name",
    "feature__target_release__target_date",
)


def _not_done(prefix: str = "") -> Q:
    return Q(**{f"{prefix}completed_on": None}) & ~Q(**{f"{prefix}stage__in": DONE_STAGES})


def _left() -> Case:
    """1 for a feature not done, 0 for a done one: the partition that numbers the
    features not done apart."""
    return Case(
        When(_not_done("feature__"), then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _numbered_queue(team_id: int) -> QuerySet[FeatureAssignment]:
    """The team's assignments numbered in SQL: the numbers are taken over the whole
    queue before a filter on them keeps a slice, so a slice costs its rows only."""
    left = _left()
    return (
        FeatureAssignment.objects.filter(team_id=team_id)
        .select_related("feature", "feature__product", "feature__target_release")
        .only(*QUEUE_FIELDS)
        .annotate(
            position=Window(RowNumber(), order_by=QUEUE_ORDER),
            queue_total=Window(Count("pk")),
            pending_total=Window(Sum(left)),
            pending_position=Case(
                When(
                    _not_done("feature__"),
                    then=Window(RowNumber(), partition_by=[left], order_by=QUEUE_ORDER),
                ),
                default=None,
            ),
        )
        .order_by("position")
    )


def _sliced(rows: list[FeatureAssignment]) -> QueueSlice:
    for row in rows:
        row.no_estimate = row.feature.effort_low is None or row.feature.effort_high is None
    if not rows:
        return QueueSlice(rows=[], total=0, pending=0)
    return QueueSlice(rows=rows, total=rows[0].queue_total, pending=rows[0].pending_total)


def queue_head(*, team: Team, count: int) -> QueueSlice:
    """The first `count` rows of the team's queue, done or not, with the totals. One
    query."""
    return _sliced(list(_numbered_queue(team.pk).filter(position__lte=count)))


def pending_queue(*, team: Team, offset: int = 0, limit: int | None = None) -> QueueSlice:
    """The not-done features of the team's queue from the one after the first `offset`,
    `limit` of them at most (None: all), with the totals. One query."""
    wanted = Q(pending_position__gt=offset)
    if limit is not None:
        wanted &= Q(pending_position__lte=offset + limit)
    # The queue's first row always comes back too, so that the totals are known even
    # for a slice past the end; it is dropped below unless it belongs to the slice.
    found = _sliced(list(_numbered_queue(team.pk).filter(wanted | Q(position=1))))
    found.rows = [row for row in found.rows if row.pending_position is not None]
    if offset:
        found.rows = [row for row in found.rows if row.pending_position > offset]
    return found


def pending_positions(*, team_ids: Collection[int], feature_ids: Collection[int]) -> dict[int, int]:
    """The place of each not-done feature of `feature_ids` queued by one of `team_ids`
    among the not-done features of its team's queue, from 1 (`pending_position`, as the
    queue forecast numbers them), by feature id. One query: the teams' queues numbered
    whole, of which only those features come back."""
    if not team_ids or not feature_ids:
        return {}
    rows = (
        FeatureAssignment.objects.filter(team_id__in=team_ids)
        .annotate(
            # Numbered over every queue; the rows not asked for get none, and go.
            place=Case(
                When(
                    Q(feature_id__in=feature_ids) & _not_done("feature__"),
                    then=Window(
                        RowNumber(), partition_by=[F("team_id"), _left()], order_by=QUEUE_ORDER
                    ),
                ),
                default=None,
            )
        )
        .filter(place__isnull=False)
        .values_list("feature_id", "place")
    )
    return dict(rows)


@dataclass(frozen=True)
class QueuePlace:
    """A feature's team, its `position` in the queue (from 1), and the team's not-done
    features that are planned in time, as demand needs them (delivery.selectors
    .planned_features for one team)."""

    team_id: int
    team_name: str
    position: int
    planned: list[demand.PlannedFeature]


def queue_place(*, feature_id: int) -> QueuePlace | None:
    """The place of a feature in its team's queue (None: in no queue). One query: the
    team's queue numbered, of which the feature and the planned features come back."""
    team = FeatureAssignment.objects.filter(feature_id=feature_id).values("team_id")[:1]
    planned = _not_done("feature__") & SCHEDULED
    rows = (
        FeatureAssignment.objects.filter(team_id=Subquery(team))
        .annotate(
            # Numbered over the whole queue; the rows not wanted get none, and go.
            position=Case(
                When(
                    Q(feature_id=feature_id) | planned,
                    then=Window(RowNumber(), order_by=QUEUE_ORDER),
                ),
                default=None,
            ),
            is_planned=Case(
                When(planned, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            low=Cast("feature__effort_low", FloatField()),
            high=Cast("feature__effort_high", FloatField()),
        )
        .filter(position__isnull=False)
        .values_list(
            "team_id",
            "team__name",
            "feature_id",
            "position",
            "low",
            "high",
            "feature__started_on",
            "feature__target_release__target_date",
            "feature__horizon",
            "is_planned",
        )
    )
    place = None
    features = []
    for team_id, name, pk, position, low, high, started, release, horizon, is_planned in rows:
        if pk == feature_id:
            place = (team_id, name, position)
        if not is_planned:
            continue  # the feature itself, done or planned at no time
        features.append(
            demand.PlannedFeature(
                feature_id=pk,
                effort_low=low,
                effort_high=high,
                started_on=started,
                completed_on=None,
                release_date=release,
                horizon=horizon,
            )
        )
    if place is None:
        return None
    team_id, name, position = place
    return QueuePlace(team_id=team_id, team_name=name, position=position, planned=features)
