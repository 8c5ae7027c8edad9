"""A product with its portal switched on, public and private features, visitors (one
confirmed, one not), and the clients they sign in with."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from pilothouse.portal.accounts import session_hash
from pilothouse.portal.models import PortalFeature, PortalProduct, PortalVisitor
from pilothouse.portal.sessions import HASH_KEY, SESSION_KEY
from tests.factories import FeatureFactory, ProductFactory

PASSWORD = "a long visitor password"


def sign_in_client(client: Client, visitor: PortalVisitor) -> Client:
    """Put the visitor's portal session on the client, as signing in does."""
    session = client.session
    session[SESSION_KEY] = visitor.pk
    session[HASH_KEY] = session_hash(visitor)
    session.save()
    return client


def make_visitor(email: str, name: str, *, confirmed: bool = True) -> PortalVisitor:
    return PortalVisitor.objects.create(
        email=email,
        name=name,
        password=make_password(PASSWORD),
        email_confirmed_at=timezone.now() if confirmed else None,
    )


@pytest.fixture
def product(db):
    made = ProductFactory(key="PAY", name="Payments")
    PortalProduct.objects.create(product=made, enabled=True, title="Payments portal")
    return made


@pytest.fixture
def portal(product):
    return product.portal


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
    return make_visitor("ada@acme.example", "Ada")


@pytest.fixture
def unconfirmed_visitor(db):
    return make_visitor("una@else.example", "Una", confirmed=False)


@pytest.fixture
def visitor_client(client, visitor):
    return sign_in_client(client, visitor)


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """`with committing(): ...` runs what waits for the commit (the emails) at the end of
    the block, as the real commit of a request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
