"""Allocations: each person's share of their time on products and teams, per period.

The reads cost a fixed number of queries whatever the number of people; the arithmetic
works on what they read (plain dates and numbers):

- A person's allocation in a period: every allocation's percent weighted by the working
  days it covers in the period, summed (50 % for one month of a quarter is about 17 %
  of the quarter).
- Over-allocation: the highest total of a person's allocations on any day of a period.
  Over 100 % is allowed, never capped, and flagged with a sentence naming the person,
  the period and the total.
- Product-management capacity, in FTE: the person's FTE x their allocation in the
  period. A product allocation counts for its product; a team allocation for the team's
  products, split evenly (a team without products: for no product).

The grid of people x periods built on these is in allocation_grid.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from pilothouse.core.models import User
from pilothouse.delivery import demand, workdays
from pilothouse.delivery.models import Allocation, Team
from pilothouse.people import privacy
from pilothouse.people.models import Person

FULL_TIME = 100
GRANULARITIES = (workdays.MONTH, workdays.QUARTER)
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|H([12])|(0[1-9]|1[0-2])))?$")


# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    label: str
    is_span: bool = False  # any stretch of days (an allocation's), not a calendar period


def parse_period(text: str, *, field_name: str = "period") -> Period:
    """A period written as objectives write theirs: a year (2026), a half (2026-H2), a
    quarter (2026-Q4) or a month (2026-11). Anything else is refused naming the field."""
    found = _PERIOD.match((text or "").strip())
    if found is None:
        raise ValidationError(
            {
                field_name: f"{text!r} is not a period: use a year (2026), a half (2026-H2), "
                "a quarter (2026-Q4) or a month (2026-11)."
            }
        )
    year, quarter, half, month = found.groups()
    year = int(year)
    if quarter:
        start = dt.date(year, (int(quarter) - 1) * 3 + 1, 1)
        return Period(start, workdays.period_end(start, workdays.QUARTER), f"Q{quarter} {year}")
    if half:
        start = dt.date(year, 1 if half == "1" else 7, 1)
        end = dt.date(year, 6, 30) if half == "1" else dt.date(year, 12, 31)
        return Period(start, end, f"H{half} {year}")
    if month:
        start = dt.date(year, int(month), 1)
        return Period(
            start,
            workdays.period_end(start, workdays.MONTH),
            workdays.period_label(start, workdays.MONTH),
        )
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))


def periods_between(start: dt.date, end: dt.date, granularity: str) -> list[Period]:
    """The months or quarters that meet [start, end], in order."""
    periods = []
    first, last = workdays.period_containing(start, granularity)
    while first <= end:
        periods.append(Period(first, last, workdays.period_label(first, granularity)))
        first, last = workdays.period_containing(last + dt.timedelta(days=1), granularity)
    return periods


def span(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, f"{start.isoformat()} to {end.isoformat()}", is_span=True)


# --- the arithmetic ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    """One allocation as the arithmetic needs it."""

    allocation_id: int
    person_id: int
    start: dt.date
    end: dt.date
    percent: int
    product_id: int | None = None
    team_id: int | None = None


@lru_cache(maxsize=256)  # the same few periods, asked for every share of a grid
def _working_days(start: dt.date, end: dt.date) -> int:
    return workdays.weekdays(start, end)


def covered(share: Share, period: Period) -> float:
    """The part of the period the share covers, by working days (by calendar days for a
    span of weekend days only)."""
    return demand.share_in(
        (period.start, period.end),
        share.start,
        share.end,
        total=_working_days(period.start, period.end),
    )


def weighted_percent(shares: Iterable[Share], period: Period) -> float:
    """A person's allocation in a period: each share's percent weighted by the part of
    the period it covers."""
    return sum(share.percent * covered(share, period) for share in shares)


@dataclass(frozen=True, slots=True)
class Peak:
    """The highest total of a person's allocations on a day of a period, and the first
    stretch of days it lasts."""

    percent: int
    first: dt.date
    last: dt.date


def peak(shares: Iterable[Share], start: dt.date, end: dt.date) -> Peak | None:
    """The highest daily total in [start, end] (None when nothing is allocated then),
    by a sweep over the days where a share begins or ends."""
    changes: dict[dt.date, int] = defaultdict(int)
    for share in shares:
        shared = workdays.overlap(start, end, share.start, share.end)
        if shared is None:
            continue
        changes[shared[0]] += share.percent
        changes[shared[1] + dt.timedelta(days=1)] -= share.percent
    if not changes:
        return None
    days = sorted(changes)
    best: Peak | None = None
    total = 0
    for index, day in enumerate(days[:-1]):
        total += changes[day]
        if total > 0 and (best is None or total > best.percent):
            best = Peak(total, day, days[index + 1] - dt.timedelta(days=1))
    return best


@dataclass(frozen=True, slots=True)
class OverAllocation:
    person_id: int
    person_name: str
    period: Period
    peak: Peak

    @property
    def message(self) -> str:
        first, last = self.peak.first, self.peak.last
        days = (
            f"on {first.isoformat()}"
            if first == last
            else f"from {first.isoformat()} to {last.isoformat()}"
        )
        whole = (first, last) == (self.period.start, self.period.end)
        if self.period.is_span:
            when = days if whole else f"{days} (within {self.period.label})"
        else:
            when = f"in all of {self.period.label}" if whole else f"in {self.period.label} ({days})"
        return f"{self.person_name} is allocated {self.peak.percent} % {when}, over 100 %."


def over_allocation(
    *, person_id: int, person_name: str, shares: Sequence[Share], period: Period
) -> OverAllocation | None:
    """The flag of a person over 100 % on some day of the period, or None."""
    highest = peak(shares, period.start, period.end)
    if highest is None or highest.percent <= FULL_TIME:
        return None
    return OverAllocation(person_id, person_name, period, highest)


def product_split(
    share: Share, team_products: Mapping[int, Sequence[int]]
) -> list[tuple[int | None, float]]:
    """(product id or None, part) pairs a share counts for: its product, or its team's
    products evenly."""
    if share.product_id is not None:
        return [(share.product_id, 1.0)]
    products = team_products.get(share.team_id, ()) if share.team_id is not None else ()
    if not products:
        return [(None, 1.0)]
    return [(product_id, 1.0 / len(products)) for product_id in products]


# --- reads ------------------------------------------------------------------------------


def allocation_list() -> QuerySet[Allocation]:
    return Allocation.objects.select_related(
        "person", "product", "product__product_line", "team"
    ).order_by("person__name", "start", "id")


def visible(queryset: QuerySet[Allocation], user: User | None) -> QuerySet[Allocation]:
    """The allocations of the people `user` may see listed (a private person's only for
    those who may see their private data: people.privacy)."""
    return queryset.filter(person__in=privacy.listed_people(Person.objects.all(), user))


def overlapping(queryset: QuerySet[Allocation], start: dt.date, end: dt.date):
    return queryset.filter(start__lte=end, end__gte=start)


def share_of(allocation: Allocation) -> Share:
    return Share(
        allocation_id=allocation.pk,
        person_id=allocation.person_id,
        start=allocation.start,
        end=allocation.end,
        percent=allocation.percent,
        product_id=allocation.product_id,
        team_id=allocation.team_id,
    )


def shares_of_people(
    *, person_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[Share]]:
    """Each person's shares that meet [start, end]. One query."""
    rows = Allocation.objects.filter(
        person_id__in=set(person_ids), start__lte=end, end__gte=start
    ).values_list("pk", "person_id", "start", "end", "percent", "product_id", "team_id")
    found: dict[int, list[Share]] = defaultdict(list)
    for row in rows:
        found[row[1]].append(Share(*row))
    return found


