"""The frequentist tests against gbstats on generated sums: effect, standard error, interval
and p-value of every variant, for mean, proportion, ratio and CUPED metrics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilothouse.engines.experiments import (
    AnalysisSettings,
    ColumnSums,
    MetricSums,
    compare_variants,
)
from tests.engines.experiments import oracle
from tests.engines.experiments.strategies import any_metric

alphas = st.sampled_from([0.01, 0.05, 0.1, 0.2])


def assert_matches(ours, index, theirs, *, p_abs=1e-14):
    se = float(ours.se[index])
    assert oracle.close(float(ours.effect[index]), theirs.expected, scale=se)
    assert oracle.close(se, theirs.uplift.stddev)
    assert oracle.close(float(ours.ci_low[index]), theirs.ci[0], scale=se)
    assert oracle.close(float(ours.ci_high[index]), theirs.ci[1], scale=se)
    # gbstats computes 1 - cdf: its tiny p-values are only accurate in absolute terms.
    assert math.isclose(float(ours.p_value[index]), theirs.p_value, rel_tol=1e-9, abs_tol=p_abs)
    assert (ours.issue[index] != 0) == (theirs.error_message is not None)


@pytest.mark.parametrize("difference", ["relative", "absolute"])
@settings(max_examples=150, deadline=None)
@given(sums=any_metric, alpha=alphas)
def test_two_sided_welch_test_matches_gbstats(difference, sums, alpha):
    ours = compare_variants(sums, AnalysisSettings(difference=difference, alpha=alpha))
    for arm in (1, 2):
        theirs = oracle.frequentist(sums, arm, difference=difference, alpha=alpha)
        assert_matches(ours, arm - 1, theirs)


@pytest.mark.parametrize("difference", ["relative", "absolute"])
@settings(max_examples=80, deadline=None)
@given(sums=any_metric, alpha=alphas)
def test_one_sided_greater_matches_gbstats(difference, sums, alpha):
    chosen = AnalysisSettings(difference=difference, alpha=alpha, alternative="greater")
    ours = compare_variants(sums, chosen)
    for arm in (1, 2):
        theirs = oracle.frequentist(
            sums, arm, difference=difference, alpha=alpha, alternative="greater"
        )
        assert_matches(ours, arm - 1, theirs)


@pytest.mark.parametrize("difference", ["relative", "absolute"])
@settings(max_examples=80, deadline=None)
@given(sums=any_metric, alpha=alphas)
def test_one_sided_less_matches_gbstats_p_value_and_mirrors_the_greater_bound(
    difference, sums, alpha
):
    less = compare_variants(
        sums, AnalysisSettings(difference=difference, alpha=alpha, alternative="less")
    )
    greater = compare_variants(
        sums, AnalysisSettings(difference=difference, alpha=alpha, alternative="greater")
    )
    for arm in (1, 2):
        i = arm - 1
        theirs = oracle.frequentist(
            sums, arm, difference=difference, alpha=alpha, alternative="less"
        )
        se = float(less.se[i])
        assert oracle.close(float(less.effect[i]), theirs.expected, scale=se)
        assert math.isclose(float(less.p_value[i]), theirs.p_value, rel_tol=1e-9, abs_tol=1e-14)
        assert less.ci_low[i] == -math.inf or less.issue[i] != 0
        # The upper bound sits as far above the effect as the greater test's lower bound
        # sits below it (gbstats subtracts the width here, which is a slip of sign).
        width = float(less.effect[i] - greater.ci_low[i])
        assert oracle.close(float(less.ci_high[i]), float(less.effect[i]) + width, scale=se)


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
@pytest.mark.parametrize("difference", ["relative", "absolute"])
@settings(max_examples=100, deadline=None)
@given(sums=any_metric, alpha=alphas, tuning=st.sampled_from([500.0, 5000.0, 50_000.0]))
def test_sequential_confidence_sequence_matches_gbstats(difference, sums, alpha, tuning):
    chosen = AnalysisSettings(difference=difference, alpha=alpha, sequential_tuning=tuning)
    ours = compare_variants(sums, chosen)
    for arm in (1, 2):
        theirs = oracle.frequentist(sums, arm, difference=difference, alpha=alpha, tuning=tuning)
        assert_matches(ours, arm - 1, theirs, p_abs=1e-15)


def test_the_documented_example_matches_gbstats_to_the_last_digits():
    sums = MetricSums(
        n=[3407, 3461],
        value=ColumnSums(sum=[1396.87, 2422.7], sum_squares=[52377.9767, 134698.29]),
    )
    ours = compare_variants(sums, AnalysisSettings())
    theirs = oracle.frequentist(sums, 1, difference="relative")
    assert float(ours.effect[0]) == pytest.approx(0.7073170731707317, rel=1e-12)
    assert float(ours.p_value[0]) == pytest.approx(0.0619118274561836, rel=1e-9)
    assert_matches(ours, 0, theirs)
