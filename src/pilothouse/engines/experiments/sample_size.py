"""How many units (and days) an experiment needs to detect a minimum effect.

For the test the engine runs (Welch's t on the absolute effect, or on the relative one
with the delta method's variance), in its large-sample normal form. With N units in
all, a share w_a in the control and w_b in a variant, the variance of the effect
estimate is K / N, where

    absolute:  K = s_b^2 / w_b + s_a^2 / w_a
    relative:  K = s_b^2 / (m_a^2 w_b) + s_a^2 m_b^2 / (m_a^4 w_a)

(m the means, m_b = m_a (1 + mde) or m_a + mde; s^2 the per-unit variances: the given
standard deviation squared for a mean metric, assumed the same in both arms, and
p (1 - p) in each arm for a proportion). Detecting an effect of mde with power 1 - beta
at level alpha needs

    N = (z(1 - alpha / 2) + z(1 - beta))^2 K / mde^2      (alpha, not alpha / 2, one-sided)

for every variant against the control; the largest N wins, and each arm gets
ceil(N w_i) units. `days` divides the total by the units entering per day. The power
reported is the normal approximation's, both tails counted, at the rounded sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scipy import optimize, stats

from pilothouse.engines.experiments.inputs import ExperimentInputError
from pilothouse.engines.experiments.srm import check_weights

Difference = Literal["relative", "absolute"]


@dataclass(frozen=True)
class SamplePlan:
    units_per_variant: tuple[int, ...]  # control first
    total_units: int
    days: int | None
    power: float  # the lowest across the variants, at these sizes


@dataclass(frozen=True)
class Baseline:
    """The control's per-unit mean and, for a mean metric, its standard deviation."""

    metric_type: Literal["mean", "proportion"]
    mean: float
    sd: float | None = None

    def check(self) -> None:
        if not math.isfinite(self.mean):
            raise ExperimentInputError("baseline_mean", "must be a finite number")
        if self.metric_type == "proportion":
            if not 0 < self.mean < 1:
                raise ExperimentInputError("baseline_mean", "must be between 0 and 1 (a rate)")
        elif self.metric_type == "mean":
            if self.sd is None or not (math.isfinite(self.sd) and self.sd > 0):
                raise ExperimentInputError("baseline_sd", "must be greater than 0")
        else:
            raise ExperimentInputError("metric_type", "must be mean or proportion")

    def variance(self, mean: float) -> float:
        if self.metric_type == "proportion":
            if not 0 < mean < 1:
                raise ExperimentInputError(
                    "mde", f"takes the rate out of (0, 1) (to {mean:.4g}), choose a smaller one"
                )
            return mean * (1 - mean)
        assert self.sd is not None
        return self.sd**2


def variance_factor(
    baseline: Baseline, *, mde: float, difference: Difference, w_control: float, w_variant: float
) -> float:
    """K: N times the variance of the effect estimate when the true effect is mde."""
    mean_a = baseline.mean
    mean_b = mean_a * (1 + mde) if difference == "relative" else mean_a + mde
    var_a, var_b = baseline.variance(mean_a), baseline.variance(mean_b)
    if difference == "relative":
        return var_b / (mean_a**2 * w_variant) + var_a * mean_b**2 / (mean_a**4 * w_control)
    return var_b / w_variant + var_a / w_control


