"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from hypothesis import settings

from pilothouse.core.roles import Role
from tests.factories import UserFactory

# Tests assert results, never timings: Hypothesis's per-example deadline would fail a
# correct test when the machine is busy (both database suites run side by side).
settings.register_profile("pilothouse", deadline=None)
settings.load_profile("pilothouse")

ROLES = [role.value for role in Role]


@pytest.fixture
def make_user(db):
    def make(role: str = Role.VIEWER, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="admin")


@pytest.fixture
def leader(make_user):
    return make_user(Role.PRODUCT_LEADER, username="leader")


@pytest.fixture
def viewer(make_user):
    return make_user(Role.VIEWER, username="viewer")


@pytest.fixture
def as_user(client):
    """Log the test client in as a user: `as_user(user)` returns the client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def product_manager(make_user):
    return make_user(Role.PRODUCT_MANAGER, username="pm")


@pytest.fixture
def web_world(db):
    """Two product lines with one of everything, each looked after by its own product
    manager, and one user of each role (see tests/web/world.py)."""
    from tests.web.world import build_world

    return build_world()
