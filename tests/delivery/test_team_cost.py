"""Team cost and investment: cost per product line and product from allocations x cost x
the share of the year, converted into the reporting currency (a missing rate reported,
not dropped), set against ARR; the split of capacity across lifecycle stages and
objectives; who may see it (every role, page and API); what it costs in queries.

The organization of 2026 (365 days; reporting currency USD; 1 USD = 0.8 EUR stored, so
1 EUR = 1.25 USD):

- Ana, 120,000 USD, FTE 1: 50 % on Pay all year (60,000), 100 % on Api in Q4 (92 days:
  120,000 x 92 / 365 = 30,246.575...).
- Ben, 100,000 EUR, FTE 0.5: 100 % on the Core team (Pay and Api) all year: 125,000 USD,
  62,500 to each; 0.25 FTE-years to each.
- Cai, 80,000 GBP (no rate), FTE 1: 100 % on Wallet all year: reported apart.
- Dee, no cost, FTE 1: 25 % on Api all year: named; capacity only.
- Eve, 50,000 USD, FTE 1: 20 % on the Lab team, which has no products: 10,000.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.delivery import team_cost
from pilothouse.delivery.models import Allocation, ExchangeRate, Team
from pilothouse.strategy.models import ObjectiveScope, ObjectiveStatus
from tests.factories import (
    ObjectiveFactory,
    PersonFactory,
    ProductFactory,
    ProductLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date
YEAR_2026 = (D(2026, 1, 1), D(2026, 12, 31))
Q4_SHARE = 92 / 365
ROLES = [role.value for role in Role]


@pytest.fixture(autouse=True)
def in_usd(settings):
    settings.CONFIG = dataclasses.replace(settings.CONFIG, currency="USD")


def allocate(person, percent, *, span=YEAR_2026, product=None, team=None) -> Allocation:
    return Allocation.objects.create(
        person=person, product=product, team=team, start=span[0], end=span[1], percent=percent
    )


@pytest.fixture
def org():
    payments = ProductLineFactory(name="Payments")
    platform = ProductLineFactory(name="Platform")
    pay = ProductFactory(name="Pay", key="PAY", product_line=payments, arr=500000, stage="growth")
    wallet = ProductFactory(name="Wallet", key="WAL", product_line=payments, arr=0, stage="build")
    api = ProductFactory(name="Api", key="API", product_line=platform, arr=200000, stage="mature")
    core = Team.objects.create(name="Core")
    core.products.set([pay, api])
    lab = Team.objects.create(name="Lab")
    ExchangeRate.objects.create(from_currency="USD", to_currency="EUR", rate=Decimal("0.8"))

    ana = PersonFactory(name="Ana", cost_per_year=120000, cost_currency="USD")
    allocate(ana, 50, product=pay)
    allocate(ana, 100, product=api, span=(D(2026, 10, 1), D(2026, 12, 31)))
    ben = PersonFactory(name="Ben", cost_per_year=100000, cost_currency="EUR", fte="0.5")
    allocate(ben, 100, team=core)
    cai = PersonFactory(name="Cai", cost_per_year=80000, cost_currency="GBP")
    allocate(cai, 100, product=wallet)
    dee = PersonFactory(name="Dee")
    allocate(dee, 25, product=api)
    eve = PersonFactory(name="Eve", cost_per_year=50000, cost_currency="USD")
    allocate(eve, 20, team=lab)
    # Outside 2026: counts nowhere.
    allocate(ana, 100, product=wallet, span=(D(2025, 1, 1), D(2025, 12, 31)))

    ObjectiveFactory(
        title="Grow payments", period="2026-Q2", scope=ObjectiveScope.PRODUCT, product=pay
    )
    ObjectiveFactory(title="Cut fraud", period="2026", scope=ObjectiveScope.PRODUCT, product=pay)
    ObjectiveFactory(
        title="Dropped",
        period="2026",
        scope=ObjectiveScope.PRODUCT,
        product=pay,
        status=ObjectiveStatus.CANCELLED,
    )
    ObjectiveFactory(title="Old", period="2025-Q4", scope=ObjectiveScope.PRODUCT, product=api)
    ObjectiveFactory(
        title="Wallet adoption",
        period="2026-H1",
        scope=ObjectiveScope.PRODUCT_LINE,
        product_line=payments,
    )
    ObjectiveFactory(
        title="Reliability", period="2026", scope=ObjectiveScope.PRODUCT_LINE, product_line=platform
    )
    return {"pay": pay, "wallet": wallet, "api": api}


def test_the_cost_per_product_and_line_against_arr(org):
    report = team_cost.team_cost(year=2026)
    assert report.currency == "USD"
    payments, platform = report.lines
    assert [row.label for row in payments.products] == ["Pay (PAY)", "Wallet (WAL)"]
    pay, wallet = payments.products
    assert pay.figures.cost_rounded == Decimal("122500.00")  # 60,000 + 62,500
    assert pay.figures.cost_to_arr == Decimal("0.2450")
    assert wallet.figures.cost_rounded == Decimal("0.00")  # Cai's GBP: no rate
    assert wallet.figures.cost_to_arr is None  # no ARR
    [api] = platform.products
    # 62,500 + 30,246.575... (Ana's Q4)
    assert api.figures.cost_rounded == Decimal("92746.58")
    assert api.figures.cost_to_arr == Decimal("0.4637")
    assert payments.figures.cost_rounded == Decimal("122500.00")
    assert payments.figures.arr == Decimal("500000")
    assert report.unassigned.figures.cost_rounded == Decimal("10000.00")  # Eve on Lab
    assert report.total.cost_rounded == Decimal("225246.58")
    assert report.total.arr == Decimal("700000")
    assert report.people == 5


def test_a_cost_without_a_rate_is_reported_and_people_without_cost_named(org):
    report = team_cost.team_cost(year=2026)
    [missing] = report.unconverted
    assert (missing.currency, missing.amount_rounded, missing.people) == (
        "GBP",
        Decimal("80000.00"),
        ["Cai"],
    )
    assert missing.message == (
        "80,000.00 GBP of cost (1 person: Cai) is not in the totals: there is no exchange "
        "rate to the reporting currency."
    )
    assert report.without_cost == ["Dee"]
    assert report.without_cost_message == (
        "1 person with allocations in 2026 has no cost recorded, so their allocations add "
        "capacity but no cost: Dee."
    )
    ExchangeRate.objects.create(from_currency="GBP", to_currency="USD", rate=Decimal("1.3"))
    report = team_cost.team_cost(year=2026)
    assert report.unconverted == []
    assert report.lines[0].products[1].figures.cost_rounded == Decimal("104000.00")


def test_the_capacity_splits_across_stages_and_objectives(org):
    report = team_cost.team_cost(year=2026)
    # FTE-years: Pay 0.5 + 0.25; Api 0.25 + Q4 + 0.25 (Dee); Wallet 1; no product 0.2.
    total = 2.45 + Q4_SHARE
    assert report.total.fte_years == pytest.approx(total)
    stages = {split.key: split for split in report.stages}
    assert stages["build"].percent == pytest.approx(1.0 / total * 100)
    assert stages["mature"].percent == pytest.approx((0.5 + Q4_SHARE) / total * 100)
    assert stages["growth"].percent == pytest.approx(0.75 / total * 100)
    assert stages[team_cost.NO_PRODUCT].percent == pytest.approx(0.2 / total * 100)
    assert sum(split.percent for split in report.stages) == pytest.approx(100)
    # the largest first
    assert [split.key for split in report.stages] == [
        "build",
        "mature",
        "growth",
        team_cost.NO_PRODUCT,
    ]
    objectives = {split.label: split.fte_years for split in report.objectives}
    assert objectives == {
        "Wallet adoption (2026-H1)": pytest.approx(1.0),  # the line's: Wallet has none
        "Reliability (2026)": pytest.approx(0.5 + Q4_SHARE),
        "Grow payments (2026-Q2)": pytest.approx(0.375),  # Pay's own two, evenly
        "Cut fraud (2026)": pytest.approx(0.375),
        "No objective": pytest.approx(0.2),
    }


def test_another_reporting_currency_converts_the_other_way(org, settings):
    settings.CONFIG = dataclasses.replace(settings.CONFIG, currency="EUR")
    report = team_cost.team_cost(year=2026)
    assert report.currency == "EUR"
    # Ben's 100,000 EUR as it is; Ana's and Eve's USD x 0.8.
    assert report.lines[0].products[0].figures.cost_rounded == Decimal("98000.00")
    assert report.unassigned.figures.cost_rounded == Decimal("8000.00")


def test_a_year_without_allocations(org):
    report = team_cost.team_cost(year=2030)
    assert report.total.cost == 0
    assert report.people == 0
    assert report.stages == []
    assert report.objectives == []


def test_the_cost_costs_five_queries_whatever_the_number_of_people(org):
    def grow(n: int) -> None:
        team = Team.objects.create(name=f"Team {Team.objects.count()}")
        team.products.set([org["pay"]])
        for _ in range(n):
            person = PersonFactory(cost_per_year=90000, cost_currency="EUR")
            allocate(person, 40, team=team)
            allocate(person, 30, product=ProductFactory())

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            team_cost.team_cost(year=2026)
        return len(context.captured_queries)

    grow(5)
    small = count()
    grow(45)
    assert count() == small == 5


# --- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_leaders_and_admins_see_the_cost_page(client, org, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("delivery:team_cost"), {"year": 2026})
    if role in {Role.ADMIN, Role.PRODUCT_LEADER}:
        assert response.status_code == 200
        html = response.content.decode()
        assert "225,246.58" in html
        assert "80,000.00 GBP of cost (1 person: Cai)" in html
        assert "capacity but no cost: Dee." in html
    else:
        assert response.status_code == 403
        assert b"225,246" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_only_leaders_and_admins_get_the_cost_endpoint(api_as, org, role):
    response = api_as(UserFactory(role=role)).get("/team-cost", {"year": 2026})
    if role not in {Role.ADMIN, Role.PRODUCT_LEADER}:
        assert response.status_code == 403
        assert set(response.json()) == {"detail", "errors"}
        return
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["currency"], body["people"]) == (2026, "USD", 5)
    assert body["total"]["cost"] == "225246.58"
    assert [line["name"] for line in body["product_lines"]] == ["Payments", "Platform"]
    pay = body["product_lines"][0]["products"][0]
    assert (pay["name"], pay["cost"], pay["cost_to_arr"]) == ("Pay (PAY)", "122500.00", "0.2450")
    assert body["unassigned"]["cost"] == "10000.00"
    assert body["unconverted"][0]["currency"] == "GBP"
    assert body["people_without_cost"] == ["Dee"]
    assert sum(split["percent"] for split in body["stages"]) == pytest.approx(100, abs=0.2)


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("delivery:team_cost"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_cost_page_costs_the_same_queries_for_5_and_50_people(client, org, admin_user):
    client.force_login(admin_user)

    def grow(n: int) -> None:
        for _ in range(n):
            allocate(PersonFactory(cost_per_year=1000, cost_currency="USD"), 10, product=org["api"])

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("delivery:team_cost")).status_code == 200
        return len(context.captured_queries)

    grow(5)
    count()
    small = count()
    grow(45)
    assert count() == small
