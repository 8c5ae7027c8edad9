"""Fixtures of the prioritization tests: the API clients and world of tests/api."""

from __future__ import annotations

from tests.api.conftest import admin_api, anonymous_api, api_as, pm, world  # noqa: F401
