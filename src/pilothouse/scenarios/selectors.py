"""Every read of scenarios used by the pages and the API, each a fixed number of queries
whatever the number of teams, features, periods or changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, QuerySet

from pilothouse.delivery import demand, workdays
from pilothouse.delivery import selectors as delivery_selectors
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.prioritization import selectors as prioritization_selectors
from pilothouse.prioritization.backlogs import ANY_STAGE, BacklogFilters
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import Release, ReleaseStatus
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios.models import AutoPlanRun, Scenario, ScenarioChange
from pilothouse.scenarios.periods import Period

OPEN_RELEASES = (ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)


def scenario_list() -> QuerySet[Scenario]:
    return (
        Scenario.objects.select_related("scoring_model", "applied_by", "created_by")
        .annotate(change_count=Count("changes"))
        .order_by(*Scenario._meta.ordering)
    )


def scenario_detail(*, pk: int) -> Scenario:
    return scenario_list().get(pk=pk)


def scenario_change_list() -> QuerySet[ScenarioChange]:
    return ScenarioChange.objects.select_related("scenario", "feature", "team", "release").order_by(
        "scenario_id", "id"
    )


def changes_of(*, scenario: Scenario) -> list[ScenarioChange]:
    return list(scenario_change_list().filter(scenario=scenario))


def auto_plan_run_list() -> QuerySet[AutoPlanRun]:
    return (
        AutoPlanRun.objects.select_related("scoring_model", "scenario", "created_by")
        .prefetch_related("teams")
        .order_by(*AutoPlanRun._meta.ordering)
    )


# --- the live plan --------------------------------------------------------------------


def live_plan(
    *, periods: list[Period], today: dt.date, team_ids: Iterable[int] | None = None
) -> plans.Plan:
    """The not-done features of the teams' queues (every team without `team_ids`), each
    team's capacity per period and the products' open releases. Seven queries: teams,
    features, releases, and delivery's capacity figures (four)."""
    teams = Team.objects.order_by("name")
    if team_ids is not None:
        teams = teams.filter(pk__in=set(team_ids))
    names = dict(teams.values_list("pk", "name"))
    rows = (
        FeatureAssignment.objects.filter(team_id__in=list(names), feature__completed_on=None)
        .exclude(feature__stage__in=delivery_selectors.DONE_STAGES)
        .order_by("team_id", "queue_rank", "id")
        .values_list(
            "team_id",
            "feature_id",
            "feature__title",
            "feature__product_id",
            "feature__version",
            "feature__effort_low",
            "feature__effort_high",
            "feature__started_on",
            "feature__target_release_id",
            "feature__target_release__target_date",
            "feature__horizon",
        )
    )
    items: dict[int, plans.Item] = {}
    for team, pk, title, product, version, low, high, started, release, day, horizon in rows:
        planned = demand.PlannedFeature(
            feature_id=pk,
            effort_low=float(low) if low is not None else None,
            effort_high=float(high) if high is not None else None,
            started_on=started,
            completed_on=None,
            release_date=day,
            horizon=horizon,
        )
        items[pk] = plans.Item(pk, title, team, product, release, day, planned, version)
    releases = Release.objects.filter(
        product_id__in={item.product_id for item in items.values()}, status__in=OPEN_RELEASES
    ).values_list("pk", "product_id", "target_date", "name")
    product_releases: dict[int, list[tuple[int, dt.date | None]]] = defaultdict(list)
    release_dates: dict[int, dt.date | None] = {}
    release_names: dict[int, str] = {}
    for pk, product, day, name in releases:
        product_releases[product].append((pk, day))
        release_dates[pk], release_names[pk] = day, name
    for item in items.values():  # a released or cancelled release still dates its features
        release_dates.setdefault(item.release_id, item.release_date)
    capacity: dict[tuple[plans.TeamKey, int], float] = {}
    if periods:
        figures = delivery_selectors.figures_between(
            team_ids=list(names), start=periods[0].start, end=periods[-1].end, today=today
        )
        for team_id, team_figures in figures.items():
            spans = [(f.period.start, f.period.end, f.capacity) for f in team_figures]
            for index, weeks in plans.capacity_by_period(spans, periods).items():
                capacity[(team_id, index)] = weeks
    release_dates.pop(None, None)
    return plans.Plan(
        periods=periods,
        items=items,
        capacity=capacity,
        team_names=names,
        release_dates=release_dates,
        release_names=release_names,
        product_releases=dict(product_releases),
    )


def feature_values(
    *, scoring_model: ScoringModel | None, feature_ids: Iterable[int]
) -> dict[int, float | None]:
    """Each feature's score under the model (None: not scored, or outside its scope).
    Without a model every feature is worth 1. One query (the model's backlog)."""
    ids = set(feature_ids)
    if scoring_model is None:
        return dict.fromkeys(ids, 1.0)
    rows = prioritization_selectors.backlog(
        scoring_model=scoring_model, filters=BacklogFilters(stage=ANY_STAGE)
    )
    found: dict[int, float | None] = dict.fromkeys(ids)
    for row in rows:
        if row.feature_id in ids and row.score is not None:
            found[row.feature_id] = float(row.score)
    return found


def change_specs(changes: Iterable[ScenarioChange]) -> list[plans.ChangeSpec]:
    return [
        plans.ChangeSpec(
            kind=change.kind,
            feature_id=change.feature_id,
            period_start=change.period_start,
            team_id=change.team_id,
            team_name=change.team_name,
            person_weeks=float(change.person_weeks) if change.person_weeks is not None else None,
            release_id=change.release_id,
            target_date=change.target_date,
        )
        for change in changes
    ]


def throughput_history(
    *, team_ids: Iterable[int], today: dt.date, weeks: int = 26
) -> dict[int, list[int]]:
    """Each team's completed items per week over the `weeks` full weeks before today's.
    Two queries."""
    last = workdays.week_start(today) - dt.timedelta(weeks=1)
    first = last - dt.timedelta(weeks=weeks - 1)
    series = delivery_selectors.throughput(team_ids=team_ids, first=first, last=last)
    return {pk: [week.count for week in found] for pk, found in series.items()}
