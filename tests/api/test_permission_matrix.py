"""Who may do what through the API: every role against every endpoint and method.

Allowed requests answer 2xx and take effect (recorded under the user's name); refused
ones answer 403 and change nothing, not even the change log.
"""

from __future__ import annotations

import pytest

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.portfolio.models import Product, ProductLine
from pilothouse.roadmap.models import Feature
from pilothouse.strategy.models import Objective
from tests.api.helpers import assert_error, changes_of, unchanged
from tests.api.resources import SPEC_IDS, SPECS
from tests.factories import FeatureFactory, ProductAreaFactory, ProductFactory, ProductLineFactory

pytestmark = pytest.mark.django_db

ROLES = ["admin", "product_leader", "pm_owner", "pm_other", "contributor", "viewer"]
METHODS = ["list", "retrieve", "create", "update", "delete"]
PORTFOLIO_WIDE = {"admin", "product_leader"}


# Who sees the private records `make` builds (about a report of pm_owner).
SEES_PRIVATE = {"admin", "product_leader", "pm_owner"}


def sees(role: str, spec) -> bool:
    return not spec.private or role in SEES_PRIVATE


def allowed(role: str, spec, method: str) -> bool:
    if method in {"list", "retrieve"}:
        return sees(role, spec)
    if spec.allowed is not None:
        return spec.allowed(role, method)
    if role in PORTFOLIO_WIDE:
        return True
    if role == "pm_owner":
        return spec.pm_creates if method == "create" else spec.pm_changes
    return False


@pytest.fixture
def user_for(world, make_user):
    def user(role: str):
        if role == "pm_owner":
            return world.pm
        if role == "pm_other":
            return make_user(Role.PRODUCT_MANAGER, username="pm_other")
        return make_user(role, username=role)

    return user


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_permission(spec, role, method, world, user_for, api_as):
    user = user_for(role)
    api = api_as(user)
    obj = spec.make(world)
    item = f"{spec.path}/{obj.pk}"
    expected = allowed(role, spec, method)

    if method == "list":
        response = api.get(spec.path, {"limit": 500})
        assert response.status_code == 200
        listed = {row["id"] for row in response.json()["items"]}
        if expected:
            assert response.json()["count"] == spec.model.objects.count()
            assert obj.pk in listed
        else:
            assert response.json() == {"items": [], "count": 0}
    elif method == "retrieve":
        response = api.get(item)
        if expected:
            assert response.status_code == 200
            assert response.json()["id"] == obj.pk
        else:
            assert_error(response, 404)
    elif not expected:
        body = {"create": spec.create(world), "update": {**spec.patch, "version": 1}}
        with unchanged(spec.model):
            if method == "create":
                response = api.post(spec.path, body["create"])
            elif method == "update":
                response = api.patch(item, body["update"])
            else:
                response = api.delete(item)
            if method == "create" and not sees(role, spec) and spec.private_parent:
                # The record it would hang under does not exist for them.
                assert_error(response, 422, spec.private_parent)
            elif sees(role, spec):
                assert_error(response, 403)
            else:
                assert_error(response, 403 if method == "create" else 404)
    elif method == "create":
        response = api.post(spec.path, spec.create(world))
        assert response.status_code == 201, response.content
        created = response.json()["id"]
        assert changes_of(spec.model, created).get().actor == user
    elif method == "update":
        response = api.patch(item, {**spec.patch, "version": 1})
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 2
        assert changes_of(spec.model, obj.pk).get().actor == user
    else:
        response = api.delete(item)
        assert response.status_code == 204, response.content
        assert not spec.model.objects.filter(pk=obj.pk).exists()
        assert changes_of(spec.model, obj.pk).get().actor == user


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_change_log(role, world, user_for, api_as, admin_api):
    admin_api.post("/product-lines", {"name": "Logged"})
    response = api_as(user_for(role)).get("/changes")
    assert response.status_code == 200
    assert response.json()["count"] == ChangeRecord.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_nobody_writes_the_change_log(role, world, user_for, api_as, admin_api):
    admin_api.post("/product-lines", {"name": "Logged"})
    record = ChangeRecord.objects.get()
    api = api_as(user_for(role))
    with unchanged(ChangeRecord):
        assert api.post("/changes", {"action": "create"}).status_code == 405
        assert api.patch(f"/changes/{record.pk}", {"action": "delete"}).status_code in {404, 405}
        assert api.delete(f"/changes/{record.pk}").status_code in {404, 405}


