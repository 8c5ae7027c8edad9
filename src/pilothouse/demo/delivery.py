"""The demo's delivery teams: teams over the products, members drawn from the product
organization (a few allocated over 100 % across teams), some time off, quarterly capacity
periods for this and the next three quarters (monthly ones for one team), queues of the
teams' features, and two years of weekly work-item history per team (busy and quiet
weeks, holidays at zero) so that throughput charts and forecasts have data.

At least one team is over-committed next quarter: if the generated demand leaves every
team within capacity, the busiest one gets a reduced capacity for it ("two engineers
lent to another team"), so the flag shows on the team list, the team page, the roadmap
and the API. Likewise at least one team is at risk in a quarter after next (where the
rough plan of the "later" column lies, demo.rough_plan), if none is already.

It runs last and draws from its own random stream, so adding it changed nothing else the
generator makes. Rows are inserted in bulk; being generated, they write no change records.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pilothouse.core.ordering import RANK_STEP
from pilothouse.delivery import demand, selectors, workdays
from pilothouse.delivery.models import (
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
    WorkItem,
)
from pilothouse.demo.clock import Clock
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.roadmap import Roadmap
from pilothouse.demo.rough_plan import quarters_after_next
from pilothouse.demo.rows import Rows
from pilothouse.people.models import Person
from pilothouse.roadmap.models import FeatureStage

F = FeatureStage
TEAM_NAMES = (
    "Atlas", "Beacon", "Comet", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris",
    "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orbit", "Pioneer", "Quartz",
    "Raven", "Summit", "Tundra", "Umbra", "Vector", "Willow", "Xenon", "Yarrow", "Zephyr",
    "Aurora", "Basalt", "Cedar", "Drift", "Echo", "Fjord", "Glacier", "Helix", "Indigo",
    "Jade", "Kite", "Lotus", "Mosaic", "Nova",
)  # fmt: skip
ROLES = ("Engineer", "Engineer", "Engineer", "Senior engineer", "Designer", "QA engineer")
WORK_VERBS = ("Fix", "Add", "Refactor", "Polish", "Migrate", "Speed up", "Document", "Test")
WORK_NOUNS = (
    "login flow", "export", "settings page", "search results", "billing webhook",
    "onboarding step", "API pagination", "audit log", "mobile layout", "email digest",
    "permissions check", "CSV import", "dashboard filter", "error messages", "caching",
)  # fmt: skip
# Queue order: work under way first, then what is planned, then candidates, then ideas.
QUEUE_ORDER = {F.IN_PROGRESS: 0, F.PLANNED: 1, F.CANDIDATE: 2, F.IDEA: 3}
HISTORY_WEEKS = 104
QUARTERS_AHEAD = 4  # this quarter and the next three
MONTHS_AHEAD = 12  # for the team planned by month
WORK_ITEM_FIELDS = (
    "team_id",
    "title",
    "external_id",
    "completed_on",
    "source",
    "version",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class DeliverySummary:
    teams: int
    team_members: int
    time_off: int
    capacity_periods: int
    feature_assignments: int
    work_items: int


def create_delivery(
    *,
    portfolio: Portfolio,
    roadmap: Roadmap,
    clock: Clock,
    seed: int,
    teams: int,
    batch_size: int,
) -> DeliverySummary:
    rng = random.Random(f"delivery-{seed}")
    products = portfolio.products
    count = max(1, min(teams, len(products), len(TEAM_NAMES)))
    made = _teams(portfolio=portfolio, count=count)
    members = _members(made, rng=rng, batch_size=batch_size)
    away = _time_off(members, clock=clock, rng=rng, batch_size=batch_size)
    periods = _periods(made, clock=clock, batch_size=batch_size)
    assignments = _assignments(made, roadmap=roadmap, rng=rng, batch_size=batch_size)
    _over_commit_one(made, clock=clock)
    _strain_one_later_quarter(made, clock=clock)
    work_items = _history(made, clock=clock, rng=rng, batch_size=batch_size)
    return DeliverySummary(
        teams=len(made),
        team_members=len(members),
        time_off=away,
        capacity_periods=periods,
        feature_assignments=assignments,
        work_items=work_items,
    )


def _teams(*, portfolio: Portfolio, count: int) -> list[Team]:
    """`count` teams; the products dealt out to them in turn, so every product has one."""
    groups: list[list] = [[] for _ in range(count)]
    for index, demo in enumerate(portfolio.products):
        groups[index % count].append(demo)
    teams = Team.objects.bulk_create(
        Team(
            name=f"{TEAM_NAMES[index]} team",
            description=f"Builds {', '.join(d.product.name for d in group)}.",
            lead=group[0].lead.person,
        )
        for index, group in enumerate(groups)
    )
    links = [
        Team.products.through(team_id=team.pk, product_id=demo.product.pk)
        for team, group in zip(teams, groups, strict=True)
        for demo in group
    ]
    Team.products.through.objects.bulk_create(links)
    return teams


def _members(teams: Sequence[Team], *, rng: random.Random, batch_size: int) -> list[TeamMember]:
    """Five to nine people per team, mostly full time; people left over join a second team
    part time, and a few of those end up over 100 %."""
    people = list(Person.objects.order_by("id").values_list("id", flat=True))
    rng.shuffle(people)
    rows: list[TeamMember] = []
    cursor = 0
    for team in teams:
        size = rng.randint(5, 9)
        chosen = [people[(cursor + i) % len(people)] for i in range(size)]
        cursor += size
        for person_id in dict.fromkeys(chosen):
            allocation = 100 if rng.random() < 0.7 else rng.choice((50, 60, 80))
            rows.append(
                TeamMember(
                    team=team, person_id=person_id, allocation=allocation, role=rng.choice(ROLES)
                )
            )
    taken = {(row.team_id, row.person_id) for row in rows}
    for row in rng.sample(rows, k=max(2, len(rows) // 10)):
        other = rng.choice(teams)
        if (other.pk, row.person_id) in taken:
            continue
        taken.add((other.pk, row.person_id))
        rows.append(
            TeamMember(team=other, person_id=row.person_id, allocation=rng.choice((20, 40, 50)))
        )
    return TeamMember.objects.bulk_create(rows, batch_size=batch_size)


def _time_off(
    members: Sequence[TeamMember], *, clock: Clock, rng: random.Random, batch_size: int
) -> int:
    people = sorted({member.person_id for member in members})
    rows = []
    for person_id in rng.sample(people, k=max(1, len(people) // 5)):
        start = clock.days_ahead(rng.randint(-20, 160))
        rows.append(
            TimeOff(
                person_id=person_id,
                start=start,
                end=start + dt.timedelta(days=rng.randint(2, 13)),
                note=rng.choice(("Holiday", "Conference", "Parental leave", "Training", "")),
            )
        )
    return len(TimeOff.objects.bulk_create(rows, batch_size=batch_size))


def _periods(teams: Sequence[Team], *, clock: Clock, batch_size: int) -> int:
    """Quarterly periods from this quarter on; the last team plans by month."""
    rows = []
    for index, team in enumerate(teams):
        monthly = index == len(teams) - 1 and len(teams) > 1
        granularity = workdays.MONTH if monthly else workdays.QUARTER
        start = workdays.period_containing(clock.today, granularity)[0]
        for _ in range(MONTHS_AHEAD if monthly else QUARTERS_AHEAD):
            end = workdays.period_end(start, granularity)
            rows.append(CapacityPeriod(team=team, granularity=granularity, start=start, end=end))
            start = end + dt.timedelta(days=1)
    return len(CapacityPeriod.objects.bulk_create(rows, batch_size=batch_size))


def _assignments(
    teams: Sequence[Team], *, roadmap: Roadmap, rng: random.Random, batch_size: int
) -> int:
    """Most upcoming features of a team's products, in queue order, and most finished
    ones (their completion dates count in the throughput); the rest stay unassigned."""
    team_of = dict(
        Team.products.through.objects.filter(team__in=teams).values_list("product_id", "team_id")
    )
    queues: dict[int, list] = {team.pk: [] for team in teams}
    done: list[FeatureAssignment] = []
    for feature in roadmap.features:
        team_id = team_of.get(feature.product_id)
        if team_id is None:
            continue
        if feature.stage in QUEUE_ORDER and rng.random() < 0.75:
            queues[team_id].append(feature)
        elif feature.completed_on is not None and rng.random() < 0.85:
            done.append(FeatureAssignment(feature=feature, team_id=team_id, queue_rank=0))
    rows = list(done)
    for team_id, features in queues.items():
        features.sort(key=lambda f: (QUEUE_ORDER[f.stage], f.horizon_rank, f.pk))
        rows += [
            FeatureAssignment(feature=feature, team_id=team_id, queue_rank=index * RANK_STEP)
            for index, feature in enumerate(features)
        ]
    return len(FeatureAssignment.objects.bulk_create(rows, batch_size=batch_size))


def _over_commit_one(teams: Sequence[Team], *, clock: Clock) -> None:
    """Make sure the demo shows an over-committed team next quarter (see the module)."""
    next_start = workdays.period_containing(clock.today, workdays.QUARTER)[1]
    next_start += dt.timedelta(days=1)
    periods = list(
        CapacityPeriod.objects.filter(
            team__in=teams, granularity=workdays.QUARTER, start=next_start
        ).order_by("team_id")
    )
    figures = selectors.period_figures(periods=periods, today=clock.today)
    if any(f.status == demand.OVER_COMMITTED for f in figures.values()):
        return
    busiest = max(figures.values(), key=lambda f: (f.demand.low, -f.period.pk), default=None)
    if busiest is None or busiest.demand.low <= 1:
        return
    period = busiest.period
    period.person_weeks = Decimal(math.floor(busiest.demand.low * 0.7))
    period.note = "Two engineers lent to the platform migration."
    period.save(update_fields=["person_weeks", "note"])


def _strain_one_later_quarter(teams: Sequence[Team], *, clock: Clock) -> None:
    """Make sure a quarter after next shows a team at risk (see the module): the team
    whose rough plan fills its quarter most loses some capacity to other work."""
    starts = [quarter.start for quarter in quarters_after_next(clock.today)]
    periods = list(
        CapacityPeriod.objects.filter(
            team__in=teams, granularity=workdays.QUARTER, start__in=starts
        ).order_by("team_id", "start")
    )
    figures = selectors.period_figures(periods=periods, today=clock.today)
    if any(f.status != demand.OK for f in figures.values()):
        return
    fullest = max(
        figures.values(),
        key=lambda f: (f.demand.high / f.capacity if f.capacity else 0, -f.period.pk),
        default=None,
    )
    if fullest is None or fullest.demand.high < 2:
        return
    low, high = fullest.demand.low, fullest.demand.high
    period = fullest.period
    period.person_weeks = Decimal(math.ceil(low + (high - low) / 3))  # between low and high
    period.note = "Part of the team joins the data platform rebuild this quarter."
    period.save(update_fields=["person_weeks", "note"])


def _history(teams: Sequence[Team], *, clock: Clock, rng: random.Random, batch_size: int) -> int:
    """Weekly completed work items over the last two years: each team has its own pace,
    busier in some stretches than others; the weeks around new year are nearly empty and
    a few others are empty too."""
    rows = Rows(WorkItem, WORK_ITEM_FIELDS, own_ids=False)
    last_week = workdays.week_start(clock.today) - dt.timedelta(weeks=1)
    first_week = last_week - dt.timedelta(weeks=HISTORY_WEEKS - 1)
    batch: list[tuple] = []
    for team in teams:
        pace = rng.uniform(2.5, 8.0)
        key = team.name.split()[0].upper()[:4]
        serial = 0
        for week_index in range(HISTORY_WEEKS):
            week = first_week + dt.timedelta(weeks=week_index)
            season = 1 + 0.35 * math.sin(week_index / 8 + pace)
            holiday = (week.month == 12 and week.day >= 22) or (week.month == 1 and week.day <= 4)
            if (holiday and rng.random() < 0.8) or rng.random() < 0.04:
                continue
            count = max(0, round(rng.gauss(pace * season, pace * 0.4)))
            for _ in range(count):
                serial += 1
                day = week + dt.timedelta(days=rng.randint(0, 4))
                stamp = clock.moment(day)
                batch.append(
                    (
                        team.pk,
                        f"{rng.choice(WORK_VERBS)} {rng.choice(WORK_NOUNS)}",
                        f"{key}-{serial}",
                        day,
                        "tracker",
                        1,
                        stamp,
                        stamp,
                    )
                )
            if len(batch) >= batch_size:
                rows.insert(batch)
                batch = []
    rows.insert(batch)
    return rows.count
