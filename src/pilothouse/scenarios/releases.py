"""Release forecasts of a comparison: what each side's forecast of a release depends
on (ReleaseInput), and the P85 dates of the releases asked for.

A release's remaining items are its not-done features still in the plan; the history
is the weekly throughput of the teams working on them, summed. A scenario that changes
those teams' capacity over the horizon by a ratio r is assumed to change their pace by
the same ratio: the remaining items are divided by r (rounded up), which is the same as
drawing weeks r times as productive, while the history stays whole items. A team added
by the scenario has no history: its features count as remaining work, done at the pace
of the other teams of the release (or not forecast at all when no other team works on
it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pilothouse.delivery import workdays
from pilothouse.engines import forecasting
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios import selectors

FORECAST_TRIALS = 2000
# One seed for both sides: the live plan and the scenario draw the same weeks, so any
# difference between their dates comes from the plan, not from chance.
FORECAST_SEED = 0


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
    ratio: float  # the teams' capacity over the horizon, scenario / live


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


def release_inputs(
    plan: plans.Plan, *, delivered: set[int], ratio_of: Mapping[frozenset, float]
) -> dict[int, ReleaseInput]:
    """The inputs of each release with a feature delivered within the horizon."""
    remaining: dict[int, list[plans.Item]] = {}
    for item in plan.items.values():
        if item.release_id is not None:
            remaining.setdefault(item.release_id, []).append(item)
    wanted = {plan.items[pk].release_id for pk in delivered} - {None}
    found = {}
    for pk in wanted:
        items = remaining[pk]
        teams = frozenset(item.team for item in items if isinstance(item.team, int))
        found[pk] = ReleaseInput(
            release_id=pk,
            name=plan.release_names.get(pk, f"Release {pk}"),
            target_date=plan.release_dates.get(pk),
            remaining=len(items),
            teams=teams,
            added=tuple(sorted({item.team[1] for item in items if isinstance(item.team, tuple)})),
            ratio=ratio_of.get(teams, 1.0),
        )
    return found


def forecast(
    release: ReleaseInput, *, history: Mapping[int, list[int]], start: dt.date
) -> ReleaseRow:
    """The P85 forecast of one side of a release (`history` covers its teams)."""
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
    if release.ratio <= 0:
        return without("its teams have no capacity")
    weekly = [sum(week) for week in zip(*(history[t] for t in release.teams), strict=True)]
    try:
        found = forecasting.forecast_completion(
            history=weekly,
            remaining=math.ceil(release.remaining / release.ratio),
            trials=FORECAST_TRIALS,
            seed=FORECAST_SEED,
            start=start,
        )
    except forecasting.ForecastError as exc:
        return without(str(exc).partition(": ")[2] or str(exc))
    if release.ratio != 1.0:
        note = f"Pace scaled by capacity \u00d7{release.ratio:.2f}. {note}".strip()
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
