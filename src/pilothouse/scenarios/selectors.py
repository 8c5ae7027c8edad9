"""Every read of scenarios used by the pages and the API, each a fixed number of queries
whatever the number of teams, features, periods or changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from pilothouse.delivery import demand, workdays
from pilothouse.delivery import selectors as delivery_selectors
from pilothouse.delivery.models import FeatureAssignment, Team
from pilothouse.delivery.queues import QUEUE_ORDER
from pilothouse.prioritization import schemes
from pilothouse.prioritization import selectors as prioritization_selectors
from pilothouse.prioritization.backlogs import ANY_STAGE, BacklogFilters
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import Horizon, Release, ReleaseStatus
from pilothouse.scenarios import plan as plans
from pilothouse.scenarios.models import AutoPlanRun, ChangeKind, Scenario, ScenarioChange
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


class ChangePages:
    """A scenario's changes in order, read a page at a time by a Paginator: one query
    per page shown. The count comes with the scenario when scenario_detail read it
    (its `change_count`), else it is counted."""

    def __init__(self, *, scenario: Scenario) -> None:
        self.rows = scenario_change_list().filter(scenario=scenario)
        self.known = getattr(scenario, "change_count", None)

    def count(self) -> int:
        return self.known if self.known is not None else self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[ScenarioChange]:
        return list(self.rows[index])


def auto_plan_run_list() -> QuerySet[AutoPlanRun]:
    return (
        AutoPlanRun.objects.select_related("scoring_model", "scenario", "created_by")
        .prefetch_related("teams")
        .order_by(*AutoPlanRun._meta.ordering)
    )


# --- the live plan --------------------------------------------------------------------


def live_plan(
    *,
    periods: list[Period],
    today: dt.date,
    team_ids: Iterable[int] | None = None,
    comparing: Scenario | None = None,
    valued_by: ScoringModel | None = None,
) -> plans.Plan:
    """The not-done features of the teams' queues (every team without `team_ids`), each
    team's capacity per period and the open releases. Five queries: teams,
    features, releases, and delivery's capacity figures (two).

    With `comparing`, only the features a comparison with that scenario can count (by
    delivery.demand.planned_window): those with a release, a start or in the now or next
    column, less those whose release is dated before the horizon (their window ends
    before it); and whatever the scenario's changes move, drop or re-date.

    The queues come along (`Plan.queues`): each feature's place among its team's
    not-done features, numbered over the whole queue (so the features not read count
    too) in the features' query; each team's not-done features with the teams; each
    open release's not-done features in no queue (and those `comparing` drops) with the
    releases.

    With `valued_by`, a model whose scores are stored (not schemes.is_live), each
    feature's score under it comes along in the same query: `Plan.values`, as
    feature_values would answer them."""
    teams = Team.objects.order_by("name")
    if team_ids is not None:
        teams = teams.filter(pk__in=set(team_ids))
    pending = Q(assignments__feature__completed_on=None) & ~Q(
        assignments__feature__stage__in=delivery_selectors.DONE_STAGES
    )
    teams = teams.annotate(pending=Count("assignments", filter=pending))
    not_done = Q(feature__completed_on=None) & ~Q(feature__stage__in=delivery_selectors.DONE_STAGES)
    wanted = not_done
    dropped = None
    if comparing is not None:
        changes = ScenarioChange.objects.filter(scenario=comparing)
        moved = changes.filter(kind=ChangeKind.MOVE_FEATURE).values("feature_id")
        redated = changes.filter(kind=ChangeKind.MOVE_DATE).values("release_id")
        dropped = changes.filter(kind=ChangeKind.DROP_FEATURE).values("feature_id")
        counted = (
            Q(feature__target_release__isnull=False)
            | Q(feature__started_on__isnull=False)
            | Q(feature__horizon__in=(Horizon.NOW, Horizon.NEXT))
        )
        if periods:
            counted &= ~Q(feature__target_release__target_date__lt=periods[0].start)
        # A dropped feature counts in no period either way, but the features behind it
        # in its queue move up.
        counted |= (
            Q(feature_id__in=moved)
            | Q(feature__target_release_id__in=redated)
            | Q(feature_id__in=dropped)
        )
        wanted &= counted
    lengths: dict[plans.TeamKey, int] = {}
    names: dict[plans.TeamKey, str] = {}
    for pk, name, count in teams.values_list("pk", "name", "pending"):
        names[pk], lengths[pk] = name, count
    left = Case(When(not_done, then=Value(1)), default=Value(0), output_field=IntegerField())
    columns = [
        "team_id",
        "feature_id",
        "feature__title",
        "feature__product_id",
        "feature__version",
        "low",
        "high",
        "feature__started_on",
        "feature__target_release_id",
        "feature__target_release__target_date",
        "feature__horizon",
        "position",
    ]
    # Numbered over the teams' whole queues, done features apart; only the wanted rows
    # get a number, and the others go (a filter on a window applies after it).
    rows = (
        FeatureAssignment.objects.filter(team_id__in=list(names))
        .annotate(
            position=Case(
                When(
                    wanted,
                    then=Window(
                        RowNumber(), partition_by=[F("team_id"), left], order_by=QUEUE_ORDER
                    ),
                ),
                default=None,
            ),
            # Estimates as floats straight from the database: no Decimal per row.
            low=Cast("feature__effort_low", FloatField()),
            high=Cast("feature__effort_high", FloatField()),
        )
        .filter(position__isnull=False)
    )
    if valued_by is not None:
        if schemes.is_live(valued_by):
            raise ValueError("a live model's scores are computed when read: see feature_values")
        rows = rows.annotate(
            scored=FilteredRelation(
                "feature__feature_scores",
                condition=Q(feature__feature_scores__scoring_model=valued_by),
            )
        )
        columns.append("scored__score")
    rows = rows.order_by("team_id", "queue_rank", "id").values_list(*columns)
    items: dict[int, plans.Item] = {}
    values: dict[int, float | None] | None = None if valued_by is None else {}
    positions: dict[int, int] = {}
    # In chunks: each row is dropped once read, only the items stay.
    for row in rows.iterator(chunk_size=2000):
        team, pk, title, product, version, low, high, started, release, day, horizon = row[:11]
        positions[pk] = row[11]
        if values is not None:  # a score counts within the model's scope only
            values[pk] = row[12] if valued_by.product_id in (None, product) else None
        planned = demand.PlannedFeature(
            feature_id=pk,
            effort_low=low,
            effort_high=high,
            started_on=started,
            completed_on=None,
            release_date=day,
            horizon=horizon,
        )
        items[pk] = plans.Item(pk, title, team, product, release, day, planned, version)
    # Every open release (there are few): a moved feature picks one of its product's.
    # With their features in no queue, which a release's forecast counts too.
    unqueued = Q(features__assignment__isnull=True, features__completed_on=None) & ~Q(
        features__stage__in=delivery_selectors.DONE_STAGES
    )
    releases = Release.objects.filter(status__in=OPEN_RELEASES).annotate(
        unqueued=Count("features", filter=unqueued),
        unqueued_dropped=(
            Count("features", filter=unqueued & Q(features__in=dropped))
            if dropped is not None
            else Value(0)
        ),
    )
    product_releases: dict[int, list[tuple[int, dt.date | None]]] = defaultdict(list)
    release_dates: dict[int, dt.date | None] = {}
    release_names: dict[int, str] = {}
    product_names: dict[int, str] = {}
    queues = plans.Queues(positions=positions, lengths=lengths)
    for pk, product, day, name, product_name, alone, gone in releases.values_list(
        "pk", "product_id", "target_date", "name", "product__name", "unqueued", "unqueued_dropped"
    ):
        product_releases[product].append((pk, day))
        release_dates[pk], release_names[pk] = day, name
        product_names[product] = product_name
        if alone:
            queues.unqueued[pk] = alone
        if gone:
            queues.unqueued_dropped[pk] = gone
    for item in items.values():  # a released or cancelled release still dates its features
        release_dates.setdefault(item.release_id, item.release_date)
    capacity: dict[tuple[plans.TeamKey, int], float] = {}
    if periods:
        # Only the capacity is read here: demand is worked out on the plan itself (live
        # or changed), so delivery is handed no features (and reads none).
        figures = delivery_selectors.figures_between(
            team_ids=list(names),
            start=periods[0].start,
            end=periods[-1].end,
            today=today,
            planned={},
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
        product_names=product_names,
        values=values,
        queues=queues,
    )


def feature_values(
    *, scoring_model: ScoringModel | None, feature_ids: Iterable[int]
) -> dict[int, float | None]:
    """Each feature's score under the model (None: not scored, or outside its scope).
    Without a model every feature is worth 1. One query: a model whose scores are
    stored reads them alone; a live one (its formula reads computed fields) is scored
    by its backlog, which computes them."""
    ids = set(feature_ids)
    if scoring_model is None:
        return dict.fromkeys(ids, 1.0)
    found: dict[int, float | None] = dict.fromkeys(ids)
    if schemes.is_live(scoring_model):
        rows = prioritization_selectors.backlog(
            scoring_model=scoring_model, filters=BacklogFilters(stage=ANY_STAGE)
        )
        scored = ((row.feature_id, row.score) for row in rows)
    else:
        scored = prioritization_selectors.stored_scores(scoring_model=scoring_model)
    for pk, score in scored:
        if pk in found and score is not None:
            found[pk] = float(score)
    return found


# The fields of a change the in-memory plan reads (plans.ChangeSpec's).
SPEC_FIELDS = (
    "kind",
    "feature_id",
    "period_start",
    "team_id",
    "team_name",
    "person_weeks",
    "release_id",
    "target_date",
)


def _spec(fields: dict) -> plans.ChangeSpec:
    weeks = fields["person_weeks"]
    return plans.ChangeSpec(
        **{**fields, "person_weeks": float(weeks) if weeks is not None else None}
    )


def change_specs(changes: Iterable[ScenarioChange]) -> list[plans.ChangeSpec]:
    return [_spec({name: getattr(change, name) for name in SPEC_FIELDS}) for change in changes]


def change_specs_of(*, scenario: Scenario) -> list[plans.ChangeSpec]:
    """What the in-memory plan needs of each of the scenario's changes. One lean query
    (no related objects)."""
    rows = ScenarioChange.objects.filter(scenario=scenario).order_by("id").values(*SPEC_FIELDS)
    return [_spec(row) for row in rows]


def throughput_history(
    *, team_ids: Iterable[int], today: dt.date, weeks: int = 26
) -> dict[int, list[int]]:
    """Each team's completed items per week over the `weeks` full weeks before today's.
    Two queries."""
    last = workdays.week_start(today) - dt.timedelta(weeks=1)
    first = last - dt.timedelta(weeks=weeks - 1)
    series = delivery_selectors.throughput(team_ids=team_ids, first=first, last=last)
    return {pk: [week.count for week in found] for pk, found in series.items()}
