"""Fixtures of the scenarios tests: the hand-checked world (world.py) and the API
clients of tests/api."""

import pytest

from tests.api.conftest import admin_api, anonymous_api, api_as, pm, world  # noqa: F401
from tests.scenarios import world as world_module


@pytest.fixture
def plan_world(db):
    return world_module.build()
