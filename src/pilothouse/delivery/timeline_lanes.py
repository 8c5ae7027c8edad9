"""Swimlanes by team on the roadmap's timeline, registered from DeliveryConfig.ready()
(the roadmap must not import delivery). A lane's header says which of the team's periods
in view are over-committed or at risk."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from pilothouse.delivery import demand, selectors
from pilothouse.roadmap.periods import TimeWindow
from pilothouse.roadmap.timeline import Lane, LaneKind, register_lane_kind


def describe_lanes(lanes: list[Lane], window: TimeWindow, today: dt.date) -> None:
    """Set each team lane's note from its periods in the window. Four queries."""
    team_ids = [lane.id for lane in lanes if lane.id is not None]
    if not team_ids:
        return
    found = selectors.figures_between(
        team_ids=team_ids, start=window.start, end=window.end, today=today
    )
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
