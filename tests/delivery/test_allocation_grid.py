"""The allocation grid at the scale of a product organization: its filters (product line,
product, team, manager's organization, over-allocated only, name), paging of people
with totals and roll-ups that count the whole selection, over-allocation from rows on
several products and teams, what a private person leaves out, and what it costs in
queries whatever the number of people.

Working days of 2026: January 22, February 20, March 22 (Q1: 64)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.delivery import allocation_views
from pilothouse.delivery.allocation_grid import GridFilters, allocation_grid
from pilothouse.delivery.models import Allocation, Team
from tests.factories import PersonFactory, ProductFactory, ProductLineFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
PER_PAGE = allocation_views.PEOPLE_PER_PAGE


def allocate(person, start, end, percent, *, product=None, team=None) -> Allocation:
    return Allocation.objects.create(
        person=person, product=product, team=team, start=start, end=end, percent=percent
    )


@pytest.fixture
def org(db):
    """Payments (Pay) and Platform (Api, Data); the Core team works on Api and Data.

    Boss manages Lead, who manages Ada. Ada is 60 % on Pay and 50 % on Core in
    February (110 %: over, from rows on a product and a team of two other products);
    Bo is 100 % on Api in January; Cy is 40 % on Data all of Q1."""
    payments = ProductLineFactory(name="Payments")
    platform = ProductLineFactory(name="Platform")
    pay = ProductFactory(name="Pay", key="PAY", product_line=payments)
    api = ProductFactory(name="Api", key="API", product_line=platform)
    data = ProductFactory(name="Data", key="DAT", product_line=platform)
    core = Team.objects.create(name="Core")
    core.products.set([api, data])
    boss = PersonFactory(name="Boss")
    lead = PersonFactory(name="Lead", manager=boss)
    ada = PersonFactory(name="Ada", manager=lead, fte=Decimal("1.00"))
    bo = PersonFactory(name="Bo", fte=Decimal("0.50"))
    cy = PersonFactory(name="Cy", manager=boss, fte=Decimal("1.00"))
    allocate(ada, D(2026, 1, 1), D(2026, 3, 31), 60, product=pay)
    allocate(ada, D(2026, 2, 1), D(2026, 2, 28), 50, team=core)
    allocate(bo, D(2026, 1, 1), D(2026, 1, 31), 100, product=api)
    allocate(cy, D(2026, 1, 1), D(2026, 3, 31), 40, product=data)
    return {
        "payments": payments,
        "platform": platform,
        "pay": pay,
        "api": api,
        "data": data,
        "core": core,
        "boss": boss,
        "lead": lead,
        "ada": ada,
        "bo": bo,
        "cy": cy,
    }


def names(grid) -> list[str]:
    return [row.person.name for row in grid.rows]


def by_month(user, **filters):
    return allocation_grid(
        user=user, year=2026, granularity="month", filters=GridFilters(**filters)
    )


# --- over-allocation ----------------------------------------------------------------------


def test_over_allocation_from_a_product_row_and_a_team_row_is_flagged(org, leader):
    grid = by_month(leader)
    ada = grid.rows[0]
    assert ada.person.name == "Ada"
    assert [bool(cell.over) for cell in ada.cells[:3]] == [False, True, False]
    assert ada.cells[1].over.message == "Ada is allocated 110 % in all of Feb 2026, over 100 %."
    assert [flag.person_name for flag in grid.flags] == ["Ada"]
    # Chosen through the team's products, she keeps the flag: it counts all her rows.
    on_data = by_month(leader, product_id=org["data"].pk)
    assert names(on_data) == ["Ada", "Cy"]
    assert on_data.rows[0].over
    assert [flag.period.label for flag in on_data.flags] == ["Feb 2026"]


def test_over_allocated_only_keeps_the_flagged_people_and_their_totals(org, leader):
    grid = by_month(leader, over_only=True)
    assert names(grid) == ["Ada"]
    # Ada's own FTE per month: 60 %, 60 % + 50 %, 60 %.
    assert grid.fte_totals[:3] == pytest.approx([0.6, 1.1, 0.6])
    rows = {row.label: row.fte[:3] for row in grid.rollup}
    assert rows["Pay (PAY)"] == pytest.approx([0.6, 0.6, 0.6])
    assert rows["Api (API)"] == pytest.approx([0.0, 0.25, 0.0])


# --- filters --------------------------------------------------------------------------------


def test_a_product_keeps_the_people_on_it_directly_or_through_a_team(org, leader):
    grid = by_month(leader, product_id=org["api"].pk)
    assert names(grid) == ["Ada", "Bo"]
    # The roll-up shows that product alone, with all its capacity.
    assert [row.label for row in grid.rollup] == ["Api (API)"]
    assert grid.rollup[0].fte[:2] == pytest.approx([0.5, 0.25])


def test_a_line_keeps_its_people_and_rolls_up_its_products(org, leader):
    grid = by_month(leader, line_id=org["payments"].pk)
    assert names(grid) == ["Ada"]
    assert [row.label for row in grid.rollup] == ["Payments", "Pay (PAY)"]


def test_a_team_keeps_the_people_allocated_to_it(org, leader):
    assert names(by_month(leader, team_id=org["core"].pk)) == ["Ada"]


def test_a_manager_keeps_their_whole_organization(org, leader):
    assert names(by_month(leader, manager_id=org["boss"].pk)) == ["Ada", "Cy"]
    assert names(by_month(leader, manager_id=org["lead"].pk)) == ["Ada"]
    assert [choice.label for choice in by_month(leader).managers] == ["Boss", "Lead"]


def test_a_name_keeps_the_people_whose_name_contains_it(org, leader):
    assert names(by_month(leader, name=" bO ")) == ["Bo"]
    assert names(by_month(leader, name="zz")) == []


def test_filters_combine_and_unknown_ones_are_dropped(org, leader):
    grid = by_month(leader, line_id=org["platform"].pk, manager_id=org["boss"].pk)
    assert names(grid) == ["Ada", "Cy"]
    unknown = by_month(leader, line_id=999_999, product_id=999_999, team_id=999_999)
    assert names(unknown) == ["Ada", "Bo", "Cy"]
    assert unknown.filters == GridFilters()


# --- privacy -------------------------------------------------------------------------------


def test_a_private_person_is_left_out_of_rows_flags_totals_and_choices(org, make_user):
    org["lead"].private = True
    org["lead"].save()
    org["ada"].private = True
    org["ada"].save()
    viewer = make_user(Role.VIEWER)
    grid = by_month(viewer)
    assert names(grid) == ["Bo", "Cy"]
    assert grid.flags == []
    assert grid.fte_totals[1] == pytest.approx(0.4)
    assert [choice.label for choice in grid.managers] == ["Boss"]
    # Naming the private manager does not narrow anything: the filter is dropped.
    assert by_month(viewer, manager_id=org["lead"].pk).filters.manager_id is None
    # Lead's login sees Ada, their report.
    lead_login = make_user(Role.PRODUCT_MANAGER)
    org["lead"].user = lead_login
    org["lead"].save()
    assert names(by_month(lead_login)) == ["Ada", "Bo", "Cy"]


def test_the_page_does_not_name_a_private_person_to_who_may_not_see_them(org, as_user, make_user):
    org["ada"].private = True
    org["ada"].save()
    html = as_user(make_user(Role.VIEWER)).get(reverse("delivery:allocation_grid")).content
    assert b"Ada" not in html
    html = as_user(make_user(Role.PRODUCT_LEADER)).get(reverse("delivery:allocation_grid"))
    assert b"Ada is allocated 110 %" in html.content


# --- paging and queries --------------------------------------------------------------------


def grow(org, count: int) -> None:
    """People at 0.5 FTE, 80 % on Pay all Q1, named to sort after the others."""
    for _ in range(count):
        person = PersonFactory(name=f"Zed {Allocation.objects.count():04d}", fte=Decimal("0.5"))
        allocate(person, D(2026, 1, 1), D(2026, 3, 31), 80, product=org["pay"])


def page(client, **params):
    return client.get(reverse("delivery:allocation_grid"), {"year": 2026, "by": "month", **params})


def test_people_are_paged_and_totals_count_the_whole_selection(org, as_user, leader):
    grow(org, PER_PAGE)  # 53 people in all
    client = as_user(leader)
    first, second = page(client), page(client, page=2)
    shown = [[row.person.name for row in r.context["page_obj"]] for r in (first, second)]
    assert [len(names) for names in shown] == [PER_PAGE, 3]
    assert shown[0][:3] == ["Ada", "Bo", "Cy"]
    html = second.content.decode()
    assert 'id="person-' + str(org["ada"].pk) + '"' not in html
    # January: Ada 0.6, Bo 0.5, Cy 0.4 and 50 people x 0.5 x 80 % = 20 FTE: 21.5 on both.
    for response in (first, second):
        assert response.context["grid"].fte_totals_shown[0] == "21.5"
        rollup = {row.label: row.shown[0] for row in response.context["grid"].rollup}
        assert rollup["Pay (PAY)"] == "20.6"
    assert "Page 2 of 2" in html
    # Ada's flag, listed on page 2 too, links to her row on page 1.
    link = re.search(rf'href="([^"]*#person-{org["ada"].pk})"', html).group(1)
    assert "page=1" in link
    assert "by=month" in link


def test_the_page_keeps_its_filters_in_the_page_links(org, as_user, leader):
    grow(org, PER_PAGE + 5)
    html = page(as_user(leader), product=org["pay"].pk).content.decode()
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="([^"]*)" rel="next"', html).group(1)
    assert f"product={org['pay'].pk}" in next_link
    assert "page=2" in next_link


def test_the_page_reads_as_many_queries_for_3_and_30_people(org, as_user, make_user):
    client = as_user(make_user(Role.PRODUCT_MANAGER))

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert page(client, manager=org["boss"].pk).status_code == 200
        return len(context.captured_queries)

    page(client)  # fills the process-wide caches
    small = count()
    grow(org, 27)
    assert count() == small
    # session, user; who they may see; the people; the year's allocations; the teams
    # with their products; the product lines with theirs
    assert small == 7


@pytest.mark.parametrize("role", [Role.PRODUCT_LEADER, Role.VIEWER])
def test_the_grid_reads_as_many_queries_for_3_and_30_people(org, role):
    user = UserFactory(role=role)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            by_month(user, over_only=True, team_id=org["core"].pk)
        return len(context.captured_queries)

    small = count()
    grow(org, 27)
    assert count() == small == (4 if role == Role.PRODUCT_LEADER else 5)
