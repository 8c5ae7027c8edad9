"""Product lines, products and areas: their rules, as the services enforce them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from pilothouse.portfolio import services
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from tests.api.helpers import changes_of, unchanged
from tests.factories import (
    FeatureFactory,
    ProductAreaFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db


def test_create_a_line_a_product_and_an_area(leader):
    line = services.product_line.create(actor=leader, data={"name": "Payments"})
    product = services.product.create(
        actor=leader,
        data={"name": "Checkout", "key": "CHK", "product_line": line, "arr": Decimal("99.99")},
    )
    area = services.product_area.create(actor=leader, data={"product": product, "name": "Wallets"})
    assert (product.stage, product.kind, product.arr) == ("discovery", "revenue", Decimal("99.99"))
    assert str(product) == "Checkout (CHK)"
    assert str(area) == "Wallets"
    for obj in (line, product, area):
        assert changes_of(type(obj), obj.pk).count() == 1


@pytest.mark.parametrize("key", ["AB", "PAY", "A1", "ABCDEFGHIJ", "X2024"])
def test_valid_product_keys(leader, key):
    line = ProductLineFactory()
    assert services.product.create(
        actor=leader, data={"name": key, "key": key, "product_line": line}
    ).pk


@pytest.mark.parametrize("key", ["A", "pay", "1AB", "ABCDEFGHIJK", "PA Y", "PÄY", ""])
def test_invalid_product_keys(leader, key):
    line = ProductLineFactory()
    with unchanged(Product), pytest.raises(ValidationError) as caught:
        services.product.create(actor=leader, data={"name": "N", "key": key, "product_line": line})
    assert "key" in caught.value.message_dict


def test_product_keys_are_unique(leader):
    existing = ProductFactory(key="PAY")
    with unchanged(Product), pytest.raises(ValidationError) as caught:
        services.product.create(
            actor=leader,
            data={"name": "Other", "key": "PAY", "product_line": existing.product_line},
        )
    assert "key" in caught.value.message_dict


def test_line_names_are_unique(leader):
    ProductLineFactory(name="Payments")
    with unchanged(ProductLine), pytest.raises(ValidationError) as caught:
        services.product_line.create(actor=leader, data={"name": "Payments"})
    assert "name" in caught.value.message_dict


def test_area_names_are_unique_within_a_product(leader):
    area = ProductAreaFactory(name="Billing")
    with unchanged(ProductArea), pytest.raises(ValidationError):
        services.product_area.create(
            actor=leader, data={"product": area.product, "name": "Billing"}
        )
    assert services.product_area.create(
        actor=leader, data={"product": ProductFactory(), "name": "Billing"}
    ).pk


def test_arr_cannot_be_negative(leader):
    product = ProductFactory()
    with unchanged(Product), pytest.raises(ValidationError) as caught:
        services.product.update(
            actor=leader, instance=product, version=1, data={"arr": Decimal("-0.01")}
        )
    assert "arr" in caught.value.message_dict


def test_a_line_with_products_cannot_be_deleted(leader):
    product = ProductFactory()
    with unchanged(ProductLine), pytest.raises(ProtectedError):
        services.product_line.delete(actor=leader, instance=product.product_line)


def test_a_product_with_features_cannot_be_deleted(leader):
    feature = FeatureFactory()
    with unchanged(Product), pytest.raises(ProtectedError):
        services.product.delete(actor=leader, instance=feature.product)


def test_deleting_a_product_deletes_its_areas(leader):
    area = ProductAreaFactory()
    services.product.delete(actor=leader, instance=area.product)
    assert not ProductArea.objects.filter(pk=area.pk).exists()


def test_stewards_follow_the_chain_of_owners(make_user):
    line_owner, product_owner, area_owner = make_user(), make_user(), make_user()
    line = ProductLineFactory(owner=line_owner)
    product = ProductFactory(product_line=line, owner=product_owner)
    area = ProductAreaFactory(product=product, owner=area_owner)
    assert line.steward_ids() == {line_owner.pk}
    assert product.steward_ids() == {line_owner.pk, product_owner.pk}
    assert area.steward_ids() == {line_owner.pk, product_owner.pk, area_owner.pk}
    assert ProductLineFactory().steward_ids() == set()
    assert line.permission_parent() is None
    assert product.permission_parent() == line
    assert area.permission_parent() == product
