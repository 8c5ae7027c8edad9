"""core/permissions.py: roles, stewardship through the chain of owners, inactive users."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from pilothouse.core import permissions
from pilothouse.core.roles import PORTFOLIO_WIDE_ROLES, ROLE_DESCRIPTIONS, STEWARD_ROLES, Role
from pilothouse.strategy.models import ObjectiveScope
from tests.factories import (
    FeatureFactory,
    InitiativeFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PersonFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
    ReleaseFactory,
)

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


def test_every_role_is_described_and_classified():
    assert set(ROLE_DESCRIPTIONS) == set(Role)
    assert {Role.ADMIN, Role.PRODUCT_LEADER} == PORTFOLIO_WIDE_ROLES
    assert {Role.PRODUCT_MANAGER} == STEWARD_ROLES


@pytest.mark.parametrize("role", ALL_ROLES)
def test_role_predicates(make_user, role):
    user = make_user(role)
    assert permissions.can_view(user)
    assert permissions.is_admin(user) == (role == Role.ADMIN)
    assert permissions.is_portfolio_wide(user) == (role in {Role.ADMIN, Role.PRODUCT_LEADER})
    assert permissions.can_create_any(user) == (
        role in {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_an_inactive_user_may_nothing(make_user, role):
    user = make_user(role, is_active=False)
    line = ProductLineFactory(owner=user)
    assert not permissions.can_view(user)
    assert not permissions.is_admin(user)
    assert not permissions.is_portfolio_wide(user)
    assert not permissions.can_change(user, line)
    assert not permissions.can_create(user, parent=None)
    assert not permissions.can_create(user, parent=line)
    assert not permissions.can_create_any(user)


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_nobody_may_nothing(db, user):
    line = ProductLineFactory()
    assert not permissions.can_view(user)
    assert not permissions.can_change(user, line)
    assert not permissions.can_create(user, parent=None)
    assert not permissions.can_create_any(user)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_portfolio_wide_roles_change_and_create_anything(make_user, role):
    user = make_user(role)
    for obj in (ProductLineFactory(), FeatureFactory(), PersonFactory(), InitiativeFactory()):
        assert permissions.can_change(user, obj)
        assert permissions.can_create(user, parent=obj)
    assert permissions.can_create(user, parent=None)


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER])
def test_owning_gives_readers_no_rights(make_user, role):
    user = make_user(role)
    line = ProductLineFactory(owner=user)
    product = ProductFactory(product_line=line, owner=user)
    feature = FeatureFactory(product=product, owner=user)
    for obj in (line, product, feature):
        assert not permissions.can_change(user, obj)
        assert not permissions.can_create(user, parent=obj)


@pytest.fixture
def pm(make_user):
    return make_user(Role.PRODUCT_MANAGER, username="pm")


def test_a_line_owner_stewards_everything_under_the_line(pm):
    line = ProductLineFactory(owner=pm)
    product = ProductFactory(product_line=line)
    objects = [
        line,
        product,
        ProductAreaFactory(product=product),
        FeatureFactory(product=product),
        ReleaseFactory(product=product),
        ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product),
        ObjectiveFactory(scope=ObjectiveScope.PRODUCT_LINE, product_line=line),
        KeyResultFactory(objective=ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=product)),
    ]
    for obj in objects:
        assert pm.pk in obj.steward_ids(), obj
        assert permissions.can_change(pm, obj), obj
        assert permissions.can_create(pm, parent=obj), obj


def test_a_product_owner_stewards_the_product_not_the_line(pm):
    product = ProductFactory(owner=pm)
    sibling = ProductFactory(product_line=product.product_line)
    assert permissions.can_change(pm, product)
    assert permissions.can_change(pm, FeatureFactory(product=product))
    assert permissions.can_create(pm, parent=product)
    assert not permissions.can_change(pm, product.product_line)
    assert not permissions.can_create(pm, parent=product.product_line)
    assert not permissions.can_change(pm, sibling)
    assert not permissions.can_change(pm, FeatureFactory(product=sibling))


def test_owners_of_areas_and_features_steward_only_those(pm):
    product = ProductFactory()
    area = ProductAreaFactory(product=product, owner=pm)
    in_area = FeatureFactory(product=product, area=area)
    own = FeatureFactory(product=product, owner=pm)
    elsewhere = FeatureFactory(product=product)
    assert permissions.can_change(pm, area)
    assert permissions.can_change(pm, in_area)
    assert permissions.can_change(pm, own)
    assert not permissions.can_change(pm, elsewhere)
    assert not permissions.can_change(pm, product)
    assert not permissions.can_create(pm, parent=product)


def test_objective_stewardship_follows_its_scope(pm):
    line = ProductLineFactory(owner=pm)
    mine = ProductFactory(product_line=line)
    company = ObjectiveFactory(scope=ObjectiveScope.COMPANY)
    owned_company = ObjectiveFactory(scope=ObjectiveScope.COMPANY, owner=pm)
    on_line = ObjectiveFactory(scope=ObjectiveScope.PRODUCT_LINE, product_line=line)
    on_product = ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=mine)
    elsewhere = ObjectiveFactory(scope=ObjectiveScope.PRODUCT, product=ProductFactory())
    assert not permissions.can_change(pm, company)
    assert permissions.can_change(pm, owned_company)
    assert permissions.can_change(pm, on_line)
    assert permissions.can_change(pm, on_product)
    assert not permissions.can_change(pm, elsewhere)
    assert company.permission_parent() is None
    assert on_line.permission_parent() == line
    assert on_product.permission_parent() == mine
    # Key results follow their objective.
    assert permissions.can_change(pm, KeyResultFactory(objective=owned_company))
    assert not permissions.can_change(pm, KeyResultFactory(objective=company))


def test_initiatives_and_people(pm):
    assert permissions.can_change(pm, InitiativeFactory(owner=pm))
    assert not permissions.can_change(pm, InitiativeFactory())
    assert not permissions.can_change(pm, PersonFactory(user=pm))
    assert PersonFactory().steward_ids() == set()


def test_a_manager_creates_nothing_top_level(pm):
    assert not permissions.can_create(pm, parent=None)


def test_require():
    permissions.require(True)
    with pytest.raises(PermissionDenied, match="You do not have permission"):
        permissions.require(False)
    with pytest.raises(PermissionDenied, match=r"^Only admins$"):
        permissions.require(False, "Only admins")
