"""/api/v1/open-roles (the hiring plan) and /api/v1/coverage (ownership findings).

An open role's `level` is the key of a ladder level ("senior_pm"). A status change is a
PATCH of `status` (with `filled_by_id` to fill the role); a move the status flow does not
allow answers 422 naming `status`. `budget_per_year` and `budget_currency` are null for
everyone but product leaders and admins.

No `from __future__ import annotations`: ninja reads the endpoint signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.people import coverage, hiring, services
from pilothouse.people.models import (
    OpenRole,
    OpenRoleStatus,
    Person,
    RoleGap,
    RolePriority,
)
from pilothouse.portfolio.models import Product, ProductLine


class OpenRoleIn(Schema):
    title: str
    level: str = Field(description="The key of a ladder level, e.g. senior_pm")
    product_line_id: int | None = None
    product_id: int | None = Field(None, description="Optional; implies its product line")
    gap: RoleGap = RoleGap.GROWTH
    reason: str = ""
    priority: RolePriority = RolePriority.MEDIUM
    status: OpenRoleStatus = OpenRoleStatus.PROPOSED
    target_start: dt.date | None = None
    budget_per_year: Decimal | None = Field(
        None, description="Private: shown only to product leaders and admins"
    )
    budget_currency: str = ""
    hiring_manager_id: int | None = None
    filled_by_id: int | None = Field(None, description="Who filled it; required to fill it")


class OpenRoleOut(crud.VersionedOut, OpenRoleIn):
    budget_per_year: Decimal | None = None
    budget_currency: str | None = None
    quarter: str = Field("", description="The quarter of the target start, e.g. 2026-Q3")
    next_statuses: list[OpenRoleStatus] = Field(
        default_factory=list, description="The statuses the role may move to"
    )

    @staticmethod
    def resolve_level(obj: OpenRole) -> str:
        return obj.level.key

    @staticmethod
    def resolve_budget_per_year(obj: OpenRole, context: dict[str, Any]) -> Decimal | None:
        return obj.budget_per_year if _sees_budget(obj, context) else None

    @staticmethod
    def resolve_budget_currency(obj: OpenRole, context: dict[str, Any]) -> str | None:
        return obj.budget_currency if _sees_budget(obj, context) else None

    @staticmethod
    def resolve_quarter(obj: OpenRole) -> str:
        return hiring.quarter_of(obj.target_start)

    @staticmethod
    def resolve_next_statuses(obj: OpenRole) -> list[str]:
        return list(hiring.next_statuses(obj.status))


def _sees_budget(obj: OpenRole, context: dict[str, Any]) -> bool:
    request = (context or {}).get("request")
    return request is not None and hiring.may_see_budget(request.user, obj)


class OpenRoleFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("title__icontains")] = None
    status: OpenRoleStatus | None = None
    level: Annotated[str | None, FilterLookup("level__key")] = None
    product_line_id: int | None = None
    product_id: int | None = None
    gap: RoleGap | None = None
    priority: RolePriority | None = None


def _with_level(data: dict[str, Any]) -> dict[str, Any]:
    """The API names a level by its key; the writes take the level itself."""
    if isinstance(data.get("level"), str):
        data["level"] = services.level_by_key(data["level"].strip())
    return data


def _create(*, actor, data, m2m=None) -> OpenRole:
    return hiring.open_role.create(actor=actor, data=_with_level(dict(data)), m2m=m2m)


def _update(*, actor, instance, version, data, m2m=None) -> OpenRole:
    return hiring.open_role.update(
        actor=actor, instance=instance, version=version, data=_with_level(dict(data)), m2m=m2m
    )


open_roles = Router(tags=["hiring"])
crud.register(
    open_roles,
    crud.Resource(
        model=OpenRole,
        out=OpenRoleOut,
        create_in=OpenRoleIn,
        update_in=crud.patch_schema(OpenRoleIn, name="OpenRolePatch"),
        filters=OpenRoleFilters,
        select=hiring.role_list,
        create=_create,
        update=_update,
        delete=hiring.open_role.delete,
        # Not the budget: the order would give away what the field hides.
        ordering=("id", "title", "priority", "status", "target_start", "created_at", "updated_at"),
        default_ordering="priority",
        refs={
            "product_line_id": ("product_line", ProductLine),
            "product_id": ("product", Product),
            "hiring_manager_id": ("hiring_manager", Person),
            "filled_by_id": ("filled_by", Person),
        },
    ),
)


# --- /coverage ---------------------------------------------------------------------------


class LinkOut(Schema):
    label: str
    url: str


class FindingOut(Schema):
    key: str = Field(description="Stable within a reading; the page's anchor is finding-<key>")
    gap: RoleGap
    text: str
    links: list[LinkOut]
    product_line_ids: list[int]
    product_ids: list[int]
    user_id: int | None = Field(None, description="The login the finding is about, if one")
    open_role_ids: list[int] = Field(description="Active open roles addressing it")


class OwnerOut(Schema):
    user_id: int
    name: str
    person_id: int | None
    active: bool
    product_line_ids: list[int]
    product_ids: list[int]
    objective_ids: list[int]
    initiative_ids: list[int]
    total: int
    overloaded: bool


class CoverageOut(Schema):
    findings: list[FindingOut]
    counts: dict[str, int] = Field(description="Findings per gap")
    owners: list[OwnerOut]
    thresholds: dict[str, int]


coverage_router = Router(tags=["hiring"])


@coverage_router.get(
    "",
    response={200: CoverageOut, **crud.ERRORS},
    summary="Ownership coverage and its findings",
    operation_id="coverage_get",
)
def coverage_get(request: HttpRequest):
    report = coverage.read_coverage(viewer=request.user)
    findings = [
        {
            "key": finding.key,
            "gap": finding.gap,
            "text": finding.text,
            "links": [{"label": link.label, "url": link.url} for link in finding.links],
            "product_line_ids": sorted(finding.line_ids),
            "product_ids": sorted(finding.product_ids),
            "user_id": finding.user_id,
            "open_role_ids": [role.pk for role in finding.roles],
        }
        for finding in report.findings
    ]
    owners = [
        {
            "user_id": load.owner.user_id,
            "name": load.owner.name,
            "person_id": load.owner.person_id,
            "active": load.owner.active,
            "product_line_ids": [item.pk for item in load.product_lines],
            "product_ids": [item.pk for item in load.products],
            "objective_ids": [item.pk for item in load.objectives],
            "initiative_ids": [item.pk for item in load.initiatives],
            "total": load.total,
            "overloaded": load.overloaded,
        }
        for load in report.owners
    ]
    counts = {gap: len(report.of_gap(gap)) for gap in coverage.FINDING_ORDER}
    return {
        "findings": findings,
        "counts": counts,
        "owners": owners,
        "thresholds": coverage.THRESHOLDS,
    }


ROUTERS = {"/open-roles": open_roles, "/coverage": coverage_router}
