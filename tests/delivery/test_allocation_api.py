"""/api/v1/allocations (with its filters and /over) and /api/v1/exchange-rates: what they
answer, what they refuse, who may write (every role), and what a list costs in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.delivery.models import Allocation, ExchangeRate, Team
from tests.api.helpers import assert_error, unchanged
from tests.factories import PersonFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def people(world):
    """`managed`: a person reporting to the world's product manager; `stranger`: not."""
    boss = PersonFactory(name="Pat Boss", user=world.pm)
    return {
        "boss": boss,
        "managed": PersonFactory(name="Mia Report", manager=boss),
        "stranger": PersonFactory(name="Sam Elsewhere"),
    }


def body(person, product, **changes) -> dict:
    return {
        "person_id": person.pk,
        "product_id": product.pk,
        "start": "2026-01-01",
        "end": "2026-03-31",
        "percent": 60,
        "note": "Checkout revamp",
        **changes,
    }


def test_create_read_update_and_delete(admin_api, world, people):
    created = admin_api.post("/allocations", body(people["managed"], world.product))
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["person_id"], item["product_id"], item["team_id"]) == (
        people["managed"].pk,
        world.product.pk,
        None,
    )
    assert (item["percent"], item["over_allocated"], item["over_allocation"]) == (60, False, None)
    changed = admin_api.patch(f"/allocations/{item['id']}", {"percent": 40, "version": 1})
    assert (changed.status_code, changed.json()["percent"], changed.json()["version"]) == (
        200,
        40,
        2,
    )
    assert admin_api.delete(f"/allocations/{item['id']}", {"version": 2}).status_code == 204
    assert not Allocation.objects.exists()
    assert ChangeRecord.objects.filter(object_id=item["id"]).count() == 3


def test_over_100_percent_is_saved_and_flagged_with_its_sentence(admin_api, world, people):
    admin_api.post("/allocations", body(people["managed"], world.product, percent=70))
    second = admin_api.post(
        "/allocations",
        body(people["managed"], world.other_product, start="2026-02-01", end="2026-02-28"),
    )
    assert second.status_code == 201
    assert second.json()["percent"] == 60
    assert second.json()["over_allocated"] is True
    assert second.json()["over_allocation"] == (
        "Mia Report is allocated 130 % from 2026-02-01 to 2026-02-28, over 100 %."
    )
    listed = admin_api.get("/allocations", {"person_id": people["managed"].pk}).json()
    assert [item["over_allocated"] for item in listed["items"]] == [True, True]
    assert listed["items"][0]["over_allocation"] == (
        "Mia Report is allocated 130 % from 2026-02-01 to 2026-02-28 "
        "(within 2026-01-01 to 2026-03-31), over 100 %."
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product_id": None}, "product_id"),
        ({"team_id": -1}, "team_id"),
        ({"percent": 0}, "percent"),
        ({"percent": 101}, "percent"),
        ({"end": "2025-12-31"}, "end"),
        ({"start": "soon"}, "start"),
    ],
)
def test_bad_input_is_refused_naming_the_field(admin_api, world, people, changes, field):
    with unchanged(Allocation):
        response = admin_api.post("/allocations", body(people["managed"], world.product, **changes))
        assert_error(response, 422, field)


def test_a_product_and_a_team_at_once_is_refused(admin_api, world, people):
    team = Team.objects.create(name="Core")
    response = admin_api.post(
        "/allocations", body(people["managed"], world.product, team_id=team.pk)
    )
    assert_error(response, 422, "product_id")


