"""Every read of delivery used by views and the API, each a fixed number of queries
whatever the number of teams, members, periods or features."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from pilothouse.delivery import demand, workdays
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import FeatureStage

# Stages whose work is over: their features add no demand.
DONE_STAGES = (FeatureStage.RELEASED, FeatureStage.MEASURED, FeatureStage.REJECTED)
# A throughput series covers at most this many weeks (five years).
MAX_THROUGHPUT_WEEKS = 261
FULL_ALLOCATION = 100


# --- lists of the CRUD resources -------------------------------------------------------


def team_list() -> QuerySet[Team]:
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    return (
        Team.objects.select_related("lead")
        .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name")))
        .annotate(member_count=Count("members", distinct=True))
        .order_by(*Team._meta.ordering)
    )


def team_detail(*, pk: int) -> Team:
    return team_list().get(pk=pk)


def team_member_list() -> QuerySet[TeamMember]:
    return TeamMember.objects.select_related("team", "person").order_by(
        "team__name", "person__name"
    )


def time_off_list() -> QuerySet[TimeOff]:
    return TimeOff.objects.select_related("person").order_by("start", "id")


def capacity_period_list() -> QuerySet[CapacityPeriod]:
    return CapacityPeriod.objects.select_related("team").order_by("team__name", "start")


def assignment_list() -> QuerySet[FeatureAssignment]:
    return FeatureAssignment.objects.select_related("team", "feature", "feature__product").order_by(
        "team_id", "queue_rank", "id"
    )


def work_item_list() -> QuerySet[WorkItem]:
    return WorkItem.objects.select_related("team").order_by("-completed_on", "-id")


def team_choices() -> QuerySet[Team]:
    return Team.objects.only("id", "name").order_by("name")


# --- allocation -----------------------------------------------------------------------


def allocation_totals(*, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's allocation summed over all their teams, in percent. One query."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = (
        TeamMember.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(total=Sum("allocation"))
        .order_by()
    )
    return {row["person_id"]: row["total"] for row in rows}


def decorate_members(members: Sequence[TeamMember]) -> None:
    """Set `total_allocation` (percent, over all teams) and `over_allocated` on each."""
    totals = allocation_totals(person_ids=[member.person_id for member in members])
    for member in members:
        member.total_allocation = totals.get(member.person_id, member.allocation)
        member.over_allocated = member.total_allocation > FULL_ALLOCATION


def members_of(*, team: Team) -> list[TeamMember]:
    """The team's members with `total_allocation` and `over_allocated`. One query."""
    totals = (
        TeamMember.objects.filter(person_id=OuterRef("person_id"))
        .order_by()
        .values("person_id")
        .annotate(total=Sum("allocation"))
        .values("total")
    )
    members = list(
        team_member_list()
        .filter(team=team)
        .annotate(total_allocation=Subquery(totals, output_field=IntegerField()))
    )
    for member in members:
        member.over_allocated = member.total_allocation > FULL_ALLOCATION
    return members


def time_off_of(*, team: Team, since: dt.date) -> list[TimeOff]:
    """The time off of the team's members that ends on or after `since`."""
    return list(
        time_off_list().filter(person__team_memberships__team=team, end__gte=since).distinct()
    )


# --- capacity and demand ---------------------------------------------------------------


@dataclass
class PeriodFigures:
    period: CapacityPeriod
    capacity: float
    computed: bool  # False: the period's override
    demand: demand.PeriodDemand
    status: str
    explanation: str

    @property
    def status_label(self) -> str:
        return demand.STATUS_LABELS[self.status]

    @property
    def demand_low(self) -> float:
        return round(self.demand.low, 1)

    @property
    def demand_high(self) -> float:
        return round(self.demand.high, 1)

    @property
    def capacity_rounded(self) -> float:
        return round(self.capacity, 1)


# What gives a not-done feature a planned window (demand.planned_window): without any
# of it, a feature counts in no period, and is not read.
SCHEDULED = (
    Q(feature__target_release__target_date__isnull=False)
    | Q(feature__started_on__isnull=False)
    | Q(feature__horizon__in=["now", "next"])
)


