"""The experiment pages: what they show (readings, the SRM banner, the calculator, the
decision), what their forms do, what they cost in queries, and who may open which
(anonymous, viewer, contributor, product manager owning or not owning the product,
product leader, admin)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
)
from pilothouse.roadmap.models import Feature
from tests.api.helpers import unchanged
from tests.experiments import builders
from tests.web.helpers import assert_same_queries, count_queries

pytestmark = pytest.mark.django_db
ROLES = [role.value for role in Role]
PORTFOLIO_WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}
MODELS = (Experiment, Variant, ExperimentMetric, VariantStatistics, Feature)


def detail_url(experiment) -> str:
    return reverse("experiments:experiment_detail", args=[experiment.pk])


def text_of(response) -> str:
    """The page's text without its inline charts."""
    return re.sub(r"<svg.*?</svg>", "", response.content.decode(), flags=re.S)


# --- what the pages show ---------------------------------------------------------------------


def test_the_experiment_page_reads_the_results_in_plain_language(as_user, web_world, experiments):
    response = as_user(web_world.viewer).get(detail_url(experiments.mine))
    assert response.status_code == 200
    html = text_of(response)
    conversion = experiments.mine.metrics.get(role="primary").metric.name
    assert f"B is 30.0% better on {conversion}, 95% CI" in html
    assert "SRM check passed." in html
    assert "Sample ratio mismatch" not in html
    assert response.content.decode().count("<svg") == 1  # the effects chart
    results = response.context["results"]
    assert [row.verdict for row in results.primary.rows] == ["better"]
    assert not response.context["can_edit"]


def test_a_sample_ratio_mismatch_is_a_banner(as_user, web_world):
    experiment = builders.running_experiment(web_world.mine.product, srm=True)
    html = text_of(as_user(web_world.viewer).get(detail_url(experiment)))
    assert "Sample ratio mismatch." in html
    assert "Users per variant: 52000 / 48000, expected 50000 / 50000." in html


def test_a_guardrail_that_got_worse_is_flagged(as_user, web_world, experiments):
    revenue = experiments.mine.metrics.get(role="guardrail")
    ExperimentMetric.objects.filter(pk=revenue.pk).update(
        metric=builders.metric(name="Refund rate", direction="lower")
    )
    html = text_of(as_user(web_world.viewer).get(detail_url(experiments.mine)))
    assert "Guardrail got worse:</strong> Refund rate." in html
    assert "B is 15.0% worse on Refund rate" in html


def test_zero_users_zero_variance_and_a_zero_control_mean_are_explained(as_user, web_world):
    experiment = builders.experiment(web_world.mine.product)
    arms = builders.variants(experiment)
    waiting = builders.measure(experiment, builders.metric(name="Waiting"), role="primary")
    builders.statistics(waiting, arms, ((100, 10.0, 30.0), (0, 0.0, 0.0)))
    flat = builders.measure(experiment, builders.metric(name="Flat"))
    builders.statistics(flat, arms, ((100, 100.0, 100.0), (100, 100.0, 100.0)))
    zero = builders.measure(experiment, builders.metric(name="Zero"))
    builders.statistics(zero, arms, ((100, 0.0, 0.0), (100, 5.0, 9.0)))
    html = text_of(as_user(web_world.viewer).get(detail_url(experiment)))
    assert "B has no users yet: nothing to compare." in html
    assert "does not vary within a variant (zero variance)" in html
    assert "the control&#x27;s mean is zero" in html