# --- stewardship in detail --------------------------------------------------------------


@pytest.fixture
def pm_api(world, api_as):
    return api_as(world.pm)


def test_a_manager_may_not_move_a_feature_to_a_product_they_do_not_look_after(world, pm_api):

    feature = FeatureFactory(product=world.product, owner=world.pm)
    with unchanged(Feature):
        response = pm_api.patch(
            f"/features/{feature.pk}", {"product_id": world.other_product.pk, "version": 1}
        )
        assert_error(response, 403)


def test_a_manager_may_not_create_under_what_they_do_not_look_after(world, pm_api):
    from pilothouse.roadmap.models import Feature

    with unchanged(Feature, Product):
        response = pm_api.post(
            "/features", {"title": "Foreign", "product_id": world.other_product.pk}
        )
        assert_error(response, 403)
        response = pm_api.post(
            "/products",
            {"name": "Foreign", "key": "FOR", "product_line_id": world.other_line.pk},
        )
        assert_error(response, 403)


def test_a_product_owner_stewards_the_product_not_its_line(make_user, api_as):

    owner = make_user(Role.PRODUCT_MANAGER, username="owner")
    product = ProductFactory(owner=owner)
    feature = FeatureFactory(product=product)
    api = api_as(owner)
    response = api.patch(f"/features/{feature.pk}", {"title": "Mine", "version": 1})
    assert response.status_code == 200
    response = api.post("/features", {"title": "New", "product_id": product.pk})
    assert response.status_code == 201
    assert api.patch(f"/products/{product.pk}", {"name": "Mine", "version": 1}).status_code == 200
    with unchanged(ProductLine, Product):
        line = product.product_line
        assert_error(api.patch(f"/product-lines/{line.pk}", {"name": "X", "version": 1}), 403)
        response = api.post(
            "/products", {"name": "Sibling", "key": "SIB", "product_line_id": line.pk}
        )
        assert_error(response, 403)


def test_a_feature_owner_changes_the_feature_but_creates_nothing(make_user, api_as):

    owner = make_user(Role.PRODUCT_MANAGER, username="feature_owner")
    feature = FeatureFactory(owner=owner)
    api = api_as(owner)
    assert api.patch(f"/features/{feature.pk}", {"title": "Mine", "version": 1}).status_code == 200
    with unchanged(Feature):
        response = api.post("/features", {"title": "New", "product_id": feature.product_id})
        assert_error(response, 403)


def test_an_area_owner_changes_the_features_of_the_area(make_user, api_as):

    owner = make_user(Role.PRODUCT_MANAGER, username="area_owner")
    area = ProductAreaFactory(owner=owner)
    in_area = FeatureFactory(product=area.product, area=area)
    elsewhere = FeatureFactory(product=area.product)
    api = api_as(owner)
    assert api.patch(f"/features/{in_area.pk}", {"title": "Mine", "version": 1}).status_code == 200
    with unchanged(Feature):
        assert_error(api.patch(f"/features/{elsewhere.pk}", {"title": "X", "version": 1}), 403)


def test_objective_scope_decides_who_may_create_it(world, pm_api):

    with unchanged(Objective):
        assert_error(pm_api.post("/objectives", {"title": "Company", "period": "2026"}), 403)
        response = pm_api.post(
            "/objectives",
            {
                "title": "Other line",
                "period": "2026",
                "scope": "product_line",
                "product_line_id": world.other_line.pk,
            },
        )
        assert_error(response, 403)
    response = pm_api.post(
        "/objectives",
        {
            "title": "My line",
            "period": "2026",
            "scope": "product_line",
            "product_line_id": world.line.pk,
        },
    )
    assert response.status_code == 201


def test_a_manager_may_give_away_what_they_own(world, pm_api, make_user):

    line = ProductLineFactory(owner=world.pm)
    successor = make_user(Role.PRODUCT_MANAGER, username="successor")
    response = pm_api.patch(f"/product-lines/{line.pk}", {"owner_id": successor.pk, "version": 1})
    assert response.status_code == 200
    with unchanged(ProductLine):
        assert_error(pm_api.patch(f"/product-lines/{line.pk}", {"name": "Back", "version": 2}), 403)


def test_an_inactive_users_token_is_refused(world, api_as):
    api = api_as(world.pm)
    world.pm.is_active = False
    world.pm.save()
    assert_error(api.get("/products"), 401)
