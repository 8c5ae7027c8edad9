"""Bad input is refused with ExperimentInputError naming the element and saying why."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pilothouse.engines.experiments import (
    AnalysisSettings,
    ColumnSums,
    ExperimentInputError,
    MetricSums,
    Prior,
    compare_variants,
    normal_prior,
)

GOOD_N = [100, 110, 90]
GOOD_SUM = [50.0, 60.0, 40.0]
GOOD_SQUARES = [80.0, 95.0, 70.0]


def means(n=GOOD_N, sums=GOOD_SUM, squares=GOOD_SQUARES) -> MetricSums:
    return MetricSums(n=n, value=ColumnSums(sum=sums, sum_squares=squares))


def refused(sums: MetricSums, settings: AnalysisSettings | None = None) -> ExperimentInputError:
    with pytest.raises(ExperimentInputError) as caught:
        compare_variants(sums, settings or AnalysisSettings())
    return caught.value


def test_the_error_is_a_value_error_with_the_field_and_the_reason():
    error = refused(means(n=[100, 0, 90]))
    assert isinstance(error, ValueError)
    assert error.field == "variants[1].n"
    assert error.reason == "must be at least 1 (got 0)"
    assert str(error) == "variants[1].n: must be at least 1 (got 0)"


@pytest.mark.parametrize(
    ("sums", "message"),
    [
        (means(n=[100, 110, -5]), "variants[2].n: must be at least 1 (got -5)"),
        (means(n=[100, 10.5, 90]), "variants[1].n: must be a whole number (got 10.5)"),
        (means(sums=[50.0, math.nan, 40.0]), "variants[1].sum: must be a finite number"),
        (means(squares=[80.0, math.inf, 70.0]), "variants[1].sum_squares: must be a finite"),
        (means(squares=[80.0, 95.0, -1.0]), "variants[2].sum_squares: must not be negative"),
        # 40^2 / 90 = 17.8 > 10: no data has this mean and this sum of squares.
        (means(squares=[80.0, 95.0, 10.0]), "variants[2].sum_squares: is smaller than sum^2 / n"),
        (means(n=[100], sums=[50.0], squares=[80.0]), "variants: at least 2 are needed"),
    ],
)
def test_bad_sums_name_the_variant_and_field(sums, message):
    assert str(refused(sums)).startswith(message)


def test_a_variance_below_zero_by_rounding_only_is_accepted():
    # sum^2 / n = 1,000 exactly; a sum of squares rounded down in the 12th digit is fine.
    sums = means(n=[10, 10], sums=[100.0, 100.0], squares=[1000.0 * (1 - 1e-12), 1500.0])
    out = compare_variants(sums, AnalysisSettings())
    assert out.issue[0] != 0  # the control has no variance left: an issue, not an error


def test_a_proportion_above_its_units_is_refused():
    sums = MetricSums(n=[100, 100], value=ColumnSums(sum=[10.0, 101.0], kind="proportion"))
    assert str(refused(sums)).startswith(
        "variants[1].sum: must be between 0 and n for a proportion (got 101)"
    )


def test_a_mean_needs_its_sum_of_squares():
    sums = MetricSums(n=[100, 100], value=ColumnSums(sum=[10.0, 11.0]))
    assert refused(sums).field == "sum_squares"


def test_batch_errors_give_the_position_in_the_batch():
    n = np.full((4, 5, 3), 100.0)
    n[2, 3, 1] = 0
    sums = MetricSums(
        n=n, value=ColumnSums(sum=np.full((4, 5, 3), 50.0), sum_squares=np.full((4, 5, 3), 80.0))
    )
    assert refused(sums).field == "[2, 3] variants[1].n"


def test_cross_products_no_data_could_give_are_refused():
    # Centred sums of squares of 10 and 10 allow a centred cross product of at most 10.
    sums = MetricSums(
        n=[10, 10],
        value=ColumnSums(sum=[10.0, 10.0], sum_squares=[20.0, 20.0]),
        covariate=ColumnSums(sum=[10.0, 10.0], sum_squares=[20.0, 20.0]),
        value_covariate_products=[15.0, 25.0],
    )
    assert str(refused(sums)).startswith("variants[1].sum_covariate_products: is not consistent")


def test_a_ratio_metric_cannot_also_use_cuped():
    column = ColumnSums(sum=[10.0, 10.0], sum_squares=[20.0, 20.0])
    sums = MetricSums(
        n=[10, 10],
        value=column,
        denominator=column,
        value_denominator_products=[12.0, 12.0],
        covariate=column,
        value_covariate_products=[12.0, 12.0],
    )
    assert refused(sums).field == "covariate"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (AnalysisSettings(alpha=0.0), "alpha"),
        (AnalysisSettings(alpha=1.0), "alpha"),
        (AnalysisSettings(engine="bayes"), "engine"),  # type: ignore[arg-type]
        (AnalysisSettings(difference="ratio"), "difference"),  # type: ignore[arg-type]
        (AnalysisSettings(alternative="both"), "alternative"),  # type: ignore[arg-type]
        (AnalysisSettings(engine="bayesian", sequential_tuning=5000.0), "sequential"),
        (AnalysisSettings(engine="bayesian", alternative="greater"), "alternative"),
        (AnalysisSettings(engine="bayesian", correction="holm-bonferroni"), "correction"),
        (AnalysisSettings(sequential_tuning=0.0), "sequential_tuning"),
        (AnalysisSettings(sequential_tuning=5000.0, alternative="less"), "sequential"),
        (AnalysisSettings(prior=normal_prior(mean=0, variance=1)), "prior"),
        (
            AnalysisSettings(engine="bayesian", prior=normal_prior(mean=0, variance=0)),
            "prior.variance",
        ),
        (AnalysisSettings(engine="bayesian", prior=Prior(mean=math.nan)), "prior.mean"),
        (AnalysisSettings(correction="bonferroni"), "correction"),  # type: ignore[arg-type]
    ],
)
def test_bad_settings_name_the_setting(settings, field):
    assert refused(means(), settings).field == field
