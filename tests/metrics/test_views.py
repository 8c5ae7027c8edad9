"""The metric catalog's pages: what they show, what they cost in queries, and who may
open them (anonymous, viewer, contributor, product manager who looks after the metric
or not, product leader, admin)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.experiments.models import Experiment, ExperimentMetric, ExperimentStatus
from pilothouse.metrics.models import KeyResultMetric, MetricSync, MetricTarget, MetricValue
from pilothouse.roadmap.models import ReleaseStatus
from tests.factories import KeyResultFactory, ObjectiveFactory, ReleaseFactory
from tests.metrics.conftest import daily_values
from tests.metrics.factories import MetricFactory
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}


def detail_url(metric) -> str:
    return reverse("metrics:metric_detail", args=[metric.key])


# --- who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_are_open_to_every_user(as_user, catalog, today, role):
    browser = as_user(catalog.world.user(role))
    for url in (
        reverse("metrics:catalog"),
        reverse("metrics:dashboard"),
        reverse("metrics:dashboard") + f"?product={catalog.world.theirs.product.pk}",
        detail_url(catalog.theirs),
        reverse("metrics:metric_detail", args=[str(catalog.theirs.pk)]),  # by id too
        reverse("metrics:chart_export", args=[catalog.theirs.key, "svg"]),
    ):
        assert browser.get(url).status_code == 200, url


def edit_pages(catalog) -> dict[str, tuple[str, str]]:
    """name -> (URL, whose it is: "mine", "theirs" or "loose" for a metric of nobody)."""
    pages = {}
    for whose in ("mine", "theirs", "loose"):
        metric = getattr(catalog, whose)
        value = MetricValue.objects.create(metric=metric, period_start=dt.date(2026, 1, 1), value=1)
        target = MetricTarget.objects.create(
            metric=metric, start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31), value=1
        )
        pages |= {
            f"{whose}_edit": (reverse("metrics:metric_edit", args=[metric.key]), whose),
            f"{whose}_delete": (reverse("metrics:metric_delete", args=[metric.key]), whose),
            f"{whose}_target_new": (reverse("metrics:target_create", args=[metric.key]), whose),
            f"{whose}_target_edit": (reverse("metrics:target_edit", args=[target.pk]), whose),
            f"{whose}_target_delete": (reverse("metrics:target_delete", args=[target.pk]), whose),
            f"{whose}_value_edit": (reverse("metrics:value_edit", args=[value.pk]), whose),
            f"{whose}_value_delete": (reverse("metrics:value_delete", args=[value.pk]), whose),
        }
    for whose in ("mine", "theirs"):
        result = getattr(catalog.world, whose).key_result
        pages[f"{whose}_key_result_link"] = (
            reverse("metrics:key_result_link", args=[result.pk]),
            whose,
        )
        # A key result that follows a metric already: its link's edit and delete pages.
        followed = KeyResultFactory(objective=getattr(catalog.world, whose).objective)
        KeyResultMetric.objects.create(key_result=followed, metric=getattr(catalog, whose))
        pages[f"{whose}_key_result_relink"] = (
            reverse("metrics:key_result_link", args=[followed.pk]),
            whose,
        )
        pages[f"{whose}_key_result_unlink"] = (
            reverse("metrics:key_result_unlink", args=[followed.pk]),
            whose,
        )
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_follow_stewardship(as_user, catalog, role):
    browser = as_user(catalog.world.user(role))
    for name, (url, whose) in edit_pages(catalog).items():
        allowed = role in WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
        status = browser.get(url).status_code
        assert status == (200 if allowed else 403), (name, role, status)


@pytest.mark.parametrize("role", ROLES)
def test_new_metrics_and_imports_are_for_those_who_may_change_metrics(as_user, catalog, role):
    browser = as_user(catalog.world.user(role))
    opens = role in WIDE | {Role.PRODUCT_MANAGER}
    for url in (reverse("metrics:metric_create"), reverse("metrics:import")):
        assert browser.get(url).status_code == (200 if opens else 403), url


def test_anonymous_visitors_are_sent_to_log_in(client, catalog):
    for url in (
        reverse("metrics:catalog"),
        reverse("metrics:dashboard"),
        detail_url(catalog.mine),
        reverse("metrics:metric_create"),
        reverse("metrics:import"),
        reverse("metrics:chart_export", args=[catalog.mine.key, "png"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


def test_an_unknown_metric_is_not_found(as_user, catalog):
    assert (
        as_user(catalog.world.viewer)
        .get(reverse("metrics:metric_detail", args=["nope"]))
        .status_code
        == 404
    )


# --- the catalog and the dashboards -------------------------------------------------------------


def test_the_catalog_lists_latest_values_and_statuses_and_filters(as_user, catalog, today):
    browser = as_user(catalog.world.viewer)
    response = browser.get(reverse("metrics:catalog"))
    rows = {row.metric.key: row for row in response.context["rows"]}
    assert set(rows) == {"active-users", "churn", "uptime"}
    assert rows["active-users"].status.status == "on_track"
    assert rows["churn"].status.status == "off_track"
    assert rows["uptime"].status.status == "no_data"
    html = response.content.decode()
    assert "1,590 users" in html
    assert rows["active-users"].status.sentence in html

    def keys(**params):
        found = browser.get(reverse("metrics:catalog"), params).context["rows"]
        return sorted(row.metric.key for row in found)

    assert keys(kind="north_star") == ["active-users"]
    assert keys(product=catalog.world.theirs.product.pk) == ["churn"]
    assert keys(status="off_track") == ["churn"]
    assert keys(status="bogus") == ["active-users", "churn", "uptime"]
    catalog.loose.owner = catalog.world.leader
    catalog.loose.save()
    assert keys(owner=catalog.world.leader.pk) == ["uptime"]
    assert keys(q="chur") == ["churn"]


def test_the_dashboard_puts_the_north_star_then_what_is_off_track_first(as_user, catalog, today):
    healthy = MetricFactory(key="zeta", name="A healthy one")
    daily_values(healthy, days=30)
    MetricTarget.objects.create(
        metric=healthy, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), value=100
    )
    response = as_user(catalog.world.viewer).get(reverse("metrics:dashboard"))
    board = response.context["board"]
    assert [row.metric.key for row in board.north_stars] == ["active-users"]
    assert [row.metric.key for row in board.others] == ["churn", "zeta", "uptime"]
    html = response.content.decode()
    assert html.count("<svg") == 4
    assert "1 off track" in html


def test_a_products_dashboard_shows_its_metrics_only(as_user, catalog, today):
    url = reverse("metrics:dashboard") + f"?product={catalog.world.mine.product.pk}"
    board = as_user(catalog.world.viewer).get(url).context["board"]
    assert [row.metric.key for row in board.north_stars + board.others] == ["active-users"]
    assert (
        as_user(catalog.world.viewer)
        .get(reverse("metrics:dashboard") + "?product=987654")
        .status_code
        == 404
    )


def _grow(product, n: int) -> None:
    for _ in range(n):
        metric = MetricFactory()
        metric.products.add(product)
        daily_values(metric, days=20)
        daily_values(metric, days=3, dimension="web")
        MetricTarget.objects.create(
            metric=metric, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), value=10
        )


@pytest.mark.parametrize("name", ["metrics:catalog", "metrics:dashboard"])
def test_lists_cost_the_same_queries_for_5_and_50_metrics(as_user, web_world, today, name):
    _grow(web_world.mine.product, 5)
    client = as_user(web_world.viewer)
    url = reverse(name)
    assert_same_queries(lambda: client.get(url), lambda: _grow(web_world.mine.product, 45))


# --- a metric's page ----------------------------------------------------------------------------


def test_a_metric_page_shows_chart_targets_releases_dimensions_and_values(as_user, catalog, today):
    metric = catalog.mine
    daily_values(metric, days=30, dimension="ios", start_value=300)
    daily_values(metric, days=30, dimension="web", start_value=700)
    ReleaseFactory(
        product=catalog.world.mine.product,
        name="4.2",
        status=ReleaseStatus.RELEASED,
        target_date=dt.date(2026, 3, 1),
    )
    ReleaseFactory(
        product=catalog.world.mine.product,
        name="4.3",
        status=ReleaseStatus.PLANNED,
        target_date=dt.date(2026, 3, 10),
    )
    ReleaseFactory(
        product=catalog.world.theirs.product,
        name="9.9",
        status=ReleaseStatus.RELEASED,
        target_date=dt.date(2026, 3, 1),
    )
    response = as_user(catalog.world.viewer).get(detail_url(metric))
    detail = response.context["detail"]
    assert [(a.day, a.label) for a in detail.releases] == [(dt.date(2026, 3, 1), "MINE 4.2")]
    assert [row.dimension for row in detail.dimensions] == ["ios", "web"]
    assert detail.values.paginator.count == 120
    assert len(detail.values.object_list) == 50
    html = response.content.decode()
    assert html.count("<svg") == 2  # the series and the dimensions
    assert "MINE 4.2" in html
    assert "On track" in html
    assert response.context["entry_form"] is None  # a viewer enters nothing


def test_the_chart_shows_another_range_and_granularity(as_user, catalog, today):
    browser = as_user(catalog.world.viewer)
    detail = browser.get(detail_url(catalog.mine), {"range": "all", "by": "week"}).context["detail"]
    assert detail.by == "week"
    assert all(value.period_start.weekday() == 0 for value in detail.series)
    assert sum(value.count for value in detail.series) == 60
    odd = browser.get(detail_url(catalog.mine), {"range": "century", "by": "fortnight"}).context[
        "detail"
    ]
    assert (odd.by, odd.last - odd.first) == ("day", dt.timedelta(days=364))


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [
        ("svg", "image/svg+xml"),
        ("png", "image/png"),
        ("json", "application/json"),
        ("pdf", "application/pdf"),
    ],
)
def test_the_chart_exports(as_user, catalog, today, fmt, kind):
    response = as_user(catalog.world.viewer).get(
        reverse("metrics:chart_export", args=[catalog.mine.key, fmt])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == kind
    assert 'filename="metric-active-users-20250317-20260316.' in response["Content-Disposition"]


def test_an_unknown_export_format_is_not_found(as_user, catalog):
    url = reverse("metrics:chart_export", args=[catalog.mine.key, "gif"])
    assert as_user(catalog.world.viewer).get(url).status_code == 404


def test_the_last_syncs_are_listed(as_user, catalog, today):
    for minute in range(12):
        MetricSync.objects.create(
            metric=catalog.mine,
            trigger="manual",
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 15),
            status="failed" if minute == 11 else "succeeded",
            started_at=dt.datetime(2026, 3, 15, 8, minute, tzinfo=dt.UTC),
            error="timeout after 30 s" if minute == 11 else "",
        )
    response = as_user(catalog.world.pm).get(detail_url(catalog.mine))
    syncs = response.context["detail"].syncs
    assert len(syncs) == 10
    assert syncs[0].status == "failed"
    assert "timeout after 30 s" in response.content.decode()
    assert response.context["sync_url"] is None  # no data source


def _grow_one(metric, n: int) -> None:
    base = MetricValue.objects.filter(metric=metric).count()
    for i in range(n):
        MetricValue.objects.create(
            metric=metric,
            period_start=dt.date(2020, 1, 1) + dt.timedelta(days=base + i),
            value=i,
            dimension=f"d{i % 20}",
        )
        MetricTarget.objects.create(
            metric=metric,
            start=dt.date(2030 + base + i, 1, 1),
            end=dt.date(2030 + base + i, 12, 31),
            value=1,
        )
        KeyResultMetric.objects.create(key_result=KeyResultFactory(), metric=metric)
        ReleaseFactory(
            product=metric.products.first(),
            status=ReleaseStatus.RELEASED,
            target_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 60),
        )
        experiment = Experiment.objects.create(
            name=f"Experiment {base + i}",
            hypothesis="A change moves the metric.",
            product=metric.products.first(),
            status=ExperimentStatus.RUNNING,
            start_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 60),
        )
        ExperimentMetric.objects.create(experiment=experiment, metric=metric)


def test_a_metric_page_costs_the_same_queries_for_5_and_50_of_everything(as_user, catalog, today):
    _grow_one(catalog.mine, 5)
    client = as_user(catalog.world.pm)
    url = detail_url(catalog.mine)
    assert_same_queries(lambda: client.get(url), lambda: _grow_one(catalog.mine, 45))


# --- entering values ------------------------------------------------------------------------------


def test_a_product_manager_enters_a_value_and_pastes_more(as_user, catalog):
    browser = as_user(catalog.world.pm)
    url = reverse("metrics:value_entry", args=[catalog.mine.key])
    response = browser.post(url, {"period_start": "2026-04-01", "value": "1234"})
    assert response.status_code == 302
    value = MetricValue.objects.get(metric=catalog.mine, period_start=dt.date(2026, 4, 1))
    assert (value.value, value.origin, value.created_by) == (1234.0, "manual", catalog.world.pm)
    pasted = "2026-04-02, 1240\n2026-04-02; 800; web\n\n2026-04-01\t1235\n"
    assert browser.post(url, {"pasted": pasted}).status_code == 302
    assert (
        MetricValue.objects.get(
            metric=catalog.mine, period_start=dt.date(2026, 4, 1), dimension=""
        ).value
        == 1235
    )


def test_refused_entries_are_explained_and_nothing_is_saved(as_user, catalog):
    browser = as_user(catalog.world.pm)
    weekly = MetricFactory(key="weekly", granularity="week")
    weekly.products.add(catalog.world.mine.product)
    url = reverse("metrics:value_entry", args=[weekly.key])
    before = ChangeRecord.objects.count()
    response = browser.post(url, {"pasted": "2026-03-02, 1\n2026-03-04, 2\n2026-03-02, 3\n"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-03-04: 2026-03-04 is a Wednesday; a week starts on Monday" in html
    assert "Row 3 repeats the period 2026-03-02 of row 1." in html
    unreadable = browser.post(url, {"pasted": "yesterday, 5\n2026-03-02, many\n"}).content.decode()
    assert "Line 1: &#x27;yesterday&#x27; is not a date (YYYY-MM-DD)." in unreadable
    assert "Line 2: &#x27;many&#x27; is not a number." in unreadable
    both = browser.post(
        url, {"period_start": "2026-03-02", "value": "1", "pasted": "2026-03-09, 2"}
    )
    assert "Enter one value or paste many, not both." in both.content.decode()
    missing = browser.post(url, {"period_start": "2026-03-02"})
    assert "Give the value." in missing.content.decode()
    assert not MetricValue.objects.filter(metric=weekly).exists()
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_who_may_enter_values(as_user, catalog, role):
    browser = as_user(catalog.world.user(role))
    for whose in ("mine", "theirs"):
        metric = getattr(catalog, whose)
        url = reverse("metrics:value_entry", args=[metric.key])
        response = browser.post(url, {"period_start": "2026-05-01", "value": "1"})
        allowed = role in WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
        assert response.status_code == (302 if allowed else 403), (role, whose)
        saved = MetricValue.objects.filter(metric=metric, period_start=dt.date(2026, 5, 1)).exists()
        assert saved == allowed


def test_the_import_page_imports_and_reports(as_user, catalog):
    browser = as_user(catalog.world.pm)
    text = (
        "metric,period_start,value\n"
        "active-users,2026-04-01,5\nchurn,2026-04-01,6\nnope,2026-04-01,7\n"
    )
    response = browser.post(
        reverse("metrics:import"),
        {"file": SimpleUploadedFile("v.csv", text.encode()), "partial": "on"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Imported" in html
    assert "You may not change the values of the metric &#x27;churn&#x27;." in html
    assert "There is no metric with the key &#x27;nope&#x27;." in html
    assert MetricValue.objects.filter(period_start=dt.date(2026, 4, 1)).count() == 1
    preview = browser.post(
        reverse("metrics:import"),
        {
            "file": SimpleUploadedFile(
                "v.csv", b"metric,period_start,value\nactive-users,2026-04-02,5\n"
            ),
            "dry_run": "on",
        },
    )
    assert "Preview: nothing was saved" in preview.content.decode()
    assert not MetricValue.objects.filter(period_start=dt.date(2026, 4, 2)).exists()
    unreadable = browser.post(
        reverse("metrics:import"), {"file": SimpleUploadedFile("v.csv", b"owner\nada\n")}
    )
    assert "The columns do not fit" in unreadable.content.decode()


def test_a_new_metric_from_the_form(as_user, catalog):
    browser = as_user(catalog.world.pm)
    page = browser.get(reverse("metrics:metric_create"))
    assert page.context["form"].initial["owner"] == catalog.world.pm.pk
    data = {
        "key": "orders",
        "name": "Orders",
        "kind": "input",
        "direction": "higher",
        "aggregation": "sum",
        "granularity": "week",
        "tolerance_percent": "5",
        "owner": catalog.world.pm.pk,
        "products": [catalog.world.mine.product.pk],
    }
    response = browser.post(reverse("metrics:metric_create"), data)
    assert response.status_code == 302
    assert response.url == "/metrics/orders/"
    refused = browser.post(
        reverse("metrics:metric_create"),
        {**data, "key": "refunds", "products": [catalog.world.theirs.product.pk]},
    )
    assert refused.status_code == 403


def test_an_overlapping_target_is_refused_on_the_form(as_user, catalog):
    response = as_user(catalog.world.pm).post(
        reverse("metrics:target_create", args=[catalog.mine.key]),
        {"start": "2026-03-01", "end": "2026-06-30", "value": "5"},
    )
    assert response.status_code == 200
    assert "overlaps this one" in response.content.decode()
    assert catalog.mine.targets.count() == 1


# --- key results and the objective's page ---------------------------------------------------------


def test_binding_a_key_result_on_its_page_and_the_objective_shows_it(as_user, catalog, today):
    world = catalog.world
    objective = ObjectiveFactory(
        title="Grow", period="2026-Q1", scope="product", product=world.mine.product, owner=world.pm
    )
    result = KeyResultFactory(
        objective=objective,
        title="Reach 2,000 users",
        start_value=1000,
        target_value=2000,
        current_value=0,
    )
    browser = as_user(world.pm)
    response = browser.post(
        reverse("metrics:key_result_link", args=[result.pk]),
        {"metric": catalog.mine.pk, "dimension": "", "reading": "latest"},
    )
    assert response.status_code == 302
    assert response.url == reverse("web:objective_detail", args=[objective.pk])
    result.refresh_from_db()
    assert result.current_value == 1590  # the latest value
    page = browser.get(response.url)
    html = page.content.decode()
    assert 'Follows <a href="/metrics/active-users/">Active users</a>' in html
    assert html.count("<svg") == 1  # the key result's progress over the quarter
    assert "Score 0.59 · yellow" in html
    assert [p.key for p in page.context["panels"]] == ["metrics"]
    # Changing what it follows, then stopping.
    edit = browser.post(
        reverse("metrics:key_result_link", args=[result.pk]),
        {"metric": catalog.mine.pk, "reading": "period_mean", "version": 1},
    )
    assert edit.status_code == 302
    assert KeyResultMetric.objects.get(key_result=result).reading == "period_mean"
    stop = browser.post(reverse("metrics:key_result_unlink", args=[result.pk]), {"version": 2})
    assert stop.status_code == 302
    assert not KeyResultMetric.objects.filter(key_result=result).exists()


def test_the_objective_page_offers_binding_only_to_those_who_may(as_user, catalog):
    url = reverse("web:objective_detail", args=[catalog.world.mine.objective.pk])
    link = reverse("metrics:key_result_link", args=[catalog.world.mine.key_result.pk])
    assert link in as_user(catalog.world.pm).get(url).content.decode()
    assert link not in as_user(catalog.world.viewer).get(url).content.decode()
    assert link not in as_user(catalog.world.other_pm).get(url).content.decode()


def _grow_links(objective, metric, n: int) -> None:
    for _ in range(n):
        result = KeyResultFactory(objective=objective)
        KeyResultMetric.objects.create(key_result=result, metric=metric)


def test_the_objective_page_costs_the_same_queries_for_5_and_50_followers(as_user, catalog, today):
    objective = ObjectiveFactory(period="2026-Q1")
    _grow_links(objective, catalog.mine, 5)
    client = as_user(catalog.world.leader)
    url = reverse("web:objective_detail", args=[objective.pk])
    assert_same_queries(lambda: client.get(url), lambda: _grow_links(objective, catalog.theirs, 45))


def test_a_key_made_of_digits_wins_over_an_id(as_user, catalog):
    digits = MetricFactory(key=str(catalog.mine.pk), name="Digits")
    page = as_user(catalog.world.viewer).get(f"/metrics/{catalog.mine.pk}/")
    assert page.context["metric"] == digits
    assert (
        as_user(catalog.world.viewer).get(f"/metrics/{catalog.theirs.pk}/").context["metric"]
        == catalog.theirs
    )
