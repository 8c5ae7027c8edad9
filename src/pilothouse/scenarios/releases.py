"""Release forecasts of a comparison: what each side's forecast of a release depends
on (ReleaseInput), and the P85 dates of the releases asked for.

Both sides follow a release's page (delivery.forecasts): each team holding some of the
release's remaining features works its queue up to the deepest of them (every not-done
feature ahead of it counts), at its own pace, and the release is done in the week the
last team is; its features in no queue are one more lane, at the summed pace of its
teams. The live side is the release page's forecast itself: the same lanes in the same
order, the same trials and seed. The scenario draws the same weeks, so a difference
between the sides comes from the plan: a feature dropped, or moved to another team,
ahead of the release's in a queue brings it forward; one moved to another team joins
the end of that team's queue (plan.Queues).

A scenario that changes a team's capacity over the horizon by a ratio r is assumed to
change its pace by the same ratio: the team's lane is divided by r (rounded up), which
is the same as drawing weeks r times as productive, while the history stays whole
items. The lane of the features in no queue goes at the summed pace of the teams, so it
scales with their summed capacity. A team added by the scenario has no history: its
lane goes at the summed pace of the release's other teams (and the release gets no
forecast when no other team works on it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pilothouse.delivery import forecasts as delivery_forecasts
from pilothouse.delivery import workdays
from pilothouse.engines import forecasting
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios import selectors

# The release page's: the live side is the very forecast the page shows.
FORECAST_TRIALS = delivery_forecasts.TRIALS


def forecast_seed(release_id: int) -> int:
    """The release page's seed. Both sides draw with it, so any difference between
    their dates comes from the plan, not from chance."""
    return delivery_forecasts.seed_of("release", release_id)


@dataclass(frozen=True)
class Lane:
    """What one team must do for the release to be done: `depth` not-done features of
    its queue, up to and including the release's deepest one (`features` of them the
    release's own), its pace scaled by `ratio`. `team` None: the release's features in
    no queue, at the summed pace of its existing teams (so is an added team's lane)."""

    team: plans.TeamKey | None
    name: str
    depth: int
    features: int
    ratio: float

    @property
    def items(self) -> int:
        """The items the lane's team must do at its unscaled pace."""
        return math.ceil(self.depth / self.ratio)


@dataclass(frozen=True)
class ReleaseInput:
    """Everything one side's forecast of a release depends on: equal inputs give equal
    forecasts."""

    release_id: int
    name: str
    target_date: dt.date | None
    remaining: int
    teams: frozenset[int]  # existing teams working on it (their history sets the pace)
    added: tuple[str, ...]  # teams the scenario adds working on it (no history)
    lanes: tuple[Lane, ...]  # the release page's order: teams by name, then no queue


@dataclass(frozen=True)
class ReleaseRow:
    release_id: int
    name: str
    target_date: dt.date | None
    remaining: int
    p85: dt.date | None
    note: str = ""

    @property
    def late(self) -> bool:
        return self.p85 is not None and self.target_date is not None and self.p85 > self.target_date


def _lanes(
    plan: plans.Plan, release_id: int, items: list[plans.Item], ratio_of: Mapping
) -> tuple[Lane, ...]:
    by_team: dict[plans.TeamKey, list[plans.Item]] = {}
    for item in items:
        by_team.setdefault(item.team, []).append(item)
    existing = frozenset(team for team in by_team if isinstance(team, int))
    summed_ratio = ratio_of.get(existing, 1.0)
    lanes = []
    for team in plan.team_names:  # existing teams by name, as read; then added ones
        own = by_team.get(team)
        if not own:
            continue
        places = [plan.queues.position(item) for item in own]
        # A feature whose place is unknown counts at the head of its queue.
        depth = max(max((p for p in places if p is not None), default=0), len(own))
        ratio = ratio_of.get(frozenset({team}), 1.0) if isinstance(team, int) else summed_ratio
        lanes.append(Lane(team, plan.team_names[team], depth, len(own), ratio))
    alone = plan.queues.unqueued.get(release_id, 0)
    if alone > 0:
        lanes.append(Lane(None, "", alone, alone, summed_ratio))
    return tuple(lanes)


def release_inputs(
    plan: plans.Plan, *, delivered: set[int], ratio_of: Mapping[frozenset, float]
) -> dict[int, ReleaseInput]:
    """The inputs of each release with a feature delivered within the horizon.
    `ratio_of`: the capacity ratio of each team, and of each release's set of teams."""
    remaining: dict[int, list[plans.Item]] = {}
    for item in plan.items.values():
        if item.release_id is not None:
            remaining.setdefault(item.release_id, []).append(item)
    wanted = {plan.items[pk].release_id for pk in delivered} - {None}
    found = {}
    for pk in wanted:
        items = remaining[pk]
        lanes = _lanes(plan, pk, items, ratio_of)
        found[pk] = ReleaseInput(
            release_id=pk,
            name=plan.release_names.get(pk, f"Release {pk}"),
            target_date=plan.release_dates.get(pk),
            remaining=len(items) + plan.queues.unqueued.get(pk, 0),
            teams=frozenset(item.team for item in items if isinstance(item.team, int)),
            added=tuple(sorted({item.team[1] for item in items if isinstance(item.team, tuple)})),
            lanes=lanes,
        )
    return found


def _pace_note(lanes: Sequence[Lane]) -> str:
    """The note on a scaled pace: one ratio when every lane is scaled alike, else each
    scaled lane with its own; "" when none is."""
    scaled = [lane for lane in lanes if lane.ratio != 1.0]
    if not scaled:
        return ""
    if len(scaled) == len(lanes) and len({lane.ratio for lane in scaled}) == 1:
        return f"Pace scaled by capacity \u00d7{scaled[0].ratio:.2f}."
    named = ", ".join(f"{lane.name or 'in no queue'} \u00d7{lane.ratio:.2f}" for lane in scaled)
    return f"Pace scaled by capacity: {named}."


def forecast(
    release: ReleaseInput, *, history: Mapping[int, list[int]], start: dt.date
) -> ReleaseRow:
    """The P85 forecast of one side of a release (`history` covers its teams): every
    lane simulated side by side from its own history, the release done when the last
    lane is."""
    note = (
        f"New team {', '.join(release.added)} has no history of its own." if release.added else ""
    )

    def without(reason: str) -> ReleaseRow:
        return ReleaseRow(
            release.release_id,
            release.name,
            release.target_date,
            release.remaining,
            None,
            f"No forecast: {reason}. {note}".strip(),
        )

    if not release.teams:
        return without("no team with a history works on it")
    if any(lane.ratio <= 0 for lane in release.lanes):
        stopped = [lane.name for lane in release.lanes if lane.team and lane.ratio <= 0]
        who = " and ".join(stopped) or "its teams"
        return without(f"{who} {'has' if len(stopped) == 1 else 'have'} no capacity")
    idle = [
        lane.name
        for lane in release.lanes
        if isinstance(lane.team, int) and not any(history[lane.team])
    ]
    if idle:
        return without(
            f"{' and '.join(idle)} {'have' if len(idle) > 1 else 'has'} completed nothing in "
            f"the last {delivery_forecasts.HISTORY_WEEKS} weeks, and a forecast samples past weeks"
        )
    weeks = list(zip(*(history[team] for team in sorted(release.teams)), strict=True))
    summed = [sum(week) for week in weeks]
    try:
        found = forecasting.forecast_parallel(
            histories=[
                history[lane.team] if isinstance(lane.team, int) else summed
                for lane in release.lanes
            ],
            scopes=[lane.items for lane in release.lanes],
            trials=FORECAST_TRIALS,
            seed=forecast_seed(release.release_id),
            start=start,
        )
    except forecasting.ForecastError as exc:
        return without(str(exc).partition(": ")[2] or str(exc))
    note = f"{_pace_note(release.lanes)} {note}".strip()
    return ReleaseRow(
        release.release_id,
        release.name,
        release.target_date,
        release.remaining,
        found.percentiles[85].date,
        note,
    )


def forecast_pairs(
    pairs: Sequence[tuple[ReleaseInput | None, ReleaseInput | None]], *, today: dt.date
) -> list[tuple[ReleaseRow | None, ReleaseRow | None]]:
    """Both sides' forecasts of each (live, scenario) pair; None stays None (the release
    delivers nothing within the horizon on that side). Equal inputs are forecast once.
    Two queries (the throughput of the teams involved), none without such a team."""
    inputs = [release for pair in pairs for release in pair if release is not None]
    teams = {team for release in inputs for team in release.teams}
    history = selectors.throughput_history(team_ids=teams, today=today) if teams else {}
    start = workdays.week_start(today)
    done: dict[ReleaseInput, ReleaseRow] = {}

    def row(release: ReleaseInput | None) -> ReleaseRow | None:
        if release is None:
            return None
        if release not in done:
            done[release] = forecast(release, history=history, start=start)
        return done[release]

    return [(row(live), row(mine)) for live, mine in pairs]
