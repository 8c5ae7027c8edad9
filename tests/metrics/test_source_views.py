"""The pages of data sources and syncs: what they show, that a URL is never shown back,
the query preview (also posted to by the metric form), the run log, syncing on demand,
and who may open what (anonymous, viewer, contributor, product manager, leader, admin)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.metrics import credentials
from pilothouse.metrics.models import DataSource, MetricSync, MetricValue, SyncStatus
from tests.metrics.factories import MetricFactory
from tests.metrics.test_source_api import GOOD_QUERY, make_runs
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]
KEEPERS = {Role.ADMIN, Role.PRODUCT_LEADER}
QUERIERS = KEEPERS | {Role.PRODUCT_MANAGER}
URL = "postgresql://reader:s3cret-Pass@db.example.com:5432/analytics"


@pytest.fixture
def memory_source(db) -> DataSource:
    return DataSource.objects.create(name="Memory", kind="duckdb")


@pytest.fixture
def url_source(leader) -> DataSource:
    from pilothouse.metrics import source_services

    return source_services.data_source.create(
        actor=leader, data={"name": "Warehouse", "kind": "sqlalchemy", "url": URL}
    )


def page(name: str, *args) -> str:
    return reverse(f"metrics:{name}", args=args)


# --- who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_pages(role, make_user, as_user, memory_source):
    client = as_user(make_user(role))
    keeps, queries = role in KEEPERS, role in QUERIERS
    assert client.get(page("source_list")).status_code == 200
    assert client.get(page("sync_list")).status_code == 200
    assert client.get(page("source_create")).status_code == (200 if keeps else 403)
    assert client.get(page("source_edit", memory_source.pk)).status_code == (200 if keeps else 403)
    assert client.get(page("source_delete", memory_source.pk)).status_code == (
        200 if keeps else 403
    )
    assert client.post(page("source_test", memory_source.pk)).status_code == (302 if keeps else 403)
    assert client.get(page("query_preview")).status_code == (200 if queries else 403)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_sync_a_metric_from_its_page(
    role, make_user, as_user, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    client = as_user(make_user(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("metric_sync", metric.pk))
    if role in KEEPERS:
        assert response.status_code == 302
        assert MetricSync.objects.get().status == SyncStatus.SUCCEEDED
    else:
        assert response.status_code == 403
        assert not MetricSync.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, memory_source):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    for url in (
        page("source_list"),
        page("source_create"),
        page("source_edit", memory_source.pk),
        page("query_preview"),
        page("sync_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response["Location"], url
    assert client.post(page("metric_sync", metric.pk)).status_code == 302
    assert not MetricSync.objects.exists()


def test_actions_need_a_post(as_user, leader, memory_source):
    client = as_user(leader)
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    assert client.get(page("source_test", memory_source.pk)).status_code == 405
    assert client.get(page("metric_sync", metric.pk)).status_code == 405


# --- the list and the forms -------------------------------------------------------------------


def test_the_list_shows_the_masked_url_only(as_user, leader, url_source, memory_source):
    html = as_user(leader).get(page("source_list")).content.decode()
    assert "postgresql://reader:***@db.example.com:5432/analytics" in html
    assert "s3cret" not in html
    assert url_source.url_encrypted not in html
    assert "Test connection" in html
    assert "New data source" in html


def test_readers_see_no_actions(as_user, viewer, memory_source):
    html = as_user(viewer).get(page("source_list")).content.decode()
    assert "Memory" in html
    assert "Test connection" not in html
    assert "New data source" not in html


def test_creating_a_source_from_the_form(as_user, leader):
    response = as_user(leader).post(
        page("source_create"),
        {
            "name": "Warehouse",
            "kind": "sqlalchemy",
            "url": URL,
            "timeout_seconds": 20,
            "row_limit": 5000,
        },
    )
    assert response.status_code == 302
    source = DataSource.objects.get()
    assert source.url_display == "postgresql://reader:***@db.example.com:5432/analytics"
    assert credentials.url_decrypt(source.url_encrypted) == URL


def test_the_edit_form_never_shows_the_url_and_empty_keeps_it(as_user, leader, url_source):
    client = as_user(leader)
    html = client.get(page("source_edit", url_source.pk)).content.decode()
    assert "s3cret" not in html
    assert url_source.url_encrypted not in html
    assert "Stored: postgresql://reader:***@db.example.com:5432/analytics" in html
    response = client.post(
        page("source_edit", url_source.pk),
        {
            "name": "Warehouse",
            "kind": "sqlalchemy",
            "url": "",
            "timeout_seconds": 45,
            "row_limit": 100000,
            "version": url_source.version,
        },
    )
    assert response.status_code == 302
    url_source.refresh_from_db()
    assert url_source.timeout_seconds == 45
    assert credentials.url_decrypt(url_source.url_encrypted) == URL
    history = client.get(page("source_edit", url_source.pk)).content.decode()
    assert "s3cret" not in history


def test_bad_input_is_shown_on_the_form(as_user, leader):
    response = as_user(leader).post(
        page("source_create"),
        {
            "name": "W",
            "kind": "sqlalchemy",
            "url": "nonsense",
            "timeout_seconds": 30,
            "row_limit": 10,
        },
    )
    assert response.status_code == 200
    assert "not a database URL" in response.content.decode()
    assert not DataSource.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_deleting_a_source(as_user, leader, memory_source):
    response = as_user(leader).post(
        page("source_delete", memory_source.pk), {"version": memory_source.version}
    )
    assert response.status_code == 302
    assert not DataSource.objects.exists()


def test_a_source_in_use_is_not_deleted(as_user, leader, memory_source):
    MetricFactory(source=memory_source, query=GOOD_QUERY)
    response = as_user(leader).post(
        page("source_delete", memory_source.pk), {"version": memory_source.version}
    )
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert DataSource.objects.exists()


def test_testing_a_connection_reports_back(as_user, leader, memory_source, url_source):
    client = as_user(leader)
    ok = client.post(page("source_test", memory_source.pk), follow=True).content.decode()
    assert "“Memory”: Connected in" in ok
    url_source.url_encrypted = credentials.url_encrypt("postgresql://u:pw@127.0.0.1:9/db")
    url_source.save()
    failed = client.post(page("source_test", url_source.pk), follow=True).content.decode()
    assert "“Warehouse” cannot be reached: Cannot connect to the database" in failed


# --- the query preview --------------------------------------------------------------------------


def test_the_preview_page_runs_a_query(as_user, leader, memory_source):
    response = as_user(leader).post(
        page("query_preview"),
        {
            "source": memory_source.pk,
            "query": GOOD_QUERY,
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The query works" in html
    assert "2026-03-14" in html
    assert "period_start" in html


def test_the_preview_names_what_to_fix(as_user, leader, memory_source):
    html = (
        as_user(leader)
        .post(
            page("query_preview"),
            {
                "source": memory_source.pk,
                "query": "SELECT 1 AS a",
                "period_start": "2026-03-01",
                "period_end": "2026-03-31",
            },
        )
        .content.decode()
    )
    assert "The query cannot sync yet" in html
    assert "must return the columns period_start, value" in html
    assert "1 row read" in html


def test_the_metric_form_can_post_its_query_here(as_user, leader, memory_source):
    # the fields a metric's form has: its source and its query, among others
    response = as_user(leader).post(
        page("query_preview"),
        {"source": memory_source.pk, "query": GOOD_QUERY, "name": "Signups", "key": "signups"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the partial only, for htmx
    assert "The query works" in html


def test_the_preview_form_checks_its_input(as_user, leader, memory_source):
    html = (
        as_user(leader)
        .post(
            page("query_preview"),
            {
                "source": memory_source.pk,
                "query": GOOD_QUERY,
                "period_start": "2026-03-31",
                "period_end": "2026-03-01",
            },
        )
        .content.decode()
    )
    assert "The period ends before it starts" in html
    assert "The query works" not in html


def test_a_preview_link_can_choose_the_source(as_user, leader, memory_source):
    html = as_user(leader).get(page("query_preview") + f"?source={memory_source.pk}").content
    assert f'<option value="{memory_source.pk}" selected>'.encode() in html


# --- the run log and syncing on demand ------------------------------------------------------------


def test_the_run_log_page_filters_and_costs_a_fixed_number_of_queries(
    as_user, leader, memory_source
):
    client = as_user(leader)
    first = MetricFactory(source=memory_source, query=GOOD_QUERY, name="First")
    make_runs(first, 3)
    make_runs(
        MetricFactory(source=memory_source, query=GOOD_QUERY, name="Second"),
        2,
        status=SyncStatus.FAILED,
    )
    html = client.get(page("sync_list"), {"metric": first.pk}).content.decode()
    assert html.count("<time") == 3
    assert client.get(page("sync_list"), {"status": "failed"}).content.decode().count("<time") == 2
    other = DataSource.objects.create(name="Other", kind="duckdb")
    make_runs(MetricFactory(source=other, query=GOOD_QUERY), 4)
    by_source = client.get(page("sync_list"), {"source": other.pk}).content.decode()
    assert by_source.count("<time") == 4
    assert_same_queries(
        lambda: client.get(page("sync_list")),
        lambda: make_runs(MetricFactory(source=memory_source, query=GOOD_QUERY), 45),
    )
    assert_same_queries(
        lambda: client.get(page("source_list")),
        lambda: [DataSource.objects.create(name=f"S{n}", kind="duckdb") for n in range(20)],
    )


def test_sync_now_goes_back_and_says_how_it_went(
    as_user, leader, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    client = as_user(leader)
    back = page("sync_list") + f"?metric={metric.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("metric_sync", metric.pk), {"next": back})
    assert response["Location"] == back
    assert MetricValue.objects.filter(metric=metric).count() == 2
    shown = client.get(back).content.decode()
    # queued when the page answered; run by the worker once the request committed
    assert f"Sync of “{metric}” queued; it runs when a worker takes it" in shown
    assert "Succeeded" in shown
    # somewhere else entirely is not followed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("metric_sync", metric.pk), {"next": "https://evil.example/"})
    assert not response["Location"].startswith("https://evil.example")


def test_sync_now_while_one_is_queued_says_so_and_queues_no_other(
    as_user, leader, memory_source, today, django_capture_on_commit_callbacks
):
    metric = MetricFactory(source=memory_source, query=GOOD_QUERY)
    client = as_user(leader)
    with django_capture_on_commit_callbacks() as queued:
        client.post(page("metric_sync", metric.pk))
        response = client.post(page("metric_sync", metric.pk), follow=True)
    html = response.content.decode()
    assert "A sync of this metric is queued already" in html
    assert "No other sync was queued." in html
    assert len(queued) == 1
    assert MetricSync.objects.get().status == SyncStatus.QUEUED
    listed = client.get(page("sync_list"), {"status": "queued"}).content.decode()
    assert "Waiting for a worker since" in listed
    assert "badge--planned" in listed


def test_sync_now_of_a_metric_without_a_query(as_user, leader):
    metric = MetricFactory()
    response = as_user(leader).post(page("metric_sync", metric.pk), follow=True)
    assert "has no data source and query" in response.content.decode()
    assert not MetricSync.objects.exists()
