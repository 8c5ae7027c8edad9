"""One experiment end to end: every metric and variant, SRM, corrections, field paths."""

from __future__ import annotations

import json
import math

import pytest
from scipy import stats

from pilothouse.engines.experiments import (
    AnalysisSettings,
    ColumnSums,
    ExperimentInputError,
    Issue,
    Metric,
    MetricSums,
    Variant,
    VariantSums,
    analyze_experiment,
    compare_variants,
    holm_bonferroni,
    normal_prior,
)
from tests.engines.experiments import oracle

VARIANTS = [Variant("control", 0.34, 3400), Variant("B", 0.33, 3310), Variant("C", 0.33, 3290)]
REVENUE = Metric(
    "revenue",
    "mean",
    (
        VariantSums(3400, 1394.0, 52000.0),
        VariantSums(3310, 1489.5, 58100.0),
        VariantSums(3290, 1302.0, 49000.0),
    ),
)
SIGNUPS = Metric(
    "signups",
    "proportion",
    (VariantSums(3400, 340.0), VariantSums(3310, 390.0), VariantSums(3290, 333.0)),
)
ORDER_VALUE = Metric(
    "order value",
    "ratio",
    (
        VariantSums(3400, 1394.0, 52000.0, 410.0, 700.0, 5400.0),
        VariantSums(3310, 1489.5, 58100.0, 430.0, 720.0, 6100.0),
        VariantSums(3290, 1302.0, 49000.0, 398.0, 680.0, 5100.0),
    ),
)


def analyse(metrics=(REVENUE, SIGNUPS), variants=VARIANTS, **settings):
    return analyze_experiment(
        variants=list(variants), metrics=list(metrics), settings=AnalysisSettings(**settings)
    )


def test_every_metric_and_variant_in_order_as_the_batch_computes_them():
    analysis = analyse(metrics=(REVENUE, SIGNUPS, ORDER_VALUE))
    assert [(r.metric, r.variant) for r in analysis.results] == [
        (m, v) for m in ("revenue", "signups", "order value") for v in ("B", "C")
    ]
    batch = compare_variants(
        MetricSums(n=[3400, 3310, 3290], value=ColumnSums(sum=[340, 390, 333], kind="proportion")),
        AnalysisSettings(),
    )
    signups_c = analysis.results[3]
    assert signups_c.effect == float(batch.effect[1])
    assert signups_c.p_value == float(batch.p_value[1])
    assert signups_c.control_mean == pytest.approx(0.1)
    assert signups_c.variant_mean == pytest.approx(333 / 3290)


def test_results_grouped_by_metric():
    grouped = analyse().by_metric()
    assert list(grouped) == ["revenue", "signups"]
    assert [r.variant for r in grouped["signups"]] == ["B", "C"]


def test_the_ratio_metric_matches_gbstats():
    analysis = analyse(metrics=(ORDER_VALUE,))
    sums = MetricSums(
        n=[3400, 3310, 3290],
        value=ColumnSums(sum=[1394.0, 1489.5, 1302.0], sum_squares=[52000.0, 58100.0, 49000.0]),
        denominator=ColumnSums(sum=[410.0, 430.0, 398.0], sum_squares=[700.0, 720.0, 680.0]),
        value_denominator_products=[5400.0, 6100.0, 5100.0],
    )
    for arm, result in enumerate(analysis.results, start=1):
        theirs = oracle.frequentist(sums, arm, difference="relative")
        assert result.effect == pytest.approx(theirs.expected, rel=1e-12)
        assert result.p_value == pytest.approx(theirs.p_value, rel=1e-9)
        assert result.control_mean == pytest.approx(1394.0 / 410.0)


def test_the_srm_check_uses_the_variants_units_and_weights():
    analysis = analyse()
    expected = [0.34 * 10_000, 0.33 * 10_000, 0.33 * 10_000]
    reference = stats.chisquare([3400, 3310, 3290], f_exp=expected).pvalue
    assert analysis.srm.p_value == pytest.approx(reference, rel=1e-12)
    assert analysis.to_dict()["srm_p_value"] == analysis.srm.p_value


