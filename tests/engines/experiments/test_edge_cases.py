"""Comparisons that cannot be made: a zero control mean, no variance, a single unit. The
engine answers what gbstats answers (an effect of 0, a CI of [0, 0], a p-value of 1 or a
chance to win of 0.5), says why, and never returns NaN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pilothouse.engines.experiments import (
    AnalysisSettings,
    ColumnSums,
    Issue,
    MetricSums,
    compare_variants,
    normal_prior,
)
from pilothouse.engines.experiments.issues import issue_from_code
from tests.engines.experiments import oracle


def mean_sums(n, sums, squares):
    return MetricSums(n=n, value=ColumnSums(sum=sums, sum_squares=squares))


CASES = {
    # No conversions at all in the control: its mean and its variance are 0.
    "proportion_zero_control": MetricSums(
        n=[500, 500], value=ColumnSums(sum=[0.0, 12.0], kind="proportion")
    ),
    # Values of +-1 that cancel: the mean is 0, the variance is not.
    "mean_zero_control_with_spread": mean_sums([100, 100], [0.0, 20.0], [100.0, 160.0]),
    # Every unit of the variant has the value 5.
    "constant_variant": mean_sums([100, 100], [450.0, 500.0], [2500.0, 2500.0]),
    "single_unit_variant": mean_sums([100, 1], [450.0, 7.0], [2500.0, 49.0]),
    "ratio_zero_control_denominator": MetricSums(
        n=[50, 50],
        value=ColumnSums(sum=[0.0, 30.0], sum_squares=[0.0, 40.0]),
        denominator=ColumnSums(sum=[0.0, 60.0], sum_squares=[0.0, 90.0]),
        value_denominator_products=[0.0, 45.0],
    ),
}
EXPECTED = {
    ("proportion_zero_control", "relative"): Issue.ZERO_CONTROL_MEAN,
    ("proportion_zero_control", "absolute"): Issue.ZERO_CONTROL_MEAN,
    ("mean_zero_control_with_spread", "relative"): Issue.ZERO_CONTROL_MEAN,
    ("mean_zero_control_with_spread", "absolute"): Issue.ZERO_CONTROL_MEAN,
    ("constant_variant", "relative"): Issue.ZERO_VARIANCE,
    ("constant_variant", "absolute"): Issue.ZERO_VARIANCE,
    ("single_unit_variant", "relative"): Issue.TOO_FEW_UNITS,
    ("single_unit_variant", "absolute"): Issue.TOO_FEW_UNITS,
    ("ratio_zero_control_denominator", "relative"): Issue.ZERO_CONTROL_MEAN,
    ("ratio_zero_control_denominator", "absolute"): Issue.ZERO_CONTROL_MEAN,
}


def finite(comparisons) -> bool:
    arrays = [value for value in vars(comparisons).values() if isinstance(value, np.ndarray)]
    return all(np.isfinite(array).all() for array in arrays)


@pytest.mark.parametrize(("case", "difference"), list(EXPECTED))
def test_frequentist_answers_as_gbstats_and_names_the_reason(case, difference):
    sums = CASES[case]
    ours = compare_variants(sums, AnalysisSettings(difference=difference))
    theirs = oracle.frequentist(sums, 1, difference=difference)
    assert issue_from_code(ours.issue[0]) == EXPECTED[(case, difference)]
    assert theirs.error_message is not None
    assert (float(ours.effect[0]), float(ours.se[0])) == (theirs.expected, theirs.uplift.stddev)
    assert [float(ours.ci_low[0]), float(ours.ci_high[0])] == theirs.ci == [0, 0]
    assert float(ours.p_value[0]) == theirs.p_value == 1
    assert finite(ours)


@pytest.mark.parametrize(("case", "difference"), list(EXPECTED))
def test_bayesian_answers_as_gbstats(case, difference):
    sums = CASES[case]
    ours = compare_variants(sums, AnalysisSettings(engine="bayesian", difference=difference))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = oracle.bayesian(sums, 1, difference=difference)
    assert finite(ours)
    assert (ours.issue[0] != 0) == (theirs.error_message is not None)
    if theirs.error_message is None:
        # An absolute effect needs no control mean: gbstats goes on, and so do we.
        assert case == "mean_zero_control_with_spread"
        assert difference == "absolute"
        assert float(ours.effect[0]) == pytest.approx(theirs.expected, rel=1e-12)
        assert float(ours.chance_to_win[0]) == pytest.approx(theirs.chance_to_win, rel=1e-12)
        return
    assert float(ours.effect[0]) == theirs.expected == 0
    assert [float(ours.ci_low[0]), float(ours.ci_high[0])] == theirs.ci
    assert float(ours.chance_to_win[0]) == theirs.chance_to_win == 0.5
    assert [float(ours.risk_control[0]), float(ours.risk_variant[0])] == theirs.risk == [0, 0]


def test_a_relative_prior_on_an_absolute_effect_with_a_zero_control_mean_is_an_issue():
    # The prior is rescaled by the control's mean: with a mean of 0 it has no spread.
    # gbstats divides by that zero; we say why the effect cannot be estimated.
    sums = CASES["mean_zero_control_with_spread"]
    prior = normal_prior(mean=0.0, variance=0.04)
    ours = compare_variants(
        sums, AnalysisSettings(engine="bayesian", difference="absolute", prior=prior)
    )
    assert issue_from_code(ours.issue[0]) == Issue.ZERO_CONTROL_MEAN
    assert finite(ours)
    with pytest.raises(ZeroDivisionError):
        oracle.bayesian(sums, 1, difference="absolute", prior=prior)


def test_an_issue_in_one_variant_leaves_the_others_alone():
    sums = mean_sums([100, 100, 100], [450.0, 500.0, 520.0], [2500.0, 2500.0, 3000.0])
    ours = compare_variants(sums, AnalysisSettings())
    assert [issue_from_code(code) for code in ours.issue] == [Issue.ZERO_VARIANCE, None]
    theirs = oracle.frequentist(sums, 2, difference="relative")
    assert float(ours.p_value[1]) == pytest.approx(theirs.p_value, rel=1e-9)


def test_cuped_with_a_constant_covariate_is_the_plain_analysis():
    plain = mean_sums([400, 420], [812.0, 901.0], [2400.0, 2700.0])
    constant = MetricSums(
        n=[400, 420],
        value=ColumnSums(sum=[812.0, 901.0], sum_squares=[2400.0, 2700.0]),
        covariate=ColumnSums(sum=[1200.0, 1260.0], sum_squares=[3600.0, 3780.0]),
        value_covariate_products=[3 * 812.0, 3 * 901.0],
    )
    for engine in ("frequentist", "bayesian"):
        chosen = AnalysisSettings(engine=engine)
        a, b = compare_variants(plain, chosen), compare_variants(constant, chosen)
        assert float(a.effect[0]) == float(b.effect[0])
        assert float(a.ci_low[0]) == float(b.ci_low[0])
        assert float(a.se[0]) == float(b.se[0])


def test_explanations_are_sentences_for_every_issue():
    for issue in Issue:
        assert len(issue.explanation.split()) > 5
