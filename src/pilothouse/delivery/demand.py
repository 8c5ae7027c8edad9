"""Capacity and demand of a period, and the status that compares them: plain arithmetic
on values the selectors read in bulk (no database here).

- Capacity of a period: its override if set, else the sum over the team's members of
  allocation x (working weeks in the period - the member's time-off weekdays in it / 5).
  A member with allocations to the team (delivery.Allocation) that meet the period gives
  instead each allocation's percent over the working days it covers in the period, less
  time off; days of the period that none of them covers give nothing.
- A feature's planned window: from its start (or, with only an end, the first day of
  its end's quarter) to its completion or target release date; with no end, a feature
  started or in the "now" column runs to the end of the current quarter, one in "next"
  fills the next quarter, and the rest is unscheduled (counted on no period).
- Demand of a period: each not-done feature's effort low/high spread over the periods
  its window overlaps, by their share of its working days.
- Status: "over_committed" when demand low > capacity, "at_risk" when demand high >
  capacity, else "ok".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pilothouse.delivery import workdays

OK, AT_RISK, OVER_COMMITTED = "ok", "at_risk", "over_committed"
STATUS_LABELS = {OK: "OK", AT_RISK: "At risk", OVER_COMMITTED: "Over-committed"}


def merged(spans: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Spans of days joined where they overlap or touch, so a day counts once."""
    result: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1] + dt.timedelta(days=1):
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def member_weeks(
    *,
    start: dt.date,
    end: dt.date,
    allocation: int,
    time_off: Sequence[tuple[dt.date, dt.date]],
) -> float:
    """Person-weeks one member gives a period: their share of its working weeks, less
    their time off (merged spans) in it."""
    working = workdays.weekdays(start, end)
    away = 0
    for off_start, off_end in merged(time_off):
        shared = workdays.overlap(start, end, off_start, off_end)
        if shared is not None:
            away += workdays.weekdays(*shared)
    return allocation / 100 * (working - away) / workdays.WORKING_DAYS_PER_WEEK


def allocated_weeks(
    *,
    start: dt.date,
    end: dt.date,
    allocations: Sequence[tuple[dt.date, dt.date, int]],
    time_off: Sequence[tuple[dt.date, dt.date]],
) -> float:
    """Person-weeks one member gives a period through their allocations to the team,
    (start, end, percent) each: every allocation's percent of the working days it covers
    in the period, less their time off on those days. Allocations that overlap add up
    (over 100 % is flagged elsewhere, never capped here)."""
    away = merged(time_off)
    weeks = 0.0
    for span_start, span_end, percent in allocations:
        shared = workdays.overlap(start, end, span_start, span_end)
        if shared is None:
            continue
        working = workdays.weekdays(*shared)
        for off_start, off_end in away:
            off = workdays.overlap(shared[0], shared[1], off_start, off_end)
            if off is not None:
                working -= workdays.weekdays(*off)
        weeks += percent / 100 * working / workdays.WORKING_DAYS_PER_WEEK
    return weeks


def member_capacity(
    *,
    start: dt.date,
    end: dt.date,
    allocation: int,
    allocations: Sequence[tuple[dt.date, dt.date, int]],
    time_off: Sequence[tuple[dt.date, dt.date]],
) -> float:
    """A member's person-weeks in [start, end]: from their allocations to the team that
    meet it if there are any, else from their membership share `allocation`."""
    meeting = [span for span in allocations if span[0] <= end and span[1] >= start]
    if meeting:
        return allocated_weeks(start=start, end=end, allocations=meeting, time_off=time_off)
    return member_weeks(start=start, end=end, allocation=allocation, time_off=time_off)


# Thousands of these live through a page's request: slots, no dict each (fewer objects
# for the garbage collector to promote and scan).
@dataclass(frozen=True, slots=True)
class PlannedFeature:
    """What demand needs of a feature assigned to a team."""

    feature_id: int
    effort_low: float | None
    effort_high: float | None
    started_on: dt.date | None
    completed_on: dt.date | None
    release_date: dt.date | None
    horizon: str

    @property
    def estimated(self) -> bool:
        return self.effort_low is not None and self.effort_high is not None