def test_a_correction_spans_all_metrics_and_variants():
    plain = analyse()
    corrected = analyse(correction="holm-bonferroni")
    raw = [r.p_value for r in plain.results]
    assert [r.p_value for r in corrected.results] == raw
    assert [r.p_value_adjusted for r in corrected.results] == pytest.approx(
        list(holm_bonferroni(raw))
    )
    for result in corrected.results:
        low, high = result.ci_adjusted
        assert low <= result.ci[0]
        assert high >= result.ci[1]


def test_one_sided_corrections_adjust_p_values_but_leave_intervals_alone():
    corrected = analyse(correction="benjamini-hochberg", alternative="greater")
    assert all(r.ci_adjusted is None for r in corrected.results)
    assert all(r.p_value_adjusted is not None for r in corrected.results)
    assert all(r.ci[1] == math.inf for r in corrected.results)
    # Unbounded ends are null in the JSON form.
    assert corrected.to_dict()["results"][0]["ci"][1] is None


def test_a_metric_can_be_lower_is_better_and_have_its_own_prior():
    cheap = Metric(
        "latency",
        "mean",
        REVENUE.variants,
        lower_is_better=True,
        prior=normal_prior(mean=0.0, variance=0.01),
    )
    analysis = analyse(metrics=(REVENUE, cheap), engine="bayesian")
    revenue_b, latency_b = analysis.results[0], analysis.results[2]
    assert latency_b.lower_is_better
    # The same data read the other way round: the chances to win are complements only
    # without the prior, which also pulls the effect towards 0.
    assert abs(latency_b.effect) < abs(revenue_b.effect)
    flat = analyse(
        metrics=(REVENUE, Metric("latency", "mean", REVENUE.variants, lower_is_better=True)),
        engine="bayesian",
    )
    assert flat.results[2].chance_to_win == pytest.approx(1 - flat.results[0].chance_to_win)
    assert flat.results[2].risk == pytest.approx(tuple(reversed(flat.results[0].risk)))


def test_the_dict_form_is_json_without_nan():
    broken = Metric(
        "flat", "mean", tuple(VariantSums(v.n, 5.0 * v.n, 25.0 * v.n) for v in VARIANTS)
    )
    analysis = analyse(metrics=(REVENUE, broken), engine="bayesian")
    text = json.dumps(analysis.to_dict(), allow_nan=False)
    body = json.loads(text)
    assert body["results"][2]["error"] == Issue.ZERO_VARIANCE.value
    assert body["results"][2]["chance_to_win"] == 0.5
    assert body["results"][0]["p_value"] is None
    assert set(body["results"][0]) == {
        "metric",
        "variant",
        "effect",
        "se",
        "ci",
        "p_value",
        "chance_to_win",
        "risk",
        "p_value_adjusted",
        "ci_adjusted",
        "error",
    }


