"""/api/v1/open-roles and /api/v1/coverage: the status flow as the API answers it, the
filters, the private budget for every role, and query counts. (The generic checks of
every resource run in tests/api over the rows of tests/people/hiring_resources.py.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pilothouse.core.models import ChangeRecord
from pilothouse.people.coverage import COVERAGE_QUERIES
from pilothouse.people.models import Level, OpenRole, OpenRoleStatus, RoleGap, RolePriority
from tests.api.conftest import api_as  # noqa: F401
from tests.api.helpers import assert_error
from tests.factories import PersonFactory, ProductFactory, ProductLineFactory
from tests.people.hiring_support import (
    ROLE_NAMES,
    SEES_BUDGET,
    build_staff,
    level,
    make_role,
    owner,
)
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db
S = OpenRoleStatus
ROLES = "/open-roles"


@pytest.fixture
def staff():
    return build_staff()


@pytest.fixture
def leader_api(staff, api_as):  # noqa: F811
    return api_as(staff.product_leader)


def test_create_a_role_by_level_key(leader_api):
    line = ProductLineFactory()
    product = ProductFactory(product_line=line)
    manager = PersonFactory()
    response = leader_api.post(
        ROLES,
        {
            "title": "Senior PM, payments",
            "level": "senior_pm",
            "product_id": product.pk,
            "gap": "single_point",
            "priority": 1,
            "target_start": "2026-11-02",
            "budget_per_year": "165000.00",
            "budget_currency": "eur",
            "hiring_manager_id": manager.pk,
            "reason": "Nobody but the line owner knows payments.",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["level"], body["product_line_id"], body["status"], body["quarter"]) == (
        "senior_pm",
        line.pk,
        "proposed",
        "2026-Q4",
    )
    assert (body["budget_per_year"], body["budget_currency"]) == ("165000.00", "EUR")
    assert body["next_statuses"] == ["approved", "cancelled"]
    role = OpenRole.objects.get(pk=body["id"])
    assert (role.level.key, role.hiring_manager, role.product) == ("senior_pm", manager, product)


def test_an_unknown_level_is_422_naming_level(leader_api):
    response = leader_api.post(ROLES, {"title": "Wizard", "level": "wizard"})
    body = assert_error(response, 422, "level")
    assert "wizard" in str(body)
    assert not OpenRole.objects.exists()


def test_the_flow_over_the_api_and_a_bad_move_is_422(leader_api):
    role = make_role()
    url = f"{ROLES}/{role.pk}"
    bad = leader_api.patch(url, {"version": 1, "status": "filled"})
    body = assert_error(bad, 422, "status")
    assert "from proposed to filled" in str(body)
    version = 1
    for status in ("approved", "open", "offer"):
        response = leader_api.patch(url, {"version": version, "status": status})
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    assert_error(
        leader_api.patch(url, {"version": version, "status": "filled"}), 422, "filled_by_id"
    )
    hire = PersonFactory()
    filled = leader_api.patch(
        url, {"version": version, "status": "filled", "filled_by_id": hire.pk}
    )
    assert filled.status_code == 200
    assert (filled.json()["status"], filled.json()["filled_by_id"]) == ("filled", hire.pk)
    assert filled.json()["next_statuses"] == ["cancelled"]
    stale = leader_api.patch(url, {"version": version, "status": "cancelled"})
    assert stale.status_code == 409


def test_filters(leader_api):
    line = ProductLineFactory()
    wanted = make_role(
        status=S.OPEN,
        level=level(Level.SENIOR_PM),
        product_line=line,
        gap=RoleGap.BACKFILL,
        priority=RolePriority.HIGH,
    )
    make_role(status=S.OPEN, level=level(Level.SENIOR_PM), product_line=line, gap=RoleGap.BACKFILL)
    make_role(
        status=S.OPEN, level=level(Level.PM), product_line=line, gap=RoleGap.BACKFILL, priority=1
    )
    make_role(
        status=S.PROPOSED,
        level=level(Level.SENIOR_PM),
        product_line=line,
        gap=RoleGap.BACKFILL,
        priority=1,
    )
    make_role(status=S.OPEN, level=level(Level.SENIOR_PM), gap=RoleGap.BACKFILL, priority=1)
    make_role(status=S.OPEN, level=level(Level.SENIOR_PM), product_line=line, priority=1)
    params = {
        "status": "open",
        "level": "senior_pm",
        "product_line_id": line.pk,
        "gap": "backfill",
        "priority": 1,
    }
    response = leader_api.get(ROLES, params)
    assert [item["id"] for item in response.json()["items"]] == [wanted.pk]
    for name in params:
        fewer = {k: v for k, v in params.items() if k != name}
        assert leader_api.get(ROLES, fewer).json()["count"] == 2, name


@pytest.mark.parametrize(("name", "value"), [("status", "hired"), ("priority", "urgent")])
def test_a_bad_filter_value_is_422_naming_it(leader_api, name, value):
    assert_error(leader_api.get(ROLES, {name: value}), 422, name)


def test_the_budget_cannot_be_an_ordering(leader_api):
    assert_error(leader_api.get(ROLES, {"ordering": "budget_per_year"}), 422, "ordering")


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_the_budget_is_null_for_all_but_leaders_and_admins(staff, api_as, role_name):  # noqa: F811
    role = make_role(budget_per_year=Decimal("123456"), budget_currency="GBP")
    client = api_as(staff.of(role_name))
    listed = client.get(ROLES).json()["items"]
    single = client.get(f"{ROLES}/{role.pk}").json()
    sees = role_name in SEES_BUDGET
    for body in (listed[0], single):
        assert "budget_per_year" in body
        if sees:
            assert (body["budget_per_year"], body["budget_currency"]) == ("123456.00", "GBP")
        else:
            assert (body["budget_per_year"], body["budget_currency"]) == (None, None)
    assert ("123456" in str(client.get(ROLES).content)) is sees


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_only_leaders_and_admins_write_roles(staff, api_as, role_name):  # noqa: F811
    role = make_role()
    client = api_as(staff.of(role_name))
    allowed = role_name in SEES_BUDGET
    created = client.post(ROLES, {"title": "New", "level": "pm"})
    moved = client.patch(f"{ROLES}/{role.pk}", {"version": 1, "status": "approved"})
    deleted = client.delete(f"{ROLES}/{role.pk}", {"version": 2 if allowed else 1})
    assert [created.status_code, moved.status_code, deleted.status_code] == (
        [201, 200, 204] if allowed else [403, 403, 403]
    )
    if not allowed:
        role.refresh_from_db()
        assert (role.status, OpenRole.objects.count()) == (S.PROPOSED, 1)


def test_the_change_feed_never_carries_the_budget(leader_api):
    response = leader_api.post(
        ROLES, {"title": "PM", "level": "pm", "budget_per_year": "99999", "budget_currency": "EUR"}
    )
    role_id = response.json()["id"]
    leader_api.patch(f"{ROLES}/{role_id}", {"version": 1, "budget_per_year": "88888"})
    records = ChangeRecord.objects.filter(object_id=role_id, object_repr="PM")
    assert records.count() == 2
    assert not any("99999" in str(r.after) or "88888" in str(r.after) for r in records)


def _grow_roles(n: int) -> None:
    for i in range(n):
        line = ProductLineFactory()
        make_role(
            product=ProductFactory(product_line=line),
            product_line=line,
            hiring_manager=PersonFactory(),
            filled_by=PersonFactory(),
            status=S.FILLED,
            target_start=dt.date(2026, 1 + i % 12, 1),
            budget_per_year=Decimal(i + 1),
        )


@pytest.mark.parametrize("role_name", ["product_leader", "viewer"])
def test_the_list_costs_the_same_queries_for_5_and_50_roles(staff, api_as, role_name):  # noqa: F811
    client = api_as(staff.of(role_name))
    _grow_roles(5)
    assert_same_queries(lambda: client.get(ROLES, {"limit": 100}), lambda: _grow_roles(45))


# --- /coverage -------------------------------------------------------------------------


def test_coverage_answers_the_findings_as_json(leader_api):
    ada = owner("Ada Lane")
    line = ProductLineFactory(name="Payments", owner=ada)
    ProductFactory(name="Checkout", key="CHK", product_line=line, owner=ada)
    bare = ProductFactory(name="Wallet", key="WAL", product_line=line)
    role = make_role(gap=RoleGap.NO_OWNER, product=bare, product_line=line)
    body = leader_api.get("/coverage").json()
    assert body["counts"] == {"no_owner": 1, "overloaded": 0, "single_point": 0}
    [finding] = body["findings"]
    assert finding == {
        "key": f"no-owner-product-{bare.pk}",
        "gap": "no_owner",
        "text": "The product Wallet in Payments has no owner.",
        "links": [
            {"label": "Wallet", "url": "/portfolio/products/WAL/"},
            {"label": "Payments", "url": f"/portfolio/#line-{line.pk}"},
        ],
        "product_line_ids": [line.pk],
        "product_ids": [bare.pk],
        "user_id": None,
        "open_role_ids": [role.pk],
    }
    [load] = body["owners"]
    assert (load["name"], load["person_id"], load["total"], load["overloaded"]) == (
        "Ada Lane",
        ada.person.pk,
        2,
        False,
    )
    assert body["thresholds"]["max_products_per_owner"] == 3


def test_coverage_hides_a_private_owners_record_from_a_viewer(staff, api_as):  # noqa: F811
    hidden = owner("Hana Hidden", private=True)
    ProductLineFactory(owner=hidden)
    as_viewer = api_as(staff.viewer).get("/coverage").json()["owners"][0]
    as_admin = api_as(staff.admin).get("/coverage").json()["owners"][0]
    assert as_viewer["person_id"] is None
    assert "Hana" not in as_viewer["name"]
    assert (as_admin["person_id"], as_admin["name"]) == (hidden.person.pk, "Hana Hidden")


def test_coverage_needs_credentials(client):
    assert client.get("/api/v1/coverage").status_code == 401


def test_coverage_costs_a_fixed_number_of_queries(staff, api_as):  # noqa: F811
    client = api_as(staff.product_leader)

    def grow(n: int) -> None:
        for _ in range(n):
            line = ProductLineFactory(owner=owner("Many"))
            ProductFactory(product_line=line)
            make_role(gap=RoleGap.NO_OWNER, product_line=line)

    grow(5)
    # the token with its user, then the coverage's
    assert assert_same_queries(lambda: client.get("/coverage"), lambda: grow(45)) == (
        COVERAGE_QUERIES + 1
    )
