"""Statistics from queries over the API and on the pages: the experiment metric's
`data_source_id` and `statistics_query`, `POST /experiments/{id}/statistics/refresh`
with its per-metric report, the query editor and its test on the experiment's page, the
refresh button; who may (anonymous, viewer, contributor, the other product manager,
the experiment's product manager, leader, admin), and what the page costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.experiments.models import Experiment, ExperimentMetric, VariantStatistics
from tests.api.helpers import assert_error, changes_of, unchanged
from tests.experiments import builders, per_user
from tests.experiments.per_user import MEAN, TODAY
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
ALLOWED = {Role.ADMIN, Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The views and endpoints ask for today's date: the day the per-user rows expect."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def api(web_world, api_as):
    users = {role: web_world.user(role) for role in ROLES} | {"other_pm": web_world.other_pm}
    return lambda who: api_as(users[who])


def refresh_path(world) -> str:
    return f"/experiments/{world.experiment.pk}/statistics/refresh"


def statistics_of(world) -> list[tuple]:
    return sorted(
        VariantStatistics.objects.filter(experiment_metric__experiment=world.experiment)
        .values_list("experiment_metric_id", "variant__name", "n", "sum")
        .order_by()
    )


# --- the API -----------------------------------------------------------------------------------


def test_the_experiment_metric_carries_its_source_and_query(api, query_world, web_world):
    world = query_world
    client = api("product_manager")
    body = client.get(f"/experiment-metrics/{world.mean.pk}").json()
    assert body["data_source_id"] == world.source.pk
    assert body["statistics_query"] == world.sql(MEAN)
    created = client.post(
        "/experiment-metrics",
        {
            "experiment_id": world.experiment.pk,
            "metric_id": builders.metric().pk,
            "data_source_id": world.source.pk,
            "statistics_query": world.sql(MEAN),
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    patched = client.patch(
        f"/experiment-metrics/{pk}", {"version": 1, "data_source_id": None, "statistics_query": ""}
    )
    assert patched.json()["data_source_id"] is None
    assert changes_of(ExperimentMetric, pk).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"statistics_query": "SELECT 1"}, "data_source_id"),
        ({"data_source_id": "SOURCE"}, "statistics_query"),
        ({"data_source_id": 999_999, "statistics_query": "SELECT 1"}, "data_source_id"),
    ],
)
def test_a_query_without_its_source_or_the_other_way_round_is_refused(
    api, query_world, body, field
):
    world = query_world
    if body.get("data_source_id") == "SOURCE":
        body = {**body, "data_source_id": world.source.pk}
    with unchanged(ExperimentMetric):
        response = api("product_manager").post(
            "/experiment-metrics",
            {"experiment_id": world.experiment.pk, "metric_id": builders.metric().pk, **body},
        )
    assert_error(response, 422, field)


def test_the_refresh_answers_the_report_per_metric(api, query_world):
    world = query_world
    ExperimentMetric.objects.filter(pk=world.proportion.pk).update(
        statistics_query=world.sql(MEAN.replace("count(*) AS n", "-count(*) AS n"))
    )
    response = api("product_manager").post(refresh_path(world), {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start_date"], body["end_date"], body["failed"]) == (
        per_user.START.isoformat(),
        TODAY.isoformat(),
        1,
    )
    mean, proportion = body["metrics"]
    assert mean == {
        "experiment_metric_id": world.mean.pk,
        "metric_key": world.mean.metric.key,
        "ok": True,
        "rows": 2,
        "duration_ms": mean["duration_ms"],
        "changed": 2,
        "error": None,
        "problems": [],
    }
    assert (proportion["ok"], proportion["rows"], proportion["changed"]) == (False, 2, 0)
    assert "column n: -" in proportion["error"]
    assert proportion["problems"][0].startswith("row ")
    want = per_user.expected(world.rows, "mean")
    assert {name: n for _m, name, n, _s in statistics_of(world)} == {
        name: sums["n"] for name, sums in want.items()
    }


def test_bad_input_is_422_naming_the_problem(api, query_world, web_world):
    world = query_world
    Experiment.objects.filter(pk=world.experiment.pk).update(start_date=None, status="draft")
    assert_error(api("product_manager").post(refresh_path(world), {}), 422, "start_date")
    bare = builders.running_experiment(web_world.mine.product)  # statistics entered by hand
    Experiment.objects.filter(pk=bare.pk).update(start_date=per_user.START)
    response = api("product_manager").post(f"/experiments/{bare.pk}/statistics/refresh", {})
    assert_error(response, 422, "metrics")
    assert api("product_manager").post(
        "/experiments/999999/statistics/refresh", {}
    ).status_code == (404)


@pytest.mark.parametrize("who", [*ROLES, "other_pm"])
def test_who_may_refresh_over_the_api(api, query_world, who):
    world = query_world
    may = who in ALLOWED
    if may:
        response = api(who).post(refresh_path(world), {})
        assert response.status_code == 200, (who, response.content)
        assert len(statistics_of(world)) == 4
    else:
        with unchanged(VariantStatistics):
            assert_error(api(who).post(refresh_path(world), {}), 403)


def test_anonymous_callers_are_401(anonymous_api, query_world):
    with unchanged(VariantStatistics):
        assert anonymous_api.post(refresh_path(query_world), {}).status_code == 401


# --- the pages ---------------------------------------------------------------------------------


def detail_url(world) -> str:
    return reverse("experiments:experiment_detail", args=[world.experiment.pk])


def test_the_page_offers_the_editor_and_the_refresh_to_who_may_change(
    as_user, query_world, web_world
):
    world = query_world
    pm_page = as_user(web_world.pm).get(detail_url(world)).content.decode()
    assert pm_page.count('class="query-editor"') == 2
    assert "Refresh statistics from data sources" in pm_page
    assert world.source.name in pm_page  # the data source select
    viewer_page = as_user(web_world.viewer).get(detail_url(world)).content.decode()
    assert "query-editor" not in viewer_page
    assert "Refresh statistics from data sources" not in viewer_page
    assert f"from a query on {world.source.name}" in viewer_page


def test_the_refresh_button_stores_and_reports(as_user, query_world, web_world):
    world = query_world
    client = as_user(web_world.pm)
    url = reverse("experiments:statistics_refresh", args=[world.experiment.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0].endswith("#results")
    html = response.content.decode()
    assert "Refreshed 2 metrics from 2026-03-01 to 2026-03-20 (4 variant statistics changed)" in (
        html
    )
    assert len(statistics_of(world)) == 4
    # a failing metric is named, and said to be unchanged
    ExperimentMetric.objects.filter(pk=world.mean.pk).update(
        statistics_query=world.sql(MEAN.replace("sum(revenue * revenue)", "'x'"))
    )
    html = client.post(url, follow=True).content.decode()
    assert f"{world.mean.metric} was not refreshed, its statistics are as they were" in html
    assert "column sum_squares: &#x27;x&#x27; is text, not a number" in html
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_who_may_press_the_refresh_button(as_user, query_world, web_world, role):
    world = query_world
    url = reverse("experiments:statistics_refresh", args=[world.experiment.pk])
    if role in ALLOWED:
        assert as_user(web_world.user(role)).post(url).status_code == 302
        assert len(statistics_of(world)) == 4
        return
    with unchanged(VariantStatistics):
        assert as_user(web_world.user(role)).post(url).status_code == 403
        assert as_user(web_world.other_pm).post(url).status_code == 403


def test_the_test_button_shows_the_rows_and_stores_nothing(as_user, query_world, web_world):
    world = query_world
    client = as_user(web_world.pm)
    url = reverse("experiments:metric_query", args=[world.mean.pk])
    form = {
        "version": world.mean.version,
        "data_source": world.source.pk,
        "statistics_query": world.sql(MEAN),
        "action": "test",
    }
    with unchanged(VariantStatistics, ExperimentMetric):
        partial = client.post(url, form, headers={"HX-Request": "true"})
        page = client.post(url, {**form, "statistics_query": "SELECT 1 AS n"})
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "<html" not in html
    assert "The query works" in html
    assert "nothing was stored" in html
    assert '<th scope="col">sum_squares</th>' in html
    broken = page.content.decode()
    assert "<html" in broken
    assert "The query cannot refresh the statistics yet" in broken
    assert "no column variant, sum, sum_squares" in broken
    assert "SELECT 1 AS n" in broken  # the form keeps what was written


def test_the_save_button_saves_through_the_service(as_user, query_world, web_world):
    world = query_world
    client = as_user(web_world.pm)
    url = reverse("experiments:metric_query", args=[world.proportion.pk])
    new_sql = world.sql(per_user.PROPORTION) + " ORDER BY variant"
    response = client.post(
        url,
        {
            "version": 1,
            "data_source": world.source.pk,
            "statistics_query": new_sql,
            "action": "save",
        },
    )
    assert response.status_code == 302
    world.proportion.refresh_from_db()
    assert (world.proportion.statistics_query, world.proportion.version) == (new_sql, 2)
    assert changes_of(ExperimentMetric, world.proportion.pk).filter(actor=web_world.pm).exists()
    with unchanged(ExperimentMetric):
        refused = client.post(
            url, {"version": 2, "data_source": "", "statistics_query": "SELECT 1", "action": "save"}
        )
        stale = client.post(
            url,
            {
                "version": 1,
                "data_source": world.source.pk,
                "statistics_query": "SELECT 2",
                "action": "save",
            },
        )
    assert "Choose the data source the query runs on." in refused.content.decode()
    assert "changed by someone else" in stale.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_test_and_save_a_query(as_user, query_world, web_world, role):
    world = query_world
    url = reverse("experiments:metric_query", args=[world.mean.pk])
    browser = as_user(web_world.user(role))
    allowed = role in ALLOWED
    assert browser.get(url).status_code == (200 if allowed else 403)
    with unchanged(ExperimentMetric, VariantStatistics):
        tested = browser.post(url, {"action": "test", "statistics_query": "SELECT 1"})
    assert tested.status_code == (200 if allowed else 403)
    assert as_user(web_world.other_pm).get(url).status_code == 403


def test_the_page_costs_the_same_queries_whatever_the_number_of_queries(
    as_user, query_world, web_world
):
    world = query_world
    client = as_user(web_world.pm)

    def grow(n: int) -> None:
        for _ in range(n):
            world.add("mean")

    queries = assert_same_queries(lambda: client.get(detail_url(world)), lambda: grow(6))
    assert queries <= 16
    # the editors cost one query, the data sources, read once for all of them
    viewer = as_user(web_world.viewer)
    viewer.get(detail_url(world))
    assert count_queries(lambda: viewer.get(detail_url(world))) == queries - 1


def test_a_data_source_in_use_by_an_experiment_cannot_be_deleted(admin_api, query_world):
    world = query_world
    with unchanged(ExperimentMetric):
        response = admin_api.delete(f"/data-sources/{world.source.pk}")
    assert_error(response, 409)
    assert "Revenue per user" in response.json()["detail"]