def planned_features(*, team_ids: Iterable[int]) -> dict[int, list[demand.PlannedFeature]]:
    """The not-done features in each team's queue that are planned in time (the others
    count in no period), as demand needs them. One query."""
    return defaultdict(list, _planned_by_team(team_ids))


def planned_assignments(*, team_ids: Iterable[int]) -> QuerySet[FeatureAssignment]:
    """The teams' assignments of not-done features that are planned in time, with their
    efforts as floats (`low`, `high`): what PLANNED_COLUMNS reads."""
    return (
        FeatureAssignment.objects.filter(team_id__in=set(team_ids), feature__completed_on=None)
        .exclude(feature__stage__in=DONE_STAGES)
        .filter(SCHEDULED)
        # Floats from the database: thousands of rows, and a Decimal costs more to make.
        .annotate(
            low=Cast("feature__effort_low", FloatField()),
            high=Cast("feature__effort_high", FloatField()),
        )
    )


PLANNED_COLUMNS = (
    "team_id",
    "feature_id",
    "low",
    "high",
    "feature__started_on",
    "feature__target_release__target_date",
    "feature__horizon",
)


def planned_by_team(rows: Iterable[tuple]) -> Iterator[tuple[int, list[demand.PlannedFeature]]]:
    """(team, its planned features) from rows of PLANNED_COLUMNS ordered by team, one
    team at a time as they are used."""
    for team_id, team_rows in groupby(rows, key=itemgetter(0)):
        yield (
            team_id,
            [
                demand.PlannedFeature(
                    feature_id=pk,
                    effort_low=low,
                    effort_high=high,
                    started_on=started,
                    completed_on=None,  # read only while not done
                    release_date=release,
                    horizon=horizon,
                )
                for _, pk, low, high, started, release, horizon in team_rows
            ],
        )


def _planned_by_team(
    team_ids: Iterable[int],
) -> Iterator[tuple[int, list[demand.PlannedFeature]]]:
    """planned_features one team at a time, read as they are used: a page over many
    teams never holds every team's features at once. One query."""
    rows = planned_assignments(team_ids=team_ids).order_by("team_id")
    return planned_by_team(rows.values_list(*PLANNED_COLUMNS).iterator(chunk_size=1000))


# A member's allocations to their team: (start, end, percent), by team then person.
Allocated = Mapping[int, Mapping[int, list[tuple[dt.date, dt.date, int]]]]


def _members_and_time_off(
    *, team_ids: set[int], first: dt.date, last: dt.date
) -> tuple[
    dict[int, list[tuple[int, int]]],
    dict[int, list[tuple[dt.date, dt.date]]],
    dict[int, dict[int, list[tuple[dt.date, dt.date, int]]]],
]:
    """Each team's (person, allocation), each of those people's time off that meets
    [first, last], and their allocations to that team that meet it. One query: the
    members joined to their time off and to their allocations to the team."""
    away_then = FilteredRelation(
        "person__time_off",
        condition=Q(person__time_off__start__lte=last, person__time_off__end__gte=first),
    )
    allocated_then = FilteredRelation(
        "person__allocations",
        condition=Q(
            person__allocations__team_id=F("team_id"),
            person__allocations__start__lte=last,
            person__allocations__end__gte=first,
        ),
    )
    rows = (
        TeamMember.objects.filter(team_id__in=team_ids)
        .annotate(away=away_then, allocated=allocated_then)
        .values_list(
            "team_id",
            "person_id",
            "allocation",
            "away__start",
            "away__end",
            "allocated__id",
            "allocated__start",
            "allocated__end",
            "allocated__percent",
        )
    )
    allocations: dict[int, dict[int, int]] = defaultdict(dict)
    spans: dict[int, set[tuple[dt.date, dt.date]]] = defaultdict(set)
    shares: dict[tuple[int, int], dict[int, tuple[dt.date, dt.date, int]]] = defaultdict(dict)
    for team_id, person_id, allocation, start, end, *allocated in rows:
        allocations[team_id][person_id] = allocation  # one row per time off x allocation
        if start is not None:
            spans[person_id].add((start, end))  # a person on two teams: read twice
        if allocated[0] is not None:
            shares[(team_id, person_id)][allocated[0]] = tuple(allocated[1:])
    members = {team_id: list(people.items()) for team_id, people in allocations.items()}
    allocated_to: dict[int, dict[int, list[tuple[dt.date, dt.date, int]]]] = defaultdict(dict)
    for (team_id, person_id), found in shares.items():
        allocated_to[team_id][person_id] = list(found.values())
    return members, {person_id: list(found) for person_id, found in spans.items()}, allocated_to


