"""Swimlanes by team on the roadmap's timeline, registered from DeliveryConfig.ready()
(the roadmap must not import delivery). A lane's header says which of the team's periods
in view are over-committed or at risk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import chain

from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import Cast
from django.urls import reverse

from pilothouse.delivery import demand, selectors
from pilothouse.delivery.models import CapacityPeriod
from pilothouse.roadmap.periods import TimeWindow
from pilothouse.roadmap.timeline import Lane, LaneKind, register_lane_kind

# The rows of _periods_and_planned: a kind, then the columns of selectors.PLANNED_COLUMNS
# (team, feature, low, high, started, release date, horizon), which a period fills with
# (team, id, person-weeks, nothing, start, end, granularity).
PERIOD_ROW, FEATURE_ROW = 0, 1
STACKED = ("kind", "team_id", "ref", "low", "high", "first", "last", "text")
# What the figures and a period's label need of it.
PERIOD_FIELDS = ("id", "team_id", "granularity", "start", "end", "person_weeks")


def _periods_and_planned(*, team_ids: set[int], start: dt.date, end: dt.date) -> QuerySet:
    """The teams' periods that meet [start, end] (by team, then start), then their
    planned features (by team): one query, the two stacked in columns of the same
    types. The features' part comes first, so that the columns convert as theirs do
    (floats, not decimals)."""
    planned = (
        selectors.planned_assignments(team_ids=team_ids)
        .annotate(
            kind=Value(FEATURE_ROW),
            ref=F("feature_id"),
            first=F("feature__started_on"),
            last=F("feature__target_release__target_date"),
            text=F("feature__horizon"),
        )
        .order_by()
        .values_list(*STACKED)
    )
    periods = (
        CapacityPeriod.objects.filter(team_id__in=team_ids, start__lte=end, end__gte=start)
        .annotate(
            kind=Value(PERIOD_ROW),
            ref=F("id"),
            low=Cast("person_weeks", FloatField()),
            high=Value(None, output_field=FloatField()),
            first=F("start"),
            last=F("end"),
            text=F("granularity"),
        )
        .order_by()
        .values_list(*STACKED)
    )
    return planned.union(periods, all=True).order_by("kind", "team_id", "first", "ref")


def lane_figures(
    *, team_ids: Iterable[int], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, list[selectors.PeriodFigures]]:
    """What selectors.figures_between answers (each team's periods that meet [start,
    end], in order, with their figures) in two queries rather than three: the periods
    stacked on the planned features, then the members with their time off."""
    teams = set(team_ids)
    if not teams:
        return {}
    rows = _periods_and_planned(team_ids=teams, start=start, end=end)
    stream = rows.iterator(chunk_size=1000)
    periods: list[CapacityPeriod] = []
    features: Iterator[tuple] = iter(())
    for row in stream:
        if row[0] != PERIOD_ROW:  # the first feature: the periods are all read
            features = (found[1:] for found in chain([row], stream))
            break
        _, team_id, pk, weeks, _, first, last, granularity = row
        weeks = None if weeks is None else Decimal(str(weeks))
        values = (pk, team_id, granularity, first, last, weeks)
        periods.append(CapacityPeriod.from_db(rows.db, PERIOD_FIELDS, values))
    figures = selectors.figures_of_planned(
        periods=periods, today=today, planned=selectors.planned_by_team(features)
    )
    found: dict[int, list[selectors.PeriodFigures]] = defaultdict(list)
    for period in periods:
        found[period.team_id].append(figures[period.pk])
    return found


def describe_lanes(lanes: list[Lane], window: TimeWindow, today: dt.date) -> None:
    """Set each team lane's note from its periods in the window. Two queries
    (lane_figures)."""
    team_ids = [lane.id for lane in lanes if lane.id is not None]
    if not team_ids:
        return
    found = lane_figures(team_ids=team_ids, start=window.start, end=window.end, today=today)
    for lane in lanes:
        figures = found.get(lane.id, [])
        over = [f.period.label for f in figures if f.status == demand.OVER_COMMITTED]
        risky = [f.period.label for f in figures if f.status == demand.AT_RISK]
        parts = []
        if over:
            parts.append("over-committed in " + ", ".join(over))
        if risky:
            parts.append("at risk in " + ", ".join(risky))
        if parts:
            text = "; ".join(parts)
            lane.note = text[0].upper() + text[1:]
            lane.flagged = True
        elif figures:
            lane.note = "Within capacity"


TEAM_LANES = LaneKind(
    "team",
    "Team",
    "assignment__team_id",
    "assignment__team__name",
    "assignment__team__name",
    "No team",
    url=lambda team_id: reverse("delivery:team_detail", args=[team_id]),
    describe=describe_lanes,
)


def register() -> None:
    register_lane_kind(TEAM_LANES)
