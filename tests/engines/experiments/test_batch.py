"""The batch API: many experiments in one call give what one call per experiment gives;
CUPED reduces variance; the risk stays accurate in the far tails."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilothouse.engines.experiments import (
    AnalysisSettings,
    ColumnSums,
    MetricSums,
    compare_variants,
)
from pilothouse.engines.experiments.bayesian import expected_losses
from tests.engines.experiments.strategies import cuped_metric, ratio_metric

FIELDS = (
    "effect",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "chance_to_win",
    "risk_control",
    "risk_variant",
    "control_mean",
    "variant_mean",
    "issue",
)


def stack(metrics: list[MetricSums]) -> MetricSums:
    """Metrics of one kind stacked on a new leading axis."""

    def column(get):
        first = get(metrics[0])
        if first is None:
            return None
        return ColumnSums(
            sum=np.stack([get(m).sum for m in metrics]),
            sum_squares=np.stack([get(m).sum_squares for m in metrics]),
            kind=first.kind,
        )

    def products(name):
        return (
            None
            if getattr(metrics[0], name) is None
            else np.stack([getattr(m, name) for m in metrics])
        )

    return MetricSums(
        n=np.stack([m.n for m in metrics]),
        value=column(lambda m: m.value),
        denominator=column(lambda m: m.denominator),
        value_denominator_products=products("value_denominator_products"),
        covariate=column(lambda m: m.covariate),
        value_covariate_products=products("value_covariate_products"),
    )


def assert_same(batch, index, single):
    for name in FIELDS:
        ours, alone = getattr(batch, name), getattr(single, name)
        if ours is None:
            assert alone is None
            continue
        np.testing.assert_array_equal(ours[index], alone)


@pytest.mark.parametrize("engine", ["frequentist", "bayesian"])
@settings(max_examples=25, deadline=None)
@given(metrics=st.lists(st.one_of(ratio_metric(), cuped_metric()), min_size=4, max_size=4))
def test_a_batch_equals_one_call_per_experiment(engine, metrics):
    chosen = AnalysisSettings(engine=engine)
    ratios = [m for m in metrics if m.is_ratio]
    cuped = [m for m in metrics if m.is_cuped]
    for group in (ratios, cuped):
        if not group:
            continue
        batch = compare_variants(stack(group), chosen)
        assert batch.effect.shape == (len(group), 2)
        for i, metric in enumerate(group):
            assert_same(batch, i, compare_variants(metric, chosen))


def test_a_thousand_experiments_of_five_metrics_in_one_call():
    rng = np.random.default_rng(1)
    n = rng.integers(1000, 5000, size=(1000, 5, 3)).astype(float)
    sums = n * rng.normal(10, 1, size=n.shape)
    squares = sums**2 / n + (n - 1) * rng.uniform(20, 40, size=n.shape)
    metric = MetricSums(n=n, value=ColumnSums(sum=sums, sum_squares=squares))
    out = compare_variants(metric, AnalysisSettings(engine="bayesian"))
    assert out.effect.shape == (1000, 5, 2)
    single = compare_variants(
        MetricSums(n=n[617, 3], value=ColumnSums(sum=sums[617, 3], sum_squares=squares[617, 3])),
        AnalysisSettings(engine="bayesian"),
    )
    assert_same(out, (617, 3), single)


def test_cuped_narrows_the_interval_when_the_covariate_predicts_the_metric():
    rng = np.random.default_rng(8)
    pre = rng.gamma(2.0, 10.0, size=(2, 5000))
    post = 0.9 * pre + rng.normal(0, 4.0, size=pre.shape)
    post[1] += 0.8  # the variant's lift
    value = ColumnSums(sum=post.sum(axis=1), sum_squares=(post**2).sum(axis=1))
    plain = compare_variants(MetricSums(n=[5000, 5000], value=value), AnalysisSettings())
    adjusted = compare_variants(
        MetricSums(
            n=[5000, 5000],
            value=value,
            covariate=ColumnSums(sum=pre.sum(axis=1), sum_squares=(pre**2).sum(axis=1)),
            value_covariate_products=(pre * post).sum(axis=1),
        ),
        AnalysisSettings(),
    )
    # A correlation near 0.97 leaves about 1 - 0.97^2 of the variance: a far narrower CI.
    assert float(adjusted.se[0]) < 0.35 * float(plain.se[0])
    assert float(adjusted.p_value[0]) < float(plain.p_value[0])
    assert adjusted.control_mean[0] == plain.control_mean[0]  # means shown unadjusted


def reference_small_risk(z: Decimal, sigma: Decimal) -> Decimal:
    """sigma (phi(z) - z Phi(-z)) for z > 0 at 60 digits, Phi(-z) through the continued
    fraction of Mills' ratio: the expected loss on the unlikely side."""
    getcontext().prec = 60
    tail = Decimal(0)
    for k in range(600, 0, -1):
        tail = Decimal(k) / (z + tail)
    mills = 1 / (z + tail)
    pi = Decimal("3.14159265358979323846264338327950288419716939937510")
    density = (-(z * z) / 2).exp() / (2 * pi).sqrt()
    return sigma * density * (1 - z * mills)


@pytest.mark.parametrize("z", [1.5, 4.0, 8.0, 12.0])
def test_the_risk_is_accurate_far_into_the_tail(z):
    sigma = 1.7
    ctrl, variant = expected_losses(np.array([z * sigma]), np.array([sigma]))
    exact = float(reference_small_risk(Decimal(z), Decimal(sigma)))
    assert float(variant[0]) == pytest.approx(exact, rel=1e-9)
    # The likely side is the mean plus the unlikely side's loss.
    assert float(ctrl[0]) == pytest.approx(z * sigma + exact, rel=1e-12)