def period_figures(
    *,
    periods: Sequence[CapacityPeriod],
    today: dt.date,
    planned: Mapping[int, list[demand.PlannedFeature]] | None = None,
) -> dict[int, PeriodFigures]:
    """Capacity, demand and status of each period (by id). Two queries in all: the
    members of their teams with their time off, the teams' planned features (none when
    the caller has read them already: `planned`, from planned_features)."""
    if not periods:
        return {}
    team_ids = {period.team_id for period in periods}
    features = planned.items() if planned is not None else _planned_by_team(team_ids)
    return figures_of_planned(periods=periods, today=today, planned=features)


def figures_of_planned(
    *,
    periods: Sequence[CapacityPeriod],
    today: dt.date,
    planned: Iterable[tuple[int, list[demand.PlannedFeature]]],
) -> dict[int, PeriodFigures]:
    """period_figures given the teams' planned features as (team, features) pairs, which
    may come one team at a time (planned_by_team). One query: the members of the teams
    with their time off and allocations."""
    if not periods:
        return {}
    team_ids = {period.team_id for period in periods}
    first = min(period.start for period in periods)
    last = max(period.end for period in periods)
    members, away, allocated = _members_and_time_off(team_ids=team_ids, first=first, last=last)
    return _figures(
        periods=periods,
        members=members,
        away=away,
        allocated=allocated,
        planned=planned,
        today=today,
    )


def _figures(
    *,
    periods: Sequence[CapacityPeriod],
    members: Mapping[int, list[tuple[int, int]]],
    away: Mapping[int, list[tuple[dt.date, dt.date]]],
    allocated: Allocated,
    planned: Iterable[tuple[int, list[demand.PlannedFeature]]],
    today: dt.date,
) -> dict[int, PeriodFigures]:
    """The arithmetic of period_figures on what it read: each team's (person,
    allocation), each person's time off, each member's allocations to the team, and
    (team, planned features) pairs, one team at a time."""
    by_team: dict[int, list[CapacityPeriod]] = defaultdict(list)
    for period in periods:
        by_team[period.team_id].append(period)
    figures = {}

    def weigh(team_id: int, placed: list[demand.Placed]) -> None:
        for period in by_team.pop(team_id, []):
            figures[period.pk] = _period_figures(
                period,
                members=members.get(team_id, []),
                away=away,
                allocated=allocated.get(team_id, {}),
                placed=placed,
            )

    for team_id, features in planned:
        # Each feature's window once per team, not once per period.
        weigh(team_id, demand.placed(features, today=today))
    for team_id in list(by_team):  # the teams without planned features
        weigh(team_id, [])
    return figures


def _period_figures(
    period: CapacityPeriod,
    *,
    members: list[tuple[int, int]],
    away: Mapping[int, list[tuple[dt.date, dt.date]]],
    allocated: Mapping[int, list[tuple[dt.date, dt.date, int]]],
    placed: list[demand.Placed],
) -> PeriodFigures:
    if period.person_weeks is not None:
        capacity, computed = float(period.person_weeks), False
    else:
        capacity = sum(
            demand.member_capacity(
                start=period.start,
                end=period.end,
                allocation=allocation,
                allocations=allocated.get(person_id, ()),
                time_off=away.get(person_id, []),
            )
            for person_id, allocation in members
        )
        computed = True
    wanted = demand.demand_of_placed(placed, start=period.start, end=period.end)
    status = demand.status_of(capacity=capacity, low=wanted.low, high=wanted.high)
    return PeriodFigures(
        period=period,
        capacity=capacity,
        computed=computed,
        demand=wanted,
        status=status,
        explanation=demand.explain(capacity=capacity, demand=wanted, status=status),
    )


