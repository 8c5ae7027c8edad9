"""Welch's t-test on the absolute or relative effect of each variant against the control.

The effect is mean_b - mean_a, or (mean_b - mean_a) / mean_a (relative) with the delta
method's variance var_b / (mu_a^2 n_b) + var_a mu_b^2 / (mu_a^4 n_a) (mu the unadjusted
means); absolute, var_a / n_a + var_b / n_b. Degrees of freedom by Welch-Satterthwaite on
the per-unit variances. Two-sided by default; one-sided (the variant greater, or less,
than the control) on request; or a confidence sequence (see sequential.py). All as in
gbstats' frequentist tests, except two deliberate differences: p-values come from the
survival function (precise below 1e-12, where 1 - cdf gives 0), and the one-sided
"less" interval's upper bound is effect + width (gbstats writes effect - width).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from pilothouse.engines.experiments.inputs import FloatArray
from pilothouse.engines.experiments.issues import NONE, IssueCodes, comparison_issues
from pilothouse.engines.experiments.sequential import confidence_sequence
from pilothouse.engines.experiments.statistics import VariantStatistics

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")


@dataclass(frozen=True, eq=False)
class FrequentistArrays:
    """One element per comparison. Unbounded ends of one-sided intervals are +-inf."""

    effect: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    p_value: FloatArray
    issue: IssueCodes


def effect_and_variance(
    control: VariantStatistics, variant: VariantStatistics, *, relative: bool
) -> tuple[FloatArray, FloatArray]:
    """The effect estimate and the variance of that estimate (delta method if relative)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if relative:
            base = control.unadjusted_mean
            effect = (variant.mean - control.mean) / base
            variance = variant.variance / (base**2 * variant.n) + control.variance * (
                variant.unadjusted_mean**2
            ) / (base**4 * control.n)
        else:
            effect = variant.mean - control.mean
            variance = variant.variance / variant.n + control.variance / control.n
    return effect, variance


def welch_dof(control: VariantStatistics, variant: VariantStatistics) -> FloatArray:
    a = control.variance / control.n
    b = variant.variance / variant.n
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a + b) ** 2 / (b**2 / (variant.n - 1) + a**2 / (control.n - 1))


def t_test(
    control: VariantStatistics,
    variant: VariantStatistics,
    *,
    relative: bool,
    alpha: float,
    alternative: Alternative = "two-sided",
    sequential_tuning: float | None = None,
) -> FrequentistArrays:
    issue = comparison_issues(control, variant, zero_mean_matters=True)
    effect, variance = effect_and_variance(control, variant, relative=relative)
    valid = issue == NONE
    # Invalid comparisons get harmless numbers before the distributions see them.
    variance = np.where(valid, variance, 1.0)
    effect = np.where(valid, effect, 0.0)
    se = np.sqrt(variance)
    if sequential_tuning is not None:
        units = np.broadcast_to(control.n + variant.n, effect.shape)
        width, p_value = confidence_sequence(
            effect=effect, variance=variance, units=units, alpha=alpha, tuning=sequential_tuning
        )
        low, high = effect - width, effect + width
    else:
        dof = np.where(valid, welch_dof(control, variant), 1.0)
        t = effect / se
        if alternative == "two-sided":
            p_value = 2 * stats.t.sf(np.abs(t), dof)
            width = stats.t.ppf(1 - alpha / 2, dof) * se
            low, high = effect - width, effect + width
        else:
            width = stats.t.ppf(1 - alpha, dof) * se
            if alternative == "greater":
                p_value = stats.t.sf(t, dof)
                low, high = effect - width, np.full_like(effect, np.inf)
            else:
                p_value = stats.t.cdf(t, dof)
                low, high = np.full_like(effect, -np.inf), effect + width
    return FrequentistArrays(
        effect=effect,
        se=np.where(valid, se, 0.0),
        ci_low=np.where(valid, low, 0.0),
        ci_high=np.where(valid, high, 0.0),
        p_value=np.where(valid, p_value, 1.0),
        issue=issue,
    )
