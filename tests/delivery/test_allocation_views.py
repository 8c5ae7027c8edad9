"""The allocation grid, the allocation and exchange-rate forms: what they show, what they
cost in queries, and who may open them (anonymous, viewer, contributor, product manager
of the person or not, product leader, admin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.delivery.models import Allocation, ExchangeRate, Team
from tests.factories import PersonFactory, ProductFactory
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db
D = dt.date
ROLES = [role.value for role in Role]
PORTFOLIO_WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}


@pytest.fixture
def staff(web_world):
    """The world's product manager manages Mia; nobody in the world manages Sam."""
    boss = PersonFactory(name="Pat Boss", user=web_world.pm)
    mia = PersonFactory(name="Mia Report", manager=boss, fte=Decimal("0.8"))
    sam = PersonFactory(name="Sam Elsewhere")
    product = web_world.mine.product
    mine = Allocation.objects.create(
        person=mia, product=product, start=D(2026, 1, 1), end=D(2026, 3, 31), percent=70
    )
    Allocation.objects.create(
        person=mia,
        product=web_world.theirs.product,
        start=D(2026, 3, 1),
        end=D(2026, 3, 31),
        percent=40,
    )
    theirs = Allocation.objects.create(
        person=sam,
        product=web_world.theirs.product,
        start=D(2026, 4, 1),
        end=D(2026, 6, 30),
        percent=50,
    )
    return {"mia": mia, "sam": sam, "mine": mine, "theirs": theirs}


def grid(client, **params):
    return client.get(reverse("delivery:allocation_grid"), {"year": 2026, **params})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_grid_with_over_allocation_highlighted(as_user, web_world, staff, role):
    response = grid(as_user(web_world.user(role)))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Mia Report is allocated 110 % in Q1 2026 (from 2026-03-01 to 2026-03-31), over 100 %."
        in html
    )
    assert "allocation-cell--over" in html
    # Mia in Q1: 70 % + 40 % x 22/64 = 83.75 %, shown with one decimal.
    assert "83.8 %" in html
    assert ("Team cost" in html) == (role in PORTFOLIO_WIDE)
    assert ("New allocation" in html) == (role in PORTFOLIO_WIDE | {Role.PRODUCT_MANAGER})


def test_the_grid_by_month_and_by_line(as_user, web_world, staff):
    client = as_user(web_world.viewer)
    response = grid(client, by="month", line=web_world.mine.line.pk)
    assert "Mia Report is allocated 110 % in all of Mar 2026, over 100 %." in (
        response.content.decode()
    )
    assert [p.label for p in response.context["grid"].periods][:2] == ["Jan 2026", "Feb 2026"]
    assert [row.person.name for row in response.context["grid"].rows] == ["Mia Report"]
    assert [row.label for row in response.context["grid"].rollup] == [
        "MINE line",
        "MINE product (MINE)",
    ]


