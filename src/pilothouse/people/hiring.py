"""The hiring plan: writes of open roles along their status flow, and the plan by quarter.

An open role moves proposed -> approved -> open -> offer -> filled; a declined offer
goes back to open; any role may be cancelled, and a cancelled one reopened as proposed.
Any other move is refused with a message naming the statuses. A filled role names who
filled it (`filled_by`), and only a filled role does: leaving `filled`, the role drops
it. A role may be recorded at any status (one already open elsewhere, say).

The budget (`budget_per_year`, `budget_currency`) is private to product leaders and
admins: the rule is core.permissions.can_view_private, to which an open role names no
private viewers of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.people import privacy
from pilothouse.people.coverage import ACTIVE_ROLE_STATUSES, Coverage, Finding, read_coverage
from pilothouse.people.models import (
    CareerLevel,
    OpenRole,
    OpenRoleStatus,
    Person,
    RoleGap,
    RolePriority,
)
from pilothouse.portfolio.models import Product, ProductLine

S = OpenRoleStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.APPROVED, S.CANCELLED),
    S.APPROVED: (S.OPEN, S.CANCELLED),
    S.OPEN: (S.OFFER, S.CANCELLED),
    S.OFFER: (S.FILLED, S.OPEN, S.CANCELLED),
    S.FILLED: (S.CANCELLED,),
    S.CANCELLED: (S.PROPOSED,),
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a role at `status` may move to."""
    return TRANSITIONS.get(status, ())


def move_refusal(before: str, after: str) -> str | None:
    """Why a role at `before` may not move to `after`; None if it may (or stays)."""
    allowed = next_statuses(before)
    if after == before or after in allowed:
        return None
    return (
        f"An open role cannot go from {before} to {after}; "
        f"from {before} it may go to {', '.join(allowed)}."
    )


def may_see_budget(user: User | None, role: OpenRole | None = None) -> bool:
    """Whether `user` sees budgets (of `role`, or of roles in general)."""
    return permissions.can_view_private(user, role if role is not None else OpenRole())


class OpenRoleWrites(ModelWrites):
    def prepare(self, instance: OpenRole | None, data: dict[str, Any]) -> dict[str, Any]:
        status = data.get("status", instance.status if instance else S.PROPOSED)
        if status not in S.values:
            raise ValidationError(
                {"status": f"Unknown status {status!r}; the statuses are {', '.join(S.values)}."}
            )
        refusal = move_refusal(instance.status, status) if instance is not None else None
        if refusal:
            raise ValidationError({"status": refusal})
        if "filled_by" in data:
            named = data["filled_by"] is not None
        else:
            named = instance is not None and instance.filled_by_id is not None
        if status != S.FILLED and named:
            if instance is not None and instance.status == S.FILLED:
                data["filled_by"] = None  # no longer filled: nobody fills it
            else:
                raise ValidationError(
                    {
                        "filled_by": "Only a filled role names who filled it: set the status "
                        "to filled, or leave filled_by empty."
                    }
                )
        product = data.get("product")
        if isinstance(product, Product) and data.get("product_line") is None:
            data["product_line"] = product.product_line  # a product's role is in its line
        return data


open_role = OpenRoleWrites(OpenRole)


def open_role_move(
    *,
    actor: User | None,
    instance: OpenRole,
    version: int | None,
    status: str,
    filled_by: Person | None = None,
) -> OpenRole:
    """Move a role to `status` (naming who filled it, to fill it)."""
    data: dict[str, Any] = {"status": status}
    if filled_by is not None:
        data["filled_by"] = filled_by
    return open_role.update(actor=actor, instance=instance, version=version, data=data)


# --- reads ----------------------------------------------------------------------------


def role_list() -> QuerySet[OpenRole]:
    return OpenRole.objects.select_related(
        "level", "product_line", "product", "hiring_manager", "filled_by"
    ).order_by(*OpenRole._meta.ordering)


def role_detail(*, pk: int) -> OpenRole:
    return role_list().get(pk=pk)


def filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The product lines and levels the plan may be filtered by, as (id, name)."""
    return {
        "lines": list(ProductLine.objects.order_by("name").values_list("pk", "name")),
        "levels": list(
            CareerLevel.objects.order_by("rank", "track", "name").values_list("pk", "name")
        ),
    }


def quarter_of(day: dt.date | None) -> str:
    """'2026-Q3' for a day in July 2026; '' for no day."""
    if day is None:
        return ""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class PlanFilters:
    """The plan's filters. `status` is a status, "active" (the default: not filled nor
    cancelled) or "all"."""

    status: str = "active"
    product_line_id: int | None = None
    level_id: int | None = None
    gap: str = ""
    priority: int | None = None

    def apply(self, roles: QuerySet[OpenRole]) -> QuerySet[OpenRole]:
        if self.status == "active":
            roles = roles.filter(status__in=ACTIVE_ROLE_STATUSES)
        elif self.status in S.values:
            roles = roles.filter(status=self.status)
        if self.product_line_id is not None:
            roles = roles.filter(product_line_id=self.product_line_id)
        if self.level_id is not None:
            roles = roles.filter(level_id=self.level_id)
        if self.gap in RoleGap.values:
            roles = roles.filter(gap=self.gap)
        if self.priority in RolePriority.values:
            roles = roles.filter(priority=self.priority)
        return roles

    @property
    def narrowed(self) -> bool:
        return self != PlanFilters()


@dataclass
class PlannedRole:
    role: OpenRole
    closes: list[Finding]  # the coverage findings it addresses
    hiring_manager: Person | None  # None also when private and hidden from the viewer
    filled_by: Person | None

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        return [(status, S(status).label) for status in next_statuses(self.role.status)]

    @property
    def quarter(self) -> str:
        return quarter_of(self.role.target_start)


@dataclass
class Quarter:
    label: str  # "2026-Q3", or "" for roles without a target start
    roles: list[PlannedRole] = field(default_factory=list)
    by_level: list[tuple[str, int]] = field(default_factory=list)
    by_line: list[tuple[str, int]] = field(default_factory=list)
    budget: list[tuple[str, Decimal]] | None = None  # per currency; None: not for the viewer

    @property
    def title(self) -> str:
        return self.label or "No target start"


@dataclass
class HiringPlan:
    quarters: list[Quarter]
    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count) of every role
    coverage: Coverage
    shows_budget: bool

    @property
    def unaddressed(self) -> list[Finding]:
        """Coverage findings that no active role addresses."""
        return [finding for finding in self.coverage.findings if not finding.roles]


def hiring_plan(*, viewer: User | None, filters: PlanFilters) -> HiringPlan:
    """The roles that pass `filters`, grouped by the quarter of their target start (then
    those without one), with counts by level and product line, the budget per currency
    for those who may see it, and the coverage findings each role addresses. A fixed
    number of queries: the roles, the status counts, the coverage's, and (not for product
    leaders and admins) which private people the viewer may see."""
    roles = list(filters.apply(role_list()))
    statuses = Counter(OpenRole.objects.values_list("status", flat=True))
    visible = privacy.visible_person_ids(viewer)
    coverage = read_coverage(viewer=viewer, visible_people=visible)
    shows_budget = may_see_budget(viewer)
    quarters: dict[str, Quarter] = {}
    for role in roles:
        label = quarter_of(role.target_start)
        quarter = quarters.setdefault(label, Quarter(label=label))
        quarter.roles.append(_planned(role, coverage, visible))
    ordered = sorted(quarters.values(), key=lambda q: (q.label == "", q.label))
    for quarter in ordered:
        _summarize(quarter, shows_budget=shows_budget)
    return HiringPlan(
        quarters=ordered,
        total=len(roles),
        by_status=[(status, S(status).label, statuses.get(status, 0)) for status in S.values],
        coverage=coverage,
        shows_budget=shows_budget,
    )


def planned_role(*, viewer: User | None, role: OpenRole) -> PlannedRole:
    """One role as its page shows it, with the coverage findings it addresses."""
    visible = privacy.visible_person_ids(viewer)
    coverage = read_coverage(viewer=viewer, visible_people=visible)
    return _planned(role, coverage, visible)


def _planned(role: OpenRole, coverage: Coverage, visible: set[int] | None) -> PlannedRole:
    def shown(person: Person | None) -> Person | None:
        # A private person (an unannounced hire) is named only to those who may see them.
        if person is None or not person.private or privacy.sees_private(visible, person.pk):
            return person
        return None

    return PlannedRole(
        role=role,
        closes=coverage.findings_closed_by(role),
        hiring_manager=shown(role.hiring_manager),
        filled_by=shown(role.filled_by),
    )


def _summarize(quarter: Quarter, *, shows_budget: bool) -> None:
    quarter.roles.sort(key=lambda p: (p.role.priority, p.role.target_start or dt.date.max))
    levels = Counter(p.role.level for p in quarter.roles)
    quarter.by_level = [
        (level.name, n) for level, n in sorted(levels.items(), key=lambda i: i[0].rank)
    ]
    lines = Counter(p.role.product_line.name if p.role.product_line else "" for p in quarter.roles)
    quarter.by_line = sorted(
        ((name or "No product line", n) for name, n in lines.items()),
        key=lambda item: (item[0] == "No product line", item[0]),
    )
    if shows_budget:
        totals: dict[str, Decimal] = {}
        for planned in quarter.roles:
            role = planned.role
            if role.budget_per_year is not None:
                currency = role.budget_currency
                totals[currency] = totals.get(currency, Decimal(0)) + role.budget_per_year
        quarter.budget = sorted(totals.items())
