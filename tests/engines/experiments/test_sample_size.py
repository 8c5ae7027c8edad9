"""Sample sizes against textbook worked examples, and against simulation: experiments of
the planned size, analysed by the engine, detect the effect as often as promised."""

from __future__ import annotations

import numpy as np
import pytest

from pilothouse.engines.experiments import (
    AnalysisSettings,
    Baseline,
    ColumnSums,
    ExperimentInputError,
    MetricSums,
    compare_variants,
    minimum_detectable_effect,
    power_of,
    sample_size,
)


def test_two_proportions_as_in_chow_shao_and_wang():
    # Chow, Shao & Wang, Sample Size Calculations in Clinical Research, two-sample test
    # of proportions: p1 = 0.65, p2 = 0.85, alpha 0.05 two-sided, power 80 %:
    # n = (1.96 + 0.84)^2 (0.65 x 0.35 + 0.85 x 0.15) / 0.2^2 = 69.6, so 70 per group.
    plan = sample_size(baseline=Baseline("proportion", 0.65), mde=0.2, difference="absolute")
    assert plan.units_per_variant == (70, 70)
    assert plan.total_units == 140
    assert plan.power == pytest.approx(0.80, abs=0.01)


def test_two_means_by_hand():
    # sigma 0.1, a difference of 0.05, alpha 0.05 two-sided, power 80 %:
    # n = (1.959964 + 0.841621)^2 x 2 x 0.1^2 / 0.05^2 = 62.79, so 63 per group.
    plan = sample_size(baseline=Baseline("mean", 1.0, sd=0.1), mde=0.05, difference="absolute")
    assert plan.units_per_variant == (63, 63)


def test_one_sided_needs_fewer_units_and_uneven_splits_more():
    baseline = Baseline("proportion", 0.1)
    even = sample_size(baseline=baseline, mde=0.1)
    one_sided = sample_size(baseline=baseline, mde=0.1, two_sided=False)
    # (z(0.95) + z(0.8))^2 / (z(0.975) + z(0.8))^2 = 6.183 / 7.849
    assert one_sided.total_units / even.total_units == pytest.approx(6.183 / 7.849, rel=2e-3)
    uneven = sample_size(baseline=baseline, mde=0.1, weights=(0.8, 0.2))
    assert uneven.total_units > even.total_units
    assert uneven.units_per_variant[0] == pytest.approx(4 * uneven.units_per_variant[1], rel=1e-3)


def test_duration_is_the_total_over_the_daily_traffic_rounded_up():
    plan = sample_size(
        baseline=Baseline("proportion", 0.1), mde=0.02, difference="absolute", daily_units=1000
    )
    assert plan.units_per_variant == (3839, 3839)
    assert plan.days == 8  # 7,678 units at 1,000 a day


def test_the_minimum_detectable_effect_inverts_the_sample_size():
    baseline = Baseline("mean", 12.0, sd=30.0)
    plan = sample_size(baseline=baseline, mde=0.05, weights=(0.5, 0.25, 0.25))
    # Rounding each arm up makes the plan a little larger than needed.
    found = minimum_detectable_effect(
        baseline=baseline, total_units=plan.total_units, weights=(0.5, 0.25, 0.25)
    )
    assert found == pytest.approx(0.05, rel=1e-3)
    assert found <= 0.05


def simulated_power(baseline_rate, treated_rate, n, *, experiments, seed) -> float:
    rng = np.random.default_rng(seed)
    conversions = np.stack(
        [rng.binomial(n, baseline_rate, experiments), rng.binomial(n, treated_rate, experiments)],
        axis=-1,
    ).astype(float)
    sums = MetricSums(
        n=np.full_like(conversions, n), value=ColumnSums(sum=conversions, kind="proportion")
    )
    out = compare_variants(sums, AnalysisSettings(difference="relative"))
    return float((out.p_value[:, 0] < 0.05).mean())


def test_simulated_experiments_of_the_planned_size_reach_the_planned_power():
    # A 10 % conversion rate, a relative lift of 10 % to detect: the plan, then 4,000
    # simulated experiments of that size with that lift, each analysed by the engine.
    baseline = Baseline("proportion", 0.10)
    plan = sample_size(baseline=baseline, mde=0.10)
    n = plan.units_per_variant[0]
    observed = simulated_power(0.10, 0.11, n, experiments=4000, seed=12)
    standard_error = (0.8 * 0.2 / 4000) ** 0.5
    assert abs(observed - plan.power) < 4 * standard_error
    # With half the units the shift is 2.8016 / sqrt(2) = 1.981 standard errors, and the
    # power Phi(1.981 - 1.960) = 0.508: simulation agrees again.
    half = power_of(baseline=baseline, mde=0.10, units=(n // 2, n // 2))
    assert half == pytest.approx(0.51, abs=0.02)
    observed_half = simulated_power(0.10, 0.11, n // 2, experiments=4000, seed=13)
    assert abs(observed_half - half) < 4 * (0.25 / 4000) ** 0.5


def test_simulated_mean_metric_reaches_the_planned_power():
    rng = np.random.default_rng(5)
    baseline = Baseline("mean", 20.0, sd=8.0)
    plan = sample_size(baseline=baseline, mde=0.05)  # a 5 % lift of the mean
    n = plan.units_per_variant[0]
    experiments = 3000
    control = rng.normal(20.0, 8.0, size=(experiments, n))
    treated = rng.normal(21.0, 8.0, size=(experiments, n))
    sums = np.stack([control.sum(axis=1), treated.sum(axis=1)], axis=-1)
    squares = np.stack([(control**2).sum(axis=1), (treated**2).sum(axis=1)], axis=-1)
    out = compare_variants(
        MetricSums(n=np.full_like(sums, n), value=ColumnSums(sum=sums, sum_squares=squares)),
        AnalysisSettings(),
    )
    observed = float((out.p_value[:, 0] < 0.05).mean())
    assert abs(observed - plan.power) < 4 * (0.8 * 0.2 / experiments) ** 0.5


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"baseline": Baseline("mean", 0.0, sd=1.0), "mde": 0.1}, "baseline_mean"),
        ({"baseline": Baseline("mean", 1.0), "mde": 0.1}, "baseline_sd"),
        ({"baseline": Baseline("proportion", 1.2), "mde": 0.1}, "baseline_mean"),
        ({"baseline": Baseline("proportion", 0.6), "mde": 0.9}, "mde"),
        ({"baseline": Baseline("proportion", 0.1), "mde": 0.0}, "mde"),
        ({"baseline": Baseline("proportion", 0.1), "mde": 0.1, "power": 0.01}, "power"),
        ({"baseline": Baseline("proportion", 0.1), "mde": 0.1, "weights": (0.5, 0.4)}, "weights"),
        ({"baseline": Baseline("proportion", 0.1), "mde": 0.1, "daily_units": 0}, "daily_units"),
    ],
)
def test_bad_plans_are_refused(arguments, field):
    with pytest.raises(ExperimentInputError) as caught:
        sample_size(**arguments)
    assert caught.value.field == field


def test_too_few_units_for_any_effect_is_said():
    with pytest.raises(ExperimentInputError, match="too few"):
        minimum_detectable_effect(baseline=Baseline("mean", 1.0, sd=100.0), total_units=4)