def test_a_mistyped_link_falls_back_to_the_defaults(as_user, web_world, staff):
    response = as_user(web_world.viewer).get(
        reverse("delivery:allocation_grid"), {"year": "twenty", "by": "week", "line": "x"}
    )
    assert response.status_code == 200
    assert response.context["granularity"] == "quarter"
    assert response.context["line"] is None


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("delivery:allocation_grid"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_grid_costs_the_same_queries_for_5_and_50_people(as_user, web_world, staff):
    team = Team.objects.create(name="Core")
    team.products.set([web_world.mine.product, web_world.theirs.product])

    def grow(n: int) -> None:
        for _ in range(n):
            person = PersonFactory()
            Allocation.objects.create(
                person=person, team=team, start=D(2026, 1, 1), end=D(2026, 9, 30), percent=60
            )
            Allocation.objects.create(
                person=person,
                product=ProductFactory(product_line=web_world.mine.line),
                start=D(2026, 2, 1),
                end=D(2026, 2, 28),
                percent=60,
            )

    grow(5)
    client = as_user(web_world.pm)
    # session, user; who the user may see listed; the people; the year's allocations;
    # teams with their products; product lines with theirs
    assert assert_same_queries(lambda: grid(client, by="month"), lambda: grow(45)) == 7


# --- the forms ----------------------------------------------------------------------------------


def form_pages(staff) -> dict[str, tuple[str, str]]:
    """name -> (URL, whose person: "mine" (the pm manages them) or "theirs")."""
    return {
        "mine_edit": (reverse("delivery:allocation_edit", args=[staff["mine"].pk]), "mine"),
        "mine_delete": (reverse("delivery:allocation_delete", args=[staff["mine"].pk]), "mine"),
        "theirs_edit": (reverse("delivery:allocation_edit", args=[staff["theirs"].pk]), "theirs"),
        "theirs_delete": (
            reverse("delivery:allocation_delete", args=[staff["theirs"].pk]),
            "theirs",
        ),
    }


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_are_for_the_persons_managers_leaders_and_admins(
    as_user, web_world, staff, role
):
    browser = as_user(web_world.user(role))
    for name, (url, whose) in form_pages(staff).items():
        allowed = role in PORTFOLIO_WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
        status = browser.get(url).status_code
        assert status == (200 if allowed else 403), (name, role, status)
    create = browser.get(reverse("delivery:allocation_create")).status_code
    assert create == (200 if role in PORTFOLIO_WIDE | {Role.PRODUCT_MANAGER} else 403)


def _new(person, product, **changes) -> dict:
    return {
        "person": person.pk,
        "product": product.pk,
        "start": "2026-04-01",
        "end": "2026-06-30",
        "percent": 90,
        **changes,
    }


def test_a_manager_allocates_their_report_and_lands_on_the_grid(as_user, web_world, staff):
    client = as_user(web_world.pm)
    response = client.post(
        reverse("delivery:allocation_create"), _new(staff["mia"], web_world.mine.product)
    )
    assert response.status_code == 302
    # The grid narrowed to her name: her row is on its first page however many people.
    assert response["Location"].endswith(f"?year=2026&q=Mia+Report#person-{staff['mia'].pk}")
    created = Allocation.objects.get(person=staff["mia"], start=D(2026, 4, 1))
    assert (created.percent, created.created_by) == (90, web_world.pm)


def test_a_manager_may_not_allocate_someone_else(as_user, web_world, staff):
    before = Allocation.objects.count()
    response = as_user(web_world.pm).post(
        reverse("delivery:allocation_create"), _new(staff["sam"], web_world.mine.product)
    )
    assert response.status_code == 403
    assert Allocation.objects.count() == before


def test_a_bad_form_says_what_is_wrong_and_saves_nothing(as_user, web_world, staff):
    team = Team.objects.create(name="Core")
    before = Allocation.objects.count()
    response = as_user(web_world.leader).post(
        reverse("delivery:allocation_create"),
        _new(staff["mia"], web_world.mine.product, team=team.pk, percent=150),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "either a product or a team" in errors["product"][0]
    assert "percent" in errors
    assert Allocation.objects.count() == before


def test_editing_keeps_over_100_as_entered(as_user, web_world, staff):
    client = as_user(web_world.leader)
    mine = staff["mine"]
    response = client.post(
        reverse("delivery:allocation_edit", args=[mine.pk]),
        {
            "person": mine.person_id,
            "product": mine.product_id,
            "start": "2026-01-01",
            "end": "2026-03-31",
            "percent": 100,
            "version": mine.version,
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.percent == 100
    html = grid(client).content.decode()
    assert "Mia Report is allocated 140 % in Q1 2026 (from 2026-03-01 to 2026-03-31)" in html


# --- exchange rates -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_rates_and_only_leaders_and_admins_keep_them(as_user, web_world, role):
    rate = ExchangeRate.objects.create(from_currency="EUR", to_currency="USD", rate="1.08")
    browser = as_user(web_world.user(role))
    listed = browser.get(reverse("delivery:exchange_rate_list"))
    assert listed.status_code == 200
    assert "1 EUR = 1.08 USD" in listed.content.decode()
    allowed = role in PORTFOLIO_WIDE
    for url in (
        reverse("delivery:exchange_rate_create"),
        reverse("delivery:exchange_rate_edit", args=[rate.pk]),
        reverse("delivery:exchange_rate_delete", args=[rate.pk]),
    ):
        assert browser.get(url).status_code == (200 if allowed else 403), (url, role)


def test_a_rate_in_an_unknown_currency_is_refused_on_the_form(as_user, web_world):
    response = as_user(web_world.admin).post(
        reverse("delivery:exchange_rate_create"),
        {"from_currency": "eux", "to_currency": "USD", "rate": "1.1"},
    )
    assert response.status_code == 200
    assert "Unknown currency 'EUX'" in response.context["form"].errors["from_currency"][0]
    assert not ExchangeRate.objects.exists()
    response = as_user(web_world.admin).post(
        reverse("delivery:exchange_rate_create"),
        {"from_currency": "gbp", "to_currency": "usd", "rate": "1.27"},
    )
    assert response.status_code == 302
    assert str(ExchangeRate.objects.get()) == "1 GBP = 1.27 USD"


def test_the_form_offers_a_private_person_only_to_who_may_see_them(as_user, web_world, staff):
    secret = PersonFactory(name="Unannounced Hire", private=True, manager=staff["mia"].manager)
    for user, sees in ((web_world.leader, True), (web_world.pm, True), (web_world.other_pm, False)):
        response = as_user(user).get(reverse("delivery:allocation_create"))
        offered = set(response.context["form"].fields["person"].queryset)
        assert (secret in offered) == sees, user
        assert staff["sam"] in offered