def planned_window(feature: PlannedFeature, *, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """When the feature is planned to take place (see the module's rules), or None."""
    end = feature.completed_on or feature.release_date
    start = feature.started_on
    if end is not None:
        if start is None or start > end:
            start = workdays.period_containing(end, workdays.QUARTER)[0]
        return start, end
    if start is not None or feature.horizon == "now":
        first = start or today
        return first, workdays.period_containing(max(first, today), workdays.QUARTER)[1]
    if feature.horizon == "next":
        current_end = workdays.period_containing(today, workdays.QUARTER)[1]
        return workdays.period_containing(current_end + dt.timedelta(days=1), workdays.QUARTER)
    return None


def share_in(
    window: tuple[dt.date, dt.date], start: dt.date, end: dt.date, *, total: int | None = None
) -> float:
    """The part of a window that falls in [start, end], by working days (by calendar
    days for a window of weekend days only). `total`: the window's working days, if
    known already."""
    shared = workdays.overlap(window[0], window[1], start, end)
    if shared is None:
        return 0.0
    if total is None:
        total = workdays.weekdays(*window)
    if total == 0:
        return ((shared[1] - shared[0]).days + 1) / ((window[1] - window[0]).days + 1)
    return workdays.weekdays(*shared) / total


@dataclass
class PeriodDemand:
    low: float = 0.0
    high: float = 0.0
    unestimated: int = 0  # planned features without both estimates (not counted)
    features: int = 0  # planned features overlapping the period


@dataclass(frozen=True, slots=True)
class Placed:
    """A planned feature with its window, worked out once for every period it is
    weighed against, and the window's working days (counted when not given)."""

    feature: PlannedFeature
    window: tuple[dt.date, dt.date]
    working_days: int = -1

    def __post_init__(self) -> None:
        if self.working_days < 0:
            object.__setattr__(self, "working_days", workdays.weekdays(*self.window))


def placed(features: Iterable[PlannedFeature], *, today: dt.date) -> list[Placed]:
    """The features that have a planned window (the others count in no period)."""
    found = []
    for feature in features:
        window = planned_window(feature, today=today)
        if window is not None:
            found.append(Placed(feature, window))
    return found


def demand_in(
    features: Iterable[PlannedFeature], *, start: dt.date, end: dt.date, today: dt.date
) -> PeriodDemand:
    return demand_of_placed(placed(features, today=today), start=start, end=end)


def demand_of_placed(items: Iterable[Placed], *, start: dt.date, end: dt.date) -> PeriodDemand:
    demand = PeriodDemand()
    for item in items:
        window, feature = item.window, item.feature
        if window[1] < start or window[0] > end:
            continue  # the common case, decided without counting working days
        share = share_in(window, start, end, total=item.working_days)
        if share <= 0:
            continue
        demand.features += 1
        if not feature.estimated:
            demand.unestimated += 1
            continue
        demand.low += feature.effort_low * share
        demand.high += feature.effort_high * share
    return demand


def status_of(*, capacity: float, low: float, high: float) -> str:
    if low > capacity:
        return OVER_COMMITTED
    if high > capacity:
        return AT_RISK
    return OK


def number(value: float) -> str:
    """A figure as people read it: 38, 12.5 (one decimal at most)."""
    rounded = round(value, 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def explain(*, capacity: float, demand: PeriodDemand, status: str) -> str:
    low, high = number(demand.low), number(demand.high)
    amount = low if low == high else f"{low}\u2013{high}"
    text = f"Demand {amount} person-weeks against a capacity of {number(capacity)}"
    if status == OVER_COMMITTED:
        text += ": over-committed even at the low estimates."
    elif status == AT_RISK:
        text += ": over-committed if the high estimates hold."
    else:
        text += "."
    if demand.unestimated:
        text += (
            f" {demand.unestimated} planned feature{'s' if demand.unestimated != 1 else ''}"
            " without an estimate not counted."
        )
    return text
