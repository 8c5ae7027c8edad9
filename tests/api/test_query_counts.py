"""Every list endpoint costs the same number of queries for 5 and for 50 objects."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core import changelog
from pilothouse.core.models import ChangeAction
from pilothouse.core.roles import Role
from tests.api.resources import SPEC_IDS, SPECS
from tests.factories import ProductLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def count_queries(client, path: str, params: dict | None = None) -> tuple[int, int]:
    """(queries the request cost, number of items answered)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1" + path, {"limit": 500, **(params or {})})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["items"])


@pytest.fixture
def reader(as_user, make_user):
    client = as_user(make_user(Role.VIEWER, username="reader"))
    client.get("/api/v1/products")  # warm up the session and content-type caches
    return client


@pytest.fixture
def reader_of(world, reader, client):
    """Who reads a resource's list: a viewer, or for private records the world's product
    manager, who manages the people they are about (so the privacy rule is read too)."""

    def pick(spec):
        if not spec.private:
            return reader
        client.force_login(world.pm)
        client.get("/api/v1/products")
        return client

    return pick


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_list_query_count_does_not_grow_with_the_data(spec, world, reader_of):
    for _ in range(5):
        spec.make(world)
    reader = reader_of(spec)
    small, small_items = count_queries(reader, spec.path)
    for _ in range(45):
        spec.make(world)
    large, large_items = count_queries(reader, spec.path)
    assert large_items - small_items == 45
    assert large == small


PRIVATE_SPECS = [spec for spec in SPECS if spec.private]


@pytest.mark.parametrize("spec", PRIVATE_SPECS, ids=[spec.id for spec in PRIVATE_SPECS])
def test_a_list_of_private_records_costs_the_same_to_one_who_sees_none(spec, world, reader):
    for _ in range(5):
        spec.make(world)
    small, small_items = count_queries(reader, spec.path)
    for _ in range(45):
        spec.make(world)
    large, large_items = count_queries(reader, spec.path)
    assert (small_items, large_items) == (0, 0)
    assert large == small


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_filtered_and_ordered_list_query_count_is_fixed(spec, world, reader_of):
    reader = reader_of(spec)
    params, _ = spec.filter_case(world)
    for _ in range(5):
        spec.filter_case(world)
    small, small_items = count_queries(reader, spec.path, {**params, "ordering": "-id"})
    for _ in range(20):
        spec.filter_case(world)
    large, _ = count_queries(reader, spec.path, {**params, "ordering": "-id"})
    assert small_items >= 1
    assert large == small


def make_changes(n: int) -> None:
    for _ in range(n):
        line = ProductLineFactory()
        changelog.record(
            actor=UserFactory(),
            action=ChangeAction.CREATE,
            instance=line,
            before={},
            after={"name": line.name},
        )


def test_change_log_query_count_does_not_grow_with_the_data(reader):
    make_changes(5)
    small, small_items = count_queries(reader, "/changes")
    make_changes(45)
    large, large_items = count_queries(reader, "/changes")
    assert (small_items, large_items) == (5, 50)
    assert large == small
