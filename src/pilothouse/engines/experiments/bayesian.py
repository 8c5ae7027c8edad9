"""Bayesian analysis of the effect: a normal prior on it, a normal likelihood from the data.

As gbstats' EffectBayesianABTest: the data give the effect estimate d and its variance v
(absolute or relative, as in frequentist.py). With a flat (improper) prior the posterior
is N(d, v). With a proper prior N(m, s^2) the posterior precision is 1/v + 1/s^2 and its
mean (d / v + m / s^2) / (1/v + 1/s^2). A prior is stated on the relative scale unless
said otherwise, and is rescaled by the control's mean when the effect is absolute (and
the other way round): mean x |mu_a|, variance x mu_a^2.

From the posterior N(mu, sigma^2):
- chance to win: P(effect > 0), or P(effect < 0) when lower is better;
- credible interval: its alpha/2 and 1 - alpha/2 quantiles;
- risk (expected loss), for choosing the control: E[max(effect, 0)] = mu Phi(mu/sigma) +
  sigma phi(mu/sigma); for choosing the variant: E[max(-effect, 0)] = -mu Phi(-mu/sigma) +
  sigma phi(mu/sigma) - the same quantities gbstats computes from truncated-normal means,
  swapped when lower is better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from pilothouse.engines.experiments.frequentist import effect_and_variance
from pilothouse.engines.experiments.inputs import ExperimentInputError, FloatArray
from pilothouse.engines.experiments.issues import (
    NONE,
    Issue,
    IssueCodes,
    code,
    comparison_issues,
)
from pilothouse.engines.experiments.statistics import VariantStatistics

Scale = Literal["relative", "absolute"]


@dataclass(frozen=True)
class Prior:
    """A normal prior on the effect. Improper (flat) unless `proper`; then N(mean, variance)
    on the relative effect (scale "relative") or the absolute one."""

    mean: float = 0.0
    variance: float = 1.0
    proper: bool = False
    scale: Scale = "relative"

    def check(self, field: str = "prior") -> None:
        if self.scale not in ("relative", "absolute"):
            raise ExperimentInputError(f"{field}.scale", "must be relative or absolute")
        if not np.isfinite(self.mean):
            raise ExperimentInputError(f"{field}.mean", "must be a finite number")
        if self.proper and not (np.isfinite(self.variance) and self.variance > 0):
            raise ExperimentInputError(f"{field}.variance", "must be greater than 0")


FLAT_PRIOR = Prior()


def normal_prior(*, mean: float, variance: float, scale: Scale = "relative") -> Prior:
    return Prior(mean=mean, variance=variance, proper=True, scale=scale)


@dataclass(frozen=True, eq=False)
class PriorArrays:
    """Priors of many comparisons at once (arrays broadcasting against them)."""

    mean: FloatArray
    variance: FloatArray
    proper: npt.NDArray[np.bool_]
    absolute: npt.NDArray[np.bool_]  # stated on the absolute scale

    @classmethod
    def of(cls, priors: Sequence[Prior]) -> PriorArrays:
        return cls(
            mean=np.array([p.mean for p in priors], dtype=np.float64),
            variance=np.array([p.variance for p in priors], dtype=np.float64),
            proper=np.array([p.proper for p in priors]),
            absolute=np.array([p.scale == "absolute" for p in priors]),
        )


@dataclass(frozen=True, eq=False)
class BayesianArrays:
    """One element per comparison; `se` is the posterior standard deviation."""

    effect: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    chance_to_win: FloatArray
    risk_control: FloatArray
    risk_variant: FloatArray
    issue: IssueCodes


def expected_losses(mu: FloatArray, sigma: FloatArray) -> tuple[FloatArray, FloatArray]:
    """E[max(X, 0)] and E[max(-X, 0)] for X ~ N(mu, sigma^2)."""
    z = mu / sigma
    density = sigma * stats.norm.pdf(z)
    below, above = stats.norm.cdf(np.stack([z, -z]))  # one call: Phi(z) and Phi(-z)
    return mu * below + density, density - mu * above


def posterior_test(
    control: VariantStatistics,
    variant: VariantStatistics,
    *,
    relative: bool,
    alpha: float,
    prior: Prior | PriorArrays = FLAT_PRIOR,
    lower_is_better: bool | npt.NDArray[np.bool_] = False,
) -> BayesianArrays:
    """`prior` and `lower_is_better` apply to every comparison, or are arrays with one
    element per comparison (several metrics analysed in one call)."""
    priors = prior if isinstance(prior, PriorArrays) else PriorArrays.of([prior])
    issue = comparison_issues(control, variant, zero_mean_matters=relative)
    data_mean, data_variance = effect_and_variance(control, variant, relative=relative)
    prior_mean, prior_variance = _prior_on_effect_scale(priors, control.unadjusted_mean, relative)
    proper = np.broadcast_to(priors.proper, issue.shape)
    # A prior rescaled by a zero control mean has no spread: nothing to learn from it.
    degenerate = proper & np.broadcast_to(~(prior_variance > 0), issue.shape)
    issue = np.where((issue == NONE) & degenerate, code(Issue.ZERO_CONTROL_MEAN), issue)
    valid = issue == NONE
    data_variance = np.where(valid, data_variance, 1.0)
    data_mean = np.where(valid, data_mean, 0.0)
    informed = valid & proper
    prior_mean = np.where(informed, prior_mean, 0.0)
    prior_variance = np.where(informed, prior_variance, 1.0)
    precision = np.where(informed, 1 / data_variance + 1 / prior_variance, 1 / data_variance)
    mean = np.where(
        informed, (data_mean / data_variance + prior_mean / prior_variance) / precision, data_mean
    )
    sd = np.sqrt(1 / precision)
    win = stats.norm.sf(0, loc=mean, scale=sd)
    low, high = stats.norm.ppf(
        np.array([[alpha / 2], [1 - alpha / 2]]), loc=mean.ravel(), scale=sd.ravel()
    ).reshape((2, *mean.shape))
    risk_control, risk_variant = expected_losses(mean, sd)
    if np.any(lower_is_better):
        win = np.where(lower_is_better, 1 - win, win)
        risk_control, risk_variant = (
            np.where(lower_is_better, risk_variant, risk_control),
            np.where(lower_is_better, risk_control, risk_variant),
        )
    return BayesianArrays(
        effect=np.where(valid, mean, 0.0),
        se=np.where(valid, sd, 0.0),
        ci_low=np.where(valid, low, 0.0),
        ci_high=np.where(valid, high, 0.0),
        chance_to_win=np.where(valid, win, 0.5),
        risk_control=np.where(valid, risk_control, 0.0),
        risk_variant=np.where(valid, risk_variant, 0.0),
        issue=issue,
    )


def _prior_on_effect_scale(
    priors: PriorArrays, control_mean: FloatArray, relative: bool
) -> tuple[FloatArray, FloatArray]:
    """The prior on the effect's scale: rescaled by the control's mean where the prior is
    stated on the other scale."""
    base = np.asarray(control_mean, dtype=np.float64)
    rescale = priors.absolute if relative else ~priors.absolute
    with np.errstate(divide="ignore", invalid="ignore"):
        if relative:
            mean, variance = priors.mean / np.abs(base), priors.variance / base**2
        else:
            mean, variance = priors.mean * np.abs(base), priors.variance * base**2
    return np.where(rescale, mean, priors.mean), np.where(rescale, variance, priors.variance)
