"""/api/v1/changes: the change log, read-only, newest first, filterable."""

from __future__ import annotations

import pytest

from pilothouse.core.models import ChangeRecord
from pilothouse.portfolio import services
from tests.api.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world, admin_api, admin_user):
    """A product line created, renamed and deleted, and a feature created, all by admin."""
    line = admin_api.post("/product-lines", {"name": "Temporary"}).json()
    admin_api.patch(f"/product-lines/{line['id']}", {"name": "Renamed", "version": 1})
    admin_api.delete(f"/product-lines/{line['id']}")
    feature = admin_api.post("/features", {"title": "Logged", "product_id": world.product.pk})
    return line["id"], feature.json()["id"]


def test_the_change_log_answers_newest_first(history, admin_api):
    line_id, feature_id = history
    body = admin_api.get("/changes").json()
    assert body["count"] == 4
    assert [(c["action"], c["object_type"], c["object_id"]) for c in body["items"]] == [
        ("create", "feature", feature_id),
        ("delete", "productline", line_id),
        ("update", "productline", line_id),
        ("create", "productline", line_id),
    ]
    update = body["items"][2]
    assert set(update) == {
        "id",
        "time",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
    }
    assert update["actor"] == "admin"
    assert update["object_repr"] == "Renamed"
    assert (update["before"], update["after"]) == ({"name": "Temporary"}, {"name": "Renamed"})
    deleted = body["items"][1]
    assert deleted["after"] == {}
    assert deleted["before"]["name"] == "Renamed"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"object_type": "productline"}, ["delete", "update", "create"]),
        ({"object_type": "ProductLine", "action": "update"}, ["update"]),
        ({"object_type": "feature"}, ["create"]),
        ({"actor": "admin", "action": "create"}, ["create", "create"]),
        ({"actor": "nobody"}, []),
        ({"object_id": 987654}, []),
    ],
)
def test_the_change_log_filters(history, admin_api, params, expected):
    body = admin_api.get("/changes", params).json()
    assert [c["action"] for c in body["items"]] == expected
    assert body["count"] == len(expected)


def test_the_change_log_of_one_object(history, admin_api):
    line_id, _ = history
    params = {"object_type": "productline", "object_id": line_id}
    assert admin_api.get("/changes", params).json()["count"] == 3


def test_the_change_log_pages(history, admin_api):
    everything = [c["id"] for c in admin_api.get("/changes").json()["items"]]
    page = admin_api.get("/changes", {"limit": 2, "offset": 1}).json()
    assert [c["id"] for c in page["items"]] == everything[1:3]
    assert page["count"] == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"action": "rename"}, "action"),
        ({"object_id": "x"}, "object_id"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_change_log_parameters_are_422(history, admin_api, params, field):
    assert_error(admin_api.get("/changes", params), 422, field)


def test_a_change_by_the_system_has_no_actor(world, admin_api):
    services.product_line.create(actor=None, data={"name": "Seeded"})
    item = admin_api.get("/changes").json()["items"][0]
    assert item["actor"] is None
    assert ChangeRecord.objects.get(pk=item["id"]).actor is None


def test_the_change_log_requires_authentication(anonymous_api):
    assert_error(anonymous_api.get("/changes"), 401)
