"""The hiring plan's writes (the status flow, filling a role, its product line, who may
write) and its reads (the plan by quarter, counts, budgets, private people)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core.models import ChangeRecord
from pilothouse.people import hiring
from pilothouse.people.coverage import COVERAGE_QUERIES
from pilothouse.people.hiring import TRANSITIONS, PlanFilters, hiring_plan, quarter_of
from pilothouse.people.models import Level, OpenRole, OpenRoleStatus, RoleGap, RolePriority
from tests.factories import PersonFactory, ProductFactory, ProductLineFactory
from tests.people.hiring_support import (
    BUDGET,
    ROLE_NAMES,
    SEES_BUDGET,
    build_staff,
    level,
    make_role,
)

pytestmark = pytest.mark.django_db
S = OpenRoleStatus
FLOW = {
    ("proposed", "approved"),
    ("approved", "open"),
    ("open", "offer"),
    ("offer", "filled"),
    ("offer", "open"),  # the offer was declined
    ("cancelled", "proposed"),
    *{(status, "cancelled") for status in S.values if status != "cancelled"},
}


def _at(status: str) -> OpenRole:
    filled_by = PersonFactory() if status == S.FILLED else None
    return make_role(status=status, filled_by=filled_by)


def test_the_transition_table_is_the_documented_flow():
    table = {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts}
    assert table == FLOW
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(
    ("before", "after"),
    list(itertools.permutations(S.values, 2)),
    ids=lambda value: value,
)
def test_every_move_is_allowed_or_refused_with_the_statuses_named(leader, before, after):
    role = _at(before)
    filled_by = PersonFactory() if after == S.FILLED else None
    if (before, after) in FLOW:
        moved = hiring.open_role_move(
            actor=leader, instance=role, version=role.version, status=after, filled_by=filled_by
        )
        assert moved.status == after
        assert moved.version == role.version + 1
        return
    with pytest.raises(ValidationError) as refused:
        hiring.open_role_move(
            actor=leader, instance=role, version=role.version, status=after, filled_by=filled_by
        )
    message = refused.value.message_dict["status"][0]
    assert f"from {before} to {after}" in message
    for allowed in TRANSITIONS[before]:
        assert allowed in message
    role.refresh_from_db()
    assert (role.status, role.version) == (before, 1)
    assert not ChangeRecord.objects.filter(object_id=role.pk, action="update").exists()


def test_staying_at_a_status_is_no_move(leader):
    role = _at(S.OPEN)
    same = hiring.open_role.update(
        actor=leader, instance=role, version=1, data={"status": S.OPEN, "title": "Renamed"}
    )
    assert (same.status, same.title, same.version) == (S.OPEN, "Renamed", 2)


def test_an_unknown_status_is_refused_naming_the_statuses(leader):
    with pytest.raises(ValidationError) as refused:
        hiring.open_role.create(
            actor=leader, data={"title": "X", "level": level(), "status": "hired"}
        )
    message = refused.value.message_dict["status"][0]
    assert "'hired'" in message
    assert "proposed, approved, open, offer, filled, cancelled" in message


def test_filling_names_who_filled_it(leader):
    role = _at(S.OFFER)
    with pytest.raises(ValidationError) as refused:
        hiring.open_role_move(actor=leader, instance=role, version=1, status=S.FILLED)
    assert "filled_by" in refused.value.message_dict
    hire = PersonFactory(name="Nia New")
    filled = hiring.open_role_move(
        actor=leader, instance=role, version=1, status=S.FILLED, filled_by=hire
    )
    assert (filled.status, filled.filled_by) == (S.FILLED, hire)


def test_only_a_filled_role_names_who_filled_it(leader):
    with pytest.raises(ValidationError) as refused:
        hiring.open_role.create(
            actor=leader, data={"title": "X", "level": level(), "filled_by": PersonFactory()}
        )
    assert "Only a filled role" in refused.value.message_dict["filled_by"][0]
    role = _at(S.FILLED)
    cancelled = hiring.open_role_move(actor=leader, instance=role, version=1, status=S.CANCELLED)
    assert cancelled.filled_by is None
    reopened = hiring.open_role_move(actor=leader, instance=cancelled, version=2, status=S.PROPOSED)
    assert (reopened.status, reopened.filled_by) == (S.PROPOSED, None)


def test_a_role_may_be_recorded_at_any_status(leader):
    role = hiring.open_role.create(
        actor=leader, data={"title": "Already open", "level": level(), "status": S.OPEN}
    )
    assert role.status == S.OPEN


def test_a_roles_product_line_follows_its_product(leader):
    line = ProductLineFactory()
    product = ProductFactory(product_line=line)
    role = hiring.open_role.create(
        actor=leader, data={"title": "PM", "level": level(), "product": product}
    )
    assert role.product_line == line
    other = ProductFactory()
    moved = hiring.open_role.update(actor=leader, instance=role, version=1, data={"product": other})
    assert moved.product_line == other.product_line
    with pytest.raises(ValidationError) as refused:
        hiring.open_role.update(
            actor=leader,
            instance=moved,
            version=2,
            data={"product": product, "product_line": ProductLineFactory()},
        )
    assert "product" in refused.value.message_dict


def test_the_budget_never_enters_the_change_log(leader):
    role = hiring.open_role.create(
        actor=leader,
        data={"title": "PM", "level": level(), "budget_per_year": BUDGET, "budget_currency": "EUR"},
    )
    hiring.open_role.update(
        actor=leader, instance=role, version=1, data={"budget_per_year": Decimal("160000")}
    )
    records = ChangeRecord.objects.filter(object_id=role.pk, object_repr="PM")
    assert records.count() == 2
    for record in records:
        assert "budget_per_year" not in record.before | record.after
        assert "150000" not in str(record.before | record.after)
    assert "budget_currency" not in records.order_by("id").first().after


def test_an_unknown_budget_currency_is_refused(leader):
    with pytest.raises(ValidationError) as refused:
        hiring.open_role.create(
            actor=leader,
            data={
                "title": "PM",
                "level": level(),
                "budget_per_year": BUDGET,
                "budget_currency": "XXY",
            },
        )
    assert "XXY" in refused.value.message_dict["budget_currency"][0]


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_only_product_leaders_and_admins_write_open_roles(role_name):
    staff = build_staff()
    actor = staff.of(role_name)
    allowed = role_name in SEES_BUDGET
    role = make_role(hiring_manager=staff.manager)
    attempts = [
        lambda: hiring.open_role.create(actor=actor, data={"title": "New", "level": level()}),
        lambda: hiring.open_role_move(actor=actor, instance=role, version=None, status=S.APPROVED),
    ]
    for attempt in attempts:
        if allowed:
            attempt()
        else:
            with pytest.raises(PermissionDenied):
                attempt()
    if not allowed:
        assert OpenRole.objects.count() == 1
        role.refresh_from_db()
        assert role.status == S.PROPOSED
    # Writing roles implies seeing their budgets: the pages rely on it.
    assert hiring.may_see_budget(actor) is allowed


# --- the plan ----------------------------------------------------------------------------


def test_quarters():
    assert [quarter_of(dt.date(2026, m, 15)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q2", "2026-Q3", "2026-Q3", "2026-Q4", "2026-Q4",
    ]  # fmt: skip
    assert quarter_of(None) == ""


def test_the_plan_groups_active_roles_by_quarter_with_counts(leader):
    payments = ProductLineFactory(name="Payments")
    growth = ProductLineFactory(name="Growth")
    senior = level(Level.SENIOR_PM)
    make_role(title="A", target_start=dt.date(2026, 8, 1), product_line=payments)
    make_role(title="B", target_start=dt.date(2026, 7, 1), product_line=payments, level=senior)
    make_role(title="C", target_start=dt.date(2026, 9, 30), product_line=growth)
    make_role(title="D", target_start=dt.date(2026, 1, 5))
    make_role(title="E")
    make_role(title="F", target_start=dt.date(2026, 8, 1), status=S.CANCELLED)
    plan = hiring_plan(viewer=leader, filters=PlanFilters())
    assert [(q.label, [p.role.title for p in q.roles]) for q in plan.quarters] == [
        ("2026-Q1", ["D"]),
        ("2026-Q3", ["B", "A", "C"]),
        ("", ["E"]),
    ]
    q3 = plan.quarters[1]
    assert q3.by_level == [("Product manager", 2), ("Senior PM", 1)]
    assert q3.by_line == [("Growth", 1), ("Payments", 2)]
    assert plan.quarters[0].by_line == [("No product line", 1)]
    assert plan.quarters[2].title == "No target start"
    assert plan.total == 5
    assert {s: n for s, _label, n in plan.by_status}["cancelled"] == 1


def test_the_plan_filters(leader):
    line = ProductLineFactory()
    wanted = make_role(
        product_line=line, gap=RoleGap.BACKFILL, priority=RolePriority.HIGH, status=S.OPEN
    )
    make_role(product_line=line, gap=RoleGap.BACKFILL, priority=RolePriority.LOW, status=S.OPEN)
    make_role(gap=RoleGap.BACKFILL, priority=RolePriority.HIGH, status=S.OPEN)
    make_role(product_line=line, gap=RoleGap.GROWTH, priority=RolePriority.HIGH, status=S.OPEN)
    make_role(product_line=line, gap=RoleGap.BACKFILL, priority=RolePriority.HIGH)
    filters = PlanFilters(
        status=S.OPEN,
        product_line_id=line.pk,
        gap=RoleGap.BACKFILL,
        priority=RolePriority.HIGH,
        level_id=level().pk,
    )
    plan = hiring_plan(viewer=leader, filters=filters)
    assert [p.role for q in plan.quarters for p in q.roles] == [wanted]
    assert filters.narrowed
    assert not PlanFilters().narrowed
    closed = make_role(status=S.FILLED, filled_by=PersonFactory())
    everything = hiring_plan(viewer=leader, filters=PlanFilters(status="all"))
    assert closed in [p.role for q in everything.quarters for p in q.roles]


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_budget_totals_are_for_product_leaders_and_admins_only(role_name):
    viewer = build_staff().of(role_name)
    day = dt.date(2026, 5, 1)
    make_role(target_start=day, budget_per_year=Decimal("100000"), budget_currency="EUR")
    make_role(target_start=day, budget_per_year=Decimal("50000"), budget_currency="EUR")
    make_role(target_start=day, budget_per_year=Decimal("90000"), budget_currency="USD")
    make_role(target_start=day)
    plan = hiring_plan(viewer=viewer, filters=PlanFilters())
    [quarter] = plan.quarters
    if role_name in SEES_BUDGET:
        assert plan.shows_budget
        assert quarter.budget == [("EUR", Decimal("150000")), ("USD", Decimal("90000"))]
    else:
        assert not plan.shows_budget
        assert quarter.budget is None


def test_a_private_hire_is_named_only_to_those_who_may_see_them():
    staff = build_staff()
    staff.report.private = True
    staff.report.save()
    role = make_role(status=S.FILLED, filled_by=staff.report, hiring_manager=staff.report)
    seen = {}
    for role_name in ROLE_NAMES:
        planned = hiring.planned_role(viewer=staff.of(role_name), role=role)
        seen[role_name] = (planned.filled_by, planned.hiring_manager)
    assert seen == {
        "admin": (staff.report, staff.report),
        "product_leader": (staff.report, staff.report),
        "product_manager": (staff.report, staff.report),  # their manager
        "contributor": (None, None),
        "viewer": (None, None),
    }


def test_each_role_is_linked_to_the_findings_it_addresses(leader):
    line = ProductLineFactory()
    role = make_role(gap=RoleGap.NO_OWNER, product_line=line)
    unrelated = make_role(gap=RoleGap.GROWTH, product_line=line)
    plan = hiring_plan(viewer=leader, filters=PlanFilters())
    closes = {p.role: [f.key for f in p.closes] for q in plan.quarters for p in q.roles}
    assert closes == {role: [f"no-owner-product-line-{line.pk}"], unrelated: []}
    assert plan.unaddressed == []
    hiring.open_role_move(actor=leader, instance=role, version=1, status=S.CANCELLED)
    plan = hiring_plan(viewer=leader, filters=PlanFilters())
    assert [f.key for f in plan.unaddressed] == [f"no-owner-product-line-{line.pk}"]


def _grow_roles(n: int) -> None:
    for i in range(n):
        line = ProductLineFactory()
        make_role(
            product=ProductFactory(product_line=line),
            product_line=line,
            gap=RoleGap.NO_OWNER,
            target_start=dt.date(2026, 1 + i % 12, 1),
            hiring_manager=PersonFactory(private=bool(i % 2)),
            budget_per_year=Decimal(1000 + i),
        )


@pytest.mark.parametrize(("role_name", "extra"), [("product_leader", 0), ("viewer", 1)])
def test_the_plan_costs_a_fixed_number_of_queries(role_name, extra):
    viewer = build_staff().of(role_name)
    # roles, status counts, the coverage's; for others than leaders and admins, the
    # private people they may see
    for n in (5, 50):
        _grow_roles(n)
        with CaptureQueriesContext(connection) as queries:
            plan = hiring_plan(viewer=viewer, filters=PlanFilters())
        assert len(queries) == 2 + COVERAGE_QUERIES + extra
        assert plan.total == OpenRole.objects.count()
