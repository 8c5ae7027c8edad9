"""Fixtures of the API tests: a JSON client authenticated by bearer token, and a small
organization (`World`) in which one product manager looks after a product line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from tests.api.resources import World, build_world

API = "/api/v1"


class ApiClient:
    """A test client speaking JSON to /api/v1 with `Authorization: Bearer <secret>`."""

    def __init__(self, secret: str | None = None, client: Client | None = None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
        self.client = client or Client(**headers)

    @staticmethod
    def url(path: str) -> str:
        return path if path.startswith(API) else API + path

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(self.url(path), params or {})

    def post(self, path: str, body: Any):
        return self.client.post(self.url(path), _dump(body), content_type="application/json")

    def patch(self, path: str, body: Any):
        return self.client.patch(self.url(path), _dump(body), content_type="application/json")

    def delete(self, path: str, params: dict[str, Any] | None = None):
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        return self.client.delete(self.url(path) + query)


def _dump(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body)


@pytest.fixture
def api_as(db):
    """`api_as(user)`: an ApiClient holding a fresh bearer token of `user`."""

    def make(user) -> ApiClient:
        _, secret = token_create(user=user, name="tests")
        return ApiClient(secret)

    return make


@pytest.fixture
def anonymous_api(db) -> ApiClient:
    return ApiClient()


@pytest.fixture
def pm(make_user):
    """The product manager who owns the world's product line (so stewards all under it)."""
    return make_user(Role.PRODUCT_MANAGER, username="pm")


@pytest.fixture
def world(pm) -> World:
    return build_world(pm)


@pytest.fixture
def admin_api(admin_user, api_as) -> ApiClient:
    return api_as(admin_user)
