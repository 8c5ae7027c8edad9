"""Fixtures of delivery's tests: the API clients and world of tests/api."""

from tests.api.conftest import admin_api, anonymous_api, api_as, pm, world  # noqa: F401
