"""The ownership and coverage page: who sees it, what it shows, what it costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.people.models import RoleGap
from tests.factories import (
    InitiativeFactory,
    ObjectiveFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
)
from tests.people.hiring_support import ROLE_NAMES, SEES_BUDGET, build_staff, make_role, owner
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db
COVERAGE = reverse("people:coverage")


@pytest.fixture
def portfolio():
    ada = owner("Ada Lane")
    payments = ProductLineFactory(name="Payments", owner=ada)
    checkout = ProductFactory(name="Checkout", key="CHK", product_line=payments, owner=ada)
    ProductFactory(name="Wallet", key="WAL", product_line=payments, owner=ada)
    growth = ProductLineFactory(name="Growth")
    orphan = ProductFactory(name="Referrals", key="REF", product_line=growth)
    ObjectiveFactory(title="Grow revenue", owner=ada)
    InitiativeFactory(title="Faster checkout")
    role = make_role(title="Growth PM", gap=RoleGap.NO_OWNER, product=orphan, product_line=growth)
    return {"ada": ada, "payments": payments, "checkout": checkout, "orphan": orphan, "role": role}


@pytest.mark.parametrize("role_name", ROLE_NAMES)
def test_everyone_signed_in_sees_the_coverage_page(client, role_name, portfolio):
    staff = build_staff()
    client.force_login(staff.of(role_name))
    response = client.get(COVERAGE)
    assert response.status_code == 200
    html = response.content.decode()
    role = portfolio["role"]
    assert f'id="finding-no-owner-product-{portfolio["orphan"].pk}"' in html
    assert 'The product <a href="/portfolio/products/REF/">Referrals</a> in ' in html
    assert f'<a href="{reverse("people:open_role_detail", args=[role.pk])}">Growth PM</a>' in html
    assert "Ada Lane</a> owns the product line" in html  # the single point of failure
    assert "The initiative" in html
    assert "Faster checkout" in html
    plan_link = reverse("people:open_role_create") + "?gap=no_owner"
    assert (plan_link in html) is (role_name in SEES_BUDGET)


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(COVERAGE)
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_the_page_lists_owners_and_what_each_owns(client, leader, portfolio):
    client.force_login(leader)
    response = client.get(COVERAGE)
    report = response.context["coverage"]
    [load] = report.owners
    assert (load.owner.name, load.total) == ("Ada Lane", 4)
    html = response.content.decode()
    assert "<strong>No owner</strong>" in html  # the Growth line and Referrals
    assert [section[2] for section in response.context["sections"]] == [
        report.unowned,
        report.overloaded,
        report.single_points,
    ]


def _grow(n: int) -> None:
    for _ in range(n):
        pm = owner("Pat Many", private=True)
        line = ProductLineFactory(owner=pm)
        product = ProductFactory(product_line=line, owner=pm)
        ProductFactory(product_line=line)
        ProductAreaFactory(product=product, owner=pm)
        ObjectiveFactory(owner=pm)
        InitiativeFactory()
        make_role(gap=RoleGap.NO_OWNER, product_line=line)


@pytest.mark.parametrize(("role_name", "expected"), [("product_leader", 7), ("viewer", 8)])
def test_the_page_costs_the_same_queries_for_5_and_50_of_everything(client, role_name, expected):
    client.force_login(build_staff().of(role_name))
    _grow(5)
    # session, user; lines, products with their areas' counts, objectives, initiatives,
    # roles; for a viewer, which private people they may see
    assert assert_same_queries(lambda: client.get(COVERAGE), lambda: _grow(45)) == expected
