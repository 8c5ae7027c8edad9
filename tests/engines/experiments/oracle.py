"""gbstats 0.8.0 as the reference: its statistics and tests built from the same sums.

Only the modules that need no pandas are imported (gbstats.gbstats needs pandas < 2).
"""

from __future__ import annotations

import math

import numpy as np
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import (
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)

from pilothouse.engines.experiments import MetricSums


def _column(kind: str, total: float, squares: float | None, n: int):
    if kind == "proportion":
        return ProportionStatistic(n=n, sum=total)
    return SampleMeanStatistic(n=n, sum=total, sum_squares=squares)


def statistic(sums: MetricSums, arm: int):
    """The gbstats statistic of one variant (index on the last axis of 1-d sums)."""
    n = int(np.asarray(sums.n)[arm])

    def at(values):
        return None if values is None else float(np.asarray(values)[arm])

    value = _column(sums.value.kind, at(sums.value.sum), at(sums.value.sum_squares), n)
    if sums.denominator is not None:
        d = sums.denominator
        return RatioStatistic(
            n=n,
            m_statistic=value,
            d_statistic=_column(d.kind, at(d.sum), at(d.sum_squares), n),
            m_d_sum_of_products=at(sums.value_denominator_products),
        )
    if sums.covariate is not None:
        c = sums.covariate
        return RegressionAdjustedStatistic(
            n=n,
            post_statistic=value,
            pre_statistic=_column(c.kind, at(c.sum), at(c.sum_squares), n),
            post_pre_sum_of_products=at(sums.value_covariate_products),
            theta=0,
        )
    return value


def frequentist(sums, arm, *, difference, alpha=0.05, alternative="two-sided", tuning=None):
    a, b = statistic(sums, 0), statistic(sums, arm)
    if tuning is not None:
        config = SequentialConfig(
            difference_type=difference, alpha=alpha, sequential_tuning_parameter=tuning
        )
        return SequentialTwoSidedTTest(a, b, config).compute_result()
    test = {
        "two-sided": TwoSidedTTest,
        "greater": OneSidedTreatmentGreaterTTest,
        "less": OneSidedTreatmentLesserTTest,
    }[alternative]
    return test(a, b, FrequentistConfig(difference_type=difference, alpha=alpha)).compute_result()


def bayesian(sums, arm, *, difference, alpha=0.05, prior=None, inverse=False):
    a, b = statistic(sums, 0), statistic(sums, arm)
    # A flat prior is the same on either scale: stating it on the effect's own scale
    # spares gbstats a rescaling that divides by zero when the control's mean is 0.
    config = EffectBayesianConfig(
        difference_type=difference, alpha=alpha, inverse=inverse, prior_type=difference
    )
    if prior is not None:
        config = EffectBayesianConfig(
            difference_type=difference,
            alpha=alpha,
            inverse=inverse,
            prior_effect=GaussianPrior(mean=prior.mean, variance=prior.variance, proper=True),
            prior_type=prior.scale,
        )
    return EffectBayesianABTest(a, b, config).compute_result()


def close(ours: float, theirs: float, *, scale: float = 0.0, rel: float = 1e-9) -> bool:
    """Equal up to `rel` of the larger of the reference value and `scale` (for values
    near 0, the comparison's own spread, e.g. its standard error)."""
    if math.isinf(theirs) or math.isinf(ours):
        return ours == theirs
    return abs(ours - theirs) <= rel * max(abs(theirs), scale) + 1e-300