def sample_size(
    *,
    baseline: Baseline,
    mde: float,
    difference: Difference = "relative",
    alpha: float = 0.05,
    power: float = 0.8,
    weights: Sequence[float] = (0.5, 0.5),
    two_sided: bool = True,
    daily_units: float | None = None,
) -> SamplePlan:
    shares = _check(baseline, mde, difference, alpha, power, weights)
    if daily_units is not None and not (math.isfinite(daily_units) and daily_units > 0):
        raise ExperimentInputError("daily_units", "must be greater than 0")
    z = stats.norm.ppf(1 - alpha / (2 if two_sided else 1)) + stats.norm.ppf(power)
    needed = max(
        z**2
        * variance_factor(
            baseline, mde=mde, difference=difference, w_control=shares[0], w_variant=share
        )
        / mde**2
        for share in shares[1:]
    )
    units = tuple(math.ceil(needed * share - 1e-9) for share in shares)
    total = sum(units)
    achieved = min(
        power_of(
            baseline=baseline,
            mde=mde,
            difference=difference,
            alpha=alpha,
            units=(units[0], n),
            two_sided=two_sided,
        )
        for n in units[1:]
    )
    days = math.ceil(total / daily_units - 1e-9) if daily_units is not None else None
    return SamplePlan(units_per_variant=units, total_units=total, days=days, power=achieved)


def power_of(
    *,
    baseline: Baseline,
    mde: float,
    units: tuple[float, float],
    difference: Difference = "relative",
    alpha: float = 0.05,
    two_sided: bool = True,
) -> float:
    """The chance of a significant result with units (control, variant) if the effect is mde."""
    n_a, n_b = units
    total = n_a + n_b
    factor = variance_factor(
        baseline, mde=mde, difference=difference, w_control=n_a / total, w_variant=n_b / total
    )
    shift = abs(mde) / math.sqrt(factor / total)
    if not two_sided:
        return float(stats.norm.cdf(shift - stats.norm.ppf(1 - alpha)))
    z = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z))


def minimum_detectable_effect(
    *,
    baseline: Baseline,
    total_units: int,
    difference: Difference = "relative",
    alpha: float = 0.05,
    power: float = 0.8,
    weights: Sequence[float] = (0.5, 0.5),
    two_sided: bool = True,
) -> float:
    """The smallest upward effect detected with this power by total_units units."""
    shares = _check(
        baseline,
        1.0 if difference == "relative" else 0.0,
        difference,
        alpha,
        power,
        weights,
        check_mde=False,
    )
    if total_units < 2:
        raise ExperimentInputError("total_units", "must be at least 2")
    z = stats.norm.ppf(1 - alpha / (2 if two_sided else 1)) + stats.norm.ppf(power)
    # The effect that needs exactly total_units, for the worst-placed variant.
    w_b = min(shares[1:])

    def gap(effect: float) -> float:
        factor = variance_factor(
            baseline, mde=effect, difference=difference, w_control=shares[0], w_variant=w_b
        )
        return effect / math.sqrt(factor / total_units) - z

    if baseline.metric_type == "proportion":
        ceiling = 1 / baseline.mean - 1 if difference == "relative" else 1 - baseline.mean
        ceiling *= 1 - 1e-9
    else:
        ceiling = 1e6 * (1 if difference == "relative" else baseline.sd or 1.0)
    floor = ceiling * 1e-12
    if gap(ceiling) < 0:
        raise ExperimentInputError("total_units", "too few to detect any effect with this power")
    return float(optimize.brentq(gap, floor, ceiling, xtol=1e-14, rtol=1e-12))


def _check(
    baseline: Baseline,
    mde: float,
    difference: Difference,
    alpha: float,
    power: float,
    weights: Sequence[float],
    *,
    check_mde: bool = True,
) -> tuple[float, ...]:
    baseline.check()
    if difference not in ("relative", "absolute"):
        raise ExperimentInputError("difference", "must be relative or absolute")
    if difference == "relative" and baseline.mean == 0:
        raise ExperimentInputError("baseline_mean", "must not be 0 for a relative effect")
    if not 0 < alpha < 1:
        raise ExperimentInputError("alpha", "must be between 0 and 1")
    if not alpha / 2 < power < 1:
        raise ExperimentInputError("power", "must be between alpha / 2 and 1")
    if check_mde and not (math.isfinite(mde) and mde != 0):
        raise ExperimentInputError("mde", "must be a non-zero finite number")
    return tuple(float(w) for w in check_weights(list(weights)))