def team_capacity(*, team: Team, today: dt.date) -> list[PeriodFigures]:
    """Every period of a team, in order, with its figures. Three queries."""
    periods = list(CapacityPeriod.objects.filter(team=team).order_by("start"))
    figures = period_figures(periods=periods, today=today)
    return [figures[period.pk] for period in periods]


def upcoming_figures(
    *, team_ids: Iterable[int], today: dt.date, count: int = 2
) -> dict[int, list[PeriodFigures]]:
    """Each team's first `count` periods that have not ended (this one and the next),
    with their figures. Three queries whatever the number of teams."""
    ranked = (
        CapacityPeriod.objects.filter(team_id__in=set(team_ids), end__gte=today)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("team_id")], order_by=[F("start").asc()])
        )
        .order_by("team_id", "start")
    )
    periods = [period for period in ranked if period.position <= count]
    figures = period_figures(periods=periods, today=today)
    found: dict[int, list[PeriodFigures]] = defaultdict(list)
    for period in periods:
        found[period.team_id].append(figures[period.pk])
    return found


def figures_between(
    *,
    team_ids: Iterable[int],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    planned: Mapping[int, list[demand.PlannedFeature]] | None = None,
) -> dict[int, list[PeriodFigures]]:
    """Each team's periods that meet [start, end], in order, with their figures."""
    periods = list(
        CapacityPeriod.objects.filter(
            team_id__in=set(team_ids), start__lte=end, end__gte=start
        ).order_by("team_id", "start")
    )
    figures = period_figures(periods=periods, today=today, planned=planned)
    found: dict[int, list[PeriodFigures]] = defaultdict(list)
    for period in periods:
        found[period.team_id].append(figures[period.pk])
    return found


def team_figures_between(
    *,
    team_id: int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    planned: list[demand.PlannedFeature],
) -> list[PeriodFigures]:
    """One team's periods that meet [start, end], in order, with their figures, given
    the team's `planned` features (planned_features). One query: the periods joined to
    the team's members, to their time off in each and to their allocations to the team
    in each, a few rows for one team and a short span (figures_between reads many
    teams' apart, in three)."""
    away_then = FilteredRelation(
        "team__members__person__time_off",
        condition=Q(
            team__members__person__time_off__start__lte=F("end"),
            team__members__person__time_off__end__gte=F("start"),
        ),
    )
    allocated_then = FilteredRelation(
        "team__members__person__allocations",
        condition=Q(
            team__members__person__allocations__team_id=F("team_id"),
            team__members__person__allocations__start__lte=F("end"),
            team__members__person__allocations__end__gte=F("start"),
        ),
    )
    rows = (
        CapacityPeriod.objects.filter(team_id=team_id, start__lte=end, end__gte=start)
        .annotate(away=away_then, allocated=allocated_then)
        .annotate(
            member_id=F("team__members__person_id"),
            member_allocation=F("team__members__allocation"),
            away_start=F("away__start"),
            away_end=F("away__end"),
            allocated_id=F("allocated__id"),
            allocated_start=F("allocated__start"),
            allocated_end=F("allocated__end"),
            allocated_percent=F("allocated__percent"),
        )
        .order_by("start")
    )
    periods: dict[int, CapacityPeriod] = {}
    allocations: dict[int, int] = {}
    away: dict[int, set[tuple[dt.date, dt.date]]] = defaultdict(set)
    shares: dict[int, dict[int, tuple[dt.date, dt.date, int]]] = defaultdict(dict)
    for row in rows:  # a period once per member, span of time off and allocation
        periods.setdefault(row.pk, row)
        if row.member_id is not None:
            allocations[row.member_id] = row.member_allocation
        if row.away_start is not None:
            away[row.member_id].add((row.away_start, row.away_end))
        if row.allocated_id is not None:
            shares[row.member_id][row.allocated_id] = (
                row.allocated_start,
                row.allocated_end,
                row.allocated_percent,
            )
    figures = _figures(
        periods=list(periods.values()),
        members={team_id: list(allocations.items())},
        away={person_id: list(spans) for person_id, spans in away.items()},
        allocated={
            team_id: {person_id: list(found.values()) for person_id, found in shares.items()}
        },
        planned=[(team_id, planned)],
        today=today,
    )
    return [figures[pk] for pk in periods]


