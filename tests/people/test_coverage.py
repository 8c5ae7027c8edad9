"""Ownership coverage: each finding on a hand-built portfolio, its sentence and links,
the open roles that address it, and the fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilothouse.people import coverage
from pilothouse.people.coverage import (
    COVERAGE_QUERIES,
    MAX_ITEMS_PER_OWNER,
    MAX_PRODUCTS_PER_OWNER,
    read_coverage,
)
from pilothouse.people.models import OpenRoleStatus, RoleGap
from pilothouse.portfolio.models import LifecycleStage
from pilothouse.strategy.models import InitiativeStatus, ObjectiveScope, ObjectiveStatus
from tests.factories import (
    InitiativeFactory,
    ObjectiveFactory,
    PersonFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
    UserFactory,
)
from tests.people.hiring_support import build_staff, make_role, owner

pytestmark = pytest.mark.django_db


def keys(report: coverage.Coverage, gap: str | None = None) -> list[str]:
    return [f.key for f in report.findings if gap is None or f.gap == gap]


def read(viewer=None) -> coverage.Coverage:
    return read_coverage(viewer=viewer)


# --- no owner ------------------------------------------------------------------------


def test_everything_owned_gives_no_finding():
    ada = owner("Ada Lane")
    bob = owner("Bob Ray")
    line = ProductLineFactory(owner=ada)
    ProductFactory(product_line=line, owner=bob)
    ObjectiveFactory(owner=ada)
    InitiativeFactory(owner=bob, status=InitiativeStatus.ACTIVE)
    assert read().findings == []


def test_each_kind_without_an_owner_is_flagged_with_a_sentence_and_links():
    ada = owner("Ada Lane")
    line = ProductLineFactory(name="Payments")
    product = ProductFactory(name="Checkout", key="CHK", product_line=line, owner=ada)
    bare = ProductFactory(name="Wallet", key="WAL", product_line=line)
    objective = ObjectiveFactory(title="Grow", period="2026-Q3")
    initiative = InitiativeFactory(title="One click")
    report = read()
    assert keys(report, RoleGap.NO_OWNER) == [
        f"no-owner-product-line-{line.pk}",
        f"no-owner-product-{bare.pk}",
        f"no-owner-objective-{objective.pk}",
        f"no-owner-initiative-{initiative.pk}",
    ]
    texts = [f.text for f in report.unowned]
    assert texts == [
        "The product line Payments has no owner.",
        "The product Wallet in Payments has no owner.",
        "The objective Grow (2026-Q3) has no owner.",
        "The initiative One click has no owner.",
    ]
    wallet = report.unowned[1]
    assert [(link.label, link.url) for link in wallet.links] == [
        ("Wallet", reverse("web:product_detail", args=["WAL"])),
        ("Payments", reverse("web:portfolio") + f"#line-{line.pk}"),
    ]
    assert report.unowned[2].links[0].url == reverse("web:objective_detail", args=[objective.pk])
    assert report.unowned[3].links[0].url == reverse("web:initiative_detail", args=[initiative.pk])
    assert all(f.gap == RoleGap.NO_OWNER for f in report.unowned)
    assert product.pk not in {pid for f in report.findings for pid in f.product_ids}


def test_an_owner_whose_login_is_deactivated_counts_as_no_owner():
    gone = owner("Gus Gone")
    gone.is_active = False
    gone.save()
    line = ProductLineFactory(name="Core", owner=owner("Ada Lane"))
    ProductFactory(name="Ledger", product_line=line, owner=gone)
    [finding] = read().unowned
    assert (
        finding.text
        == "The product Ledger in Core is owned by Gus Gone, whose login is deactivated."
    )
    assert finding.links[-1].label == "Gus Gone"


def test_only_live_items_are_counted():
    line = ProductLineFactory(owner=owner("Ada Lane"))
    ProductFactory(product_line=line, stage=LifecycleStage.RETIRED)
    for status in (ObjectiveStatus.ACHIEVED, ObjectiveStatus.MISSED, ObjectiveStatus.CANCELLED):
        ObjectiveFactory(status=status)
    for status in (InitiativeStatus.DONE, InitiativeStatus.CANCELLED):
        InitiativeFactory(status=status)
    draft = ObjectiveFactory(status=ObjectiveStatus.DRAFT)
    proposed = InitiativeFactory(status=InitiativeStatus.PROPOSED)
    assert keys(read()) == [
        f"no-owner-objective-{draft.pk}",
        f"no-owner-initiative-{proposed.pk}",
    ]


def test_an_owner_without_a_person_record_is_named_by_their_login():
    login = UserFactory(username="kim", first_name="Kim", last_name="Lo")
    line = ProductLineFactory(owner=login)
    [load] = read().owners
    assert (load.owner.name, load.owner.person_id, load.product_lines[0].pk) == (
        "Kim Lo",
        None,
        line.pk,
    )


# --- owning too much -------------------------------------------------------------------


def test_more_than_the_product_limit_is_flagged_and_the_limit_itself_is_not():
    ada = owner("Ada Lane")
    line = ProductLineFactory(owner=owner("Lee Line"))
    products = [
        ProductFactory(name=f"P{i}", product_line=line, owner=ada)
        for i in range(MAX_PRODUCTS_PER_OWNER)
    ]
    assert read().overloaded == []
    products.append(ProductFactory(name="P9", product_line=line, owner=ada))
    [finding] = read().overloaded
    assert finding.key == f"overloaded-{ada.pk}"
    assert finding.text == (
        f"Ada Lane owns {MAX_PRODUCTS_PER_OWNER + 1} products "
        f"(more than {MAX_PRODUCTS_PER_OWNER}: P0, P1, P2 and P9)."
    )
    person = ada.person
    assert finding.links[0].url == reverse("people:person_detail", args=[person.pk])
    assert finding.product_ids == {p.pk for p in products}
    assert finding.user_id == ada.pk


def test_more_than_the_item_limit_is_flagged_with_the_count_by_kind():
    ada = owner("Ada Lane")
    ProductLineFactory(owner=ada)
    ProductLineFactory(owner=ada)
    line = ProductLineFactory(owner=owner("Lee Line"))
    ProductFactory(product_line=line, owner=ada)
    for _ in range(4):
        ObjectiveFactory(owner=ada)
    InitiativeFactory(owner=ada)
    assert len(read().overloaded) == 0  # 8 items: the limit
    InitiativeFactory(owner=ada)
    [finding] = read().overloaded
    assert finding.text == (
        f"Ada Lane owns 9 items in all (more than {MAX_ITEMS_PER_OWNER}: "
        "2 product lines, 1 product, 4 objectives, 2 initiatives)."
    )


def test_both_limits_are_named_in_one_finding():
    ada = owner("Ada Lane")
    line = ProductLineFactory(owner=owner("Lee Line"))
    for i in range(5):
        ProductFactory(name=f"P{i}", product_line=line, owner=ada)
    for _ in range(4):
        ObjectiveFactory(owner=ada)
    [finding] = read().overloaded
    assert finding.text == (
        "Ada Lane owns 5 products (more than 3: P0, P1, P2, P3 and P4) and 9 items in all "
        "(more than 8: 5 products, 4 objectives)."
    )


def test_owners_are_listed_most_loaded_first():
    ada, bob = owner("Ada Lane"), owner("Bob Ray")
    ProductLineFactory(owner=bob)
    ObjectiveFactory(owner=ada)
    ObjectiveFactory(owner=ada)
    assert [(load.owner.name, load.total) for load in read().owners] == [
        ("Ada Lane", 2),
        ("Bob Ray", 1),
    ]


# --- single points of failure --------------------------------------------------------


def test_a_line_whose_owner_owns_every_product_is_a_single_point_of_failure():
    ada = owner("Ada Lane")
    line = ProductLineFactory(name="Payments", owner=ada)
    ProductFactory(name="Checkout", product_line=line, owner=ada)
    ProductFactory(name="Wallet", product_line=line, owner=ada)
    [finding] = read().single_points
    assert finding.key == f"single-point-product-line-{line.pk}"
    assert finding.text == (
        "Ada Lane owns the product line Payments and all 2 of its products "
        "(Checkout and Wallet): nobody else owns any part of it."
    )
    assert [link.label for link in finding.links] == ["Ada Lane", "Payments", "Checkout", "Wallet"]


@pytest.mark.parametrize(
    "change",
    ["one_product", "another_owns_a_product", "a_product_unowned", "another_owns_an_area"],
)
def test_a_line_is_not_a_single_point_when_someone_else_holds_part_of_it(change):
    ada, bob = owner("Ada Lane"), owner("Bob Ray")
    line = ProductLineFactory(owner=ada)
    first = ProductFactory(product_line=line, owner=ada)
    if change != "one_product":
        second_owner = {"another_owns_a_product": bob, "a_product_unowned": None}.get(change, ada)
        ProductFactory(product_line=line, owner=second_owner)
    if change == "another_owns_an_area":
        ProductAreaFactory(product=first, owner=bob)
    assert read().single_points == []


def test_an_area_owned_by_a_deactivated_login_does_not_count_as_someone_else():
    ada, gone = owner("Ada Lane"), owner("Gus Gone")
    gone.is_active = False
    gone.save()
    line = ProductLineFactory(owner=ada)
    first = ProductFactory(product_line=line, owner=ada)
    ProductFactory(product_line=line, owner=ada)
    ProductAreaFactory(product=first, owner=gone)
    assert keys(read(), RoleGap.SINGLE_POINT) == [f"single-point-product-line-{line.pk}"]


def test_a_product_whose_areas_nobody_else_owns_is_a_single_point_of_failure():
    ada, bob = owner("Ada Lane"), owner("Bob Ray")
    line = ProductLineFactory(owner=bob)
    product = ProductFactory(name="Checkout", product_line=line, owner=ada)
    ProductAreaFactory(product=product, owner=ada)
    ProductAreaFactory(product=product)  # nobody's
    shared = ProductFactory(product_line=line, owner=ada)
    ProductAreaFactory(product=shared, owner=ada)
    ProductAreaFactory(product=shared, owner=bob)
    ProductAreaFactory(product=ProductFactory(product_line=line, owner=ada), owner=ada)  # 1 area
    [finding] = read().single_points
    assert finding.key == f"single-point-product-{product.pk}"
    assert finding.text == (
        "Ada Lane owns the product Checkout and nobody else owns any of its 2 areas: "
        "it rests on one person."
    )


def test_a_single_point_line_does_not_also_flag_its_products():
    ada = owner("Ada Lane")
    line = ProductLineFactory(owner=ada)
    for _ in range(2):
        product = ProductFactory(product_line=line, owner=ada)
        ProductAreaFactory(product=product, owner=ada)
        ProductAreaFactory(product=product, owner=ada)
    assert keys(read(), RoleGap.SINGLE_POINT) == [f"single-point-product-line-{line.pk}"]


# --- people records and privacy --------------------------------------------------------


def test_a_private_owner_is_named_by_login_to_those_who_may_not_see_them():
    staff = build_staff()
    hidden = owner("Hana Hidden", private=True)
    hidden.first_name, hidden.last_name = "H.", "H."
    hidden.save()
    ProductLineFactory(owner=hidden)
    as_viewer = read(staff.viewer).owners[0].owner
    as_leader = read(staff.product_leader).owners[0].owner
    assert (as_viewer.name, as_viewer.person_id) == ("H. H.", None)
    assert (as_leader.name, as_leader.person_id) == ("Hana Hidden", hidden.person.pk)


def test_a_private_owner_is_named_to_their_manager():
    staff = build_staff()
    report_login = UserFactory(username="rex")
    staff.report.user = report_login
    staff.report.private = True
    staff.report.save()
    ProductLineFactory(owner=report_login)
    assert read(staff.product_manager).owners[0].owner.name == "Rex Report"
    assert read(staff.contributor).owners[0].owner.person_id is None


# --- roles addressing findings ---------------------------------------------------------


def test_active_roles_of_the_same_gap_and_place_address_a_finding():
    ada = owner("Ada Lane")
    line = ProductLineFactory(owner=ada)
    other_line = ProductLineFactory(owner=ada)
    bare = ProductFactory(product_line=line)
    for_product = make_role(gap=RoleGap.NO_OWNER, product=bare, product_line=line)
    for_line = make_role(gap=RoleGap.NO_OWNER, product_line=line)
    make_role(gap=RoleGap.NO_OWNER, product_line=other_line)  # elsewhere
    make_role(gap=RoleGap.GROWTH, product=bare, product_line=line)  # another gap
    make_role(gap=RoleGap.NO_OWNER, product_line=line, status=OpenRoleStatus.CANCELLED)
    [finding] = read().unowned
    assert finding.roles == [for_product, for_line]


def test_a_role_addresses_an_overloaded_person_through_its_hiring_manager():
    ada = owner("Ada Lane")
    line = ProductLineFactory(owner=owner("Lee Line"))
    for _ in range(4):
        ProductFactory(product_line=line, owner=ada)
    relief = make_role(gap=RoleGap.OVERLOADED, hiring_manager=ada.person)
    make_role(gap=RoleGap.OVERLOADED, hiring_manager=PersonFactory())
    assert read().overloaded[0].roles == [relief]


def test_a_role_for_nowhere_addresses_company_wide_findings_only():
    line = ProductLineFactory()
    objective = ObjectiveFactory(scope=ObjectiveScope.COMPANY)
    anywhere = make_role(gap=RoleGap.NO_OWNER)
    report = read()
    by_key = {f.key: f.roles for f in report.findings}
    assert by_key[f"no-owner-objective-{objective.pk}"] == [anywhere]
    assert by_key[f"no-owner-product-line-{line.pk}"] == []


def test_the_plan_query_fills_in_a_new_role():
    line = ProductLineFactory()
    bare = ProductFactory(product_line=line, owner=None)
    line.owner = owner("Ada Lane")
    line.save()
    [finding] = read().unowned
    assert finding.plan_query == f"gap=no_owner&line={line.pk}&product={bare.pk}"


# --- queries ---------------------------------------------------------------------------


def _grow(n: int) -> None:
    ada = owner(f"Ada {n}")  # owns nothing when n is 0
    for _ in range(n):
        line = ProductLineFactory(owner=ada if n % 2 else None)
        product = ProductFactory(product_line=line, owner=ada)
        ProductAreaFactory(product=product, owner=owner("Area Owner"))
        ObjectiveFactory(owner=owner("Obj Owner", private=True))
        ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product)
        InitiativeFactory(owner=ada)
        make_role(gap=RoleGap.NO_OWNER, product_line=line)


@pytest.mark.parametrize("role", ["product_leader", "viewer"])
def test_coverage_costs_a_fixed_number_of_queries(role):
    viewer = build_staff().of(role)
    extra = 0 if role == "product_leader" else 1  # which private people they may see
    for n in (0, 5, 50):
        _grow(n)
        with CaptureQueriesContext(connection) as queries:
            report = read(viewer)
        assert len(queries) == COVERAGE_QUERIES + extra, [q["sql"] for q in queries]
        assert bool(report.findings) is bool(n)
