"""Fixtures of the customer-voice tests: the API clients of tests/api, and people of
every role."""

from __future__ import annotations

import pytest

from pilothouse.core.roles import Role
from tests.api.conftest import admin_api, anonymous_api, api_as, pm, world  # noqa: F401


@pytest.fixture
def contributor(make_user):
    return make_user(Role.CONTRIBUTOR, username="contributor")
