"""The demo's capacity allocations and hiring plan.

Allocations, per quarter of the current year: each PM on their product (a quarter of
them split with a second product of their line, a few moved to another product from
the third quarter), each group PM across the products of their group, designers and
researchers on the delivery team they are members of (at their membership's share,
so the teams' capacity is what it was) or else on a product of their line. A few PMs
also cover a colleague's product this quarter, which takes them over 100 %; so do the
members of two teams whose shares add up to more. Leaders (the CPO, VPs, directors)
carry no allocation: their time is the organization's. A new hire is allocated from
their first day.

The hiring plan: a role for each gap the product team shows (coverage names the same
gaps): a product without an owner (one discovery product has none), backfills for the
people leaving, an overloaded PM, a single point of failure, a group PM with too many
reports, growth roles per line over the coming quarters, a role filled by the latest
hire and a cancelled one; together every status. Budgets are in the currency of the
line's home office.

Exchange rates: one per office currency into US dollars (the headquarters' currency and
the default reporting currency), at the rates the offices' costs were drawn with, so the
team cost converts every cost.

Runs last, from its own random stream; rows are inserted in bulk (no change records).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from pilothouse.delivery.models import Allocation, ExchangeRate, TeamMember
from pilothouse.demo.clock import Clock, Quarter, historic_timestamps, quarter_of
from pilothouse.demo.people import LineTeam, Member, Org
from pilothouse.demo.people_details import HEADQUARTERS, LEVEL_COST, OFFICES, Office
from pilothouse.demo.portfolio import DemoProduct, Portfolio
from pilothouse.demo.private_people import Details
from pilothouse.demo.rows import Rows
from pilothouse.people.models import (
    CareerLevel,
    Level,
    OpenRole,
    OpenRoleStatus,
    RoleGap,
    RolePriority,
)
from pilothouse.portfolio.models import LifecycleStage, Product

S = OpenRoleStatus
SPLIT_SHARE = 0.25  # of the PMs: on two products of their line
MOVED_SHARE = 0.1  # of the PMs: on another product from the third quarter
COVER_SHARE = 0.05  # of the PMs: covering a colleague's product this quarter (over 100 %)
LEVEL_TITLES = {
    Level.ASSOCIATE_PM: "Associate Product Manager",
    Level.PM: "Product Manager",
    Level.SENIOR_PM: "Senior Product Manager",
    Level.PRINCIPAL_PM: "Principal Product Manager",
    Level.GROUP_PM: "Group Product Manager",
    Level.DIRECTOR: "Director of Product",
}
# The cycle of statuses of the growth roles (the other roles each have their own).
GROWTH_STATUSES = (S.PROPOSED, S.APPROVED, S.OPEN, S.PROPOSED, S.OFFER)


class Share(NamedTuple):
    """An allocation row, in the order it is inserted (demo.rows)."""

    person: int
    product: int | None
    team: int | None
    start: dt.date
    end: dt.date
    percent: int
    note: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: int
    updated_by: int


@dataclass(frozen=True)
class TeamPlanSummary:
    allocations: int
    open_roles: int


def create_team_plan(
    *,
    org: Org,
    portfolio: Portfolio,
    details: Details,
    today: dt.date,
    seed: int,
    batch_size: int,
) -> TeamPlanSummary:
    rng = random.Random(f"team-plan-{seed}")
    clock = Clock(today=today, rng=rng)
    with historic_timestamps((Allocation, OpenRole)):
        allocations = _Allocations(portfolio=portfolio, clock=clock, rng=rng).create(
            org, batch_size=batch_size
        )
        roles = _Roles(org=org, portfolio=portfolio, clock=clock, rng=rng).create(
            details=details, allocations=allocations, batch_size=batch_size
        )
    ExchangeRate.objects.bulk_create(exchange_rates(today=today))
    return TeamPlanSummary(allocations=len(allocations), open_roles=roles)


def exchange_rates(*, today: dt.date) -> list[ExchangeRate]:
    """One rate into the headquarters' currency per other office currency: the inverse
    of the office's units per dollar, so a cost converts back to what it was drawn as."""
    per_dollar = {o.currency: o.rate for o in OFFICES if o.currency != HEADQUARTERS.currency}
    return [
        ExchangeRate(
            from_currency=currency,
            to_currency=HEADQUARTERS.currency,
            rate=(Decimal(1) / Decimal(str(rate))).quantize(Decimal("0.00000001")),
            as_of=today,
            note="Demo rate",
        )
        for currency, rate in sorted(per_dollar.items())
    ]