def test_the_filters(admin_api, world, people):
    team = Team.objects.create(name="Core")
    mine = Allocation.objects.create(
        person=people["managed"],
        product=world.product,
        start=D(2026, 1, 1),
        end=D(2026, 3, 31),
        percent=50,
    )
    on_team = Allocation.objects.create(
        person=people["stranger"], team=team, start=D(2026, 3, 1), end=D(2026, 5, 31), percent=50
    )
    later = Allocation.objects.create(
        person=people["stranger"],
        product=world.other_product,
        start=D(2026, 7, 1),
        end=D(2026, 9, 30),
        percent=20,
    )

    def ids(**params) -> list[int]:
        response = admin_api.get("/allocations", params)
        assert response.status_code == 200, response.content
        return sorted(item["id"] for item in response.json()["items"])

    assert ids(person_id=people["stranger"].pk) == [on_team.pk, later.pk]
    assert ids(product_id=world.product.pk) == [mine.pk]
    assert ids(team_id=team.pk) == [on_team.pk]
    assert ids(product_line_id=world.other_line.pk) == [later.pk]
    assert ids(period="2026-Q1") == [mine.pk, on_team.pk]
    assert ids(period="2026-04") == [on_team.pk]
    assert ids(period="2026-H2") == [later.pk]
    assert ids(period="2025") == []
    assert_error(admin_api.get("/allocations", {"period": "spring"}), 422, "period")


def test_over_lists_who_is_over_100_per_month_or_quarter(admin_api, world, people):
    for start, end, percent in [
        (D(2026, 1, 1), D(2026, 6, 30), 80),
        (D(2026, 5, 1), D(2026, 5, 10), 30),
    ]:
        Allocation.objects.create(
            person=people["managed"], product=world.product, start=start, end=end, percent=percent
        )
    by_month = admin_api.get("/allocations/over", {"period": "2026"})
    assert by_month.status_code == 200
    [flag] = by_month.json()
    assert flag == {
        "person_id": people["managed"].pk,
        "person_name": "Mia Report",
        "period": "May 2026",
        "start": "2026-05-01",
        "end": "2026-05-31",
        "percent": 110,
        "peak_from": "2026-05-01",
        "peak_to": "2026-05-10",
        "message": "Mia Report is allocated 110 % in May 2026 (from 2026-05-01 to 2026-05-10), "
        "over 100 %.",
    }
    by_quarter = admin_api.get("/allocations/over", {"period": "2026-H1", "by": "quarter"})
    assert [flag["period"] for flag in by_quarter.json()] == ["Q2 2026"]
    whole = admin_api.get("/allocations/over", {"period": "2026-Q1", "by": ""})
    assert whole.json() == []
    assert_error(admin_api.get("/allocations/over", {"by": "week"}), 422, "by")
    assert_error(admin_api.get("/allocations/over", {"period": "2026-Q9"}), 422, "period")


# --- who may do what -------------------------------------------------------------------------

ROLES = ["admin", "product_leader", "pm_manager", "pm_other", "contributor", "viewer"]


@pytest.fixture
def user_for(world, make_user):
    def user(role: str):
        if role == "pm_manager":
            return world.pm  # manages `managed` (people fixture)
        if role == "pm_other":
            return make_user(Role.PRODUCT_MANAGER, username="pm_other")
        return make_user(role, username=role)

    return user


@pytest.mark.parametrize("role", ROLES)
def test_who_may_write_allocations(role, world, people, user_for, api_as):
    api = api_as(user_for(role))
    target = people["managed"]
    existing = Allocation.objects.create(
        person=target, product=world.product, start=D(2026, 1, 1), end=D(2026, 3, 31), percent=50
    )
    assert api.get("/allocations").json()["count"] == 1
    assert api.get(f"/allocations/{existing.pk}").status_code == 200
    allowed = role in {"admin", "product_leader", "pm_manager"}
    requests = [
        lambda: api.post(
            "/allocations", body(target, world.product, start="2026-04-01", end="2026-06-30")
        ),
        lambda: api.patch(f"/allocations/{existing.pk}", {"percent": 55, "version": 1}),
        lambda: api.delete(f"/allocations/{existing.pk}"),
    ]
    if not allowed:
        for request in requests:
            with unchanged(Allocation):
                assert_error(request(), 403)
        return
    assert [request().status_code for request in requests] == [201, 200, 204]


def test_a_manager_may_not_allocate_someone_outside_their_reports(world, people, api_as):
    with unchanged(Allocation):
        response = api_as(world.pm).post("/allocations", body(people["stranger"], world.product))
        assert_error(response, 403)


