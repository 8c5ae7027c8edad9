"""Who gets a person's private data from the API: every role against every kind of private
data (cost, assessments and their ratings, growth plans with goals and check-ins,
one-to-ones with action items, the change feed, search).

Dana is a product manager; Max manages her, and Gil manages Max. Admins, product leaders,
Dana, Max and Gil see her private data; an unrelated product manager (who manages people
of their own), a contributor and a viewer get none of it: not listed, 404 on detail, a
null cost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from pilothouse.core.models import ChangeRecord, User
from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from pilothouse.people import services
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
)
from tests.api.conftest import ApiClient
from tests.api.helpers import assert_error, unchanged

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "product_leader",
    "self",
    "manager",
    "managers_manager",
    "unrelated_pm",
    "contributor",
    "viewer",
]
SEEING = {"admin", "product_leader", "self", "manager", "managers_manager"}
PORTFOLIO_WIDE = {"admin", "product_leader"}
COST = Decimal("123456.00")


@dataclass(frozen=True)
class Org:
    users: dict[str, User]
    dana: Person
    max: Person
    gil: Person
    hire: Person  # private: an unannounced report of Dana
    records: dict[str, object]  # API path -> a private record about Dana


def _person(**fields) -> Person:
    return services.person.create(actor=None, data=fields)


@pytest.fixture
def org(make_user) -> Org:
    users = {
        "admin": make_user(Role.ADMIN, username="admin"),
        "product_leader": make_user(Role.PRODUCT_LEADER, username="leader"),
        "self": make_user(Role.PRODUCT_MANAGER, username="dana"),
        "manager": make_user(Role.PRODUCT_MANAGER, username="max"),
        "managers_manager": make_user(Role.PRODUCT_MANAGER, username="gil"),
        "unrelated_pm": make_user(Role.PRODUCT_MANAGER, username="uma"),
        "contributor": make_user(Role.CONTRIBUTOR, username="cora"),
        "viewer": make_user(Role.VIEWER, username="vic"),
    }
    leader = users["product_leader"]
    level = CareerLevel.objects.get(key="pm")
    gil = _person(name="Gil Director", user=users["managers_manager"], level=level)
    max_ = _person(name="Max Lead", user=users["manager"], manager=gil, level=level)
    dana = _person(
        name="Dana Quill",
        user=users["self"],
        manager=max_,
        level=level,
        cost_per_year=COST,
        cost_currency="EUR",
    )
    hire = _person(name="Hana Secret", manager=dana, private=True, level=level)
    # The unrelated product manager manages people of their own, elsewhere.
    uma = _person(name="Uma Elsewhere", user=users["unrelated_pm"], level=level)
    _person(name="Otto Report", manager=uma, level=level)

    competency = Competency.objects.get(key="discovery")
    assessment = services.assessment.create(
        actor=leader,
        data={
            "person": dana,
            "level": level,
            "period": "2026 H1",
            "assessed_on": dt.date(2026, 6, 30),
            "assessor": max_,
            "summary": "Strong discovery",
        },
    )
    rating = services.assessment_rating.create(
        actor=leader,
        data={"assessment": assessment, "competency": competency, "rating": 4, "evidence": "x"},
    )
    plan = services.growth_plan.create(
        actor=leader,
        data={"person": dana, "title": "Towards senior PM", "start": dt.date(2026, 1, 1)},
    )
    goal = services.growth_goal.create(
        actor=leader, data={"plan": plan, "description": "Lead the pricing discovery"}
    )
    check_in = services.check_in.create(
        actor=leader, data={"plan": plan, "held_on": dt.date(2026, 3, 1), "notes": "On track"}
    )
    meeting = services.one_on_one.create(
        actor=leader,
        data={"person": dana, "with_person": max_, "held_on": dt.date(2026, 4, 1), "notes": "Hi"},
    )
    action = services.action_item.create(
        actor=leader, data={"one_on_one": meeting, "text": "Send the pricing memo", "owner": dana}
    )
    records = {
        "/assessments": assessment,
        "/assessment-ratings": rating,
        "/growth-plans": plan,
        "/growth-goals": goal,
        "/check-ins": check_in,
        "/one-on-ones": meeting,
        "/action-items": action,
    }
    return Org(users=users, dana=dana, max=max_, gil=gil, hire=hire, records=records)


@pytest.fixture
def api_as(db):
    """`api_as(user)`: an API client holding a fresh bearer token of `user`."""

    def make(user: User) -> ApiClient:
        _, secret = token_create(user=user, name="tests")
        return ApiClient(secret)

    return make


@pytest.fixture
def api_of(org, api_as):
    return lambda role: api_as(org.users[role])


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


each_role = pytest.mark.parametrize("role", ROLES)


# --- a person's cost ----------------------------------------------------------------------


@each_role
def test_cost_in_the_list_and_the_detail(org, api_of, role):
    api = api_of(role)
    rows = {row["id"]: row for row in api.get("/people", {"limit": 500}).json()["items"]}
    detail = api.get(f"/people/{org.dana.pk}").json()
    for shown in (rows[org.dana.pk], detail):
        if role in SEEING:
            assert (Decimal(shown["cost_per_year"]), shown["cost_currency"]) == (COST, "EUR")
        else:
            assert (shown["cost_per_year"], shown["cost_currency"]) == (None, None)
    # Everyone else's cost: only for those above them (or portfolio-wide).
    assert rows[org.gil.pk]["cost_per_year"] is None  # Gil has no cost set
    services.person.update(
        actor=None,
        instance=org.gil,
        version=None,
        data={"cost_per_year": Decimal(1), "cost_currency": "USD"},
    )
    gil = api.get(f"/people/{org.gil.pk}").json()
    sees_gil = role in PORTFOLIO_WIDE | {"managers_manager"}
    assert (gil["cost_per_year"] is not None) == sees_gil


@each_role
def test_a_private_person_is_listed_and_found_only_by_those_who_may_see_them(org, api_of, role):
    api = api_of(role)
    listed = ids(api.get("/people", {"limit": 500}))
    found = ids(api.get("/people", {"q": "hana"}))
    detail = api.get(f"/people/{org.hire.pk}")
    dana = api.get(f"/people/{org.dana.pk}").json()
    if role in SEEING:
        assert org.hire.pk in listed
        assert found == {org.hire.pk}
        assert detail.json()["name"] == "Hana Secret"
        assert dana["report_count"] == 1
    else:
        assert org.hire.pk not in listed
        assert found == set()
        assert_error(detail, 404)
        assert dana["report_count"] == 0  # not even counted
        with unchanged(Person):
            assert_error(api.patch(f"/people/{org.hire.pk}", {"name": "X", "version": 1}), 404)
            assert_error(api.delete(f"/people/{org.hire.pk}"), 404)


@each_role
def test_search_never_matches_private_fields(org, api_of, role):
    api = api_of(role)
    assert ids(api.get("/people", {"q": "123456"})) == set()
    assert ids(api.get("/people", {"q": "EUR"})) == set()
    assert ids(api.get("/people", {"q": "dana"})) == {org.dana.pk}


# --- private records ----------------------------------------------------------------------

RECORD_PATHS = [
    "/assessments",
    "/assessment-ratings",
    "/growth-plans",
    "/growth-goals",
    "/check-ins",
    "/one-on-ones",
    "/action-items",
]


@each_role
@pytest.mark.parametrize("path", RECORD_PATHS)
def test_private_records(org, api_of, role, path):
    api = api_of(role)
    record = org.records[path]
    listed = ids(api.get(path, {"limit": 500}))
    detail = api.get(f"{path}/{record.pk}")
    if role in SEEING:
        assert record.pk in listed
        assert detail.status_code == 200
        assert detail.json()["id"] == record.pk
    else:
        assert listed == set()
        assert_error(detail, 404)
        # A filter on the person finds nothing either.
        person_filter = {"/one-on-ones": "participant_id", "/action-items": "owner_id"}
        assert ids(api.get(path, {person_filter.get(path, "person_id"): org.dana.pk})) == set()


@each_role
def test_an_assessment_carries_its_ratings_only_for_those_who_see_it(org, api_of, role):
    assessment = org.records["/assessments"]
    rows = api_of(role).get("/assessments", {"person_id": org.dana.pk}).json()["items"]
    if role in SEEING:
        (row,) = rows
        assert [r["rating"] for r in row["ratings"]] == [4]
        assert row["id"] == assessment.pk
    else:
        assert rows == []


BLIND = [role for role in ROLES if role not in SEEING]


@pytest.mark.parametrize("role", BLIND)
@pytest.mark.parametrize("path", RECORD_PATHS)
def test_a_record_one_may_not_see_cannot_be_changed_or_deleted(org, api_of, role, path):
    record = org.records[path]
    api = api_of(role)
    with unchanged(type(record)):
        assert_error(api.patch(f"{path}/{record.pk}", {"version": 1}), 404)
        assert_error(api.delete(f"{path}/{record.pk}"), 404)


def test_the_person_reads_their_assessment_but_does_not_change_it(org, api_of):
    api = api_of("self")
    assessment = org.records["/assessments"]
    with unchanged(Assessment, AssessmentRating):
        response = api.patch(f"/assessments/{assessment.pk}", {"summary": "Mine", "version": 1})
        assert_error(response, 403)
        rating = org.records["/assessment-ratings"]
        assert api.get(f"/assessment-ratings/{rating.pk}").json()["rating"] == 4
        assert_error(
            api.patch(f"/assessment-ratings/{rating.pk}", {"rating": 1, "version": 1}), 403
        )


def test_the_person_keeps_their_growth_plan_and_one_to_ones(org, api_of):
    api = api_of("self")
    goal = org.records["/growth-goals"]
    response = api.patch(f"/growth-goals/{goal.pk}", {"status": "in_progress", "version": 1})
    assert response.status_code == 200, response.content
    plan = org.records["/growth-plans"]
    response = api.post("/check-ins", {"plan_id": plan.pk, "held_on": "2026-05-01", "notes": "Ok"})
    assert response.status_code == 201, response.content
    action = org.records["/action-items"]
    response = api.patch(f"/action-items/{action.pk}", {"done": True, "version": 1})
    assert response.status_code == 200, response.content


def test_managers_write_their_reports_records_and_nobody_elses(org, api_of):
    body = {"person_id": org.dana.pk, "title": "Lead pricing", "start": "2026-07-01"}
    for role in ("manager", "managers_manager"):
        response = api_of(role).post("/growth-plans", body)
        assert response.status_code == 201, response.content
    with unchanged(GrowthPlan):
        assert_error(api_of("unrelated_pm").post("/growth-plans", body), 403)
        assert_error(api_of("self").post("/growth-plans", body), 403)
        assert_error(api_of("viewer").post("/growth-plans", body), 403)


@pytest.mark.parametrize("role", BLIND)
def test_a_hidden_record_cannot_be_named_in_a_body(org, api_of, role):
    """An id of a record or private person one may not see is as unknown as a missing one."""
    api = api_of(role)
    plan = org.records["/growth-plans"]
    meeting = org.records["/one-on-ones"]
    assessment = org.records["/assessments"]
    with unchanged(GrowthGoal, CheckIn, ActionItem, AssessmentRating, OneOnOne):
        body = {"plan_id": plan.pk, "description": "Mine now"}
        assert_error(api.post("/growth-goals", body), 422, "plan_id")
        body = {"plan_id": plan.pk, "held_on": "2026-05-01", "notes": "x"}
        assert_error(api.post("/check-ins", body), 422, "plan_id")
        assert_error(api.post("/action-items", {"one_on_one_id": meeting.pk, "text": "x"}), 422)
        body = {"assessment_id": assessment.pk, "competency_id": 1, "rating": 1}
        assert_error(api.post("/assessment-ratings", body), 422, "assessment_id")
        body = {"person_id": org.hire.pk, "with_person_id": org.dana.pk, "held_on": "2026-05-01"}
        assert_error(api.post("/one-on-ones", body), 422, "person_id")


# --- one-to-ones: both participants ---------------------------------------------------------


def test_a_one_to_one_is_seen_by_both_people_and_both_chains(org, make_user, api_as):
    """A one-to-one between Dana and a mentor from another line: the mentor and the
    mentor's manager see it as well as Dana's chain; nobody else."""
    mentor_user = make_user(Role.PRODUCT_MANAGER, username="mentor")
    mentor_boss_user = make_user(Role.PRODUCT_MANAGER, username="mentor_boss")
    boss = _person(name="Mentor Boss", user=mentor_boss_user)
    mentor = _person(name="Mia Mentor", user=mentor_user, manager=boss)
    meeting = services.one_on_one.create(
        actor=None,
        data={"person": org.dana, "with_person": mentor, "held_on": dt.date(2026, 5, 2)},
    )
    action = services.action_item.create(
        actor=None, data={"one_on_one": meeting, "text": "Read the pricing book"}
    )
    seeing = [mentor_user, mentor_boss_user, *(org.users[r] for r in sorted(SEEING))]
    blind = [org.users[r] for r in BLIND]
    for user in seeing:
        api = api_as(user)
        assert meeting.pk in ids(api.get("/one-on-ones", {"limit": 500})), user
        assert api.get(f"/action-items/{action.pk}").status_code == 200, user
    for user in blind:
        api = api_as(user)
        assert meeting.pk not in ids(api.get("/one-on-ones", {"limit": 500})), user
        assert_error(api.get(f"/one-on-ones/{meeting.pk}"), 404)
        assert_error(api.get(f"/action-items/{action.pk}"), 404)
    # The mentor sees the one-to-one, not Dana's other private records.
    mentor_api = api_as(mentor_user)
    assert ids(mentor_api.get("/assessments")) == set()
    assert ids(mentor_api.get("/growth-plans")) == set()
    dana = mentor_api.get(f"/people/{org.dana.pk}").json()
    assert dana["cost_per_year"] is None


# --- the change feed ----------------------------------------------------------------------

PRIVATE_TYPES = {
    "assessment",
    "assessmentrating",
    "growthplan",
    "growthgoal",
    "checkin",
    "oneonone",
    "actionitem",
}


@each_role
def test_the_change_feed(org, api_of, role):
    services.person.update(
        actor=None,
        instance=Person.objects.get(pk=org.dana.pk),
        version=None,
        data={"cost_per_year": Decimal("130000"), "job_title": "Senior PM"},
    )
    items = api_of(role).get("/changes", {"limit": 500}).json()["items"]
    types = {item["object_type"] for item in items}
    # Private records: product leaders and admins only (the others read them where they
    # are, in the lists above, which check each record).
    if role in PORTFOLIO_WIDE:
        assert types >= PRIVATE_TYPES
    else:
        assert not types & PRIVATE_TYPES
    hire_records = [
        i for i in items if i["object_type"] == "person" and i["object_id"] == org.hire.pk
    ]
    assert bool(hire_records) == (role in SEEING)
    # Dana's own records are there for everyone, without her cost.
    dana_records = [
        i for i in items if i["object_type"] == "person" and i["object_id"] == org.dana.pk
    ]
    assert {i["action"] for i in dana_records} == {"create", "update"}
    for item in items:
        for state in (item["before"], item["after"]):
            assert not {"cost_per_year", "cost_currency"} & set(state), item
            assert "123456" not in str(state)
            assert "130000" not in str(state)
    hidden = api_of(role).get("/changes", {"object_type": "assessment"}).json()
    assert (hidden["count"] > 0) == (role in PORTFOLIO_WIDE)


def test_the_cost_never_enters_the_change_log(org):
    logged = ChangeRecord.objects.filter(object_id=org.dana.pk, content_type__model="person")
    assert logged.exists()
    for record in logged:
        assert "cost_per_year" not in record.before | record.after
        assert "cost_currency" not in record.before | record.after


# --- the rule itself --------------------------------------------------------------------------


def test_an_anonymous_caller_gets_nothing(org):
    anonymous = ApiClient()
    for path in ["/people", *RECORD_PATHS, "/changes"]:
        assert_error(anonymous.get(path), 401)
