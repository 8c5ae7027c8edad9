"""The experiments' API: the standard endpoints of experiments, variants, experiment metrics
and variant statistics, the results, the variant set, the statistics set and import, the
sample size; who may do what (anonymous, viewer, contributor, product manager owning or
not owning the product, leader, admin); bad input refused whole; fixed query counts."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
)
from pilothouse.roadmap.models import Feature
from tests.api.conftest import ApiClient
from tests.api.helpers import assert_error, changes_of, unchanged
from tests.experiments import builders
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
PORTFOLIO_WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}
MODELS = (Experiment, Variant, ExperimentMetric, VariantStatistics, Feature)


@pytest.fixture
def api(web_world, api_as):
    """api("pm") etc.: a client of one of the world's users; "other_pm" looks after the
    other product."""
    users = {role: web_world.user(role) for role in ROLES} | {"other_pm": web_world.other_pm}
    return lambda who: api_as(users[who])


def put(client: ApiClient, path: str, body) -> object:
    return client.client.put(client.url(path), json.dumps(body), content_type="application/json")


def allowed(who: str, whose: str) -> bool:
    return (
        who in PORTFOLIO_WIDE
        or (who == "product_manager" and whose == "mine")
        or (who == "other_pm" and whose == "theirs")
    )


# --- experiments ---------------------------------------------------------------------------


def test_create_read_update_and_list_an_experiment(api, web_world):
    client = api("product_manager")
    created = client.post(
        "/experiments",
        {
            "name": "Wallet first",
            "hypothesis": "Wallets first convert more.",
            "product_id": web_world.mine.product.pk,
            "feature_id": web_world.mine.feature.pk,
            "minimum_detectable_effect": "4",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["version"], body["variants"]) == ("draft", 1, [])
    pk = body["id"]
    patched = client.patch(f"/experiments/{pk}", {"version": 1, "alpha": "0.01"})
    assert patched.json()["alpha"] == "0.010"
    listed = client.get("/experiments", {"product_id": web_world.mine.product.pk}).json()
    assert [item["id"] for item in listed["items"]] == [pk]
    assert client.get(f"/experiments/{pk}").json()["name"] == "Wallet first"


def test_an_experiment_moves_through_its_statuses_by_patch(api, web_world, experiments):
    client = api("product_manager")
    pk = experiments.draft.pk
    refused = client.patch(f"/experiments/{pk}", {"version": 1, "status": "running"})
    body = assert_error(refused, 422, "status")
    assert "a start date" in body["errors"][0]["message"]
    started = client.patch(
        f"/experiments/{pk}", {"version": 1, "status": "running", "start_date": "2026-05-01"}
    )
    assert started.json()["status"] == "running"
    decided = client.patch(
        f"/experiments/{pk}",
        {"version": 2, "status": "decided", "decision": "iterate", "rationale": "Too small."},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["decided_at"] is not None
    assert changes_of(Experiment, pk).count() == 2


def test_an_experiment_is_created_as_a_draft(api, web_world):
    with unchanged(*MODELS):
        response = api("admin").post(
            "/experiments",
            {
                "name": "X",
                "hypothesis": "H",
                "product_id": web_world.mine.product.pk,
                "status": "running",
            },
        )
    assert_error(response, 422, "status")


@pytest.mark.parametrize("who", [*ROLES, "other_pm"])
def test_who_may_create_and_change_experiments(api, web_world, experiments, who):
    client = api(who)
    for whose in ("mine", "theirs"):
        product = getattr(web_world, whose).product
        created = client.post(
            "/experiments", {"name": f"New {whose}", "hypothesis": "H", "product_id": product.pk}
        )
        assert created.status_code == (201 if allowed(who, whose) else 403), (who, whose)
        experiment = getattr(experiments, whose)
        patched = client.patch(f"/experiments/{experiment.pk}", {"version": 1, "name": "Renamed"})
        assert patched.status_code == (200 if allowed(who, whose) else 403), (who, whose)
        assert client.get(f"/experiments/{experiment.pk}/results").status_code == 200


def test_anonymous_requests_are_refused(anonymous_api, experiments):
    for path in (
        "/experiments",
        f"/experiments/{experiments.mine.pk}",
        f"/experiments/{experiments.mine.pk}/results",
        "/variants",
        "/experiment-metrics",
        "/variant-statistics",
    ):
        assert_error(anonymous_api.get(path), 401)
    assert_error(anonymous_api.post("/experiments", {}), 401)


def test_deleting_an_experiment_takes_its_design_with_it(api, experiments):
    pk = experiments.mine.pk
    assert api("other_pm").delete(f"/experiments/{pk}").status_code == 403
    assert api("product_manager").delete(f"/experiments/{pk}").status_code == 204
    assert not VariantStatistics.objects.filter(experiment_metric__experiment_id=pk).exists()


# --- results and sizing ----------------------------------------------------------------------


def test_results_answer_every_metric_with_readings(api, experiments):
    body = api("viewer").get(f"/experiments/{experiments.mine.pk}/results").json()
    assert (body["engine"], body["difference"], body["problem"]) == (
        "frequentist",
        "relative",
        None,
    )
    assert body["srm"]["flagged"] is False
    assert body["srm"]["observed"] == [5000, 5000]
    primary, guardrail = body["metrics"]
    assert primary["role"] == "primary"
    [row] = primary["variants"]
    assert row["variant"] == "B"
    assert row["effect"] == pytest.approx(0.3)
    assert row["ci"][0] < row["effect"] < row["ci"][1]
    assert row["verdict"] == "better"
    assert row["reading"].startswith("B is 30.0% better on ")
    assert row["reading"].endswith("SRM check passed.")
    assert guardrail["guardrail_worse"] is False
    assert body["guardrails_worse"] == []


def test_results_of_a_draft_say_what_they_wait_for(api, experiments):
    body = api("viewer").get(f"/experiments/{experiments.draft.pk}/results").json()
    assert body["srm"] is None
    assert body["metrics"][0]["problem"] == "No statistics yet."


def test_a_sample_ratio_mismatch_is_flagged(api, web_world):
    experiment = builders.running_experiment(web_world.mine.product, srm=True)
    srm = api("viewer").get(f"/experiments/{experiment.pk}/results").json()["srm"]
    assert srm["flagged"] is True
    assert srm["p_value"] < 0.001
    assert srm["reading"].startswith("SRM check failed")


def test_sample_size_from_the_design_or_the_query(api, experiments):
    client = api("viewer")
    body = client.get(f"/experiments/{experiments.mine.pk}/sample-size").json()
    assert body["metric_type"] == "proportion"
    assert body["baseline"] == pytest.approx(0.04)
    assert body["total_units"] == sum(body["units_per_variant"])
    assert body["days"] == -(-body["total_units"] // 2000)
    wider = client.get(
        f"/experiments/{experiments.mine.pk}/sample-size", {"mde": 20, "daily_users": 100}
    ).json()
    assert wider["total_units"] < body["total_units"]
    missing = client.get(f"/experiments/{experiments.draft.pk}/sample-size").json()
    assert missing["total_units"] is None
    assert "a baseline" in missing["problem"]


# --- variants ---------------------------------------------------------------------------------


def test_the_variant_set_is_put_whole(api, experiments):
    client = api("product_manager")
    url = f"/experiments/{experiments.draft.pk}/variants"
    with unchanged(*MODELS):
        refused = put(
            client,
            url,
            {"variants": [{"name": "A", "weight": "0.5"}, {"name": "B", "weight": "0.6"}]},
        )
    body = assert_error(refused, 422, "variants")
    assert body["errors"][0]["message"] == "The weights must sum to 1; A 0.5 + B 0.6 = 1.1."
    control = experiments.draft.variants.get(position=0)
    answered = put(
        client,
        url,
        {
            "variants": [
                {"id": control.pk, "name": "Control", "weight": "0.4"},
                {"name": "B", "weight": "0.3"},
                {"name": "C", "weight": "0.3"},
            ]
        },
    )
    assert answered.status_code == 200, answered.content
    assert [(v["name"], v["position"], v["weight"]) for v in answered.json()] == [
        ("Control", 0, "0.4000"),
        ("B", 1, "0.3000"),
        ("C", 2, "0.3000"),
    ]
    assert answered.json()[0]["id"] == control.pk


def test_the_variant_set_is_for_those_who_may_change_the_experiment(api, experiments):
    body = {"variants": [{"name": "A", "weight": "0.5"}, {"name": "B", "weight": "0.5"}]}
    for who in ("viewer", "contributor", "other_pm"):
        with unchanged(*MODELS):
            response = put(api(who), f"/experiments/{experiments.draft.pk}/variants", body)
        assert_error(response, 403)


def test_a_variant_alone_changes_its_name_only(api, experiments):
    client = api("product_manager")
    variant = experiments.draft.variants.get(position=1)
    listed = client.get("/variants", {"experiment_id": experiments.draft.pk}).json()
    assert [v["name"] for v in listed["items"]] == ["Control", "B"]
    renamed = client.patch(f"/variants/{variant.pk}", {"version": 1, "name": "Wallet"})
    assert renamed.json()["name"] == "Wallet"
    with unchanged(*MODELS):
        created = client.post("/variants", {"name": "C"})
    assert_error(created, 422)
    with unchanged(*MODELS):
        assert_error(client.delete(f"/variants/{variant.pk}"), 422, "variants")
    assert_error(api("other_pm").patch(f"/variants/{variant.pk}", {"version": 2, "name": "X"}), 403)


# --- experiment metrics -----------------------------------------------------------------------


def test_experiment_metrics_have_one_primary(api, experiments):
    client = api("product_manager")
    body = {
        "experiment_id": experiments.draft.pk,
        "metric_id": builders.metric().pk,
        "role": "primary",
    }
    with unchanged(*MODELS):
        refused = client.post("/experiment-metrics", body)
    assert "one primary metric" in assert_error(refused, 422)["errors"][0]["message"]
    created = client.post("/experiment-metrics", {**body, "role": "guardrail"})
    assert created.status_code == 201, created.content
    assert created.json()["metric_key"].startswith("exp-metric-")
    assert_error(
        api("other_pm").post(
            "/experiment-metrics", {**body, "metric_id": builders.metric().pk, "role": "secondary"}
        ),
        403,
    )


# --- statistics ---------------------------------------------------------------------------------


def test_statistics_are_put_for_a_metric_all_or_nothing(api, experiments):
    metric = experiments.draft.metrics.get()
    control, b = experiments.draft.variants.order_by("position")
    url = f"/experiment-metrics/{metric.pk}/statistics"
    client = api("product_manager")
    bad = {
        "rows": [
            {"variant_id": control.pk, "n": 100, "sum": 200, "sum_squares": 900},
            {"variant_id": b.pk, "n": 100, "sum": 200, "sum_squares": 300},
        ]
    }
    with unchanged(*MODELS):
        assert_error(put(client, url, bad), 422, "rows[1].sum_squares")
    bad["rows"][1]["sum_squares"] = 1000
    saved = put(client, url, bad)
    assert saved.status_code == 200, saved.content
    assert [row["variant_id"] for row in saved.json()] == [control.pk, b.pk]
    with unchanged(*MODELS):
        assert_error(put(api("other_pm"), url, bad), 403)
        zero = {"rows": [{"variant_id": b.pk, "n": 0, "sum": 4, "sum_squares": 0}]}
        assert_error(put(client, url, zero), 422, "rows[0].sum")


def test_a_single_statistics_row_is_checked_like_a_set(api, experiments):
    metric = experiments.draft.metrics.get()
    control = experiments.draft.variants.get(position=0)
    client = api("product_manager")
    with unchanged(*MODELS):
        refused = client.post(
            "/variant-statistics",
            {"experiment_metric_id": metric.pk, "variant_id": control.pk, "n": 10, "sum": 5},
        )
    assert_error(refused, 422, "sum_squares")
    created = client.post(
        "/variant-statistics",
        {
            "experiment_metric_id": metric.pk,
            "variant_id": control.pk,
            "n": 10,
            "sum": 5,
            "sum_squares": 4,
        },
    )
    assert created.status_code == 201, created.content
    listed = client.get("/variant-statistics", {"experiment_id": experiments.draft.pk}).json()
    assert listed["count"] == 1


def test_statistics_import_over_the_api(api, web_world, experiments):
    metric = experiments.draft.metrics.get().metric
    content = (
        f"metric,variant,users,sum,sum of squares\n{metric.key},Control,100,200,900\n"
        f"{metric.key},B,100,250,1000\n"
    ).encode()
    url = f"/api/v1/experiments/{experiments.draft.pk}/statistics/import"
    _, secret = token_create(user=web_world.pm, name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    dry = client.post(url, {"file": SimpleUploadedFile("s.csv", content), "dry_run": "true"})
    assert dry.status_code == 200, dry.content
    assert dry.json()["counts"]["created"] == 2
    stored = VariantStatistics.objects.filter(experiment_metric__experiment=experiments.draft)
    assert not stored.exists()
    done = client.post(url, {"file": SimpleUploadedFile("s.csv", content)})
    assert done.json()["committed"] is True
    assert stored.count() == 2
    _, other = token_create(user=web_world.other_pm, name="tests")
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {other}").post(
        url, {"file": SimpleUploadedFile("s.csv", content)}
    )
    assert refused.status_code == 403


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/experiments", "/variants", "/experiment-metrics", "/variant-statistics"]
)
def test_lists_cost_the_same_queries_for_3_and_15_experiments(api, web_world, path):
    def grow(n: int) -> None:
        for _ in range(n):
            builders.running_experiment(web_world.mine.product)

    grow(3)
    client = api("viewer")
    assert_same_queries(lambda: client.get(path, {"limit": 500}), lambda: grow(12))


def test_results_cost_the_same_queries_for_2_and_8_metrics(api, web_world):
    experiment = builders.running_experiment(web_world.mine.product)
    arms = list(experiment.variants.order_by("position"))

    def grow(n: int) -> None:
        for _ in range(n):
            metric = builders.measure(experiment, builders.metric())
            builders.statistics(metric, arms, builders.REVENUE)

    client = api("viewer")
    assert_same_queries(
        lambda: client.get(f"/experiments/{experiment.pk}/results"), lambda: grow(6)
    )


def test_the_openapi_document_lists_the_endpoints(api):
    paths = json.loads(api("viewer").client.get("/api/v1/openapi.json").content)["paths"]
    for path in (
        "/api/v1/experiments",
        "/api/v1/experiments/{pk}/results",
        "/api/v1/experiments/{pk}/variants",
        "/api/v1/experiments/{pk}/sample-size",
        "/api/v1/experiments/{pk}/statistics/import",
        "/api/v1/experiments/{pk}/statistics/refresh",
        "/api/v1/experiment-metrics/{pk}/statistics",
        "/api/v1/variants",
        "/api/v1/variant-statistics",
    ):
        assert path in paths, path
