"""The hiring plan's rows of the API test matrices (tests/api/resources.py).

Open roles are written by product leaders and admins only: an open role hangs under
nothing a product manager looks after. Everyone reads them (the budget is null for all
but leaders and admins: tests/people/test_hiring_api.py).

tests/api/resources.py imports this module after defining Spec and World; import the
rows through it (`from tests.api.resources import SPECS`), not from here.
"""

from __future__ import annotations

import datetime as dt
import itertools

from pilothouse.people.models import CareerLevel, Level, OpenRole, OpenRoleStatus, RoleGap
from tests.api.resources import Spec, World

_serial = itertools.count(1)


def portfolio_wide(role: str, method: str) -> bool:
    return role in {"admin", "product_leader"}


def make_open_role(w: World) -> OpenRole:
    return OpenRole.objects.create(
        title=f"Role {next(_serial)}",
        level=CareerLevel.objects.get(key=Level.PM),
        product_line=w.line,
        product=w.product,
        gap=RoleGap.SINGLE_POINT,
        target_start=dt.date(2026, 10, 1),
        hiring_manager=w.person,
        budget_per_year=120000,
        budget_currency="EUR",
    )


def filter_open_roles(w: World) -> tuple[dict, list[int]]:
    role = OpenRole.objects.create(
        title="Backfill",
        level=CareerLevel.objects.get(key=Level.SENIOR_PM),
        product_line=w.other_line,
        gap=RoleGap.BACKFILL,
        status=OpenRoleStatus.OPEN,
    )
    return {"product_line_id": w.other_line.pk, "status": "open"}, [role.pk]


HIRING_SPECS = [
    Spec(
        path="/open-roles",
        model=OpenRole,
        make=make_open_role,
        create=lambda w: {
            "title": "Senior PM, checkout",
            "level": "senior_pm",
            "product_line_id": w.line.pk,
            "product_id": w.product.pk,
            "gap": "no_owner",
            "reason": "Checkout has had no owner since spring.",
            "priority": 1,
            "status": "proposed",
            "target_start": "2026-09-01",
            "budget_per_year": "150000.00",
            "budget_currency": "EUR",
            "hiring_manager_id": w.person.pk,
        },
        patch={"title": "Senior PM, checkout and wallets", "status": "approved"},
        bad_type=("target_start", "next spring"),
        required="title",
        unknown_ref="hiring_manager_id",
        too_long=("title", 200),
        # A product outside the role's product line.
        invalid=lambda w: (
            {
                "title": "Odd",
                "level": "pm",
                "product_id": w.product.pk,
                "product_line_id": w.other_line.pk,
            },
            "product_id",
        ),
        filter_case=filter_open_roles,
        order_field="title",
        protect=None,
        pm_creates=False,
        pm_changes=False,
        allowed=portfolio_wide,
    ),
]
