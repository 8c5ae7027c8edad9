"""The hiring plan's pages: who sees and changes what, budgets hidden from all but
product leaders and admins, status moves from a role's page, and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.people.hiring_forms import OpenRoleForm
from pilothouse.people.models import Level, OpenRole, OpenRoleStatus, RoleGap
from tests.factories import PersonFactory, ProductFactory, ProductLineFactory
from tests.people.hiring_support import (
    ROLE_NAMES,
    SEES_BUDGET,
    build_staff,
    level,
    make_role,
)
from tests.web.helpers import assert_same_queries, form_payload, history_panel

pytestmark = pytest.mark.django_db
PLAN = reverse("people:hiring_plan")
S = OpenRoleStatus
SECRET_BUDGET = Decimal("187654")


def detail(role: OpenRole) -> str:
    return reverse("people:open_role_detail", args=[role.pk])


@pytest.fixture
def staff():
    return build_staff()


@pytest.fixture
def role(staff):
    line = ProductLineFactory(name="Payments")
    return make_role(
        title="Payments PM",
        gap=RoleGap.BACKFILL,
        product_line=line,
        target_start=dt.date(2026, 8, 3),
        budget_per_year=SECRET_BUDGET,
        budget_currency="EUR",
        hiring_manager=staff.manager,
    )


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_the_plan_and_a_roles_page_show_the_budget_only_to_leaders_and_admins(
    client, staff, role, role_name
):
    client.force_login(staff.of(role_name))
    sees = role_name in SEES_BUDGET
    for url in (PLAN, detail(role)):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Payments PM" in html
        assert ("187,654" in html) is sees, url
        assert ("Budget per year" in html) is sees, url
        assert "187654" not in html


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_only_leaders_and_admins_open_the_edit_pages(client, staff, role, role_name):
    client.force_login(staff.of(role_name))
    allowed = role_name in SEES_BUDGET
    urls = [
        reverse("people:open_role_create"),
        reverse("people:open_role_edit", args=[role.pk]),
        reverse("people:open_role_delete", args=[role.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == (200 if allowed else 403), url
    move = client.post(
        reverse("people:open_role_move", args=[role.pk]), {"status": "approved", "version": 1}
    )
    assert move.status_code == (302 if allowed else 403)
    role.refresh_from_db()
    assert role.status == (S.APPROVED if allowed else S.PROPOSED)
    plan = client.get(PLAN).content.decode()
    assert ("New open role" in plan) is allowed
    page = client.get(detail(role)).content.decode()
    assert ("Edit role" in page) is allowed
    assert ("Move to open" in page) is allowed


def test_an_unknown_role_is_404(client, leader):
    client.force_login(leader)
    assert client.get(reverse("people:open_role_detail", args=[999_999])).status_code == 404


def test_create_a_role_from_a_coverage_finding(client, leader):
    line = ProductLineFactory()
    product = ProductFactory(product_line=line)
    client.force_login(leader)
    url = reverse("people:open_role_create") + f"?gap=no_owner&line={line.pk}&product={product.pk}"
    form = client.get(url).context["form"]
    assert (form["gap"].value(), form["product_line"].value(), form["product"].value()) == (
        "no_owner",
        line.pk,
        product.pk,
    )
    payload = form_payload(
        form,
        title="Referrals PM",
        level=str(level(Level.SENIOR_PM).pk),
        target_start="2026-10-01",
        budget_per_year="140000",
        budget_currency="usd",
    )
    response = client.post(url, payload)
    created = OpenRole.objects.get(title="Referrals PM")
    assert response.status_code == 302
    assert response["Location"] == detail(created)
    assert (created.gap, created.product, created.budget_currency) == ("no_owner", product, "USD")
    page = client.get(detail(created)).content.decode()
    assert f"#finding-no-owner-product-{product.pk}" in page


def test_a_bad_move_in_the_edit_form_is_shown_on_the_status_field(client, leader, role):
    client.force_login(leader)
    url = reverse("people:open_role_edit", args=[role.pk])
    form = OpenRoleForm(instance=role)
    response = client.post(url, form_payload(form, status="filled"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "from proposed to filled" in errors["status"][0]
    role.refresh_from_db()
    assert (role.status, role.version) == (S.PROPOSED, 1)


def test_the_edit_history_never_shows_the_budget(client, leader, role):
    client.force_login(leader)
    url = reverse("people:open_role_edit", args=[role.pk])
    form = OpenRoleForm(instance=role)
    client.post(url, form_payload(form, budget_per_year="199999", reason="Grow"))
    role.refresh_from_db()
    assert role.budget_per_year == Decimal("199999")
    history = history_panel(client.get(detail(role)).content.decode())
    assert "Grow" in history
    assert "199" not in history
    assert "187" not in history


def test_a_private_hire_is_not_named_on_the_roles_page_to_those_who_may_not_see_them(
    client, staff, leader, role
):
    staff.report.name = "Quiet Quinn"
    staff.report.private = True
    staff.report.save()
    client.force_login(leader)
    move = reverse("people:open_role_move", args=[role.pk])
    for version, status in enumerate(["approved", "open", "offer"], start=1):
        client.post(move, {"status": status, "version": version})
    client.post(move, {"status": "filled", "version": 4, "filled_by": staff.report.pk})
    for role_name in ROLE_NAMES:
        client.force_login(staff.of(role_name))
        html = client.get(detail(role)).content.decode()
        sees = role_name in {"admin", "product_leader", "product_manager"}  # + their manager
        assert ("Quiet Quinn" in html) is sees, role_name
        assert (f"#{staff.report.pk}" in history_panel(html)) is not sees, role_name


def test_moves_from_the_roles_page_follow_the_flow(client, leader, role):
    client.force_login(leader)
    move = reverse("people:open_role_move", args=[role.pk])
    response = client.post(move, {"status": "offer", "version": 1}, follow=True)
    assert "Nothing was changed: An open role cannot go from proposed to offer" in (
        response.content.decode()
    )
    for version, status in enumerate(["approved", "open", "offer"], start=1):
        client.post(move, {"status": status, "version": version})
    hire = PersonFactory(name="Nia New")
    page = client.get(detail(role)).content.decode()
    assert 'name="filled_by"' in page
    assert "Nia New" in page
    response = client.post(move, {"status": "filled", "version": 4, "filled_by": hire.pk})
    role.refresh_from_db()
    assert (role.status, role.filled_by) == (S.FILLED, hire)
    stale = client.post(move, {"status": "cancelled", "version": 1}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    role.refresh_from_db()
    assert role.status == S.FILLED


def test_delete_a_role(client, leader, role):
    client.force_login(leader)
    response = client.post(reverse("people:open_role_delete", args=[role.pk]), {"version": 1})
    assert response.status_code == 302
    assert not OpenRole.objects.filter(pk=role.pk).exists()


def test_the_plan_page_shows_quarters_filters_and_unaddressed_gaps(client, viewer, role):
    orphan_line = ProductLineFactory(name="Orphans")
    make_role(title="Later", gap=RoleGap.GROWTH)
    client.force_login(viewer)
    html = client.get(PLAN).content.decode()
    assert html.index("2026-Q3") < html.index("No target start")
    assert 'id="role-' in html
    assert "Payments 1" in html
    assert f"#finding-no-owner-product-line-{orphan_line.pk}" in html
    filtered = client.get(PLAN, {"gap": "growth", "status": "bogus", "line": "x"})
    assert [p.role.title for q in filtered.context["plan"].quarters for p in q.roles] == ["Later"]
    assert filtered.context["filters"].status == "active"


def _grow(n: int) -> None:
    manager = PersonFactory(private=True)
    for i in range(n):
        line = ProductLineFactory()
        make_role(
            product=ProductFactory(product_line=line),
            product_line=line,
            gap=RoleGap.NO_OWNER,
            target_start=dt.date(2026, 1 + i % 12, 1),
            hiring_manager=manager,
            budget_per_year=Decimal(100 + i),
        )


@pytest.mark.parametrize(("role_name", "expected"), [("product_leader", 11), ("viewer", 12)])
def test_the_plan_page_costs_the_same_queries_for_5_and_50_roles(client, role_name, expected):
    client.force_login(build_staff().of(role_name))
    _grow(5)
    # session, user; roles, status counts, the coverage's 5; product lines and levels
    # of the filters; for a viewer, which private people they may see
    assert assert_same_queries(lambda: client.get(PLAN), lambda: _grow(45)) == expected


def test_a_roles_page_costs_the_same_queries_whatever_the_plan(client, leader, role):
    client.force_login(leader)
    assert assert_same_queries(lambda: client.get(detail(role)), lambda: _grow(20))
