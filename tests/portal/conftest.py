"""A product with its portal switched on, public and private features, and a visitor."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password

from pilothouse.portal.models import PortalFeature, PortalProduct, PortalVisitor
from pilothouse.portal.views import SESSION_KEY
from tests.factories import FeatureFactory, ProductFactory

PASSWORD = "a long visitor password"


@pytest.fixture
def product(db):
    made = ProductFactory(key="PAY", name="Payments")
    PortalProduct.objects.create(product=made, enabled=True, title="Payments portal")
    return made


@pytest.fixture
def public_feature(product):
    feature = FeatureFactory(product=product, title="Export to CSV", stage="planned")
    PortalFeature.objects.create(feature=feature, public=True)
    return feature


@pytest.fixture
def private_feature(product):
    feature = FeatureFactory(product=product, title="Secret acquisition plan")
    PortalFeature.objects.create(feature=feature, public=False)
    return feature


@pytest.fixture
def visitor(db):
    return PortalVisitor.objects.create(
        email="ada@acme.example", name="Ada", password=make_password(PASSWORD)
    )


@pytest.fixture
def visitor_client(client, visitor):
    session = client.session
    session[SESSION_KEY] = visitor.pk
    session.save()
    return client
