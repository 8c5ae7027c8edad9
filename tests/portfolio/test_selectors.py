"""Reads of the portfolio."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.portfolio import selectors
from pilothouse.portfolio.models import Product
from tests.factories import ProductAreaFactory, ProductFactory, ProductLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_product_by_key():
    product = ProductFactory(key="PAY")
    ProductFactory(key="PAYX")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.product_by_key(key="PAY")
        assert found.product_line.name
    assert found == product
    assert len(queries) == 1
    with pytest.raises(Product.DoesNotExist):
        selectors.product_by_key(key="pay")


def test_lists_join_what_they_show():
    for _ in range(3):
        line = ProductLineFactory(owner=UserFactory())
        product = ProductFactory(product_line=line, owner=UserFactory())
        ProductAreaFactory(product=product, owner=UserFactory())
    with CaptureQueriesContext(connection) as queries:
        lines = [(x.name, x.owner.username) for x in selectors.product_line_list()]
        products = [(p.product_line.name, p.owner.username) for p in selectors.product_list()]
        areas = [(a.product.key, a.owner.username) for a in selectors.product_area_list()]
    assert len(lines) == len(products) == len(areas) == 3
    assert len(queries) == 3


def test_lists_follow_the_model_ordering():
    ProductLineFactory(name="Beta")
    ProductLineFactory(name="Alpha")
    assert [x.name for x in selectors.product_line_list()] == ["Alpha", "Beta"]