@pytest.mark.parametrize(
    ("variants", "metrics", "message"),
    [
        (VARIANTS[:1], (REVENUE,), "variants: at least 2 are needed"),
        (
            [VARIANTS[0], Variant("control", 0.66, 10)],
            (REVENUE,),
            "variants[1].name: 'control' is used twice",
        ),
        ([VARIANTS[0], Variant(" ", 0.66, 10)], (REVENUE,), "variants[1].name: must not be empty"),
        ([VARIANTS[0], Variant("B", 0.66, 0)], (REVENUE,), "variants[1].n: must be at least 1"),
        ([VARIANTS[0], Variant("B", 0.66, 9.5)], (REVENUE,), "variants[1].n: must be a whole"),
        (
            [VARIANTS[0], Variant("B", 0.0, 10)],
            (REVENUE,),
            "variants[1].weight: must be greater than 0",
        ),
        (
            [VARIANTS[0], Variant("B", 0.5, 10)],
            (REVENUE,),
            "variants: the weights must sum to 1 (they sum to 0.84)",
        ),
        (VARIANTS, (), "metrics: at least one metric is needed"),
        (VARIANTS, (REVENUE, REVENUE), "metrics[1].name: 'revenue' is used twice"),
        (
            VARIANTS,
            (Metric("x", "mean", REVENUE.variants[:2]),),
            "metrics[0].variants: 2 entries for 3 variants",
        ),
        (
            VARIANTS,
            (Metric("x", "median", REVENUE.variants),),  # type: ignore[arg-type]
            "metrics[0].metric_type: must be mean, proportion or ratio",
        ),
        (
            VARIANTS,
            (SIGNUPS, Metric("x", "mean", SIGNUPS.variants)),
            "metrics[1].variants[0].sum_squares: required for a mean metric",
        ),
        (
            VARIANTS,
            (Metric("x", "ratio", REVENUE.variants),),
            "metrics[0].variants[0].denominator_sum: required for a ratio metric",
        ),
        (
            VARIANTS,
            (Metric("x", "mean", ORDER_VALUE.variants),),
            "metrics[0].variants[0].denominator_sum: only for ratio metrics",
        ),
        (
            VARIANTS,
            (
                Metric(
                    "x",
                    "mean",
                    (
                        VariantSums(
                            3400,
                            1.0,
                            2.0,
                            covariate_sum=1.0,
                            covariate_sum_squares=2.0,
                            sum_covariate_products=1.0,
                        ),
                        *REVENUE.variants[1:],
                    ),
                ),
            ),
            "metrics[0].variants[1].covariate_sum: required for CUPED",
        ),
        (
            VARIANTS,
            (Metric("x", "mean", (*REVENUE.variants[:2], VariantSums(3290, 1302.0, 10.0))),),
            "metrics[0].variants[2].sum_squares: is smaller than sum^2 / n",
        ),
        (
            VARIANTS,
            (Metric("x", "mean", REVENUE.variants, prior=normal_prior(mean=0, variance=1)),),
            "metrics[0].prior: only with the bayesian engine",
        ),
    ],
)
def test_bad_experiments_name_the_field(variants, metrics, message):
    with pytest.raises(ExperimentInputError) as caught:
        analyse(metrics=metrics, variants=variants)
    assert str(caught.value).startswith(message)


def test_metrics_with_their_own_direction_and_prior_equal_separate_batch_calls():
    # One vectorized call serves every metric; each must still get its own settings.
    cheap = Metric(
        "latency",
        "mean",
        REVENUE.variants,
        lower_is_better=True,
        prior=normal_prior(mean=0.02, variance=0.01, scale="relative"),
    )
    conversions = Metric(
        "signups",
        "proportion",
        SIGNUPS.variants,
        prior=normal_prior(mean=0.0, variance=1e-4, scale="absolute"),
    )
    analysis = analyse(
        metrics=(REVENUE, cheap, conversions), engine="bayesian", difference="absolute"
    )
    n = [3400, 3310, 3290]
    revenue = MetricSums(
        n=n, value=ColumnSums(sum=[1394.0, 1489.5, 1302.0], sum_squares=[52000.0, 58100.0, 49000.0])
    )
    signups = MetricSums(n=n, value=ColumnSums(sum=[340, 390, 333], kind="proportion"))
    separate = [
        compare_variants(revenue, AnalysisSettings(engine="bayesian", difference="absolute")),
        compare_variants(
            revenue,
            AnalysisSettings(
                engine="bayesian", difference="absolute", lower_is_better=True, prior=cheap.prior
            ),
        ),
        compare_variants(
            signups,
            AnalysisSettings(engine="bayesian", difference="absolute", prior=conversions.prior),
        ),
    ]
    for i, result in enumerate(analysis.results):
        alone = separate[i // 2]
        assert result.effect == float(alone.effect[i % 2])
        assert result.chance_to_win == float(alone.chance_to_win[i % 2])
        assert result.risk == (float(alone.risk_control[i % 2]), float(alone.risk_variant[i % 2]))
        assert result.ci == (float(alone.ci_low[i % 2]), float(alone.ci_high[i % 2]))