def decorate_allocations(allocations: list[Allocation]) -> None:
    """Set `over_allocation` (the flag, or None) on each allocation: whether its person
    is over 100 % on some day of its span. One query for any number of them."""
    if not allocations:
        return
    shares = shares_of_people(
        person_ids=[allocation.person_id for allocation in allocations],
        start=min(allocation.start for allocation in allocations),
        end=max(allocation.end for allocation in allocations),
    )
    for allocation in allocations:
        allocation.over_allocation = over_allocation(
            person_id=allocation.person_id,
            person_name=allocation.person.name,
            shares=shares.get(allocation.person_id, []),
            period=span(allocation.start, allocation.end),
        )


def over_allocations(
    *, user: User | None, start: dt.date, end: dt.date, granularity: str | None
) -> list[OverAllocation]:
    """Every person over 100 % on some day, per month or quarter of [start, end] (or
    over the whole span when `granularity` is None), by person then period. Two
    queries: who may be listed, and the allocations with their people."""
    rows = overlapping(visible(Allocation.objects.select_related("person"), user), start, end)
    by_person: dict[int, list[Share]] = defaultdict(list)
    names: dict[int, str] = {}
    for allocation in rows.order_by("person__name", "person_id", "start"):
        by_person[allocation.person_id].append(share_of(allocation))
        names[allocation.person_id] = allocation.person.name
    if granularity is None:
        periods = [span(start, end)]
    else:
        periods = periods_between(start, end, granularity)
    flags = []
    for person_id, shares in by_person.items():
        for period in periods:
            flag = over_allocation(
                person_id=person_id, person_name=names[person_id], shares=shares, period=period
            )
            if flag is not None:
                flags.append(flag)
    return flags


def team_products(*, team_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each team's product ids. One query (none without teams)."""
    ids = set(team_ids)
    if not ids:
        return {}
    found: dict[int, list[int]] = defaultdict(list)
    rows = Team.products.through.objects.filter(team_id__in=ids).order_by("product_id")
    for team_id, product_id in rows.values_list("team_id", "product_id"):
        found[team_id].append(product_id)
    return found
