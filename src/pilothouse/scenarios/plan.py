"""A plan in memory: the live plan as read once, and a scenario's changes applied to a
copy of it. Plain data and arithmetic, no database: comparing a scenario never writes.

A feature's period is the period that contains the end of its planned window (the
delivery app's rule, delivery.demand.planned_window): the period it is delivered in.
A feature moved to a period by a scenario is planned over that whole period.

Queues (Queues): where each feature stands among its team's not-done features, as
delivery numbers them, so that a release's forecast waits for each team to reach the
deepest of its features. A feature a scenario drops, or moves to another team, leaves
its team's queue (those behind it move up); a feature moved to another team joins the
end of that team's queue, as applying the move puts it there.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from pilothouse.delivery import demand
from pilothouse.scenarios import periods as horizon_periods
from pilothouse.scenarios.periods import Period

# An added team has no id yet: it is keyed by its name, as ("new", name).
TeamKey = int | tuple[str, str]


@dataclass(frozen=True)
class Item:
    """A not-done feature in a team's queue."""

    feature_id: int
    title: str
    team: TeamKey
    product_id: int
    release_id: int | None
    release_date: dt.date | None
    planned: demand.PlannedFeature
    version: int

    @property
    def effort(self) -> float | None:
        """The midpoint of the low and high estimates (None without both)."""
        if not self.planned.estimated:
            return None
        return (self.planned.effort_low + self.planned.effort_high) / 2


@dataclass
class Queues:
    """The teams' queues as far as release forecasts need them: `positions`, each read
    feature's place among its team's not-done features (from 1, as
    delivery.queues.pending_positions numbers them), `lengths`, each team's not-done
    features, and `unqueued`, each release's not-done features in no queue, all live.
    A scenario adds what left each team's queue (`left`: the places vacated, sorted)
    and what joined its end (`joined`: feature ids, in order), and
    `unqueued_dropped`, the features in no queue it drops, by release (read along with
    the live plan of a comparison)."""

    positions: dict[int, int] = field(default_factory=dict)
    lengths: dict[TeamKey, int] = field(default_factory=dict)
    unqueued: dict[int, int] = field(default_factory=dict)
    unqueued_dropped: dict[int, int] = field(default_factory=dict)
    left: dict[TeamKey, list[int]] = field(default_factory=dict)
    joined: dict[TeamKey, list[int]] = field(default_factory=dict)

    def copy(self) -> Queues:
        return dataclasses.replace(
            self,
            unqueued=dict(self.unqueued),
            left={team: list(places) for team, places in self.left.items()},
            joined={team: list(ids) for team, ids in self.joined.items()},
        )

    def leave(self, item: Item) -> None:
        """The feature leaves its team's queue: those behind it move up."""
        if item.feature_id in self.positions:
            bisect.insort(self.left.setdefault(item.team, []), self.positions[item.feature_id])

    def join(self, item: Item, team: TeamKey) -> None:
        """The feature joins the end of `team`'s queue."""
        self.joined.setdefault(team, []).append(item.feature_id)

    def position(self, item: Item) -> int | None:
        """The feature's place among its team's not-done features (None: unknown)."""
        joined = self.joined.get(item.team, ())
        if item.feature_id in joined:
            stayed = self.lengths.get(item.team, 0) - len(self.left.get(item.team, ()))
            return stayed + joined.index(item.feature_id) + 1
        live = self.positions.get(item.feature_id)
        if live is None:
            return None
        return live - bisect.bisect_left(self.left.get(item.team, ()), live)


@dataclass
class Plan:
    """Features per id, each team's capacity per period index, team names, releases."""

    periods: list[Period]
    items: dict[int, Item]
    capacity: dict[tuple[TeamKey, int], float]
    team_names: dict[TeamKey, str]
    release_dates: dict[int, dt.date | None]
    release_names: dict[int, str] = field(default_factory=dict)
    # Each product's open releases: (release id, target date).
    product_releases: dict[int, list[tuple[int, dt.date | None]]] = field(default_factory=dict)
    product_names: dict[int, str] = field(default_factory=dict)  # of those products
    # Each feature's score under a scoring model, when read along (None: not scored).
    values: dict[int, float | None] | None = None
    queues: Queues = field(default_factory=Queues)

    def copy(self) -> Plan:
        return dataclasses.replace(
            self,
            items=dict(self.items),
            capacity=dict(self.capacity),
            team_names=dict(self.team_names),
            release_dates=dict(self.release_dates),
            queues=self.queues.copy(),
        )

    def window(self, item: Item, *, today: dt.date) -> tuple[dt.date, dt.date] | None:
        return demand.planned_window(item.planned, today=today)

    def period_of(self, item: Item, *, today: dt.date) -> int | None:
        """The index of the period the feature is delivered in, or None."""
        window = self.window(item, today=today)
        return horizon_periods.index_of(self.periods, window[1] if window else None)


