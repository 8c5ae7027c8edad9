"""The live plan and a scenario side by side: demand against capacity per team and
period, the value delivered within the horizon, and release forecasts.

The scenario's changes are made on a copy of the live plan in memory (plan.applied);
nothing is written. Demand and status are delivery's own arithmetic (delivery.demand).
Each feature's planned window is worked out once: the scenario reuses the live plan's
for every feature its changes leave as it is.

Forecasts (releases.py) are computed only for the releases asked for: by default those
whose forecast the changes touch. A release's forecast depends on its inputs alone
(ReleaseInput: each team's depth in its queue and capacity ratio, the features in no
queue), and both sides draw the same weeks, so a release with the same inputs on both
sides has the same forecast on both: it is "unchanged" and need not be forecast to say
so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pilothouse.delivery import demand
from pilothouse.prioritization import schemes
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios import selectors
from pilothouse.scenarios.models import Scenario
from pilothouse.scenarios.periods import Period, index_of
from pilothouse.scenarios.releases import ReleaseInput, ReleaseRow, forecast_pairs, release_inputs


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


@dataclass
class PlanFigures:
    teams: list[TeamRow]
    value: float
    delivered: int  # features delivered within the horizon
    unscored: list[int]  # of those, features without a score (worth 0)
    # The releases with a feature delivered within the horizon, by id: what their
    # forecasts depend on (releases.release_forecasts computes them).
    releases: dict[int, ReleaseInput]

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
    team_names: dict[int, str]  # every live team, by name: id -> name
    # The open releases, grouped by product (by name), each product's by date:
    # [(product name, [(release id, release name), ...]), ...].
    release_choices: list[tuple[str, list[tuple[int, str]]]]

    def pairs(self) -> list[tuple[TeamRow | None, TeamRow | None]]:
        live = {row.key: row for row in self.live.teams}
        mine = {row.key: row for row in self.scenario.teams}
        keys = list(live) + [key for key in mine if key not in live]
        return [(live.get(key), mine.get(key)) for key in keys]

    def release_ids(self, *, changed_only: bool = True) -> list[int]:
        """The releases with a feature delivered within the horizon on either side, by
        target date then id; with `changed_only`, those whose forecast inputs differ
        between the sides (the others are forecast alike on both)."""
        live, mine = self.live.releases, self.scenario.releases
        keys = set(live) | set(mine)
        if changed_only:
            keys = {key for key in keys if live.get(key) != mine.get(key)}

        def by_date(key: int) -> tuple[dt.date, int]:
            found = live.get(key) or mine[key]
            return (found.target_date or dt.date.max, key)

        return sorted(keys, key=by_date)

    @property
    def unchanged_releases(self) -> int:
        """Releases delivered within the horizon whose forecast the changes leave alone."""
        live, mine = self.live.releases, self.scenario.releases
        return sum(1 for key, found in live.items() if mine.get(key) == found)


def placements(
    plan: plans.Plan,
    *,
    today: dt.date,
    like: plans.Plan | None = None,
    known: Mapping[int, demand.Placed | None] | None = None,
) -> dict[int, demand.Placed | None]:
    """Each feature with its planned window, or None when the window misses the horizon
    (the feature counts in none of its periods). A feature that is the very item it is
    in `like` keeps its placement from `known` (like's)."""
    if not plan.periods:
        return dict.fromkeys(plan.items)
    first, last = plan.periods[0].start, plan.periods[-1].end
    found: dict[int, demand.Placed | None] = {}
    for pk, item in plan.items.items():
        if like is not None and known is not None and like.items.get(pk) is item:
            found[pk] = known[pk]
            continue
        window = plan.window(item, today=today)
        inside = window is not None and window[1] >= first and window[0] <= last
        found[pk] = demand.Placed(item.planned, window) if inside else None
    return found


def delivered_in(plan: plans.Plan, placed: Mapping[int, demand.Placed | None]) -> set[int]:
    """The features whose window ends within the plan's periods."""
    return {
        pk
        for pk, found in placed.items()
        if found is not None and index_of(plan.periods, found.window[1]) is not None
    }


def _by_team(
    plan: plans.Plan, placed: Mapping[int, demand.Placed | None]
) -> dict[plans.TeamKey, list[demand.Placed]]:
    found: dict[plans.TeamKey, list[demand.Placed]] = {}
    for pk, item in plan.items.items():
        if placed[pk] is not None:
            found.setdefault(item.team, []).append(placed[pk])
    return found


def _team_row(plan: plans.Plan, key: plans.TeamKey, placed: list[demand.Placed]) -> TeamRow:
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
    return TeamRow(key, plan.team_names[key], cells)


@dataclass(frozen=True)
class TeamRows:
    """One side's team rows with what they were worked out from, so that the other
    side reuses a row whose features and capacity are the same."""

    plan: plans.Plan
    by_team: dict[plans.TeamKey, list[demand.Placed]]
    rows: dict[plans.TeamKey, TeamRow]


def team_rows(
    plan: plans.Plan, placed: Mapping[int, demand.Placed | None], *, like: TeamRows | None = None
) -> TeamRows:
    """A row per team with capacity or features in the horizon, by name (any other
    team's figures would all be zero). A team whose placed features (the very same)
    and capacities are those it has in `like` gets like's row."""
    by_team = _by_team(plan, placed)
    keys = set(plan.team_names) & ({key for key, _ in plan.capacity} | set(by_team))
    rows = {}
    for key in sorted(keys, key=lambda k: plan.team_names[k].casefold()):
        mine = by_team.get(key, [])
        if like is not None and key in like.rows and _same(like, plan, key, mine):
            rows[key] = like.rows[key]
        else:
            rows[key] = _team_row(plan, key, mine)
    return TeamRows(plan, by_team, rows)


def _same(
    like: TeamRows, plan: plans.Plan, key: plans.TeamKey, placed: list[demand.Placed]
) -> bool:
    theirs = like.by_team.get(key, [])
    return (
        len(theirs) == len(placed)
        and all(a is b for a, b in zip(theirs, placed, strict=True))
        and all(
            like.plan.capacity.get((key, period.index)) == plan.capacity.get((key, period.index))
            for period in plan.periods
        )
    )


def figures(
    plan: plans.Plan,
    *,
    values: Mapping[int, float | None],
    today: dt.date,
    ratio_of: Mapping[frozenset, float] | None = None,
    placed: Mapping[int, demand.Placed | None] | None = None,
    delivered: set[int] | None = None,
    teams: TeamRows | None = None,
) -> PlanFigures:
    """One side's figures; `placed` (from `placements`), `delivered` (from
    `delivered_in`) and `teams` (from `team_rows`) when already worked out."""
    if placed is None:
        placed = placements(plan, today=today)
    if delivered is None:
        delivered = delivered_in(plan, placed)
    if teams is None:
        teams = team_rows(plan, placed)
    unscored = sorted(pk for pk in delivered if values.get(pk) is None)
    value = sum(max(values.get(pk) or 0.0, 0.0) for pk in delivered)
    return PlanFigures(
        teams=list(teams.rows.values()),
        value=round(value, 2),
        delivered=len(delivered),
        unscored=unscored,
        releases=release_inputs(plan, delivered=delivered, ratio_of=ratio_of or {}),
    )


def capacity_ratios(live: plans.Plan, changed: plans.Plan) -> dict[frozenset, float]:
    """Scenario capacity over the horizon / live capacity (1.0 when the live plan has
    none) of every existing team the releases involve, alone and as each release's set
    of teams (the pace of its features in no queue)."""
    groups: dict[int, set] = {}
    for item in changed.items.values():
        if item.release_id is not None and isinstance(item.team, int):
            groups.setdefault(item.release_id, set()).add(item.team)
    wanted = {frozenset(group) for group in groups.values()}
    wanted |= {frozenset({team}) for group in groups.values() for team in group}
    ratios: dict[frozenset, float] = {}
    for teams in wanted:
        before = sum(w for (t, _), w in live.capacity.items() if t in teams)
        after = sum(w for (t, _), w in changed.capacity.items() if t in teams)
        ratios[teams] = after / before if before > 0 else 1.0
    return ratios


def compare(*, scenario: Scenario, today: dt.date) -> Comparison:
    """The live plan and the scenario side by side, without the forecasts (see
    release_forecasts). Six queries whatever the size (the changes, the live plan's
    five, which read a model's stored scores along), seven with a live model."""
    periods = scenario.periods()
    model = scenario.scoring_model
    # A model's stored scores come along with the features; a live one's are computed.
    stored = model if model is not None and not schemes.is_live(model) else None
    live = selectors.live_plan(periods=periods, today=today, comparing=scenario, valued_by=stored)
    changed = plans.applied(live, selectors.change_specs_of(scenario=scenario))
    live_placed = placements(live, today=today)
    changed_placed = placements(changed, today=today, like=live, known=live_placed)
    live_delivered = delivered_in(live, live_placed)
    changed_delivered = delivered_in(changed, changed_placed)
    live_teams = team_rows(live, live_placed)
    if live.values is not None:
        values = live.values
    else:  # values only for what either side delivers: nothing else is summed
        values = selectors.feature_values(
            scoring_model=model, feature_ids=live_delivered | changed_delivered
        )
    return Comparison(
        periods=periods,
        live=figures(
            live,
            values=values,
            today=today,
            placed=live_placed,
            delivered=live_delivered,
            teams=live_teams,
        ),
        scenario=figures(
            changed,
            values=values,
            today=today,
            ratio_of=capacity_ratios(live, changed),
            placed=changed_placed,
            delivered=changed_delivered,
            teams=team_rows(changed, changed_placed, like=live_teams),
        ),
        valued_by=model.name if model is not None else "features delivered (each worth 1)",
        team_names={key: name for key, name in live.team_names.items() if isinstance(key, int)},
        release_choices=_release_choices(live),
    )


def _release_choices(plan: plans.Plan) -> list[tuple[str, list[tuple[int, str]]]]:
    groups = []
    for product, releases in plan.product_releases.items():
        dated = sorted(releases, key=lambda r: (r[1] or dt.date.max, plan.release_names[r[0]]))
        groups.append(
            (plan.product_names[product], [(pk, plan.release_names[pk]) for pk, _ in dated])
        )
    return sorted(groups, key=lambda group: group[0].casefold())


def release_forecasts(
    compared: Comparison, *, release_ids: Sequence[int], today: dt.date
) -> list[tuple[ReleaseRow | None, ReleaseRow | None]]:
    """The (live, scenario) forecasts of the given releases (a page of
    Comparison.release_ids): two queries whatever their number, none when no team with
    a history works on them."""
    pairs = [
        (compared.live.releases.get(pk), compared.scenario.releases.get(pk)) for pk in release_ids
    ]
    return forecast_pairs(pairs, today=today)