def year_quarters(today: dt.date) -> list[Quarter]:
    first = dt.date(today.year, 1, 1)
    return [quarter_of(first, offset) for offset in range(4)]


class _Allocations:
    def __init__(self, *, portfolio: Portfolio, clock: Clock, rng: random.Random) -> None:
        self.clock, self.rng = clock, rng
        self.today = clock.today
        self.quarters = year_quarters(clock.today)
        self.current = quarter_of(clock.today)
        self.products = {demo.spec.key: demo.product for demo in portfolio.products}
        self.rows: list[Share] = []

    def create(self, org: Org, *, batch_size: int) -> list[Share]:
        memberships: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for person_id, team_id, share in TeamMember.objects.order_by("pk").values_list(
            "person_id", "team_id", "allocation"
        ):
            memberships[person_id].append((team_id, share))
        covering = []
        for team in org.lines:
            keys = [key for key in team.product_pms if key in self.products]
            for key, pms in team.product_pms.items():
                for member in pms:
                    covering += self._pm(member, key=key, keys=keys)
            for member in team.group_pms:
                self._group_pm(member, team=team, keys=keys)
            for member in team.contributors:
                teams = memberships.get(member.person.pk)
                if teams:
                    for team_id, share in teams:
                        self._each_quarter(member, percent=share, team_id=team_id)
                else:
                    self._each_quarter(member, percent=100, product=self._any(keys))
        if not covering:  # show at least one over-allocation, whatever the draw
            self._first_cover(org)
        rows = Rows(Allocation, Share._fields, own_ids=False)
        for start in range(0, len(self.rows), batch_size):
            rows.insert(self.rows[start : start + batch_size])
        return self.rows

    def _first_cover(self, org: Org) -> None:
        for team in org.lines:
            keys = [key for key in team.product_pms if key in self.products]
            for own, pms in team.product_pms.items():
                for member in pms:
                    if len(keys) > 1 and member.person.start_date <= self.today:
                        self._cover(member, own=own, keys=keys)
                        return

    def _any(self, keys: Sequence[str]) -> Product:
        return self.products[self.rng.choice(keys)]

    def _pm(self, member: Member, *, key: str, keys: list[str]) -> list[Member]:
        others = [k for k in keys if k != key]
        split = bool(others) and self.rng.random() < SPLIT_SHARE
        moved = bool(others) and self.rng.random() < MOVED_SHARE
        second = self.rng.choice(others) if others else key
        for index, quarter in enumerate(self.quarters):
            main = second if moved and index >= 2 else key
            if split and main != second:
                share = self.rng.choice((60, 70, 80))
                self._add(member, quarter, percent=share, product=self.products[main])
                self._add(
                    member,
                    quarter,
                    percent=100 - share,
                    product=self.products[second],
                    note="Second product of the line.",
                )
            else:
                note = "Moved to this product mid-year." if moved and index >= 2 else ""
                self._add(member, quarter, percent=100, product=self.products[main], note=note)
        if others and self.rng.random() < COVER_SHARE and member.person.start_date <= self.today:
            self._cover(member, own=key, keys=keys)
            return [member]
        return []

    def _cover(self, member: Member, *, own: str, keys: list[str]) -> None:
        other = self.rng.choice([k for k in keys if k != own])
        self._add(
            member,
            self.current,
            percent=self.rng.choice((20, 30, 40)),
            product=self.products[other],
            note="Covering for a colleague on leave.",
        )

    def _group_pm(self, member: Member, *, team: LineTeam, keys: list[str]) -> None:
        covered = [k for k, g in team.product_group_pm.items() if g is member and k in keys]
        covered = covered or [self.rng.choice(keys)]
        shares = [100 // len(covered)] * len(covered)
        shares[0] += 100 - sum(shares)
        for key, share in zip(covered, shares, strict=True):
            if share > 0:
                self._each_quarter(member, percent=share, product=self.products[key])

    def _each_quarter(
        self, member: Member, *, percent: int, product: Product | None = None, team_id=None
    ) -> None:
        for quarter in self.quarters:
            self._add(member, quarter, percent=percent, product=product, team_id=team_id)

    def _add(
        self,
        member: Member,
        quarter: Quarter,
        *,
        percent: int,
        product: Product | None = None,
        team_id: int | None = None,
        note: str = "",
    ) -> None:
        person = member.person
        if person.start_date > quarter.end:
            return
        start = max(quarter.start, person.start_date)
        planned = max(quarter.start - dt.timedelta(days=self.rng.randint(5, 20)), person.start_date)
        planned = min(planned, self.today)
        manager = person.manager
        author = (manager.user if manager is not None else member.user).pk
        stamps = self.clock.stamps(planned)
        self.rows.append(
            Share(
                person=person.pk,
                product=product.pk if product is not None else None,
                team=team_id,
                start=start,
                end=quarter.end,
                percent=percent,
                note=note,
                version=1,
                created_at=stamps["created_at"],
                updated_at=stamps["updated_at"],
                created_by=author,
                updated_by=author,
            )
        )


class _Roles:
    def __init__(self, *, org: Org, portfolio: Portfolio, clock: Clock, rng: random.Random) -> None:
        self.org, self.portfolio = org, portfolio
        self.clock, self.rng = clock, rng
        self.today = clock.today
        self.levels = {level.key: level for level in CareerLevel.objects.all()}
        self.homes = {id(t): _office_of(t.director) for t in org.lines}
        self.roles: list[OpenRole] = []
        self.offices: dict[int, Office] = {}  # id(role) -> the office of its line

    def create(self, *, details: Details, allocations: Sequence[Share], batch_size: int) -> int:
        products = self.portfolio.products
        unowned = self._unowned(products)
        if unowned is not None:
            self._role(
                unowned,
                Level.SENIOR_PM,
                gap=RoleGap.NO_OWNER,
                status=S.OPEN,
                priority=RolePriority.HIGH,
                quarters_ahead=1,
                reason=f"{unowned.spec.name} has no owner since its lead moved to another "
                "product; a senior PM takes it through discovery.",
            )
        for member in details.leaving:
            demo = self._product_of(member)
            self._role(
                demo,
                member.level,
                gap=RoleGap.BACKFILL,
                status=S.APPROVED,
                priority=RolePriority.HIGH,
                quarters_ahead=1,
                reason=f"Backfill on {demo.spec.name} for a planned departure.",
            )
        overloaded = self._overloaded(allocations)
        if overloaded is not None:
            self._role(
                overloaded,
                Level.PM,
                gap=RoleGap.OVERLOADED,
                status=S.OPEN,
                priority=RolePriority.HIGH,
                quarters_ahead=1,
                reason=f"The PMs of {overloaded.spec.name} are allocated over 100 % this quarter.",
            )
        single = self._single_point(products, skip=[unowned, overloaded])
        if single is not None:
            self._role(
                single,
                Level.PM,
                gap=RoleGap.SINGLE_POINT,
                status=S.OFFER,
                priority=RolePriority.MEDIUM,
                quarters_ahead=1,
                reason=f"One PM carries {single.spec.name}, a revenue product; a second "
                "one shares the load and the knowledge.",
            )
        self._span_of_control()
        self._filled(details)
        sunset = [d for d in products if d.spec.stage == LifecycleStage.SUNSET] or products
        self._role(
            sunset[0],
            Level.PM,
            gap=RoleGap.GROWTH,
            status=S.CANCELLED,
            priority=RolePriority.LOW,
            quarters_ahead=0,
            reason=f"Cancelled: {sunset[0].spec.name} moves to sunset; no new hire.",
        )
        growth = self._growth(products)
        self._every_status(growth)
        OpenRole.objects.bulk_create(self.roles, batch_size=batch_size)
        return len(self.roles)

    def _unowned(self, products: Sequence[DemoProduct]) -> DemoProduct | None:
        """One discovery (or build) product loses its owner: the gap the first role closes."""
        for stage in (LifecycleStage.DISCOVERY, LifecycleStage.BUILD):
            for demo in products:
                if demo.spec.stage == stage:
                    Product.objects.filter(pk=demo.product.pk).update(owner=None)
                    demo.product.owner = None
                    return demo
        return None

    def _product_of(self, member: Member) -> DemoProduct:
        for demo in self.portfolio.products:
            if member in demo.team.product_pms.get(demo.spec.key, []):
                return demo
        return self.portfolio.products[0]

    def _overloaded(self, allocations: Sequence[Share]) -> DemoProduct | None:
        """The main product of the PM most over-allocated today."""
        current = [row for row in allocations if row.start <= self.today <= row.end]
        totals: dict[int, int] = defaultdict(int)
        main: dict[int, Share] = {}
        for row in current:
            totals[row.person] += row.percent
            if row.product and (row.person not in main or row.percent > main[row.person].percent):
                main[row.person] = row
        over = sorted((total, pk) for pk, total in totals.items() if total > 100 and pk in main)
        if not over:
            return None
        by_product = {d.product.pk: d for d in self.portfolio.products}
        return by_product.get(main[over[-1][1]].product)

    def _single_point(
        self, products: Sequence[DemoProduct], *, skip: Sequence[DemoProduct | None]
    ) -> DemoProduct | None:
        skipped = {id(d) for d in skip if d is not None}
        alone = [
            d
            for d in products
            if id(d) not in skipped
            and len(d.team.product_pms.get(d.spec.key, [])) <= 1
            and d.product.arr > 0
        ]
        return max(alone, key=lambda d: (d.product.arr, d.spec.key), default=None)

    def _span_of_control(self) -> None:
        """A second group PM for the line whose group PM has the most reports."""
        counts = []
        for team in self.org.lines:
            for member in team.group_pms:
                reports = sum(
                    1
                    for pms in team.product_pms.values()
                    for pm in pms
                    if pm.person.manager is member.person
                )
                counts.append((reports, member.person.email, team))
        if not counts:
            return
        reports, _email, team = max(counts, key=lambda c: (c[0], c[1]))
        demo = next(d for d in self.portfolio.products if d.team is team)
        self._role(
            demo,
            Level.GROUP_PM,
            gap=RoleGap.LEADERSHIP,
            status=S.PROPOSED,
            priority=RolePriority.MEDIUM,
            quarters_ahead=2,
            product=False,
            reason=f"A group PM in {team.line.name} has {reports} reports; a second group "
            "splits the line.",
        )

    def _filled(self, details: Details) -> None:
        """The role the latest (announced) hire filled."""
        private = {id(m) for m in (*details.unannounced, *details.leaving)}
        hires = [
            (demo, member)
            for demo in self.portfolio.products
            for member in demo.team.product_pms.get(demo.spec.key, [])
            if id(member) not in private and member.person.start_date <= self.today
        ]
        if not hires:
            return
        demo, member = max(hires, key=lambda h: (h[1].person.start_date, h[1].person.email))
        role = self._role(
            demo,
            member.level,
            gap=RoleGap.GROWTH,
            status=S.FILLED,
            priority=RolePriority.MEDIUM,
            quarters_ahead=0,
            reason=f"Growth of {demo.spec.name}.",
        )
        started = member.person.start_date
        role.filled_by = member.person
        role.target_start = started
        role.created_at = self.clock.moment(started - dt.timedelta(days=self.rng.randint(60, 120)))
        role.updated_at = max(role.created_at, self.clock.moment(started))

    def _every_status(self, growth: list[OpenRole]) -> None:
        """Growth roles take the statuses no role has yet (but "filled", which names who
        filled it), so that even a small organization shows each."""
        present = {role.status for role in self.roles}
        missing = [s for s in S.values if s not in present and s != S.FILLED]
        for role, status in zip(reversed(growth), missing, strict=False):
            role.status = status
            if status != S.PROPOSED and role.budget_per_year is None:
                office = self.offices[id(role)]
                role.budget_per_year = self._budget(role.level.key, office)
                role.budget_currency = office.currency

    def _growth(self, products: Sequence[DemoProduct]) -> list[OpenRole]:
        """Roles for the lines' growing products over the coming quarters (about one per
        line and a half at the small scale, one or two per line at the large one)."""
        growing = [
            d
            for d in products
            if d.spec.stage in (LifecycleStage.GROWTH, LifecycleStage.LAUNCH, LifecycleStage.BUILD)
        ]
        count = max(2, len(self.org.lines) + len(growing) // 3)
        roles = []
        for index in range(min(count, len(growing) * 2)):
            demo = growing[index % len(growing)]
            level = self.rng.choice((Level.PM, Level.PM, Level.SENIOR_PM, Level.ASSOCIATE_PM))
            status = GROWTH_STATUSES[index % len(GROWTH_STATUSES)]
            roles.append(
                self._role(
                    demo,
                    level,
                    gap=RoleGap.GROWTH,
                    status=status,
                    priority=self.rng.choice(list(RolePriority)),
                    quarters_ahead=1 + index % 4,
                    reason=f"{demo.spec.name} is growing; more demand than its PMs can cover.",
                )
            )
        return roles

    def _role(
        self,
        demo: DemoProduct,
        level: str,
        *,
        gap: str,
        status: str,
        priority: int,
        quarters_ahead: int,
        reason: str,
        product: bool = True,
    ) -> OpenRole:
        team = demo.team
        office = self.homes[id(team)]
        quarter = quarter_of(self.today, quarters_ahead)
        target = quarter.start + dt.timedelta(days=self.rng.randint(0, 45))
        budget = self._budget(level, office)
        if status == S.PROPOSED and self.rng.random() < 0.5:
            budget = None  # not costed yet
        manager = (
            team.director
            if level in (Level.GROUP_PM, Level.DIRECTOR)
            else team.product_group_pm.get(demo.spec.key, team.director)
        )
        title = LEVEL_TITLES.get(level, "Product Manager")
        where = team.line.name if not product else demo.spec.name
        proposed = self.clock.days_ago(self.rng.randint(20, 120))
        role = OpenRole(
            title=f"{title}, {where}",
            level=self.levels[level],
            product_line=demo.product.product_line,
            product=demo.product if product else None,
            gap=gap,
            reason=reason,
            priority=priority,
            status=status,
            target_start=target,
            budget_per_year=budget,
            budget_currency=office.currency if budget is not None else "",
            hiring_manager=manager.person,
            created_by=manager.user,
            updated_by=manager.user,
            **self.clock.stamps(proposed, self.clock.days_ago(self.rng.randint(1, 19))),
        )
        self.roles.append(role)
        self.offices[id(role)] = office
        return role

    def _budget(self, level: str, office: Office) -> Decimal:
        base = LEVEL_COST[level] * office.pay * office.rate * self.rng.uniform(0.95, 1.1)
        return Decimal(round(base / office.rounding) * office.rounding)


def _office_of(member: Member) -> Office:
    return next((o for o in OFFICES if o.city == member.person.location), OFFICES[0])
