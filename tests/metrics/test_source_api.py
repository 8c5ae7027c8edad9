"""/api/v1/data-sources (with /test and /preview), /api/v1/metric-syncs and
POST /api/v1/metrics/{id}/sync: answers, errors, who may and who may not, and query
counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from pilothouse.metrics.models import DataSource, MetricSync, MetricValue, SyncStatus
from tests.api.conftest import ApiClient
from tests.metrics.conftest import TODAY
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db

URL = "postgresql://reader:s3cret-Pass@db.example.com:5432/analytics"
ROLES = [role.value for role in Role]
KEEPERS = {Role.ADMIN, Role.PRODUCT_LEADER}
QUERIERS = KEEPERS | {Role.PRODUCT_MANAGER}
GOOD_QUERY = (
    "SELECT period_start, value FROM (VALUES (DATE '2026-03-14', 1.5), (DATE '2026-03-15', 2.5)) "
    "AS t(period_start, value) WHERE period_start BETWEEN :period_start AND :period_end"
)


@pytest.fixture
def api_as(db):
    def make(user) -> ApiClient:
        _, secret = token_create(user=user, name="tests")
        return ApiClient(secret)

    return make


@pytest.fixture
def leader_api(leader, api_as) -> ApiClient:
    return api_as(leader)


@pytest.fixture
def memory_source(db) -> DataSource:
    return DataSource.objects.create(name="Memory", kind="duckdb")


# --- data sources --------------------------------------------------------------------------------


def test_create_answers_the_masked_url_and_never_the_url(leader_api):
    response = leader_api.post(
        "/data-sources", {"name": "Warehouse", "kind": "sqlalchemy", "url": URL}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url_display"] == "postgresql://reader:***@db.example.com:5432/analytics"
    assert "url" not in body
    assert "url_encrypted" not in body
    assert "s3cret" not in response.content.decode()
    listed = leader_api.get("/data-sources").json()
    assert listed["count"] == 1
    assert "s3cret" not in str(listed)
    assert listed["items"][0]["metric_count"] == 0


def test_patch_without_a_url_keeps_it_and_with_one_replaces_it(leader_api):
    created = leader_api.post("/data-sources", {"name": "W", "kind": "sqlalchemy", "url": URL})
    pk, version = created.json()["id"], created.json()["version"]
    renamed = leader_api.patch(f"/data-sources/{pk}", {"version": version, "name": "Warehouse"})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["url_display"] == created.json()["url_display"]
    moved = leader_api.patch(
        f"/data-sources/{pk}",
        {"version": renamed.json()["version"], "url": "postgresql://other:pw@db2/analytics"},
    )
    assert moved.json()["url_display"] == "postgresql://other:***@db2/analytics"
    stale = leader_api.patch(f"/data-sources/{pk}", {"version": version, "name": "Old"})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "W", "kind": "sqlalchemy"}, "url", "Enter the database URL"),
        ({"name": "W", "kind": "sqlalchemy", "url": "nonsense"}, "url", "not a database URL"),
        ({"name": "W", "kind": "duckdb", "files_folder": "relative"}, "files_folder", "full path"),
        ({"name": "W", "kind": "oracle"}, "kind", ""),
        ({"name": "W", "timeout_seconds": 601}, "timeout_seconds", "less than or equal to 600"),
    ],
)
def test_bad_input_answers_422_naming_the_field(leader_api, body, field, message):
    response = leader_api.post("/data-sources", body)
    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert field in errors
    assert message in errors[field]
    assert not DataSource.objects.exists()


def test_a_source_in_use_cannot_be_deleted(leader_api, memory_source):
    MetricFactory(source=memory_source, query="SELECT 1")
    assert leader_api.delete(f"/data-sources/{memory_source.pk}").status_code == 409
    assert DataSource.objects.filter(pk=memory_source.pk).exists()


def test_testing_a_connection(leader_api, memory_source):
    ok = leader_api.post(f"/data-sources/{memory_source.pk}/test", {})
    assert ok.status_code == 200
    assert ok.json()["ok"] is True
    assert ok.json()["duration_ms"] >= 0
    broken = leader_api.post(
        "/data-sources",
        {"name": "Nowhere", "kind": "sqlalchemy", "url": "postgresql://u:pw@127.0.0.1:9/db"},
    ).json()
    failed = leader_api.post(f"/data-sources/{broken['id']}/test", {}).json()
    assert failed["ok"] is False
    assert failed["message"].startswith("Cannot connect to the database")


def test_previewing_a_query(leader_api, memory_source, today):
    response = leader_api.post(f"/data-sources/{memory_source.pk}/preview", {"sql": GOOD_QUERY})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True
    assert (body["period_start"], body["period_end"]) == ("2025-12-17", "2026-03-16")
    assert body["columns"] == ["period_start", "value"]
    assert body["rows"] == [["2026-03-14", "1.5"], ["2026-03-15", "2.5"]]
    assert body["values"] == [
        {"period_start": "2026-03-14", "value": 1.5, "dimension": ""},
        {"period_start": "2026-03-15", "value": 2.5, "dimension": ""},
    ]
    assert body["errors"] == []
    assert (body["row_count"], body["truncated"]) == (2, False)


def test_a_preview_with_problems_says_what_to_fix(leader_api, memory_source):
    response = leader_api.post(
        f"/data-sources/{memory_source.pk}/preview",
        {
            "sql": "SELECT DATE '2026-01-05' AS period_start, 'x' AS value",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
        },
    )
    body = response.json()
    assert body["ok"] is False
    assert body["errors"] == [
        "row 1, column value: 'x' is text, not a number; cast it in the query"
    ]
    bad = leader_api.post(
        f"/data-sources/{memory_source.pk}/preview",
        {
            "sql": "INSERT INTO t VALUES (1)",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
        },
    ).json()
    assert bad["errors"][0].startswith("Only a SELECT query")


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what_with_data_sources(role, make_user, api_as, memory_source):
    api = api_as(make_user(role))
    keeps, queries = role in KEEPERS, role in QUERIERS
    assert api.get("/data-sources").status_code == 200
    assert api.get(f"/data-sources/{memory_source.pk}").status_code == 200
    created = api.post("/data-sources", {"name": "New", "kind": "duckdb"})
    assert created.status_code == (201 if keeps else 403)
    patched = api.patch(f"/data-sources/{memory_source.pk}", {"version": 1, "description": "x"})
    assert patched.status_code == (200 if keeps else 403)
    tested = api.post(f"/data-sources/{memory_source.pk}/test", {})
    assert tested.status_code == (200 if keeps else 403)
    previewed = api.post(f"/data-sources/{memory_source.pk}/preview", {"sql": GOOD_QUERY})
    assert previewed.status_code == (200 if queries else 403)
    deleted = api.delete(f"/data-sources/{memory_source.pk}")
    assert deleted.status_code == (204 if keeps else 403)


def test_anonymous_gets_401_everywhere(memory_source):
    api = ApiClient()
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    for method, path in [
        ("get", "/data-sources"),
        ("post", "/data-sources"),
        ("post", f"/data-sources/{memory_source.pk}/test"),
        ("post", f"/data-sources/{memory_source.pk}/preview"),
        ("get", "/metric-syncs"),
        ("post", f"/metrics/{metric.pk}/sync"),
    ]:
        response = getattr(api, method)(path, {}) if method == "post" else api.get(path)
        assert response.status_code == 401, path


# --- syncs ----------------------------------------------------------------------------------------


def test_a_sync_on_demand_answers_202_with_its_run(
    leader_api, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_api.post(f"/metrics/{metric.pk}/sync", {})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["metric_id"] == metric.pk
    assert body["metric_key"] == metric.key
    assert body["trigger"] == "manual"
    # answered before the commit hands it to the worker
    assert (body["status"], body["already_pending"], body["message"]) == ("queued", False, "")
    assert body["queued_at"] is not None
    run = leader_api.get(f"/metric-syncs/{body['id']}").json()
    assert run["status"] == "succeeded", run["error"]
    assert run["rows"] == run["values_written"] == 2
    assert MetricValue.objects.filter(metric=metric).count() == 2


def test_a_sync_asked_for_twice_is_queued_once_and_the_answer_says_so(
    leader_api, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    with django_capture_on_commit_callbacks() as queued:  # no worker takes them yet
        first = leader_api.post(f"/metrics/{metric.pk}/sync", {}).json()
        again = leader_api.post(f"/metrics/{metric.pk}/sync", {})
    assert again.status_code == 202
    body = again.json()
    assert (body["id"], body["status"], body["already_pending"]) == (first["id"], "queued", True)
    assert "queued already" in body["message"]
    assert len(queued) == 1
    assert leader_api.get("/metric-syncs", {"status": "queued"}).json()["count"] == 1


def test_a_sync_of_a_chosen_period(
    leader_api, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_api.post(
            f"/metrics/{metric.pk}/sync", {"period_start": "2026-03-15", "period_end": "2026-03-15"}
        )
    assert (response.json()["period_start"], response.json()["period_end"]) == (
        "2026-03-15",
        "2026-03-15",
    )
    assert list(MetricValue.objects.values_list("value", flat=True)) == [2.5]


def test_sync_errors(leader_api, memory_source):
    plain = MetricFactory()
    response = leader_api.post(f"/metrics/{plain.pk}/sync", {})
    assert response.status_code == 422
    assert "has no data source and query" in response.json()["errors"][0]["message"]
    assert leader_api.post("/metrics/999999/sync", {}).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_may_sync_a_metric(
    role, make_user, api_as, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    api = api_as(make_user(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/metrics/{metric.pk}/sync", {})
    assert response.status_code == (202 if role in KEEPERS else 403)
    assert api.get("/metric-syncs").status_code == 200


def make_runs(metric, n: int, status=SyncStatus.SUCCEEDED) -> None:
    now = timezone.now()
    MetricSync.objects.bulk_create(
        MetricSync(
            metric=metric,
            source=metric.source,
            trigger="schedule",
            period_start=TODAY,
            period_end=TODAY,
            status=status,
            started_at=now - dt.timedelta(minutes=i),
        )
        for i in range(n)
    )


def test_the_run_log_filters_and_orders(leader_api, memory_source):
    first = MetricFactory(source=memory_source, query=GOOD_QUERY)
    second = MetricFactory(source=memory_source, query=GOOD_QUERY)
    make_runs(first, 3)
    make_runs(second, 2, status=SyncStatus.FAILED)
    everything = leader_api.get("/metric-syncs").json()
    assert everything["count"] == 5
    times = [item["started_at"] for item in everything["items"]]
    assert times == sorted(times, reverse=True)
    assert leader_api.get("/metric-syncs", {"metric_id": first.pk}).json()["count"] == 3
    assert leader_api.get("/metric-syncs", {"status": "failed"}).json()["count"] == 2
    assert leader_api.get("/metric-syncs", {"status": "nonsense"}).status_code == 422


def count_queries(api: ApiClient, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, {"limit": 500})
    assert response.status_code == 200
    return len(queries), len(response.json()["items"])


def test_list_query_counts_do_not_grow(leader_api, memory_source, leader):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    make_runs(metric, 5)
    for n in range(4):
        DataSource.objects.create(name=f"Source {n}", kind="duckdb")
    count_queries(leader_api, "/data-sources")  # warm the caches
    small = [count_queries(leader_api, path) for path in ("/data-sources", "/metric-syncs")]
    make_runs(MetricFactory(source=memory_source, query=GOOD_QUERY), 45)
    for n in range(45):
        DataSource.objects.create(name=f"More {n}", kind="duckdb")
    large = [count_queries(leader_api, path) for path in ("/data-sources", "/metric-syncs")]
    assert [items for _queries, items in small] == [5, 5]
    assert [items for _queries, items in large] == [50, 50]
    assert [queries for queries, _items in small] == [queries for queries, _items in large]


def test_the_openapi_document_lists_the_endpoints(leader_api):
    paths = leader_api.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/data-sources",
        "/api/v1/data-sources/{pk}",
        "/api/v1/data-sources/{pk}/test",
        "/api/v1/data-sources/{pk}/preview",
        "/api/v1/metric-syncs",
        "/api/v1/metric-syncs/{pk}",
        "/api/v1/metrics/{pk}/sync",
    ):
        assert path in paths