def capacity_by_period(
    spans: Iterable[tuple[dt.date, dt.date, float]], periods: list[Period]
) -> dict[int, float]:
    """A team's capacity per scenario period from its capacity periods (start, end,
    person-weeks): each counts in a scenario period by its share of working days there,
    so monthly capacity adds up into quarters and a quarter splits into months."""
    found: dict[int, float] = {}
    for start, end, weeks in spans:
        for period in periods:
            share = demand.share_in((start, end), period.start, period.end)
            if share > 0:
                found[period.index] = found.get(period.index, 0.0) + weeks * share
    return found


def release_for(plan: Plan, item: Item, period: Period) -> int | None:
    """The release a feature moved to `period` targets: its own if dated in the period,
    else its product's open release dated latest in the period, else none."""
    own = plan.release_dates.get(item.release_id) if item.release_id else None
    if own is not None and period.start <= own <= period.end:
        return item.release_id
    inside = [
        (day, pk)
        for pk, day in plan.product_releases.get(item.product_id, ())
        if day is not None and period.start <= plan.release_dates.get(pk, day) <= period.end
    ]
    return max(inside)[1] if inside else None


def moved(plan: Plan, item: Item, period: Period, *, team: TeamKey | None = None) -> Item:
    """The feature planned over the whole of `period` (by `team` if given), targeting
    the release `release_for` picks."""
    planned = dataclasses.replace(
        item.planned, started_on=period.start, completed_on=None, release_date=period.end
    )
    release = release_for(plan, item, period)
    return dataclasses.replace(
        item,
        planned=planned,
        team=team if team is not None else item.team,
        release_id=release,
        release_date=plan.release_dates.get(release) if release else None,
    )


@dataclass(frozen=True)
class ChangeSpec:
    """What the in-memory plan needs of a ScenarioChange."""

    kind: str
    feature_id: int | None = None
    period_start: dt.date | None = None
    team_id: int | None = None
    team_name: str = ""
    person_weeks: float | None = None
    release_id: int | None = None
    target_date: dt.date | None = None


# Release dates move first, so that a feature moved to a period afterwards picks its
# release among the moved dates.
ORDER = {"move_date": 0, "drop_feature": 1, "move_feature": 2, "add_team": 3, "change_capacity": 4}


def applied(plan: Plan, changes: Iterable[ChangeSpec]) -> Plan:
    """A copy of `plan` with the changes made, in memory only."""
    result = plan.copy()
    queues = result.queues
    for release, dropped in queues.unqueued_dropped.items():
        queues.unqueued[release] = queues.unqueued.get(release, 0) - dropped
    queues.unqueued_dropped = {}  # done: the copy's count is the scenario's
    starts = {period.start: period for period in plan.periods}
    for change in sorted(changes, key=lambda c: ORDER.get(c.kind, 9)):
        if change.kind == "move_date":
            result.release_dates[change.release_id] = change.target_date
            for pk, item in list(result.items.items()):
                if item.release_id == change.release_id:
                    planned = dataclasses.replace(item.planned, release_date=change.target_date)
                    result.items[pk] = dataclasses.replace(
                        item, planned=planned, release_date=change.target_date
                    )
        elif change.kind == "drop_feature":
            item = result.items.pop(change.feature_id, None)
            if item is not None:  # its team no longer spends time on it
                queues.leave(item)
        elif change.kind == "move_feature":
            item = result.items.get(change.feature_id)
            if item is not None and change.period_start in starts:
                if change.team_id is not None and change.team_id != item.team:
                    queues.leave(item)
                    queues.join(item, change.team_id)
                result.items[item.feature_id] = moved(
                    result, item, starts[change.period_start], team=change.team_id
                )
        elif change.kind == "add_team":
            key = ("new", change.team_name.strip())
            result.team_names[key] = key[1]
            for period in plan.periods:
                result.capacity[(key, period.index)] = float(change.person_weeks or 0)
        elif change.kind == "change_capacity":
            period = starts.get(change.period_start)
            if period is not None:
                result.capacity[(change.team_id, period.index)] = float(change.person_weeks or 0)
    return result