# --- the queue ------------------------------------------------------------------------


def team_queue(*, team: Team) -> list[FeatureAssignment]:
    """The team's assignments in queue order, each with `position` (from 1) and
    `no_estimate` (the feature lacks a low or high effort)."""
    queue = list(
        FeatureAssignment.objects.filter(team=team)
        .select_related("feature", "feature__product", "feature__target_release")
        .order_by("queue_rank", "id")
    )
    for position, item in enumerate(queue, start=1):
        item.position = position
        item.no_estimate = item.feature.effort_low is None or item.feature.effort_high is None
    return queue


def assignment_of(*, feature_id: int) -> FeatureAssignment | None:
    """A feature's assignment with its team and `position` in the queue (from 1), or
    None. One query."""
    ahead = FeatureAssignment.objects.filter(team_id=OuterRef("team_id")).filter(
        Q(queue_rank__lt=OuterRef("queue_rank"))
        | Q(queue_rank=OuterRef("queue_rank"), id__lt=OuterRef("pk"))
    )
    counted = ahead.order_by().values("team_id").annotate(n=Count("pk")).values("n")
    found = (
        FeatureAssignment.objects.select_related("team")
        .filter(feature_id=feature_id)
        .annotate(ahead=Coalesce(Subquery(counted, output_field=IntegerField()), 0))
        .first()
    )
    if found is not None:
        found.position = found.ahead + 1
    return found


# --- throughput -----------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    start: dt.date  # a Monday
    count: int

    def over(self, today: dt.date) -> bool:
        """Whether the week ended before `today` (its count is final)."""
        return self.start + dt.timedelta(days=6) < today


def throughput_window(start: dt.date | None, end: dt.date | None, *, today: dt.date, weeks: int):
    """The (first Monday, last Monday) of a throughput series: by default the `weeks`
    weeks up to today's. Reversed or too long a range is refused naming the field."""
    last = workdays.week_start(end or today)
    first = workdays.week_start(start) if start else last - dt.timedelta(weeks=weeks - 1)
    if first > last:
        raise ValidationError({"from": "The start of the range is after its end."})
    if (last - first).days // 7 + 1 > MAX_THROUGHPUT_WEEKS:
        raise ValidationError(
            {"from": f"A range covers at most {MAX_THROUGHPUT_WEEKS} weeks (five years)."}
        )
    return first, last


def throughput(*, team_ids: Iterable[int], first: dt.date, last: dt.date) -> dict[int, list[Week]]:
    """Completed items per ISO week (Monday to Sunday) per team, every week from the
    Monday `first` to the Monday `last`, empty weeks included: the team's assigned
    features completed in that week plus its work items. Two queries (counted per day
    in SQL, bucketed into weeks here, bounded by the window)."""
    ids = set(team_ids)
    end = last + dt.timedelta(days=6)
    per_day: dict[int, dict[dt.date, int]] = {pk: defaultdict(int) for pk in ids}
    features = (
        FeatureAssignment.objects.filter(
            team_id__in=ids, feature__completed_on__gte=first, feature__completed_on__lte=end
        )
        .values_list("team_id", "feature__completed_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = (
        WorkItem.objects.filter(team_id__in=ids, completed_on__gte=first, completed_on__lte=end)
        .values_list("team_id", "completed_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for rows in (features, items):
        for team_id, day, n in rows:
            per_day[team_id][workdays.week_start(day)] += n
    weeks = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return {pk: [Week(start=week, count=per_day[pk].get(week, 0)) for week in weeks] for pk in ids}
