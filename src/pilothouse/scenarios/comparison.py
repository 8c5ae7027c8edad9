"""The live plan and a scenario side by side: demand against capacity per team and
period, the value delivered within the horizon, and each release's P85 forecast date.

The scenario's changes are made on a copy of the live plan in memory (plan.applied);
nothing is written. Demand and status are delivery's own arithmetic (delivery.demand).

Forecasts: a release's remaining items are its not-done features still in the plan;
the history is the weekly throughput of the teams working on them, summed. A scenario
that changes those teams' capacity over the horizon by a ratio r is assumed to change
their pace by the same ratio: the remaining items are divided by r (rounded up), which
is the same as drawing weeks r times as productive, while the history stays whole
items. A team added by the scenario has no history: its features count as remaining
work, done at the pace of the other teams of the release (or not forecast at all when
no other team works on it).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from pilothouse.delivery import demand, workdays
from pilothouse.engines import forecasting
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios import selectors
from pilothouse.scenarios.models import Scenario
from pilothouse.scenarios.periods import Period

FORECAST_TRIALS = 2000
# One seed for both sides: the live plan and the scenario draw the same weeks, so any
# difference between their dates comes from the plan, not from chance.
FORECAST_SEED = 0


@dataclass(frozen=True)
class Cell:
    period: Period
    capacity: float
    low: float
    high: float
    status: str
    explanation: str

    @property
    def status_label(self) -> str:
        return demand.STATUS_LABELS[self.status]


@dataclass(frozen=True)
class TeamRow:
    key: plans.TeamKey
    name: str
    cells: list[Cell]

    @property
    def added(self) -> bool:
        return isinstance(self.key, tuple)


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


@dataclass
class PlanFigures:
    teams: list[TeamRow]
    value: float
    delivered: int  # features delivered within the horizon
    unscored: list[int]  # of those, features without a score (worth 0)
    releases: list[ReleaseRow] = field(default_factory=list)

    @property
    def over_committed(self) -> int:
        return sum(
            1 for row in self.teams for cell in row.cells if cell.status == demand.OVER_COMMITTED
        )


@dataclass
class Comparison:
    periods: list[Period]
    live: PlanFigures
    scenario: PlanFigures
    valued_by: str

    def pairs(self) -> list[tuple[TeamRow | None, TeamRow | None]]:
        live = {row.key: row for row in self.live.teams}
        mine = {row.key: row for row in self.scenario.teams}
        keys = list(live) + [key for key in mine if key not in live]
        return [(live.get(key), mine.get(key)) for key in keys]

    def release_pairs(self) -> list[tuple[ReleaseRow | None, ReleaseRow | None]]:
        live = {row.release_id: row for row in self.live.releases}
        mine = {row.release_id: row for row in self.scenario.releases}
        keys = list(live) + [key for key in mine if key not in live]
        return [(live.get(key), mine.get(key)) for key in keys]


def _team_rows(plan: plans.Plan, *, today: dt.date) -> list[TeamRow]:
    by_team = plans.team_items(plan)
    keys = set(plan.team_names) & ({key for key, _ in plan.capacity} | set(by_team))
    rows = []
    for key in sorted(keys, key=lambda k: plan.team_names[k].casefold()):
        # Each feature's window once per team, not once per period.
        placed = demand.placed([item.planned for item in by_team.get(key, [])], today=today)
        cells = []
        for period in plan.periods:
            capacity = plan.capacity.get((key, period.index), 0.0)
            wanted = demand.demand_of_placed(placed, start=period.start, end=period.end)
            status = demand.status_of(capacity=capacity, low=wanted.low, high=wanted.high)
            explanation = demand.explain(capacity=capacity, demand=wanted, status=status)
            cells.append(
                Cell(
                    period,
                    round(capacity, 1),
                    round(wanted.low, 1),
                    round(wanted.high, 1),
                    status,
                    explanation,
                )
            )
        rows.append(TeamRow(key, plan.team_names[key], cells))
    return rows


def _releases(
    plan: plans.Plan,
    *,
    today: dt.date,
    history: dict[int, list[int]],
    ratio_of: dict[frozenset, float],
    delivered: set[int],
) -> list[ReleaseRow]:
    """P85 forecast of each release with a feature delivered within the horizon."""
    remaining: dict[int, list[plans.Item]] = {}
    for item in plan.items.values():
        if item.release_id is not None:
            remaining.setdefault(item.release_id, []).append(item)
    wanted = sorted(
        {plan.items[pk].release_id for pk in delivered} - {None},
        key=lambda pk: (plan.release_dates.get(pk) or dt.date.max, pk),
    )
    start = workdays.week_start(today)
    rows = []
    for pk in wanted:
        items = remaining[pk]
        teams = frozenset(item.team for item in items if isinstance(item.team, int))
        added = sorted({item.team[1] for item in items if isinstance(item.team, tuple)})
        name, target = plan.release_names.get(pk, f"Release {pk}"), plan.release_dates.get(pk)
        note = f"New team {', '.join(added)} has no history of its own." if added else ""
        weekly = [sum(week) for week in zip(*(history.get(t, []) for t in teams), strict=True)]
        ratio = ratio_of.get(teams, 1.0)
        if not teams or ratio <= 0:
            reason = (
                "no team with a history works on it" if not teams else "its teams have no capacity"
            )
            rows.append(
                ReleaseRow(
                    pk, name, target, len(items), None, f"No forecast: {reason}. {note}".strip()
                )
            )
            continue
        scope = math.ceil(len(items) / ratio)
        try:
            forecast = forecasting.forecast_completion(
                history=weekly,
                remaining=scope,
                trials=FORECAST_TRIALS,
                seed=FORECAST_SEED,
                start=start,
            )
        except forecasting.ForecastError as exc:
            message = str(exc).partition(": ")[2] or str(exc)
            rows.append(
                ReleaseRow(
                    pk, name, target, len(items), None, f"No forecast: {message}. {note}".strip()
                )
            )
            continue
        if ratio != 1.0:
            note = f"Pace scaled by capacity \u00d7{ratio:.2f}. {note}".strip()
        rows.append(ReleaseRow(pk, name, target, len(items), forecast.percentiles[85].date, note))
    return rows


def figures(
    plan: plans.Plan,
    *,
    values: dict[int, float | None],
    today: dt.date,
    history: dict[int, list[int]],
    ratio_of: dict[frozenset, float] | None = None,
) -> PlanFigures:
    delivered = {
        pk for pk, item in plan.items.items() if plan.period_of(item, today=today) is not None
    }
    unscored = sorted(pk for pk in delivered if values.get(pk) is None)
    value = sum(max(values.get(pk) or 0.0, 0.0) for pk in delivered)
    return PlanFigures(
        teams=_team_rows(plan, today=today),
        value=round(value, 2),
        delivered=len(delivered),
        unscored=unscored,
        releases=_releases(
            plan, today=today, history=history, ratio_of=ratio_of or {}, delivered=delivered
        ),
    )


def capacity_ratios(live: plans.Plan, changed: plans.Plan) -> dict[frozenset, float]:
    """For every set of existing teams the releases involve: scenario capacity over the
    horizon / live capacity (1.0 when the live plan has none)."""
    ratios: dict[frozenset, float] = {}
    groups: dict[int, set] = {}
    for item in changed.items.values():
        if item.release_id is not None and isinstance(item.team, int):
            groups.setdefault(item.release_id, set()).add(item.team)
    for teams in {frozenset(group) for group in groups.values()}:
        before = sum(w for (t, _), w in live.capacity.items() if t in teams)
        after = sum(w for (t, _), w in changed.capacity.items() if t in teams)
        ratios[teams] = after / before if before > 0 else 1.0
    return ratios


def compare(*, scenario: Scenario, today: dt.date) -> Comparison:
    """The live plan and the scenario side by side. Ten queries whatever the size (the
    changes, the live plan's seven, the throughput's two), eleven with a scoring model."""
    periods = scenario.periods()
    live = selectors.live_plan(periods=periods, today=today)
    changes = selectors.changes_of(scenario=scenario)
    changed = plans.applied(live, selectors.change_specs(changes))
    model = scenario.scoring_model
    values = selectors.feature_values(scoring_model=model, feature_ids=live.items)
    team_ids = [key for key in live.team_names if isinstance(key, int)]
    history = selectors.throughput_history(team_ids=team_ids, today=today)
    return Comparison(
        periods=periods,
        live=figures(live, values=values, today=today, history=history),
        scenario=figures(
            changed,
            values=values,
            today=today,
            history=history,
            ratio_of=capacity_ratios(live, changed),
        ),
        valued_by=model.name if model is not None else "features delivered (each worth 1)",
    )