def test_the_calculator_sizes_from_the_controls_rate_and_from_what_is_asked(
    as_user, web_world, experiments
):
    client = as_user(web_world.viewer)
    first = client.get(detail_url(experiments.mine))
    plan = first.context["size"].plan
    assert plan.units_per_variant[0] == plan.units_per_variant[1] > 100_000
    assert plan.days == -(-plan.total_units // 2000)
    assert "the control&#x27;s statistics so far" in text_of(first)
    asked = client.get(
        detail_url(experiments.mine), {"baseline": "0.2", "mde": "10", "daily": "500"}
    )
    assert asked.context["size"].plan.total_units < plan.total_units
    bad = client.get(detail_url(experiments.mine), {"baseline": "2", "mde": "10"})
    assert bad.context["size"].plan is None
    assert "between 0 and 1" in text_of(bad)


def test_the_list_groups_by_status_and_filters(as_user, web_world, experiments):
    client = as_user(web_world.viewer)
    response = client.get(reverse("experiments:experiment_list"))
    assert [e.name for e, _h in response.context["rows"]] == [
        "Mine test",
        "Their test",
        "Draft test",
    ]
    html = text_of(response)
    assert "Running (2)" in html
    assert "Draft (1)" in html
    headline = {e.name: h for e, h in response.context["rows"]}["Mine test"]
    assert headline.row.verdict == "better"
    drafts = client.get(reverse("experiments:experiment_list"), {"status": "draft"})
    assert [e.name for e, _h in drafts.context["rows"]] == ["Draft test"]
    theirs = client.get(
        reverse("experiments:experiment_list"), {"product": web_world.theirs.product.pk}
    )
    assert [e.name for e, _h in theirs.context["rows"]] == ["Their test"]
    Experiment.objects.filter(pk=experiments.draft.pk).update(owner=web_world.pm)
    owned = client.get(reverse("experiments:experiment_list"), {"owner": web_world.pm.pk})
    assert [e.name for e, _h in owned.context["rows"]] == ["Draft test"]


def test_the_feature_page_shows_its_experiments(as_user, web_world, experiments):
    url = reverse("roadmap:feature_detail", args=[web_world.mine.feature.pk])
    html = as_user(web_world.viewer).get(url).content.decode()
    assert 'id="experiments"' in html
    assert "Mine test" in html
    other = reverse("roadmap:feature_detail", args=[web_world.theirs.feature.pk])
    assert 'id="experiments"' not in as_user(web_world.viewer).get(other).content.decode()


def test_the_panel_costs_no_query_on_a_feature_without_experiments(as_user, web_world, experiments):
    # The page's own read of the feature says whether it has experiments (an Exists
    # annotation registered with the panel), so the panel reads nothing when none.
    client = as_user(web_world.viewer)
    with_them = reverse("roadmap:feature_detail", args=[web_world.mine.feature.pk])
    without = reverse("roadmap:feature_detail", args=[web_world.theirs.feature.pk])
    Experiment.objects.filter(feature=web_world.theirs.feature).update(feature=None)
    client.get(with_them)  # warm caches (content types, sessions) alike
    assert (
        count_queries(lambda: client.get(without))
        == count_queries(lambda: client.get(with_them)) - 1
    )


def test_experiments_are_in_the_main_navigation(as_user, web_world):
    html = as_user(web_world.viewer).get(reverse("experiments:experiment_list")).content.decode()
    assert '<a href="/experiments/" aria-current="page">Experiments</a>' in html


# --- what they cost ---------------------------------------------------------------------------


def _grow_list(product, n: int) -> None:
    for _ in range(n):
        builders.running_experiment(product)


def test_the_list_costs_the_same_queries_for_3_and_30_experiments(as_user, web_world):
    _grow_list(web_world.mine.product, 3)
    client = as_user(web_world.viewer)
    url = reverse("experiments:experiment_list")
    assert_same_queries(lambda: client.get(url), lambda: _grow_list(web_world.theirs.product, 27))


def test_the_experiment_page_costs_the_same_queries_whatever_its_size(as_user, web_world):
    experiment = builders.experiment(web_world.mine.product, status="stopped")
    arms = builders.variants(experiment, "0.5", "0.25", "0.25")
    builders.measure(experiment, builders.metric(), role="primary")

    def grow(n: int) -> None:
        for _ in range(n):
            metric = builders.measure(experiment, builders.metric())
            builders.statistics(metric, arms, (*builders.REVENUE, builders.REVENUE[1]))
            ChangeRecord.objects.create(
                action="update",
                content_type_id=_type_of(Experiment),
                object_id=experiment.pk,
                object_repr="x",
                before={"name": "a"},
                after={"name": "b"},
            )

    grow(1)
    client = as_user(web_world.pm)
    queries = assert_same_queries(lambda: client.get(detail_url(experiment)), lambda: grow(12))
    assert queries <= 14


def _type_of(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


# --- who may open which page ------------------------------------------------------------------


def edit_pages(experiments) -> dict[str, tuple[str, str]]:
    """name -> (URL, whose experiment it is)."""
    pages = {}
    for whose in ("mine", "theirs"):
        experiment = getattr(experiments, whose)
        metric = experiment.metrics.get(role="primary")
        pages |= {
            f"{whose}_edit": (reverse("experiments:experiment_edit", args=[experiment.pk]), whose),
            f"{whose}_delete": (
                reverse("experiments:experiment_delete", args=[experiment.pk]),
                whose,
            ),
            f"{whose}_variants": (
                reverse("experiments:variants_edit", args=[experiment.pk]),
                whose,
            ),
            f"{whose}_metric_new": (
                reverse("experiments:metric_create", args=[experiment.pk]),
                whose,
            ),
            f"{whose}_metric_edit": (reverse("experiments:metric_edit", args=[metric.pk]), whose),
            f"{whose}_metric_delete": (
                reverse("experiments:metric_delete", args=[metric.pk]),
                whose,
            ),
            f"{whose}_statistics": (
                reverse("experiments:statistics_edit", args=[metric.pk]),
                whose,
            ),
            f"{whose}_import": (
                reverse("experiments:statistics_import", args=[experiment.pk]),
                whose,
            ),
        }
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_follow_stewardship(as_user, web_world, experiments, role):
    browser = as_user(web_world.user(role))
    for name, (url, whose) in edit_pages(experiments).items():
        allowed = role in PORTFOLIO_WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
        status = browser.get(url).status_code
        assert status == (200 if allowed else 403), (name, role, status)


def test_the_other_product_manager_is_refused_on_my_experiment(as_user, web_world, experiments):
    browser = as_user(web_world.other_pm)
    assert (
        browser.get(reverse("experiments:experiment_edit", args=[experiments.mine.pk])).status_code
        == 403
    )
    assert (
        browser.get(
            reverse("experiments:experiment_edit", args=[experiments.theirs.pk])
        ).status_code
        == 200
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_create_page_is_for_those_who_may_create(as_user, web_world, role):
    status = as_user(web_world.user(role)).get(reverse("experiments:experiment_create")).status_code
    opens = role in PORTFOLIO_WIDE | {Role.PRODUCT_MANAGER}
    assert status == (200 if opens else 403)


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_are_open_to_every_user(as_user, web_world, experiments, role):
    browser = as_user(web_world.user(role))
    assert browser.get(reverse("experiments:experiment_list")).status_code == 200
    assert browser.get(detail_url(experiments.theirs)).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, experiments):
    for url in (
        reverse("experiments:experiment_list"),
        detail_url(experiments.mine),
        reverse("experiments:experiment_create"),
        reverse("experiments:experiment_start", args=[experiments.draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


@pytest.mark.parametrize("role", ROLES)
def test_the_steps_are_for_those_who_may_change_the_experiment(as_user, web_world, role):
    browser = as_user(web_world.user(role))
    for whose in ("mine", "theirs"):
        product = getattr(web_world, whose).product
        experiment = builders.running_experiment(product)
        allowed = role in PORTFOLIO_WIDE or (role == Role.PRODUCT_MANAGER and whose == "mine")
        response = browser.post(
            reverse("experiments:experiment_stop", args=[experiment.pk]), {"version": 1}
        )
        assert response.status_code == (302 if allowed else 403), (role, whose)
        experiment.refresh_from_db()
        assert experiment.status == ("stopped" if allowed else "running")
        decide = browser.post(
            reverse("experiments:experiment_decide", args=[experiment.pk]),
            {"version": experiment.version, "decision": "roll_back", "rationale": "No."},
        )
        assert decide.status_code == (302 if allowed else 403), (role, whose)


# --- the forms --------------------------------------------------------------------------------


def test_a_product_manager_creates_an_experiment_on_their_product(as_user, web_world):
    client = as_user(web_world.pm)
    data = {
        "name": "Wallet first",
        "hypothesis": "Wallets first convert more.",
        "product": web_world.mine.product.pk,
        "feature": web_world.mine.feature.pk,
        "engine": "frequentist",
        "difference": "relative",
        "alpha": "0.05",
        "correction": "none",
    }
    response = client.post(reverse("experiments:experiment_create"), data)
    assert response.status_code == 302
    created = Experiment.objects.get(name="Wallet first")
    assert (created.status, created.created_by, created.feature) == (
        "draft",
        web_world.pm,
        web_world.mine.feature,
    )
    data["name"] = "Not mine"
    data["product"] = web_world.theirs.product.pk
    data["feature"] = ""
    assert client.post(reverse("experiments:experiment_create"), data).status_code == 403
    assert not Experiment.objects.filter(name="Not mine").exists()


def test_starting_from_the_page_and_a_refusal_naming_what_is_missing(as_user, web_world):
    client = as_user(web_world.pm)
    bare = builders.experiment(web_world.mine.product)
    with unchanged(*MODELS):
        response = client.post(
            reverse("experiments:experiment_start", args=[bare.pk]), {"version": 1}, follow=True
        )
    assert "cannot start yet: it needs a control and at least one variant" in text_of(response)
    designed = builders.experiment(web_world.mine.product)
    builders.variants(designed)
    builders.measure(designed, builders.metric(), role="primary")
    client.post(
        reverse("experiments:experiment_start", args=[designed.pk]),
        {"version": 1, "start_date": "2026-06-01"},
    )
    designed.refresh_from_db()
    assert (designed.status, designed.start_date) == ("running", dt.date(2026, 6, 1))


def test_deciding_to_ship_an_unreleased_feature_is_refused_on_the_page(
    as_user, web_world, experiments
):
    winner = experiments.mine.variants.get(position=1)
    with unchanged(*MODELS):
        response = as_user(web_world.pm).post(
            reverse("experiments:experiment_decide", args=[experiments.mine.pk]),
            {"version": 1, "decision": "ship", "winner": winner.pk, "rationale": "B won."},
        )
    assert response.status_code == 200
    assert "not Released" in text_of(response)


def test_deciding_to_ship_marks_the_feature_measured(as_user, web_world, experiments):
    Feature.objects.filter(pk=web_world.mine.feature.pk).update(stage="released")
    winner = experiments.mine.variants.get(position=1)
    response = as_user(web_world.pm).post(
        reverse("experiments:experiment_decide", args=[experiments.mine.pk]),
        {"version": 1, "decision": "ship", "winner": winner.pk, "rationale": "**B** won."},
    )
    assert response.status_code == 302
    experiments.mine.refresh_from_db()
    assert (experiments.mine.status, experiments.mine.winner) == ("decided", winner)
    assert Feature.objects.get(pk=web_world.mine.feature.pk).stage == "measured"
    page = text_of(as_user(web_world.viewer).get(detail_url(experiments.mine)))
    assert "<strong>B</strong> won." in page
    assert "Ship a variant</strong>: B" in page


def test_the_variant_form_refuses_weights_that_do_not_sum_to_1(as_user, web_world, experiments):
    url = reverse("experiments:variants_edit", args=[experiments.draft.pk])
    control, b = experiments.draft.variants.order_by("position")
    data = {
        "variants-TOTAL_FORMS": "3",
        "variants-INITIAL_FORMS": "0",
        "variants-0-id": control.pk,
        "variants-0-name": "Control",
        "variants-0-weight": "0.5",
        "variants-1-id": b.pk,
        "variants-1-name": "B",
        "variants-1-weight": "0.3",
        "variants-2-name": "C",
        "variants-2-weight": "0.3",
    }
    client = as_user(web_world.pm)
    with unchanged(*MODELS):
        response = client.post(url, data)
    assert "The weights must sum to 1; Control 0.5 + B 0.3 + C 0.3 = 1.1." in text_of(response)
    data["variants-2-weight"] = "0.2"
    assert client.post(url, data).status_code == 302
    assert list(experiments.draft.variants.values_list("name", "weight")) == [
        ("Control", Decimal("0.5")),
        ("B", Decimal("0.3")),
        ("C", Decimal("0.2")),
    ]


def test_statistics_are_entered_per_variant_and_refused_whole(as_user, web_world, experiments):
    metric = experiments.draft.metrics.get()
    control, b = experiments.draft.variants.order_by("position")
    url = reverse("experiments:statistics_edit", args=[metric.pk])
    client = as_user(web_world.pm)
    bad = {
        f"v{control.pk}_n": "100",
        f"v{control.pk}_sum": "200",
        f"v{control.pk}_sum_squares": "900",
        f"v{b.pk}_n": "100",
        f"v{b.pk}_sum": "200",
        f"v{b.pk}_sum_squares": "300",
    }
    with unchanged(*MODELS):
        response = client.post(url, bad)
    assert "Nothing was saved" in text_of(response)
    assert "at least 400 (sum² / n)" in text_of(response)
    assert response.context["form"].errors[f"v{b.pk}_sum_squares"]
    good = {**bad, f"v{b.pk}_sum_squares": "1000"}
    assert client.post(url, good).status_code == 302
    assert metric.statistics.count() == 2


def test_statistics_import_dry_run_then_for_real(as_user, web_world, experiments):
    metric = experiments.draft.metrics.get().metric
    url = reverse("experiments:statistics_import", args=[experiments.draft.pk])
    content = (
        f"metric,variant,n,sum,sum_squares\n{metric.key},Control,100,200,900\n"
        f"{metric.key},B,100,250,1000\n"
    ).encode()
    client = as_user(web_world.pm)
    with unchanged(*MODELS):
        dry = client.post(url, {"file": SimpleUploadedFile("s.csv", content), "dry_run": "on"})
    assert "Dry run" in text_of(dry)
    assert "The file is good" in text_of(dry)
    done = client.post(url, {"file": SimpleUploadedFile("s.csv", content)})
    assert done.status_code == 302
    assert (
        VariantStatistics.objects.filter(experiment_metric__experiment=experiments.draft).count()
        == 2
    )
    broken = client.post(url, {"file": SimpleUploadedFile("s.csv", b"metric,variant\nx,y\n")})
    assert "no column for the required field" in text_of(broken)


def test_pages_cost_no_more_for_a_product_manager_than_for_a_viewer(
    as_user, web_world, experiments
):
    url = detail_url(experiments.mine)
    viewer = as_user(web_world.viewer)
    viewer.get(url)
    seen = count_queries(lambda: viewer.get(url))
    pm = as_user(web_world.pm)
    pm.get(url)
    assert count_queries(lambda: pm.get(url)) <= seen + 1
