"""The writes of experiments: status transitions and their conditions, the variant set and
its weights, metrics, statistics (all or nothing), and what a decision does to the
feature. Every refusal names the field and leaves everything as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core.models import ChangeRecord
from pilothouse.experiments import services
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
)
from pilothouse.roadmap.models import Feature
from tests.api.helpers import changes_of, unchanged
from tests.experiments import builders

pytestmark = pytest.mark.django_db

MODELS = (Experiment, Variant, ExperimentMetric, VariantStatistics, Feature)


def messages(exc: ValidationError) -> dict[str, str]:
    return {name: " ".join(texts) for name, texts in exc.message_dict.items()}


@pytest.fixture
def draft(web_world):
    return builders.experiment(web_world.mine.product, name="One-page checkout")


# --- creating and moving through the statuses ---------------------------------------------


def test_a_product_manager_creates_a_draft_on_their_product(web_world):
    created = services.experiment.create(
        actor=web_world.pm,
        data={
            "name": "Wallet first",
            "hypothesis": "Offering the wallet first raises conversion.",
            "product": web_world.mine.product,
        },
    )
    assert created.status == "draft"
    assert changes_of(Experiment, created.pk).get().action == "create"


def test_an_experiment_is_created_as_a_draft_only(web_world):
    with pytest.raises(ValidationError) as caught:
        services.experiment.create(
            actor=web_world.leader,
            data={
                "name": "X",
                "hypothesis": "H",
                "product": web_world.mine.product,
                "status": "running",
            },
        )
    assert "starts as a draft" in messages(caught.value)["status"]


@pytest.mark.parametrize("who", ["viewer", "contributor", "other_pm"])
def test_who_may_not_create_an_experiment(web_world, who):
    with unchanged(*MODELS), pytest.raises(PermissionDenied):
        services.experiment.create(
            actor=getattr(web_world, who),
            data={"name": "X", "hypothesis": "H", "product": web_world.mine.product},
        )


def test_starting_names_everything_missing(web_world, draft):
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.experiment_start(actor=web_world.pm, instance=draft, version=1)
    text = messages(caught.value)["status"]
    assert "a control and at least one variant" in text
    assert "a primary metric" in text
    assert "a start date" in text


def test_a_designed_draft_starts_and_stops(web_world, draft):
    builders.variants(draft)
    builders.measure(draft, builders.metric(), role="primary")
    started = services.experiment_start(
        actor=web_world.pm, instance=draft, version=1, start_date=dt.date(2026, 5, 1)
    )
    assert (started.status, started.start_date, started.version) == (
        "running",
        dt.date(2026, 5, 1),
        2,
    )
    stopped = services.experiment_stop(actor=web_world.pm, instance=started, version=2)
    assert stopped.status == "stopped"
    assert stopped.end_date is not None
    assert changes_of(Experiment, draft.pk).count() == 2


def test_a_draft_cannot_be_decided_or_stopped(web_world, draft):
    for status in ("stopped", "decided"):
        with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
            services.experiment.update(
                actor=web_world.pm, instance=draft, version=1, data={"status": status}
            )
        assert "cannot go from draft" in messages(caught.value)["status"]


def test_a_decision_needs_its_rationale(web_world):
    running = builders.running_experiment(web_world.mine.product)
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.experiment_decide(
            actor=web_world.pm, instance=running, version=1, decision="roll_back", rationale=" "
        )
    assert "rationale" in messages(caught.value)


def test_shipping_names_a_variant_other_than_the_control(web_world):
    running = builders.running_experiment(web_world.mine.product)
    control = running.variants.get(position=0)
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.experiment_decide(
            actor=web_world.pm,
            instance=running,
            version=1,
            decision="ship",
            rationale="It won.",
            winner=control,
        )
    assert "Keep the control" in messages(caught.value)["winner"]
    with pytest.raises(ValidationError) as caught:
        services.experiment_decide(
            actor=web_world.pm, instance=running, version=1, decision="ship", rationale="It won."
        )
    assert "winner" in messages(caught.value)


def test_shipping_marks_the_released_feature_measured(web_world):
    feature = web_world.mine.feature
    Feature.objects.filter(pk=feature.pk).update(stage="released")
    feature.refresh_from_db()
    running = builders.running_experiment(web_world.mine.product, feature=feature)
    winner = running.variants.get(position=1)
    decided = services.experiment_decide(
        actor=web_world.pm,
        instance=running,
        version=1,
        decision="ship",
        rationale="B converts better and revenue held.",
        winner=winner,
    )
    assert (decided.status, decided.winner, decided.decided_at is not None) == (
        "decided",
        winner,
        True,
    )
    feature.refresh_from_db()
    assert feature.stage == "measured"
    assert changes_of(Feature, feature.pk).get().after["stage"] == "measured"


def test_shipping_refuses_while_the_feature_is_not_released(web_world):
    feature = web_world.mine.feature
    Feature.objects.filter(pk=feature.pk).update(stage="in_progress")
    feature.refresh_from_db()
    running = builders.running_experiment(web_world.mine.product, feature=feature)
    winner = running.variants.get(position=1)
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.experiment_decide(
            actor=web_world.pm,
            instance=running,
            version=1,
            decision="ship",
            rationale="B won.",
            winner=winner,
        )
    text = messages(caught.value)["decision"]
    assert "its stage is In progress, not Released" in text
    assert "nothing was saved" in text


def test_keeping_the_control_leaves_the_feature_alone(web_world):
    feature = web_world.mine.feature
    Feature.objects.filter(pk=feature.pk).update(stage="in_progress")
    feature.refresh_from_db()
    running = builders.running_experiment(web_world.mine.product, feature=feature)
    services.experiment_decide(
        actor=web_world.pm,
        instance=running,
        version=1,
        decision="roll_back",
        rationale="Revenue fell.",
    )
    feature.refresh_from_db()
    assert feature.stage == "in_progress"


def test_a_decided_experiment_is_final(web_world):
    running = builders.running_experiment(web_world.mine.product)
    decided = services.experiment_decide(
        actor=web_world.pm,
        instance=running,
        version=1,
        decision="inconclusive",
        rationale="Too little traffic.",
    )
    with pytest.raises(ValidationError) as caught:
        services.experiment.update(
            actor=web_world.pm,
            instance=decided,
            version=decided.version,
            data={"status": "running"},
        )
    assert "a decided experiment is final" in messages(caught.value)["status"]


def test_settings_of_the_other_engine_are_refused(web_world, draft):
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.experiment.update(
            actor=web_world.pm,
            instance=draft,
            version=1,
            data={"engine": "bayesian", "correction": "holm", "sequential": True},
        )
    found = messages(caught.value)
    assert "frequentist" in found["correction"]
    assert "frequentist" in found["sequential"]
    with pytest.raises(ValidationError) as caught:
        services.experiment.update(
            actor=web_world.pm,
            instance=draft,
            version=1,
            data={"prior_mean": 0.0, "prior_stddev": 0.1},
        )
    assert "Bayesian" in messages(caught.value)["prior_mean"]


# --- the variant set -----------------------------------------------------------------------


def test_weights_that_do_not_sum_to_1_are_named(web_world, draft):
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.variants_set(
            actor=web_world.pm,
            instance=draft,
            variants=[{"name": "Control", "weight": "0.5"}, {"name": "B", "weight": "0.6"}],
        )
    assert messages(caught.value)["variants"] == (
        "The weights must sum to 1; Control 0.5 + B 0.6 = 1.1."
    )


@pytest.mark.parametrize(
    ("rows", "field", "text"),
    [
        ([{"name": "Control", "weight": "1"}], "variants", "a control and 1 to 9"),
        (
            [{"name": "A", "weight": "0.5"}, {"name": "a", "weight": "0.5"}],
            "variants[1].name",
            "is the name of variant 0",
        ),
        (
            [{"name": "A", "weight": "0"}, {"name": "B", "weight": "1"}],
            "variants[0].weight",
            "above 0",
        ),
        (
            [{"name": "A", "weight": "half"}, {"name": "B", "weight": "0.5"}],
            "variants[0].weight",
            "not a number",
        ),
        (
            [{"name": "", "weight": "0.5"}, {"name": "B", "weight": "0.5"}],
            "variants[0].name",
            "Name the variant",
        ),
    ],
)
def test_bad_variant_sets_are_refused_by_row(web_world, draft, rows, field, text):
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.variants_set(actor=web_world.pm, instance=draft, variants=rows)
    assert text in messages(caught.value)[field]


def test_the_set_replaces_renames_reorders_and_keeps_statistics(web_world, draft):
    control, b = builders.variants(draft)
    primary = builders.measure(draft, builders.metric(), role="primary")
    builders.statistics(primary, [control, b], builders.REVENUE)
    saved = services.variants_set(
        actor=web_world.pm,
        instance=draft,
        variants=[
            {"id": b.pk, "name": "Control", "weight": "0.3334"},
            {"id": control.pk, "name": "Old control", "weight": "0.3333"},
            {"name": "C", "weight": "0.3333", "description": "Wallet first"},
        ],
    )
    assert [(v.pk, v.name, v.position, v.weight) for v in saved] == [
        (b.pk, "Control", 0, Decimal("0.3334")),
        (control.pk, "Old control", 1, Decimal("0.3333")),
        (saved[2].pk, "C", 2, Decimal("0.3333")),
    ]
    assert VariantStatistics.objects.filter(experiment_metric=primary).count() == 2
    moved = changes_of(Variant, b.pk).get()
    assert moved.before["position"] == 1
    assert moved.after["position"] == 0
    assert moved.before["name"] == "B"
    assert moved.after["name"] == "Control"


def test_a_variant_left_out_is_deleted_with_its_statistics(web_world, draft):
    control, b, c = builders.variants(draft, "0.4", "0.3", "0.3")
    primary = builders.measure(draft, builders.metric(), role="primary")
    builders.statistics(primary, [control, b, c], (*builders.REVENUE, builders.REVENUE[1]))
    services.variants_set(
        actor=web_world.pm,
        instance=draft,
        variants=[{"name": "Control", "weight": "0.5"}, {"name": "B", "weight": "0.5"}],
    )
    assert list(draft.variants.values_list("name", flat=True)) == ["Control", "B"]
    assert not VariantStatistics.objects.filter(variant_id=c.pk).exists()
    deleted = ChangeRecord.objects.filter(action="delete")
    assert sorted(r.content_type.model for r in deleted) == ["variant", "variantstatistics"]


def test_variants_are_fixed_once_running(web_world):
    running = builders.running_experiment(web_world.mine.product)
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.variants_set(
            actor=web_world.pm,
            instance=running,
            variants=[{"name": "Control", "weight": "0.4"}, {"name": "B", "weight": "0.6"}],
        )
    assert "fixed once it runs" in messages(caught.value)["variants"]


def test_another_product_managers_variants_are_not_theirs_to_set(web_world):
    theirs = builders.experiment(web_world.theirs.product)
    with unchanged(*MODELS), pytest.raises(PermissionDenied):
        services.variants_set(
            actor=web_world.pm,
            instance=theirs,
            variants=[{"name": "Control", "weight": "0.5"}, {"name": "B", "weight": "0.5"}],
        )


def test_a_single_variant_keeps_its_weight(web_world, draft):
    control, _b = builders.variants(draft)
    renamed = services.variant.update(
        actor=web_world.pm, instance=control, version=1, data={"name": "Today"}
    )
    assert renamed.name == "Today"
    with pytest.raises(ValidationError) as caught:
        services.variant.update(
            actor=web_world.pm, instance=control, version=2, data={"weight": Decimal("0.6")}
        )
    assert "sum to 1" in messages(caught.value)["weight"]


# --- metrics -------------------------------------------------------------------------------


def test_one_primary_metric_per_experiment(web_world, draft):
    builders.measure(draft, builders.metric(), role="primary")
    with pytest.raises(ValidationError) as caught:
        services.experiment_metric.create(
            actor=web_world.pm,
            data={"experiment": draft, "metric": builders.metric(), "role": "primary"},
        )
    assert "one primary metric" in " ".join(caught.value.messages)


def test_a_running_experiment_keeps_its_primary_metric(web_world):
    running = builders.running_experiment(web_world.mine.product)
    primary = running.metrics.get(role="primary")
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.experiment_metric.update(
            actor=web_world.pm, instance=primary, version=1, data={"role": "secondary"}
        )
    assert "keeps the primary metric" in messages(caught.value)["role"]
    with unchanged(*MODELS), pytest.raises(ValidationError):
        services.experiment_metric.delete(actor=web_world.pm, instance=primary)


def test_cuped_is_not_for_ratio_metrics(web_world, draft):
    with pytest.raises(ValidationError) as caught:
        services.experiment_metric.create(
            actor=web_world.pm,
            data={
                "experiment": draft,
                "metric": builders.metric(),
                "metric_type": "ratio",
                "cuped": True,
            },
        )
    assert "not to ratios" in messages(caught.value)["cuped"]


# --- statistics ----------------------------------------------------------------------------


@pytest.fixture
def designed(web_world, draft):
    arms = builders.variants(draft)
    conversion = builders.measure(
        draft, builders.metric(unit="%"), role="primary", metric_type="proportion"
    )
    return draft, arms, conversion


def test_statistics_are_set_for_a_metric_and_updated_on_a_second_set(web_world, designed):
    _exp, (control, b), conversion = designed
    rows = [
        {"variant": control, "n": 5000, "sum": 200},
        {"variant": b, "n": 5000, "sum": 230},
    ]
    services.statistics_set(actor=web_world.pm, experiment_metric=conversion, rows=rows)
    services.statistics_set(
        actor=web_world.pm,
        experiment_metric=conversion,
        rows=[{"variant": b, "n": 5100, "sum": 240}],
    )
    found = dict(conversion.statistics.values_list("variant__name", "n"))
    assert found == {"Control": 5000, "B": 5100}
    assert ChangeRecord.objects.filter(action="update").count() == 1


@pytest.mark.parametrize(
    ("row", "field", "text"),
    [
        ({"n": -1, "sum": 0}, "rows[1].n", "greater than or equal to 0"),
        ({"n": 100, "sum": 120}, "rows[1].sum", "between 0 and n (100)"),
        ({"n": 0, "sum": 3}, "rows[1].sum", "With no users, every sum is 0"),
        ({"n": 100, "sum": None}, "rows[1].sum", "cannot be null"),
        ({"n": 100, "sum": 10, "cross_sum": 3}, "rows[1].cross_sum", "Only ratio metrics"),
        ({"n": 100, "sum": float("inf")}, "rows[1].sum", "finite"),
    ],
)
def test_bad_statistics_are_refused_whole_and_named(web_world, designed, row, field, text):
    _exp, (control, b), conversion = designed
    rows = [{"variant": control, "n": 5000, "sum": 200}, {"variant": b, **row}]
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.statistics_set(actor=web_world.pm, experiment_metric=conversion, rows=rows)
    assert text in messages(caught.value)[field]


def test_a_sum_of_squares_too_small_for_the_sum_is_refused(web_world, draft):
    control, b = builders.variants(draft)
    revenue = builders.measure(draft, builders.metric(), role="primary")
    rows = [
        {"variant": control, "n": 100, "sum": 200.0, "sum_squares": 900.0},
        {"variant": b, "n": 100, "sum": 200.0, "sum_squares": 300.0},
    ]
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.statistics_set(actor=web_world.pm, experiment_metric=revenue, rows=rows)
    assert "at least 400 (sum² / n)" in messages(caught.value)["rows[1].sum_squares"]


def test_cross_products_no_data_could_give_are_refused_by_the_engine(web_world, draft):
    control, b = builders.variants(draft)
    ratio = builders.measure(draft, builders.metric(), role="primary", metric_type="ratio")
    good = {
        "n": 100,
        "sum": 50.0,
        "sum_squares": 40.0,
        "denominator_sum": 100.0,
        "denominator_sum_squares": 120.0,
        "cross_sum": 55.0,
    }
    bad = {**good, "cross_sum": 500.0}
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.statistics_set(
            actor=web_world.pm,
            experiment_metric=ratio,
            rows=[{"variant": control, **good}, {"variant": b, **bad}],
        )
    assert "not consistent" in messages(caught.value)["rows[1].cross_sum"]


def test_a_variant_of_another_experiment_is_refused(web_world, designed):
    _exp, (control, _b), conversion = designed
    stranger = builders.variants(builders.experiment(web_world.mine.product))[1]
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        services.statistics_set(
            actor=web_world.pm,
            experiment_metric=conversion,
            rows=[
                {"variant": control, "n": 10, "sum": 1},
                {"variant": stranger, "n": 10, "sum": 1},
            ],
        )
    assert "Not a variant of this experiment" in messages(caught.value)["rows[1].variant"]


def test_statistics_of_another_product_are_not_theirs_to_set(web_world):
    theirs = builders.running_experiment(web_world.theirs.product)
    metric = theirs.metrics.get(role="primary")
    control = theirs.variants.get(position=0)
    with unchanged(*MODELS), pytest.raises(PermissionDenied):
        services.statistics_set(
            actor=web_world.pm,
            experiment_metric=metric,
            rows=[{"variant": control, "n": 10, "sum": 1}],
        )
