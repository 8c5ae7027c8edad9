"""Holm-Bonferroni and Benjamini-Hochberg on worked examples computed by hand, and the
adjusted intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilothouse.engines.experiments import (
    AnalysisSettings,
    ColumnSums,
    MetricSums,
    adjust,
    adjusted_intervals,
    benjamini_hochberg,
    compare_variants,
    holm_bonferroni,
)


def test_holm_on_the_four_hypotheses_of_the_textbook_example():
    # p = 0.01, 0.04, 0.03, 0.005 at level 0.05 (the example of Holm's method on
    # Wikipedia). Sorted: 0.005, 0.01, 0.03, 0.04, multiplied by 4, 3, 2, 1:
    # 0.02, 0.03, 0.06, 0.04; then each raised to the largest before it: 0.02, 0.03,
    # 0.06, 0.06. H4 and H1 are rejected; the procedure stops at H3, so H2 is kept too.
    adjusted = holm_bonferroni([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02], rel=1e-12)
    assert list(adjusted < 0.05) == [True, False, False, True]


BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
           0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]  # fmt: skip


def test_benjamini_hochberg_on_the_fifteen_p_values_of_their_1995_paper():
    # Each p(i) times 15 / i, then lowered to the smallest value after it.
    by_rank = [p * 15 / i for i, p in enumerate(BH_1995, start=1)]
    assert by_rank[5] == pytest.approx(0.0695)  # 0.0278 x 15 / 6 ...
    assert by_rank[6] == pytest.approx(0.0638571, rel=1e-5)  # ... is above 0.0298 x 15 / 7
    expected = [
        0.0001 * 15 / 1,
        0.0004 * 15 / 2,
        0.0019 * 15 / 3,
        0.0095 * 15 / 4,
        0.0201 * 15 / 5,
        0.0298 * 15 / 7,  # rank 6 takes rank 7's smaller value
        0.0298 * 15 / 7,
        0.0344 * 15 / 8,
        0.0459 * 15 / 9,
        0.3240 * 15 / 10,
        0.4262 * 15 / 11,
        0.5719 * 15 / 12,
        0.6528 * 15 / 13,
        0.7590 * 15 / 14,
        1.0,
    ]
    adjusted = benjamini_hochberg(BH_1995)
    assert adjusted == pytest.approx(expected, rel=1e-12)
    # The paper's conclusion at q = 0.05: the four smallest are discoveries.
    assert int((adjusted <= 0.05).sum()) == 4


def test_order_of_the_input_does_not_matter():
    rng = np.random.default_rng(3)
    order = rng.permutation(len(BH_1995))
    shuffled = np.array(BH_1995)[order]
    assert benjamini_hochberg(shuffled) == pytest.approx(benjamini_hochberg(BH_1995)[order])
    assert holm_bonferroni(shuffled) == pytest.approx(holm_bonferroni(BH_1995)[order])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_adjusted_p_values_are_p_values_no_smaller_and_in_the_same_order(p):
    p = np.array(p)
    for adjusted in (holm_bonferroni(p), benjamini_hochberg(p)):
        assert ((adjusted >= p - 1e-15) & (adjusted <= 1)).all()
        order = np.argsort(p, kind="stable")
        assert (np.diff(adjusted[order]) >= -1e-15).all()
    # Holm is at least as strict as Benjamini-Hochberg, and at most Bonferroni.
    assert (holm_bonferroni(p) >= benjamini_hochberg(p) - 1e-15).all()
    assert (holm_bonferroni(p) <= np.minimum(p * len(p), 1) + 1e-15).all()


def test_corrections_run_along_the_last_axis_of_a_batch():
    rows = np.array([[0.01, 0.04, 0.03, 0.005], [0.2, 0.01, 0.5, 0.04]])
    batch = holm_bonferroni(rows)
    for row, adjusted in zip(rows, batch, strict=True):
        assert adjusted == pytest.approx(holm_bonferroni(row))


def test_an_adjusted_interval_is_the_one_the_adjusted_p_value_implies():
    # Effect 0.1 with an adjusted p-value of 0.02: the implied standard error is
    # 0.1 / z(0.99) = 0.1 / 2.326348 = 0.0429858, and the 95 % interval is 0.1 +-
    # 1.959964 x 0.0429858 = 0.1 +- 0.0842506.
    low, high = adjusted_intervals(
        effect=[0.1], ci_low=[0.02], ci_high=[0.18], p_adjusted=[0.02], alpha=0.05
    )
    assert float(low[0]) == pytest.approx(0.1 - 0.0842506, abs=1e-6)
    assert float(high[0]) == pytest.approx(0.1 + 0.0842506, abs=1e-6)


def test_an_adjusted_interval_is_never_narrower_and_unbounded_at_one():
    low, high = adjusted_intervals(
        effect=[0.1, 0.1, 0.0],
        ci_low=[-0.5, 0.02, -0.1],
        ci_high=[0.7, 0.18, 0.1],
        p_adjusted=[0.02, 1.0, 0.5],
        alpha=0.05,
    )
    assert list(low) == [-0.5, -np.inf, -0.1]
    assert list(high) == [0.7, np.inf, 0.1]


def test_a_batch_corrects_each_experiment_over_its_metrics_and_variants():
    rng = np.random.default_rng(11)
    n = rng.integers(800, 1200, size=(6, 4, 3)).astype(float)
    sums = n * rng.normal(5, 0.3, size=n.shape)
    squares = sums**2 / n + (n - 1) * 9.0
    out = compare_variants(
        MetricSums(n=n, value=ColumnSums(sum=sums, sum_squares=squares)), AnalysisSettings()
    )
    adjusted = adjust(out, method="holm-bonferroni", alpha=0.05, family_axes=2)
    assert adjusted.p_value.shape == (6, 4, 2)
    for experiment in range(6):
        flat = out.p_value[experiment].ravel()
        assert adjusted.p_value[experiment].ravel() == pytest.approx(holm_bonferroni(flat))
    assert (adjusted.ci_low <= out.ci_low).all()
    assert (adjusted.ci_high >= out.ci_high).all()
