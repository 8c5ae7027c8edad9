"""Domain rules enforced through the API: each refusal is a 422 naming the API field
the client sent, and leaves everything as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilothouse.people.models import Person
from pilothouse.portfolio.models import Product, ProductArea
from pilothouse.roadmap.models import Feature
from pilothouse.strategy.models import KeyResult, Objective, ObjectiveScope
from tests.api.helpers import assert_error, changes_of, unchanged
from tests.factories import (
    FeatureFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PersonFactory,
    ProductAreaFactory,
    ProductFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db


# --- products --------------------------------------------------------------------------


def test_a_product_key_already_used_is_refused(world, admin_api):
    body = {"name": "Another", "key": world.product.key, "product_line_id": world.line.pk}
    with unchanged(Product):
        error = assert_error(admin_api.post("/products", body), 422, "key")
    assert "already exists" in error["errors"][0]["message"]


def test_changing_a_product_key_to_one_already_used_is_refused(world, admin_api):
    with unchanged(Product):
        response = admin_api.patch(
            f"/products/{world.other_product.pk}", {"key": world.product.key, "version": 1}
        )
        assert_error(response, 422, "key")


@pytest.mark.parametrize("key", ["pay", "P", "1PAY", "PAYMENTS123", "PA-Y"])
def test_a_malformed_product_key_is_refused(world, admin_api, key):
    body = {"name": "Bad key", "key": key, "product_line_id": world.line.pk}
    with unchanged(Product):
        assert_error(admin_api.post("/products", body), 422, "key")


def test_a_negative_arr_is_refused(world, admin_api):
    body = {"name": "Neg", "key": "NEG", "product_line_id": world.line.pk, "arr": -1}
    with unchanged(Product):
        assert_error(admin_api.post("/products", body), 422, "arr")


def test_an_area_name_is_unique_within_its_product(world, admin_api):
    with unchanged(ProductArea):
        response = admin_api.post(
            "/product-areas", {"product_id": world.product.pk, "name": world.area.name}
        )
        assert_error(response, 422)
    other = admin_api.post(
        "/product-areas", {"product_id": world.other_product.pk, "name": world.area.name}
    )
    assert other.status_code == 201


# --- objectives ------------------------------------------------------------------------


def test_an_objective_cannot_be_its_own_parent(world, admin_api):
    objective = world.objective
    with unchanged(Objective):
        response = admin_api.patch(
            f"/objectives/{objective.pk}", {"parent_id": objective.pk, "version": 1}
        )
        error = assert_error(response, 422, "parent_id")
    assert "ancestor" in error["errors"][0]["message"]


def test_an_objective_cannot_become_its_own_ancestor(world, admin_api):
    top = ObjectiveFactory(title="Top")
    middle = ObjectiveFactory(title="Middle", parent=top)
    bottom = ObjectiveFactory(title="Bottom", parent=middle)
    with unchanged(Objective):
        response = admin_api.patch(f"/objectives/{top.pk}", {"parent_id": bottom.pk, "version": 1})
        assert_error(response, 422, "parent_id")
    # Re-parenting within the tree without a cycle is fine.
    response = admin_api.patch(f"/objectives/{bottom.pk}", {"parent_id": top.pk, "version": 1})
    assert response.status_code == 200
    assert response.json()["parent_id"] == top.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "product"}, "product_id"),
        ({"scope": "product_line"}, "product_line_id"),
        ({"scope": "company", "product_id": "PRODUCT"}, "scope"),
        ({"scope": "company", "product_line_id": "LINE"}, "scope"),
        (
            {"scope": "product", "product_id": "PRODUCT", "product_line_id": "LINE"},
            "product_line_id",
        ),
        (
            {"scope": "product_line", "product_id": "OTHER", "product_line_id": "LINE"},
            "product_id",
        ),
    ],
)
def test_objective_scope_rules(world, admin_api, body, field):
    ids = {"PRODUCT": world.product.pk, "LINE": world.line.pk, "OTHER": world.other_product.pk}
    body = {key: ids.get(value, value) for key, value in body.items()}
    with unchanged(Objective):
        response = admin_api.post("/objectives", {"title": "Scoped", "period": "2026", **body})
        assert_error(response, 422, field)


@pytest.mark.parametrize("period", ["2026", "2026-H2", "2026-Q4", "2026-11"])
def test_objective_periods_accepted(world, admin_api, period):
    response = admin_api.post("/objectives", {"title": "Period", "period": period})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("period", ["26", "2026-Q0", "2026-H3", "2026-13", "2026-q4", "Q4-2026"])
def test_objective_periods_refused(world, admin_api, period):
    with unchanged(Objective):
        response = admin_api.post("/objectives", {"title": "Period", "period": period})
        assert_error(response, 422, "period")


# --- key results -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "direction"),
    [(5, 5, "increase"), (5, 5, "decrease"), (10, 5, "increase"), (5, 10, "decrease")],
)
def test_key_result_target_must_lie_in_its_direction(world, admin_api, start, target, direction):
    body = {
        "objective_id": world.objective.pk,
        "title": "KR",
        "start_value": start,
        "target_value": target,
        "direction": direction,
    }
    with unchanged(KeyResult):
        assert_error(admin_api.post("/key-results", body), 422, "target_value")


def test_key_result_target_equal_to_start_by_patch(world, admin_api):
    kr = world.key_result  # 0 -> 100
    with unchanged(KeyResult):
        response = admin_api.patch(f"/key-results/{kr.pk}", {"target_value": 0, "version": 1})
        assert_error(response, 422, "target_value")


def test_key_result_progress_is_answered(world, admin_api):
    kr = KeyResultFactory(
        objective=world.objective,
        start_value=10,
        target_value=0,
        current_value=4,
        direction="decrease",
    )
    assert admin_api.get(f"/key-results/{kr.pk}").json()["progress"] == pytest.approx(0.6)


def test_patching_numbers_written_differently_is_not_a_change(world, admin_api):
    kr = world.key_result  # start 0, target 100, current 25, stored with 4 decimals
    with unchanged(KeyResult):
        response = admin_api.patch(
            f"/key-results/{kr.pk}",
            {"start_value": 0, "target_value": 100.0, "current_value": "25.00", "version": 1},
        )
    assert response.status_code == 200
    assert response.json()["version"] == 1
    product = world.product  # arr 0.00
    response = admin_api.patch(f"/products/{product.pk}", {"arr": 0, "version": 1})
    assert response.json()["version"] == 1
    assert not changes_of(Product, product.pk).exists()


# --- features --------------------------------------------------------------------------


def test_feature_stage_transition_not_allowed(world, admin_api):
    feature = world.feature  # idea
    with unchanged(Feature):
        response = admin_api.patch(f"/features/{feature.pk}", {"stage": "released", "version": 1})
        error = assert_error(response, 422, "stage")
    message = error["errors"][0]["message"]
    assert "idea" in message
    assert "released" in message
    assert "candidate, planned, rejected" in message


def test_feature_walks_through_its_stages_and_gets_its_dates(world, admin_api):
    today = timezone.localdate().isoformat()
    feature = world.feature
    version = 1
    for stage in ["candidate", "planned", "in_progress", "released", "measured"]:
        response = admin_api.patch(f"/features/{feature.pk}", {"stage": stage, "version": version})
        assert response.status_code == 200, (stage, response.content)
        body = response.json()
        version = body["version"]
        if stage in {"candidate", "planned"}:
            assert body["started_on"] is None
        else:
            assert body["started_on"] == today
        if stage in {"released", "measured"}:
            assert body["completed_on"] == today
        else:
            assert body["completed_on"] is None
    assert version == 6
    with unchanged(Feature):
        response = admin_api.patch(f"/features/{feature.pk}", {"stage": "idea", "version": 6})
        assert_error(response, 422, "stage")


def test_feature_area_of_another_product_is_refused(world, admin_api):
    foreign_area = ProductAreaFactory(product=world.other_product)
    body = {"title": "Mixed", "product_id": world.product.pk, "area_id": foreign_area.pk}
    with unchanged(Feature):
        error = assert_error(admin_api.post("/features", body), 422, "area_id")
        assert error["errors"][0]["message"] == "This area belongs to another product."
        response = admin_api.patch(
            f"/features/{world.feature.pk}", {"area_id": foreign_area.pk, "version": 1}
        )
        assert_error(response, 422, "area_id")


def test_feature_release_of_another_product_is_refused(world, admin_api):
    foreign_release = ReleaseFactory(product=world.other_product)
    body = {
        "title": "Mixed",
        "product_id": world.product.pk,
        "target_release_id": foreign_release.pk,
    }
    with unchanged(Feature):
        assert_error(admin_api.post("/features", body), 422, "target_release_id")
        response = admin_api.patch(
            f"/features/{world.feature.pk}",
            {"target_release_id": foreign_release.pk, "version": 1},
        )
        assert_error(response, 422, "target_release_id")


def test_moving_a_feature_to_another_product_keeps_area_and_release_consistent(world, admin_api):
    feature = world.feature  # has an area and a release of world.product
    with unchanged(Feature):
        response = admin_api.patch(
            f"/features/{feature.pk}", {"product_id": world.other_product.pk, "version": 1}
        )
        body = assert_error(response, 422)
    assert {e["field"] for e in body["errors"]} == {"area_id", "target_release_id"}
    response = admin_api.patch(
        f"/features/{feature.pk}",
        {
            "product_id": world.other_product.pk,
            "area_id": None,
            "target_release_id": None,
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert response.json()["product_id"] == world.other_product.pk


def test_feature_effort_and_dates_must_be_ordered(world, admin_api):
    base = {"title": "F", "product_id": world.product.pk}
    with unchanged(Feature):
        response = admin_api.post("/features", {**base, "effort_low": 5, "effort_high": 2})
        assert_error(response, 422, "effort_high")
        response = admin_api.post("/features", {**base, "effort_low": -1})
        assert_error(response, 422, "effort_low")
        response = admin_api.post(
            "/features", {**base, "started_on": "2026-05-02", "completed_on": "2026-05-01"}
        )
        assert_error(response, 422, "completed_on")


def test_feature_description_is_rendered_safely(world, admin_api):
    body = {
        "title": "Docs",
        "product_id": world.product.pk,
        "description": "**bold** <script>alert(1)</script> [x](javascript:alert(1))",
    }
    answer = admin_api.post("/features", body).json()
    assert "<strong>bold</strong>" in answer["description_html"]
    assert "<script" not in answer["description_html"]
    assert 'href="javascript' not in answer["description_html"]
    assert answer["description"] == body["description"]


def test_feature_objectives_are_replaced_by_patch(world, admin_api):
    feature = FeatureFactory(product=world.product)
    first, second = ObjectiveFactory(), ObjectiveFactory()
    response = admin_api.patch(
        f"/features/{feature.pk}", {"objective_ids": [first.pk, second.pk], "version": 1}
    )
    assert response.json()["objective_ids"] == sorted([first.pk, second.pk])
    response = admin_api.patch(
        f"/features/{feature.pk}", {"objective_ids": [second.pk], "version": 2}
    )
    assert response.json()["objective_ids"] == [second.pk]
    record = changes_of(Feature, feature.pk).first()
    assert record.before == {"objectives": sorted([first.pk, second.pk])}
    assert record.after == {"objectives": [second.pk]}


# --- people ----------------------------------------------------------------------------


def test_a_person_cannot_manage_themselves(world, admin_api):
    person = world.person
    with unchanged(Person):
        response = admin_api.patch(f"/people/{person.pk}", {"manager_id": person.pk, "version": 1})
        error = assert_error(response, 422, "manager_id")
    assert "management chain" in error["errors"][0]["message"]


def test_a_person_cannot_be_in_their_own_management_chain(world, admin_api):
    boss = PersonFactory()
    lead = PersonFactory(manager=boss)
    report = PersonFactory(manager=lead)
    with unchanged(Person):
        response = admin_api.patch(f"/people/{boss.pk}", {"manager_id": report.pk, "version": 1})
        assert_error(response, 422, "manager_id")


def test_person_email_is_unique_and_optional(world, admin_api):
    with unchanged(Person):
        response = admin_api.post("/people", {"name": "Twin", "email": world.person.email})
        assert_error(response, 422, "email")
    first = admin_api.post("/people", {"name": "No mail", "email": ""})
    second = admin_api.post("/people", {"name": "No mail either"})
    assert first.status_code == second.status_code == 201
    assert first.json()["email"] is None
    assert Person.objects.filter(email__isnull=True).count() == 2


def test_person_level_can_be_cleared(world, admin_api):
    person = PersonFactory(level_id="pm")
    response = admin_api.patch(f"/people/{person.pk}", {"level": None, "version": 1})
    assert response.status_code == 200
    assert response.json()["level"] is None
    person.refresh_from_db()
    assert person.level is None


# --- initiatives -----------------------------------------------------------------------


def test_initiative_dates_must_be_ordered_by_patch(world, admin_api):
    initiative = world.initiative
    initiative.start_date = dt.date(2026, 3, 1)
    initiative.save()
    with unchanged(type(initiative)):
        response = admin_api.patch(
            f"/initiatives/{initiative.pk}", {"end_date": "2026-02-01", "version": 1}
        )
        assert_error(response, 422, "end_date")


def test_release_names_are_unique_within_a_product(world, admin_api):
    body = {"product_id": world.product.pk, "name": world.release.name}
    assert_error(admin_api.post("/releases", body), 422)
    body["product_id"] = world.other_product.pk
    assert admin_api.post("/releases", body).status_code == 201


def test_company_objective_lists_features_through_filters(world, admin_api):
    company = ObjectiveFactory(scope=ObjectiveScope.COMPANY)
    feature = FeatureFactory(product=ProductFactory())
    feature.objectives.add(company)
    response = admin_api.get("/features", {"objective_id": company.pk})
    assert [item["id"] for item in response.json()["items"]] == [feature.pk]