def test_anonymous_gets_401(anonymous_api):
    for path in ("/allocations", "/allocations/over", "/exchange-rates", "/team-cost"):
        assert_error(anonymous_api.get(path), 401)


def test_the_list_costs_the_same_queries_for_5_and_50(admin_api, world):
    team = Team.objects.create(name="Core")
    team.products.add(world.product)

    def grow(n: int) -> None:
        for _ in range(n):
            person = PersonFactory()
            Allocation.objects.create(
                person=person, team=team, start=D(2026, 1, 1), end=D(2026, 6, 30), percent=70
            )
            Allocation.objects.create(
                person=person,
                product=ProductFactory(),
                start=D(2026, 3, 1),
                end=D(2026, 3, 31),
                percent=40,
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            response = admin_api.get("/allocations", {"limit": 500})
        assert response.status_code == 200
        return len(context.captured_queries)

    grow(5)
    count()
    small = count()
    grow(45)
    assert count() == small
    over = admin_api.get("/allocations", {"limit": 500}).json()["items"]
    assert sum(item["over_allocated"] for item in over) == 100


# --- exchange rates -----------------------------------------------------------------------------


def test_exchange_rates_are_kept_by_leaders_and_admins(world, people, user_for, api_as):
    rate = {"from_currency": "eur", "to_currency": "USD", "rate": "1.08", "as_of": "2026-01-02"}
    for role in ROLES:
        api = api_as(user_for(role))
        if role in {"admin", "product_leader"}:
            continue
        with unchanged(ExchangeRate):
            assert_error(api.post("/exchange-rates", rate), 403)
    created = api_as(user_for("product_leader")).post("/exchange-rates", rate)
    assert created.status_code == 201, created.content
    assert (created.json()["from_currency"], created.json()["rate"]) == ("EUR", "1.08000000")
    assert api_as(user_for("viewer")).get("/exchange-rates").json()["count"] == 1


@pytest.mark.parametrize(
    ("rate", "field"),
    [
        ({"from_currency": "EUX", "to_currency": "USD", "rate": "1.1"}, "from_currency"),
        ({"from_currency": "EUR", "to_currency": "EUR", "rate": "1"}, "to_currency"),
        ({"from_currency": "EUR", "to_currency": "USD", "rate": "0"}, "rate"),
        ({"from_currency": "USD", "to_currency": "EUR", "rate": "0.9"}, "from_currency"),
        ({"from_currency": "EUR", "to_currency": "USD", "rate": "1.2"}, "__all__"),
    ],
)
def test_bad_rates_are_refused_naming_the_field(admin_api, rate, field):
    ExchangeRate.objects.create(from_currency="EUR", to_currency="USD", rate="1.08")
    with unchanged(ExchangeRate):
        response = admin_api.post("/exchange-rates", rate)
        body = assert_error(response, 422)
    named = {error["field"] for error in body["errors"]}
    assert field in named or (field == "__all__" and "non_field_errors" in named), body


def test_a_private_persons_allocations_exist_only_for_who_may_see_them(
    world, people, user_for, api_as
):
    hidden = PersonFactory(name="Unannounced", private=True, manager=people["boss"])
    allocation = Allocation.objects.create(
        person=hidden, product=world.product, start=D(2026, 1, 1), end=D(2026, 3, 31), percent=50
    )
    Allocation.objects.create(
        person=hidden, product=world.product, start=D(2026, 1, 1), end=D(2026, 3, 31), percent=60
    )
    for role in ROLES:
        api = api_as(user_for(role))
        sees = role in {"admin", "product_leader", "pm_manager"}
        listed = [item["id"] for item in api.get("/allocations").json()["items"]]
        assert (allocation.pk in listed) == sees, role
        assert api.get(f"/allocations/{allocation.pk}").status_code == (200 if sees else 404)
        over = api.get("/allocations/over", {"period": "2026", "by": ""}).json()
        assert [flag["person_name"] for flag in over] == (["Unannounced"] if sees else [])
    with unchanged(Allocation):
        response = api_as(user_for("pm_other")).post("/allocations", body(hidden, world.product))
        assert_error(response, 422, "person_id")
