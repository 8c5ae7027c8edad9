"""/api/v1/people and the ladder endpoints: the product team's fields, levels by key, and
the rules a body must follow (the generic matrices are in tests/api)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from pilothouse.people import services
from pilothouse.people.models import CareerLevel, Competency, Expectation, Person
from tests.api.conftest import ApiClient
from tests.api.helpers import assert_error, unchanged
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(db):
    def make(user) -> ApiClient:
        _, secret = token_create(user=user, name="tests")
        return ApiClient(secret)

    return make


@pytest.fixture
def admin_api(admin_user, api_as) -> ApiClient:
    return api_as(admin_user)


def test_a_person_with_every_field(admin_api):
    boss = PersonFactory(name="Bea Boss")
    body = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "job_title": "Senior PM, Payments",
        "level": "senior_pm",
        "manager_id": boss.pk,
        "location": "Lisbon",
        "start_date": "2024-03-01",
        "employment_type": "contractor",
        "fte": "0.6",
        "cost_per_year": "98000.50",
        "cost_currency": "eur",
        "private": True,
    }
    response = admin_api.post("/people", body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["level"] == "senior_pm"
    assert answer["job_title"] == "Senior PM, Payments"
    assert (answer["location"], answer["start_date"]) == ("Lisbon", "2024-03-01")
    assert answer["employment_type"] == "contractor"
    assert Decimal(answer["fte"]) == Decimal("0.6")
    assert Decimal(answer["cost_per_year"]) == Decimal("98000.50")
    assert answer["cost_currency"] == "EUR"  # normalized
    assert answer["private"] is True
    person = Person.objects.get(pk=answer["id"])
    assert (person.level_id, person.manager, person.private) == ("senior_pm", boss, True)
    assert admin_api.get(f"/people/{boss.pk}").json()["report_count"] == 1


def test_an_unknown_level_is_422_naming_it_and_listing_the_levels(admin_api):
    with unchanged(Person):
        body = assert_error(admin_api.post("/people", {"name": "X", "level": "wizard"}), 422)
    (error,) = body["errors"]
    assert error["field"] == "level"
    assert "'wizard'" in error["message"]
    assert "senior_pm" in error["message"]
    person = PersonFactory(level_id="pm")
    with unchanged(Person):
        assert_error(
            admin_api.patch(f"/people/{person.pk}", {"level": "grand", "version": 1}), 422, "level"
        )


def test_a_level_is_any_key_of_the_ladder_even_a_new_one(admin_api):
    CareerLevel.objects.create(key="staff_pm", name="Staff PM", rank=4)
    response = admin_api.post("/people", {"name": "Sam", "level": "staff_pm"})
    assert response.status_code == 201, response.content
    assert response.json()["level"] == "staff_pm"


def test_the_level_filter(admin_api):
    senior = PersonFactory(level_id="senior_pm")
    PersonFactory(level_id="pm")
    response = admin_api.get("/people", {"level": "senior_pm"})
    assert [row["id"] for row in response.json()["items"]] == [senior.pk]
    assert_error(admin_api.get("/people", {"level": "wizard"}), 422, "level")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cost_per_year": "1000", "cost_currency": "XYZ"}, "cost_currency"),
        ({"cost_per_year": "1000"}, "cost_currency"),
        ({"cost_per_year": "-1", "cost_currency": "EUR"}, "cost_per_year"),
        ({"fte": "1.5"}, "fte"),
        ({"fte": "0"}, "fte"),
        ({"employment_type": "volunteer"}, "employment_type"),
        ({"start_date": "someday"}, "start_date"),
    ],
)
def test_bad_people_fields_are_422_naming_the_field(admin_api, body, field):
    with unchanged(Person):
        assert_error(admin_api.post("/people", {"name": "Bad", **body}), 422, field)


def test_a_manager_cycle_is_refused(admin_api):
    top = PersonFactory()
    middle = PersonFactory(manager=top)
    with unchanged(Person):
        response = admin_api.patch(f"/people/{top.pk}", {"manager_id": middle.pk, "version": 1})
        assert_error(response, 422, "manager_id")


def test_a_private_manager_is_not_named_to_those_who_may_not_see_them(make_user, api_as):
    viewer = make_user(Role.VIEWER, username="vic")
    secret_boss = PersonFactory(name="Secret Boss", private=True)
    report = PersonFactory(name="Open Report", manager=secret_boss)
    api = api_as(viewer)
    assert api.get(f"/people/{report.pk}").json()["manager_id"] is None
    leader_api = api_as(make_user(Role.PRODUCT_LEADER, username="lea"))
    assert leader_api.get(f"/people/{report.pk}").json()["manager_id"] == secret_boss.pk
    # Nor may one who does not see them name them as a manager: as unknown as no one.
    lead_user = make_user(Role.PRODUCT_MANAGER, username="lead")
    lead = PersonFactory(user=lead_user)
    own_report = PersonFactory(manager=lead)
    with unchanged(Person):
        response = api_as(lead_user).patch(
            f"/people/{own_report.pk}", {"manager_id": secret_boss.pk, "version": 1}
        )
        error = assert_error(response, 422, "manager_id")
    assert str(secret_boss.pk) in error["errors"][0]["message"]


def test_a_manager_reads_and_writes_their_reports_cost(make_user, api_as):
    lead_user = make_user(Role.PRODUCT_MANAGER, username="lead")
    lead = PersonFactory(user=lead_user)
    report = PersonFactory(manager=lead)
    api = api_as(lead_user)
    body = {"cost_per_year": "87000", "cost_currency": "GBP", "version": 1}
    response = api.patch(f"/people/{report.pk}", body)
    assert response.status_code == 200, response.content
    assert Decimal(response.json()["cost_per_year"]) == Decimal("87000")
    assert response.json()["version"] == 2
    # Their own manager's record is not theirs to change, nor its cost to read.
    with unchanged(Person):
        assert_error(api.patch(f"/people/{lead.pk}", {"name": "Me", "version": 1}), 403)


def test_the_people_list_costs_a_fixed_number_of_queries(make_user, as_user):
    lead_user = make_user(Role.PRODUCT_MANAGER, username="lead")
    lead = PersonFactory(user=lead_user)
    client = as_user(lead_user)
    client.get("/api/v1/products")

    def grow(n: int) -> None:
        for i in range(n):
            boss = PersonFactory(
                manager=lead if i % 2 else None, cost_per_year=1, cost_currency="EUR"
            )
            PersonFactory(manager=boss, private=bool(i % 3))

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/people", {"limit": 500})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    grow(3)
    small, small_count = cost()
    grow(30)
    large, large_count = cost()
    assert large_count > small_count
    assert large == small


# --- the ladder ---------------------------------------------------------------------------


def test_the_default_ladder_is_served(viewer, api_as):
    api = api_as(viewer)
    levels = api.get("/career-levels", {"limit": 500}).json()["items"]
    keys = [level["key"] for level in levels]
    assert {
        "associate_pm",
        "pm",
        "senior_pm",
        "principal_pm",
        "group_pm",
        "director",
        "vp",
        "cpo",
    } <= set(keys)
    ranks = [level["rank"] for level in levels]
    assert ranks == sorted(ranks)  # bottom to top by default
    tracks = {level["key"]: level["track"] for level in levels}
    assert tracks["principal_pm"] == "ic"
    assert tracks["director"] == "manager"
    names = {c["key"] for c in api.get("/competencies").json()["items"]}
    assert {
        "discovery",
        "delivery",
        "strategy",
        "analytics",
        "communication",
        "leadership",
    } <= names


def test_an_expectation_names_its_level_and_competency_by_key(admin_api):
    level = CareerLevel.objects.create(key="staff_pm", name="Staff PM", rank=4)
    skill = Competency.objects.create(key="pricing", name="Pricing")
    response = admin_api.post(
        "/expectations", {"level_id": level.pk, "competency_id": skill.pk, "text": "Sets prices"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["level"], response.json()["competency"]) == ("staff_pm", "pricing")
    listed = admin_api.get("/expectations", {"level": "staff_pm"}).json()["items"]
    assert [row["text"] for row in listed] == ["Sets prices"]
    in_use = admin_api.get("/competencies", {"level": "staff_pm"}).json()["items"]
    assert [row["key"] for row in in_use] == ["pricing"]
    assert_error(admin_api.get("/competencies", {"level": "nope"}), 422, "level")
    with unchanged(Expectation):
        body = {"level_id": level.pk, "competency_id": skill.pk, "text": "Again"}
        assert_error(admin_api.post("/expectations", body), 422)


def test_the_key_of_a_level_in_use_cannot_change(admin_api):
    level = CareerLevel.objects.create(key="staff_pm", name="Staff PM", rank=4)
    PersonFactory(level_id="staff_pm")
    with unchanged(CareerLevel):
        response = admin_api.patch(f"/career-levels/{level.pk}", {"key": "staff", "version": 1})
        assert_error(response, 422, "key")
    renamed = admin_api.patch(
        f"/career-levels/{level.pk}", {"name": "Staff product manager", "version": 1}
    )
    assert renamed.status_code == 200
    unused = CareerLevel.objects.create(key="lead_pm", name="Lead PM", rank=5)
    response = admin_api.patch(f"/career-levels/{unused.pk}", {"key": "lead", "version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["key"] == "lead"


def test_a_level_in_use_cannot_be_deleted(admin_api):
    level = CareerLevel.objects.get(key="pm")
    PersonFactory(name="Pia", level_id="pm")
    with unchanged(CareerLevel):
        body = assert_error(admin_api.delete(f"/career-levels/{level.pk}"), 409)
    assert "Pia" in body["detail"]


def test_a_rating_is_one_to_four(admin_api):
    person = PersonFactory()
    assessment = services.assessment.create(
        actor=None,
        data={
            "person": person,
            "level": CareerLevel.objects.get(key="pm"),
            "period": "2026 H1",
            "assessed_on": dt.date(2026, 6, 1),
        },
    )
    skill = Competency.objects.get(key="ux")
    for bad in (0, 5, "good"):
        body = {"assessment_id": assessment.pk, "competency_id": skill.pk, "rating": bad}
        assert_error(admin_api.post("/assessment-ratings", body), 422, "rating")
    body = {"assessment_id": assessment.pk, "competency_id": skill.pk, "rating": 3}
    assert admin_api.post("/assessment-ratings", body).status_code == 201
    shown = admin_api.get(f"/assessments/{assessment.pk}").json()["ratings"]
    assert [(r["competency_id"], r["rating"]) for r in shown] == [(skill.pk, 3)]


def test_a_write_that_takes_a_private_person_out_of_sight_still_answers_it(make_user, api_as):
    lead_user = make_user(Role.PRODUCT_MANAGER, username="lead")
    lead = PersonFactory(user=lead_user)
    elsewhere = PersonFactory(name="Other Lead")
    hire = PersonFactory(
        name="New Hire", manager=lead, private=True, cost_per_year=5, cost_currency="EUR"
    )
    api = api_as(lead_user)
    response = api.patch(f"/people/{hire.pk}", {"manager_id": elsewhere.pk, "version": 1})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["id"], answer["manager_id"]) == (hire.pk, elsewhere.pk)
    assert answer["cost_per_year"] is None  # no longer theirs to see
    assert_error(api.get(f"/people/{hire.pk}"), 404)
