"""A filter by a private person's id answers, to those who may not list that person, as
for an id no one has: it neither confirms that they exist nor that they manage anyone.

Growth world (tests/people/growth_world.py) with Pia made private and a public report of
hers, Rex.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilothouse.core.tokens import token_create
from pilothouse.people import services
from tests.api.conftest import ApiClient
from tests.factories import PersonFactory
from tests.people.growth_world import ROLES_WHO_DO_NOT, ROLES_WHO_SEE, build_growth_world

pytestmark = pytest.mark.django_db

NO_ONE = 987_654  # an id no person has


@pytest.fixture
def world(db):
    world = build_growth_world()
    pia = world.pia
    pia.refresh_from_db()
    services.person.update(actor=None, instance=pia, version=pia.version, data={"private": True})
    world.rex = PersonFactory(name="Rex Report", manager=world.pia)
    return world


def _api(world, role: str) -> ApiClient:
    _, secret = token_create(user=world.user(role), name="tests")
    return ApiClient(secret)


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_filtering_people_by_a_private_manager_answers_as_for_an_unknown_id(world, role):
    api = _api(world, role)
    by_pia = api.get("/people", {"manager_id": world.pia.pk})
    by_no_one = api.get("/people", {"manager_id": NO_ONE})
    assert by_pia.status_code == by_no_one.status_code == 200
    assert by_pia.json() == by_no_one.json() == {"items": [], "count": 0}
    # Combined with other filters, too; and Rex himself is still listed (without a manager).
    assert api.get("/people", {"manager_id": world.pia.pk, "q": "rex"}).json()["count"] == 0
    rex = api.get(f"/people/{world.rex.pk}").json()
    assert rex["manager_id"] is None


@pytest.mark.parametrize("role", ROLES_WHO_SEE)
def test_those_who_may_list_a_private_manager_filter_by_them(world, role):
    api = _api(world, role)
    found = api.get("/people", {"manager_id": world.pia.pk}).json()
    assert [row["id"] for row in found["items"]] == [world.rex.pk]
    assert api.get("/people", {"manager_id": NO_ONE}).json() == {"items": [], "count": 0}


@pytest.mark.parametrize("role", ROLES_WHO_SEE + ROLES_WHO_DO_NOT)
def test_filtering_by_a_public_manager_is_unchanged(world, role):
    found = _api(world, role).get("/people", {"manager_id": world.mona.pk}).json()
    expected = {world.cora.pk} | ({world.pia.pk} if role in ROLES_WHO_SEE else set())
    assert {row["id"] for row in found["items"]} == expected


@pytest.mark.parametrize("role", ["a viewer", "product leader"])
def test_a_hidden_manager_filter_costs_what_an_unknown_one_does(world, role):
    api = _api(world, role)
    api.get("/people", {"manager_id": NO_ONE})  # warm the caches
    counts = []
    for manager_id in (world.pia.pk, NO_ONE):
        with CaptureQueriesContext(connection) as queries:
            api.get("/people", {"manager_id": manager_id})
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("role", ROLES_WHO_DO_NOT)
def test_the_people_list_and_its_export_take_no_manager_filter(client, world, role):
    """The web list has no manager filter: a `manager` parameter is ignored, so it cannot
    be used to probe for a private person either."""
    client.force_login(world.user(role))
    plain = client.get(reverse("people:person_list"))
    probed = client.get(reverse("people:person_list"), {"manager": world.pia.pk})
    assert [p.pk for p in probed.context["people"]] == [p.pk for p in plain.context["people"]]
    assert world.pia.pk not in {p.pk for p in plain.context["people"]}
    export = client.get(reverse("people:person_export"), {"manager": world.pia.pk})
    assert "Pia Example" not in export.content.decode()
