"""The metric catalog's API: the four resources (who may read and write each), their
filters, a metric's status in the answer, the bulk endpoint of values (all or nothing,
refused rows named), and list costs that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core.roles import Role
from pilothouse.metrics.models import KeyResultMetric, Metric, MetricTarget, MetricValue
from tests.api.helpers import assert_error
from tests.factories import KeyResultFactory
from tests.metrics.conftest import TODAY, daily_values
from tests.metrics.factories import MetricFactory, MetricTargetFactory, MetricValueFactory

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}
_serial = itertools.count(1)


def mine_or_theirs(world, whose: str) -> Metric:
    metric = MetricFactory(granularity="day")
    metric.products.add(getattr(world, whose).product)
    return metric


def bodies(world, whose: str) -> dict[str, tuple[str, dict, dict]]:
    """resource path -> (path, a create body, a patch) under `whose` product."""
    n = next(_serial)
    product = getattr(world, whose).product
    metric = mine_or_theirs(world, whose)
    return {
        "metrics": (
            "/metrics",
            {"key": f"m-{n}", "name": f"M {n}", "product_ids": [product.pk], "granularity": "week"},
            {"name": "Renamed"},
        ),
        "values": (
            "/metric-values",
            {"metric_id": metric.pk, "period_start": "2026-03-04", "value": 3.5},
            {"value": 4.5},
        ),
        "targets": (
            "/metric-targets",
            {"metric_id": metric.pk, "start": "2026-01-01", "end": "2026-03-31", "value": 9},
            {"value": 10},
        ),
        "links": (
            "/key-result-metrics",
            {"key_result_id": getattr(world, whose).key_result.pk, "metric_id": metric.pk},
            {"reading": "period_mean"},
        ),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["mine", "theirs"])
def test_who_may_create_change_and_delete(api_as, web_world, role, whose):
    api = api_as(web_world.user(role))
    allowed = role in WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
    for name, (path, body, patch) in bodies(web_world, whose).items():
        created = api.post(path, body)
        if not allowed:
            assert_error(created, 403)
            continue
        assert created.status_code == 201, (name, created.content)
        item = created.json()
        url = f"{path}/{item['id']}"
        changed = api.patch(url, {**patch, "version": item["version"]})
        assert changed.status_code == 200, (name, changed.content)
        assert api.get(url).json()["version"] == item["version"] + 1
        assert api.delete(url, {"version": item["version"] + 1}).status_code == 204, name


@pytest.mark.parametrize("role", ROLES)
def test_every_user_reads_and_nobody_anonymous(api_as, anonymous_api, web_world, role):
    metric = mine_or_theirs(web_world, "theirs")
    MetricValueFactory(metric=metric)
    MetricTargetFactory(metric=metric)
    KeyResultMetric.objects.create(key_result=web_world.theirs.key_result, metric=metric)
    api = api_as(web_world.user(role))
    for path in ("/metrics", "/metric-values", "/metric-targets", "/key-result-metrics"):
        listed = api.get(path)
        assert listed.status_code == 200, path
        assert listed.json()["count"] == 1
        assert api.get(f"{path}/{listed.json()['items'][0]['id']}").status_code == 200
        assert_error(anonymous_api.get(path), 401)


def test_a_metric_answers_with_its_status(api_as, leader, today):
    metric = MetricFactory(key="wau", unit="users")
    daily_values(metric, days=30)
    MetricTarget.objects.create(
        metric=metric, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), value=1000
    )
    [item] = api_as(leader).get("/metrics", {"key": "wau"}).json()["items"]
    assert item["status"] == "on_track"
    assert item["latest_value"] == 1290.0
    assert item["latest_period"] == TODAY.isoformat()
    assert item["status_explained"].startswith(
        "At 1,290 users against a target of 1,000 users by 31 Mar"
    )
    assert item["granularity"] == "day"
    assert item["tolerance_percent"] in ("5.00", 5, "5")


def test_value_filters(api_as, leader):
    wau, other = MetricFactory(key="wau"), MetricFactory(key="other")
    for day in (1, 2, 3):
        MetricValueFactory(metric=wau, period_start=dt.date(2026, 3, day), value=day)
        MetricValueFactory(
            metric=wau, period_start=dt.date(2026, 3, day), value=day, dimension="web"
        )
    MetricValueFactory(metric=other, period_start=dt.date(2026, 3, 1))
    api = api_as(leader)

    def found(**params):
        items = api.get("/metric-values", params).json()["items"]
        return [(i["period_start"][-2:], i["dimension"]) for i in items]

    assert len(found(metric_key="wau")) == 6
    assert found(metric_id=wau.pk, dimension="web", period_from="2026-03-02") == [
        ("02", "web"),
        ("03", "web"),
    ]
    assert found(metric_key="wau", dimension="", period_to="2026-03-01") == [("01", "")]
    assert found(metric_key="wau", dimension="", ordering="-period_start")[0] == ("03", "")
    assert_error(api.get("/metric-values", {"ordering": "color"}), 422, "ordering")


def test_target_filters(api_as, leader):
    metric = MetricFactory()
    MetricTargetFactory(metric=metric, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    later = MetricTargetFactory(metric=metric, start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30))
    items = (
        api_as(leader)
        .get("/metric-targets", {"metric_id": metric.pk, "on": "2026-05-01"})
        .json()["items"]
    )
    assert [item["id"] for item in items] == [later.pk]


def test_bad_bodies_name_their_field(api_as, leader):
    api = api_as(leader)
    metric = MetricFactory(granularity="week")
    assert_error(api.post("/metrics", {"key": "Not a slug!", "name": "X"}), 422, "key")
    assert_error(
        api.post("/metrics", {"key": "x", "name": "X", "owner_id": 987654}), 422, "owner_id"
    )
    assert_error(
        api.post(
            "/metric-values", {"metric_id": metric.pk, "period_start": "2026-03-04", "value": 1}
        ),
        422,
        "period_start",
    )
    assert_error(
        api.post(
            "/metric-values",
            {"metric_id": metric.pk, "period_start": "2026-03-02", "value": "lots"},
        ),
        422,
        "value",
    )
    MetricTargetFactory(metric=metric, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    assert_error(
        api.post(
            "/metric-targets",
            {"metric_id": metric.pk, "start": "2026-03-01", "end": "2026-04-30", "value": 1},
        ),
        422,
        "start",
    )
    assert_error(
        api.post(
            "/key-result-metrics",
            {"key_result_id": KeyResultFactory().pk, "metric_id": metric.pk, "reading": "median"},
        ),
        422,
        "reading",
    )


# --- the bulk endpoint --------------------------------------------------------------------------


def test_bulk_values_by_key_then_a_replaced_window(api_as, leader):
    metric = MetricFactory(key="wau", granularity="week")
    api = api_as(leader)
    rows = [{"period_start": f"2026-03-{day:02d}", "value": day} for day in (2, 9, 16)]
    answer = api.post("/metric-values/bulk", {"metric_key": "wau", "rows": rows})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"created": 3, "updated": 0, "deleted": 0, "unchanged": 0}
    again = api.post(
        "/metric-values/bulk",
        {
            "metric_id": metric.pk,
            "rows": [{"period_start": "2026-03-09", "value": 90}],
            "replace_from": "2026-03-09",
            "replace_to": "2026-03-31",
        },
    )
    assert again.json() == {"created": 0, "updated": 1, "deleted": 1, "unchanged": 0}
    assert list(metric.values.order_by("period_start").values_list("value", flat=True)) == [
        2.0,
        90.0,
    ]


def test_bulk_refusals_name_each_row_and_save_nothing(api_as, leader, viewer):
    metric = MetricFactory(key="wau", granularity="week")
    api = api_as(leader)
    rows = [
        {"period_start": "2026-03-02", "value": 1},
        {"period_start": "2026-03-03", "value": 1},
        {"period_start": "2026-03-02", "value": 2},
    ]
    body = assert_error(api.post("/metric-values/bulk", {"metric_key": "wau", "rows": rows}), 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"rows[1].period_start", "rows[2].period_start"}
    wrong_type = api.post(
        "/metric-values/bulk",
        {"metric_key": "wau", "rows": [{"period_start": "2026-03-02", "value": "lots"}]},
    )
    assert_error(wrong_type, 422, "rows.0.value")
    assert not MetricValue.objects.exists()
    assert_error(
        api.post("/metric-values/bulk", {"metric_key": "nope", "rows": []}), 422, "metric_key"
    )
    assert_error(api.post("/metric-values/bulk", {"rows": []}), 422, "metric_id")
    assert_error(
        api.post(
            "/metric-values/bulk",
            {"metric_id": metric.pk, "rows": [], "replace_from": "2026-03-02"},
        ),
        422,
        "replace_to",
    )
    assert_error(
        api_as(viewer).post("/metric-values/bulk", {"metric_key": "wau", "rows": rows[:1]}), 403
    )
    assert not MetricValue.objects.exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["mine", "theirs"])
def test_who_may_write_values_in_bulk(api_as, anonymous_api, web_world, role, whose):
    metric = mine_or_theirs(web_world, whose)
    body = {"metric_id": metric.pk, "rows": [{"period_start": "2026-03-02", "value": 1}]}
    answer = api_as(web_world.user(role)).post("/metric-values/bulk", body)
    allowed = role in WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
    if allowed:
        assert answer.status_code == 200, answer.content
    else:
        assert_error(answer, 403)
    assert metric.values.exists() == allowed
    assert_error(anonymous_api.post("/metric-values/bulk", body), 401)


# --- what a list costs ------------------------------------------------------------------------


def _grow(world, n: int) -> None:
    for _ in range(n):
        metric = mine_or_theirs(world, "mine")
        daily_values(metric, days=3)
        daily_values(metric, days=2, dimension="web")
        MetricTargetFactory(metric=metric)
        KeyResultMetric.objects.create(key_result=KeyResultFactory(), metric=metric)


@pytest.mark.parametrize(
    "path", ["/metrics", "/metric-values", "/metric-targets", "/key-result-metrics"]
)
def test_lists_cost_the_same_queries_for_5_and_50(as_user, web_world, path):
    client = as_user(web_world.viewer)
    client.get("/api/v1/products")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1" + path, {"limit": 500}).status_code == 200
        return len(queries)

    _grow(web_world, 5)
    small = cost()
    _grow(web_world, 45)
    assert cost() == small
