"""The batch API: arrays of per-variant sums in, arrays of comparisons out.

    sums = MetricSums(n=n, value=ColumnSums(sum=s, sum_squares=ss))   # shape (..., k)
    out = compare_variants(sums, AnalysisSettings(engine="bayesian"))  # shape (..., k - 1)
    out.effect, out.ci_low, out.chance_to_win, out.issue

The last axis holds the variants, the control first; every other axis is a batch axis
(experiments, metrics...), so thousands of experiments take one call per metric kind.
Each variant is compared with the control; nothing loops in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from pilothouse.engines.experiments.bayesian import FLAT_PRIOR, Prior, PriorArrays, posterior_test
from pilothouse.engines.experiments.corrections import (
    CORRECTIONS,
    Correction,
    adjust_p_values,
    adjusted_intervals,
)
from pilothouse.engines.experiments.frequentist import ALTERNATIVES, Alternative, t_test
from pilothouse.engines.experiments.inputs import (
    ExperimentInputError,
    FloatArray,
    Locator,
    MetricSums,
    batch_locator,
    check_metric_sums,
)
from pilothouse.engines.experiments.issues import IssueCodes
from pilothouse.engines.experiments.statistics import VariantStatistics, comparison_pairs

Engine = Literal["frequentist", "bayesian"]
Difference = Literal["relative", "absolute"]
ENGINES: tuple[str, ...] = ("frequentist", "bayesian")
DIFFERENCES: tuple[str, ...] = ("relative", "absolute")


@dataclass(frozen=True)
class AnalysisSettings:
    """How comparisons are made. `alternative` and `sequential_tuning` (a confidence
    sequence when set) are for the frequentist engine; `prior` for the Bayesian one."""

    engine: Engine = "frequentist"
    difference: Difference = "relative"
    alpha: float = 0.05
    alternative: Alternative = "two-sided"
    sequential_tuning: float | None = None
    prior: Prior = FLAT_PRIOR
    lower_is_better: bool = False
    correction: Correction | None = None

    def check(self) -> None:
        if self.engine not in ENGINES:
            raise ExperimentInputError("engine", "must be frequentist or bayesian")
        if self.difference not in DIFFERENCES:
            raise ExperimentInputError("difference", "must be relative or absolute")
        if not (0 < self.alpha < 1):
            raise ExperimentInputError("alpha", f"must be between 0 and 1 (got {self.alpha:g})")
        if self.alternative not in ALTERNATIVES:
            raise ExperimentInputError("alternative", "must be two-sided, greater or less")
        if self.correction is not None and self.correction not in CORRECTIONS:
            raise ExperimentInputError(
                "correction", "must be holm-bonferroni or benjamini-hochberg"
            )
        frequentist_only = {
            "alternative": self.alternative != "two-sided",
            "sequential": self.sequential_tuning is not None,
            "correction": self.correction is not None,
        }
        for field, used in frequentist_only.items():
            if used and self.engine != "frequentist":
                raise ExperimentInputError(field, "only with the frequentist engine")
        if self.sequential_tuning is not None:
            if not (np.isfinite(self.sequential_tuning) and self.sequential_tuning > 0):
                raise ExperimentInputError("sequential_tuning", "must be greater than 0")
            if self.alternative != "two-sided":
                raise ExperimentInputError("sequential", "only with a two-sided test")
        if self.prior.proper and self.engine != "bayesian":
            raise ExperimentInputError("prior", "only with the bayesian engine")
        self.prior.check()


@dataclass(frozen=True, eq=False)
class Comparisons:
    """Each variant against the control: arrays of shape (..., variants - 1).

    Means are the plain (unadjusted) per-unit means. `p_value` is set by the frequentist
    engine, `chance_to_win` and the risks by the Bayesian one; the others are None.
    Where `issue` is not 0 the comparison could not be made (see issues.py)."""

    control_mean: FloatArray
    variant_mean: FloatArray
    effect: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    issue: IssueCodes
    p_value: FloatArray | None = None
    chance_to_win: FloatArray | None = None
    risk_control: FloatArray | None = None
    risk_variant: FloatArray | None = None


@dataclass(frozen=True, eq=False)
class Adjusted:
    """Corrected p-values; intervals for two-sided tests (None for one-sided ones)."""

    p_value: FloatArray
    ci_low: FloatArray | None
    ci_high: FloatArray | None


def compare_variants(
    sums: MetricSums, settings: AnalysisSettings, *, locate: Locator = batch_locator
) -> Comparisons:
    settings.check()
    control, variant = comparison_pairs(check_metric_sums(sums, locate=locate))
    return compare_statistics(control, variant, settings)


def compare_statistics(
    control: VariantStatistics,
    variant: VariantStatistics,
    settings: AnalysisSettings,
    *,
    priors: PriorArrays | None = None,
    lower_is_better: npt.NDArray[np.bool_] | None = None,
) -> Comparisons:
    """The tests on statistics already computed (statistics.comparison_pairs). `priors`
    and `lower_is_better`, one element per comparison, replace the settings' when
    comparisons of several metrics are made in one call."""
    relative = settings.difference == "relative"
    shape = np.broadcast_shapes(control.mean.shape, variant.mean.shape)
    means = {
        "control_mean": np.broadcast_to(control.unadjusted_mean, shape),
        "variant_mean": np.broadcast_to(variant.unadjusted_mean, shape),
    }
    if settings.engine == "frequentist":
        result = t_test(
            control,
            variant,
            relative=relative,
            alpha=settings.alpha,
            alternative=settings.alternative,
            sequential_tuning=settings.sequential_tuning,
        )
        return Comparisons(
            **means,
            effect=result.effect,
            se=result.se,
            ci_low=result.ci_low,
            ci_high=result.ci_high,
            issue=result.issue,
            p_value=result.p_value,
        )
    posterior = posterior_test(
        control,
        variant,
        relative=relative,
        alpha=settings.alpha,
        prior=settings.prior if priors is None else priors,
        lower_is_better=settings.lower_is_better if lower_is_better is None else lower_is_better,
    )
    return Comparisons(
        **means,
        effect=posterior.effect,
        se=posterior.se,
        ci_low=posterior.ci_low,
        ci_high=posterior.ci_high,
        issue=posterior.issue,
        chance_to_win=posterior.chance_to_win,
        risk_control=posterior.risk_control,
        risk_variant=posterior.risk_variant,
    )


def adjust(
    comparisons: Comparisons,
    *,
    method: Correction,
    alpha: float,
    two_sided: bool = True,
    family_axes: int = 1,
) -> Adjusted:
    """Correct the p-values over the last `family_axes` axes taken together (2 for an
    array (experiments, metrics, variants): every metric and variant of an experiment)."""
    if comparisons.p_value is None:
        raise ExperimentInputError("correction", "only with the frequentist engine")
    shape = comparisons.p_value.shape
    family = (*shape[: len(shape) - family_axes], -1)
    p_adjusted = adjust_p_values(comparisons.p_value.reshape(family), method).reshape(shape)
    if not two_sided:
        return Adjusted(p_value=p_adjusted, ci_low=None, ci_high=None)
    low, high = adjusted_intervals(
        effect=comparisons.effect,
        ci_low=comparisons.ci_low,
        ci_high=comparisons.ci_high,
        p_adjusted=p_adjusted,
        alpha=alpha,
    )
    return Adjusted(p_value=p_adjusted, ci_low=low, ci_high=high)
