"""From stored statistics to what is shown, through the engine: the settings it is given,
the rows and verdicts it answers, what a metric waits for, and the calculator. The
numbers are the engine's (its own tests check them against references); these tests
check that the app hands it the right sums and reads its answers right."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilothouse.engines import experiments as ex
from pilothouse.experiments import charts, results, selectors
from pilothouse.experiments.models import Experiment, VariantStatistics
from tests.experiments import builders

pytestmark = pytest.mark.django_db


def analysed(experiment: Experiment) -> results.ExperimentResults:
    return selectors.results_of(experiment)


def test_settings_follow_the_experiment(web_world):
    experiment = Experiment(
        engine="frequentist",
        difference="absolute",
        alpha=Decimal("0.01"),
        correction="bh",
        sequential=True,
    )
    settings = results.settings_of(experiment)
    assert (settings.engine, settings.difference, settings.alpha) == (
        "frequentist",
        "absolute",
        0.01,
    )
    assert settings.correction == "benjamini-hochberg"
    assert settings.sequential_tuning == ex.DEFAULT_TUNING
    bayesian = results.settings_of(
        Experiment(engine="bayesian", prior_mean=0.02, prior_stddev=0.1, alpha=Decimal("0.05"))
    )
    assert bayesian.prior == ex.normal_prior(mean=0.02, variance=pytest.approx(0.01))
    assert bayesian.correction is None
    assert bayesian.sequential_tuning is None


def test_the_results_are_the_engines_on_the_stored_sums(web_world, experiments):
    found = analysed(experiments.mine)
    conversion, revenue = found.metrics
    expected = ex.analyze_experiment(
        variants=[ex.Variant("Control", 0.5, 5000), ex.Variant("B", 0.5, 5000)],
        metrics=[
            ex.Metric(
                "c", "proportion", (ex.VariantSums(5000, 200.0), ex.VariantSums(5000, 260.0))
            ),
            ex.Metric(
                "r",
                "mean",
                (ex.VariantSums(5000, 10000.0, 65000.0), ex.VariantSums(5000, 11500.0, 72000.0)),
            ),
        ],
        settings=ex.AnalysisSettings(),
    )
    for shown, engine in zip((conversion.rows[0], revenue.rows[0]), expected.results, strict=True):
        assert shown.effect == pytest.approx(engine.effect)
        assert shown.ci == pytest.approx(engine.ci)
        assert shown.p_value == pytest.approx(engine.p_value)
    assert found.srm.p_value == pytest.approx(expected.srm.p_value)
    assert conversion.control_n == 5000
    assert conversion.control_mean == pytest.approx(0.04)
    assert conversion.rows[0].effect_text == "+30.0%"


def test_lower_is_better_turns_a_rise_into_worse(web_world, experiments):
    guardrail = experiments.mine.metrics.get(role="guardrail")
    guardrail.metric.direction = "lower"
    guardrail.metric.save()
    found = analysed(experiments.mine)
    row = found.metrics[1].rows[0]
    assert row.verdict == "worse"
    assert found.worse_guardrails == [found.metrics[1]]
    assert "worse on" in row.reading


def test_what_a_metric_waits_for(web_world):
    experiment = builders.experiment(web_world.mine.product)
    arms = builders.variants(experiment, "0.4", "0.3", "0.3")
    none = builders.measure(experiment, builders.metric(), role="primary")
    part = builders.measure(experiment, builders.metric())
    builders.statistics(part, arms[:1], builders.REVENUE[:1])
    empty = builders.measure(experiment, builders.metric())
    builders.statistics(empty, arms, ((10, 5.0, 4.0), (0, 0.0, 0.0), (0, 0.0, 0.0)))
    problems = {m.experiment_metric.pk: m.problem for m in analysed(experiment).metrics}
    assert problems == {
        none.pk: "No statistics yet.",
        part.pk: "No statistics yet for B and C.",
        empty.pk: "B and C have no users yet: nothing to compare.",
    }
    assert analysed(builders.experiment(web_world.mine.product)).problem.startswith("Add a control")


def test_inconsistent_stored_sums_leave_the_other_metrics_analysed(web_world, experiments):
    # Written behind the services' back (the services refuse them).
    revenue = experiments.mine.metrics.get(role="guardrail")
    VariantStatistics.objects.filter(experiment_metric=revenue, variant__position=1).update(
        sum_squares=1.0
    )
    found = analysed(experiments.mine)
    assert found.metrics[0].rows
    assert "The statistics of B cannot be analysed: sum_squares" in found.metrics[1].problem


def test_corrections_adjust_across_metrics_and_variants(web_world, experiments):
    Experiment.objects.filter(pk=experiments.mine.pk).update(correction="holm")
    experiments.mine.refresh_from_db()
    found = analysed(experiments.mine)
    rows = [m.rows[0] for m in found.metrics]
    assert all(row.p_value_adjusted >= row.p_value for row in rows)
    assert "adjusted" in rows[0].reading
    assert found.interval_label == "95% CI (adjusted)"


def test_bayesian_results_have_a_chance_to_win_and_a_risk(web_world, experiments):
    Experiment.objects.filter(pk=experiments.mine.pk).update(engine="bayesian")
    experiments.mine.refresh_from_db()
    row = analysed(experiments.mine).metrics[0].rows[0]
    assert row.p_value is None
    assert 0.95 < row.chance_to_win < 1
    assert row.verdict == "better"
    assert row.risk is not None
    assert row.risk_text.endswith("%")


@pytest.mark.parametrize(
    ("chance", "expected"), [(0.97, "better"), (0.03, "worse"), (0.5, "flat"), (0.951, "better")]
)
def test_bayesian_verdicts_by_the_chance_to_win(chance, expected):
    result = ex.VariantResult(
        metric="m",
        variant="B",
        lower_is_better=False,
        control_mean=1.0,
        variant_mean=1.1,
        effect=0.1,
        se=0.05,
        ci=(0.0, 0.2),
        chance_to_win=chance,
    )
    assert results.verdict(result, ex.AnalysisSettings(engine="bayesian")) == expected


def test_an_issue_is_a_verdict_of_its_own(web_world):
    experiment = builders.experiment(web_world.mine.product)
    arms = builders.variants(experiment)
    zero = builders.measure(experiment, builders.metric(), role="primary")
    builders.statistics(zero, arms, ((100, 0.0, 0.0), (100, 5.0, 9.0)))
    [row] = analysed(experiment).metrics[0].rows
    assert row.verdict == "unknown"
    assert "the control's mean is zero" in row.issue


def test_check_sums_names_the_row_and_field_the_engine_refuses(web_world, experiments):
    metric = experiments.draft.metrics.get()
    control, b = experiments.draft.variants.order_by("position")
    stats = [
        VariantStatistics(
            experiment_metric=metric, variant=control, n=10, sum=5.0, sum_squares=3.0
        ),
        VariantStatistics(experiment_metric=metric, variant=b, n=10, sum=5.0, sum_squares=1.0),
    ]
    with pytest.raises(ValidationError) as caught:
        results.check_sums(metric, stats, where=lambda row: f"rows[{row.variant.position}]")
    assert "rows[1].sum_squares" in caught.value.message_dict
    results.check_sums(metric, stats[:1], where=lambda row: "")  # a lone row is checked too


# --- the calculator -------------------------------------------------------------------------


def test_the_calculator_is_the_engines(web_world):
    inputs = results.SizeInputs(
        metric_type="proportion", baseline=0.1, sd=None, mde_percent=5, daily_users=1000
    )
    answer = results.size(inputs, weights=[0.5, 0.5], alpha=0.05)
    engine = ex.sample_size(
        baseline=ex.Baseline("proportion", 0.1), mde=0.05, weights=(0.5, 0.5), daily_units=1000
    )
    assert answer.plan == engine
    missing = results.size(
        results.SizeInputs(
            metric_type="mean", baseline=3.0, sd=None, mde_percent=None, daily_users=None
        ),
        weights=[0.5, 0.5],
        alpha=0.05,
    )
    assert missing.problem == (
        "To size the experiment, give the baseline's standard deviation and a minimum "
        "detectable effect."
    )


def test_baselines_come_from_the_control_or_the_metrics_latest_value(web_world, experiments):
    primary = experiments.mine.metrics.get(role="primary")
    control = VariantStatistics.objects.get(experiment_metric=primary, variant__position=0)
    assert results.baseline_from(primary, control, None) == (
        "proportion",
        0.04,
        None,
        "the control's statistics so far",
    )
    kind, mean, sd, source = results.baseline_from(primary, None, 12.5)  # unit "%"
    assert (kind, mean, sd) == ("proportion", 0.125, None)
    assert "latest value" in source
    revenue = experiments.mine.metrics.get(role="guardrail")
    control = VariantStatistics.objects.get(experiment_metric=revenue, variant__position=0)
    kind, mean, sd, _ = results.baseline_from(revenue, control, None)
    assert (kind, mean) == ("mean", 2.0)
    assert sd == pytest.approx(math.sqrt((65000 - 10000 * 2.0) / 4999))


def test_the_chart_draws_each_comparison_or_nothing(web_world, experiments):
    spec = charts.effects_spec(analysed(experiments.mine))
    rows = spec["data"]["values"]
    assert [row["verdict"] for row in rows] == ["Better", "Better"]
    assert rows[0]["effect"] == pytest.approx(30.0)
    assert charts.effects_spec(analysed(experiments.draft)) is None
