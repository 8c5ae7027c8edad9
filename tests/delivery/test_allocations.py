"""Allocations: periods, a person's allocation per period weighted by working days, the
over-allocation flag and its sentence, the grid and the roll-ups of capacity, and what
the reads cost in queries.

Working days of 2026 used below (weekdays, counted on the calendar): January 22,
February 20, March 22 (Q1: 64); April 22, May 21, June 22 (Q2: 65)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core import selectors as core_selectors
from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.delivery import allocation_grid, allocations
from pilothouse.delivery.allocations import Period, Share
from pilothouse.delivery.models import Allocation, Team
from pilothouse.delivery.services import allocation as allocation_writes
from tests.factories import PersonFactory, ProductFactory, ProductLineFactory, UserFactory

D = dt.date
Q1 = Period(D(2026, 1, 1), D(2026, 3, 31), "Q1 2026")


def share(start, end, percent, **fields) -> Share:
    return Share(allocation_id=0, person_id=1, start=start, end=end, percent=percent, **fields)


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", D(2026, 1, 1), D(2026, 12, 31), "2026"),
        ("2026-H2", D(2026, 7, 1), D(2026, 12, 31), "H2 2026"),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31), "Q1 2026"),
        ("2028-02", D(2028, 2, 1), D(2028, 2, 29), "Feb 2028"),
        (" 2026-Q4 ", D(2026, 10, 1), D(2026, 12, 31), "Q4 2026"),
    ],
)
def test_periods_are_written_as_objectives_write_theirs(text, start, end, label):
    assert allocations.parse_period(text) == Period(start, end, label)


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-13", "2026-W3", "Q1 2026"])
def test_a_bad_period_is_refused_naming_the_field(text):
    with pytest.raises(ValidationError) as caught:
        allocations.parse_period(text)
    assert "is not a period" in caught.value.message_dict["period"][0]


def test_the_quarters_and_months_of_a_span():
    quarters = allocations.periods_between(D(2026, 2, 10), D(2026, 7, 1), "quarter")
    assert [p.label for p in quarters] == ["Q1 2026", "Q2 2026", "Q3 2026"]
    months = allocations.periods_between(D(2026, 1, 1), D(2026, 12, 31), "month")
    assert len(months) == 12
    assert (months[1].start, months[1].end) == (D(2026, 2, 1), D(2026, 2, 28))


# --- the arithmetic -----------------------------------------------------------------------


def test_a_period_weighs_each_allocation_by_the_working_days_it_covers():
    january_half = share(D(2026, 1, 1), D(2026, 1, 31), 50)
    rest_full = share(D(2026, 2, 1), D(2026, 3, 31), 100)
    # 50 x 22/64 + 100 x 42/64
    assert allocations.weighted_percent([january_half], Q1) == pytest.approx(17.1875)
    assert allocations.weighted_percent([january_half, rest_full], Q1) == pytest.approx(82.8125)
    # An allocation longer than the period counts its part in the period only.
    assert allocations.weighted_percent([share(D(2025, 6, 1), D(2027, 1, 1), 40)], Q1) == 40


def test_the_peak_is_the_highest_daily_total_and_its_first_stretch():
    shares = [
        share(D(2026, 1, 1), D(2026, 3, 31), 60),
        share(D(2026, 2, 10), D(2026, 2, 20), 50),
        share(D(2026, 2, 15), D(2026, 3, 5), 30),
    ]
    # 60 to Feb 9, 110 Feb 10-14, 140 Feb 15-20, 90 to Mar 5, then 60.
    assert allocations.peak(shares, Q1.start, Q1.end) == allocations.Peak(
        140, D(2026, 2, 15), D(2026, 2, 20)
    )
    # Within March only the first and third overlap: 90 from the 1st to the 5th.
    assert allocations.peak(shares, D(2026, 3, 1), D(2026, 3, 31)) == allocations.Peak(
        90, D(2026, 3, 1), D(2026, 3, 5)
    )
    assert allocations.peak(shares, D(2026, 6, 1), D(2026, 6, 30)) is None


def test_over_100_percent_on_a_single_day_is_flagged_with_a_sentence():
    shares = [
        share(D(2026, 1, 1), D(2026, 3, 31), 60),
        share(D(2026, 2, 10), D(2026, 2, 20), 50),
        share(D(2026, 2, 15), D(2026, 3, 5), 30),
    ]
    flag = allocations.over_allocation(person_id=1, person_name="Ada", shares=shares, period=Q1)
    assert flag.message == (
        "Ada is allocated 140 % in Q1 2026 (from 2026-02-15 to 2026-02-20), over 100 %."
    )
    one_day = [share(D(2026, 1, 1), D(2026, 1, 31), 100), share(D(2026, 1, 31), D(2026, 2, 5), 1)]
    flag = allocations.over_allocation(person_id=1, person_name="Bo", shares=one_day, period=Q1)
    assert flag.message == "Bo is allocated 101 % in Q1 2026 (on 2026-01-31), over 100 %."


def test_exactly_100_percent_is_not_over_allocated():
    shares = [share(D(2026, 1, 1), D(2026, 3, 31), 70), share(D(2026, 1, 1), D(2026, 3, 31), 30)]
    flag = allocations.over_allocation(person_id=1, person_name="A", shares=shares, period=Q1)
    assert flag is None


def test_a_team_allocation_counts_for_the_teams_products_evenly():
    on_team = share(D(2026, 1, 1), D(2026, 1, 31), 60, team_id=7)
    assert allocations.product_split(on_team, {7: [3, 4, 5]}) == [
        (3, pytest.approx(1 / 3)),
        (4, pytest.approx(1 / 3)),
        (5, pytest.approx(1 / 3)),
    ]
    assert allocations.product_split(on_team, {}) == [(None, 1.0)]
    on_product = share(D(2026, 1, 1), D(2026, 1, 31), 60, product_id=9)
    assert allocations.product_split(on_product, {7: [3]}) == [(9, 1.0)]


# --- writes ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_allocation_goes_to_a_product_or_a_team_not_both_nor_neither():
    person, product = PersonFactory(), ProductFactory()
    team = Team.objects.create(name="Core")
    base = {"person": person, "start": D(2026, 1, 1), "end": D(2026, 3, 31), "percent": 50}
    for targets in ({}, {"product": product, "team": team}):
        with pytest.raises(ValidationError) as caught:
            allocation_writes.create(actor=None, data={**base, **targets})
        assert "either a product or a team" in caught.value.message_dict["product"][0]
    with pytest.raises(ValidationError) as caught:
        allocation_writes.create(
            actor=None, data={**base, "product": product, "end": D(2025, 12, 31)}
        )
    assert caught.value.message_dict["end"] == ["The end is before the start."]
    with pytest.raises(ValidationError) as caught:
        allocation_writes.create(actor=None, data={**base, "product": product, "percent": 130})
    assert "percent" in caught.value.message_dict
    assert Allocation.objects.count() == 0


@pytest.mark.django_db
def test_over_100_percent_is_saved_as_entered_never_capped():
    person, product = PersonFactory(name="Ada"), ProductFactory()
    span = {"person": person, "product": product, "start": D(2026, 1, 1), "end": D(2026, 3, 31)}
    allocation_writes.create(actor=None, data={**span, "percent": 80})
    second = allocation_writes.create(actor=None, data={**span, "percent": 70})
    assert sorted(Allocation.objects.values_list("percent", flat=True)) == [70, 80]
    allocations.decorate_allocations([second])
    assert second.over_allocation.peak.percent == 150


# --- the grid ----------------------------------------------------------------------------------


def _allocate(person, start, end, percent, *, product=None, team=None) -> Allocation:
    return Allocation.objects.create(
        person=person, product=product, team=team, start=start, end=end, percent=percent
    )


@pytest.fixture
def organization(db):
    payments = ProductLineFactory(name="Payments")
    platform = ProductLineFactory(name="Platform")
    pay = ProductFactory(name="Pay", key="PAY", product_line=payments)
    api = ProductFactory(name="Api", key="API", product_line=platform)
    core = Team.objects.create(name="Core")
    core.products.set([pay, api])
    ada = PersonFactory(name="Ada", fte=Decimal("1.00"))
    bo = PersonFactory(name="Bo", fte=Decimal("0.50"))
    # Ada: 60 % on Pay all quarter, and 50 % on the Core team in February: 110 % then.
    _allocate(ada, D(2026, 1, 1), D(2026, 3, 31), 60, product=pay)
    _allocate(ada, D(2026, 2, 1), D(2026, 2, 28), 50, team=core)
    # Bo: 100 % on Api in January.
    _allocate(bo, D(2026, 1, 1), D(2026, 1, 31), 100, product=api)
    return {"payments": payments, "platform": platform, "pay": pay, "api": api, "ada": ada}


def test_the_grid_has_a_row_per_person_and_flags_the_period_over_100(organization, leader):
    grid = allocation_grid.allocation_grid(user=leader, year=2026, granularity="quarter")
    assert [p.label for p in grid.periods] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    ada, bo = grid.rows
    assert (ada.person.name, bo.person.name) == ("Ada", "Bo")
    # Ada in Q1: 60 + 50 x 20/64 = 75.625; Bo: 100 x 22/64 = 34.375.
    assert ada.cells[0].percent == pytest.approx(75.625)
    assert bo.cells[0].percent == pytest.approx(34.375)
    assert [cell.percent for cell in ada.cells[1:]] == [0, 0, 0]
    assert ada.over
    assert not bo.over
    assert [flag.message for flag in grid.flags] == [
        "Ada is allocated 110 % in Q1 2026 (from 2026-02-01 to 2026-02-28), over 100 %."
    ]
    by_month = allocation_grid.allocation_grid(user=leader, year=2026, granularity="month")
    assert [flag.message for flag in by_month.flags] == [
        "Ada is allocated 110 % in all of Feb 2026, over 100 %."
    ]
    # FTE: Ada 1.0 x 75.625 % + Bo 0.5 x 34.375 %.
    assert grid.fte_totals[0] == pytest.approx(0.75625 + 0.171875)


def test_the_rollup_counts_fte_per_product_and_line_per_month(organization, leader):
    grid = allocation_grid.allocation_grid(user=leader, year=2026, granularity="month")
    rows = {row.label: row.fte for row in grid.rollup}
    assert list(rows) == ["Payments", "Pay (PAY)", "Platform", "Api (API)"]
    # Pay in February: Ada's 60 % + half of her 50 % on Core (Pay and Api) = 0.85 FTE.
    assert rows["Pay (PAY)"][:3] == pytest.approx([0.6, 0.85, 0.6])
    # Api: Bo's 0.5 FTE x 100 % in January, half of Ada's Core share in February.
    assert rows["Api (API)"][:3] == pytest.approx([0.5, 0.25, 0.0])
    assert rows["Payments"] == rows["Pay (PAY)"]


def test_filtering_by_line_keeps_the_people_on_it_with_all_their_allocations(organization, leader):
    on_platform = allocation_grid.GridFilters(line_id=organization["platform"].pk)
    grid = allocation_grid.allocation_grid(
        user=leader, year=2026, granularity="quarter", filters=on_platform
    )
    # Ada works on Platform through the Core team; her Pay allocation still counts.
    assert [row.person.name for row in grid.rows] == ["Ada", "Bo"]
    assert grid.rows[0].cells[0].percent == pytest.approx(75.625)
    assert [row.label for row in grid.rollup] == ["Platform", "Api (API)"]
    grid = allocation_grid.allocation_grid(
        user=leader, year=2025, granularity="quarter", filters=on_platform
    )
    assert grid.rows == []


def test_a_private_person_is_left_out_for_those_who_may_not_see_them(organization, make_user):
    organization["ada"].private = True
    organization["ada"].save()
    viewer = make_user(Role.VIEWER)
    shown = allocation_grid.allocation_grid(user=viewer, year=2026, granularity="quarter")
    assert [row.person.name for row in shown.rows] == ["Bo"]
    manager_login = make_user(Role.PRODUCT_MANAGER)
    PersonFactory(name="Manager", user=manager_login)
    organization["ada"].manager = manager_login.person
    organization["ada"].save()
    shown = allocation_grid.allocation_grid(user=manager_login, year=2026, granularity="quarter")
    assert [row.person.name for row in shown.rows] == ["Ada", "Bo"]


def test_over_allocations_per_month_and_over_a_whole_span(organization, leader):
    flags = allocations.over_allocations(
        user=leader, start=D(2026, 1, 1), end=D(2026, 12, 31), granularity="month"
    )
    assert [(flag.person_name, flag.period.label) for flag in flags] == [("Ada", "Feb 2026")]
    whole = allocations.over_allocations(
        user=leader, start=D(2026, 1, 1), end=D(2026, 1, 31), granularity=None
    )
    assert whole == []


def _grow(organization, n: int) -> None:
    team = Team.objects.create(name=f"Team {Team.objects.count()}")
    team.products.set([organization["pay"]])
    for _ in range(n):
        person = PersonFactory(fte=Decimal("0.8"))
        _allocate(person, D(2026, 1, 1), D(2026, 6, 30), 70, product=organization["api"])
        _allocate(person, D(2026, 4, 1), D(2026, 9, 30), 50, team=team)


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as context:
        func()
    return len(context.captured_queries)


@pytest.mark.parametrize("role", [Role.PRODUCT_LEADER, Role.VIEWER])
def test_the_grid_costs_the_same_queries_for_5_and_50_people(organization, role):
    user = UserFactory(role=role)
    _grow(organization, 5)

    def read():
        allocation_grid.allocation_grid(user=user, year=2026, granularity="month")

    small = _queries(read)
    _grow(organization, 45)
    assert _queries(read) == small
    # the people, the year's allocations, the teams with their products, the product
    # lines with theirs; and for anyone not portfolio-wide, who they may see listed
    assert small == (4 if role == Role.PRODUCT_LEADER else 5)


def test_decorating_any_number_of_allocations_costs_one_query(organization):
    _grow(organization, 20)
    found = list(allocations.allocation_list())
    assert _queries(lambda: allocations.decorate_allocations(found)) == 1
    flagged = {a.person.name for a in found if a.over_allocation is not None}
    # Everyone grown is on 120 % from April to June; Ada 110 % in February.
    assert len(flagged) == 21
    assert "Ada" in flagged


def test_change_feeds_leave_out_a_private_persons_allocations(organization, make_user):
    ada = organization["ada"]
    ada.private = True
    ada.save()
    span = {"product": organization["pay"], "start": D(2026, 5, 1), "end": D(2026, 5, 31)}
    kept = allocation_writes.create(
        actor=None, data={**span, "person": PersonFactory(name="Open"), "percent": 10}
    )
    hidden = allocation_writes.create(actor=None, data={**span, "person": ada, "percent": 10})
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Allocation),
        object_id__in=[kept.pk, hidden.pk],
    )
    seen = core_selectors.visible_records(records, make_user(Role.VIEWER))
    assert set(seen.values_list("object_id", flat=True)) == {kept.pk}
    everything = core_selectors.visible_records(records, make_user(Role.PRODUCT_LEADER))
    assert set(everything.values_list("object_id", flat=True)) == {kept.pk, hidden.pk}
