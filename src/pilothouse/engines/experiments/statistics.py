"""Summary statistics of each variant: the mean a test compares and the variance of one unit.

Four kinds, as GrowthBook's gbstats computes them (models/statistics.py), vectorized:

- mean: sum / n, and the sample variance (sum_squares - sum^2 / n) / (n - 1), 0 when n <= 1;
- proportion: p = sum / n, and the variance p (1 - p);
- ratio (numerator over denominator, per unit): sum_m / sum_d, and by the delta method
  var_m / mu_d^2 - 2 cov mu_m / mu_d^3 + mu_m^2 var_d / mu_d^4, where mu are per-unit
  means and cov the sample covariance of numerator and denominator (0 when the
  denominator's mean is 0 or n <= 1);
- CUPED (regression adjustment on a pre-period covariate): theta = cov(post, pre) /
  var(pre), estimated on control and variant pooled, for each comparison; the adjusted
  mean is mean_post - theta mean_pre and its variance var_post + theta^2 var_pre - 2 theta
  cov. Theta is 0 (no adjustment) when either pooled variance is exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pilothouse.engines.experiments.inputs import CheckedSums, Column, FloatArray


@dataclass(frozen=True, eq=False)
class VariantStatistics:
    """Arrays of one shape. `mean` is what the effect is computed from (adjusted under
    CUPED); `unadjusted_mean` is the plain mean, the base of a relative effect."""

    n: FloatArray
    mean: FloatArray
    unadjusted_mean: FloatArray
    variance: FloatArray

    @staticmethod
    def concatenate(parts: list[VariantStatistics], width: int) -> VariantStatistics:
        """Several metrics' statistics end to end, each broadcast to `width` comparisons."""

        def joined(name: str) -> FloatArray:
            return np.concatenate([np.broadcast_to(getattr(p, name), (width,)) for p in parts])

        return VariantStatistics(
            n=joined("n"),
            mean=joined("mean"),
            unadjusted_mean=joined("unadjusted_mean"),
            variance=joined("variance"),
        )

    def take(self, where: slice) -> VariantStatistics:
        """The statistics of some variants (a slice of the last axis)."""
        return VariantStatistics(
            n=self.n[..., where],
            mean=self.mean[..., where],
            unadjusted_mean=self.unadjusted_mean[..., where],
            variance=self.variance[..., where],
        )


def column_mean(column: Column, n: FloatArray) -> FloatArray:
    return column.sum / n


def column_variance(column: Column, n: FloatArray) -> FloatArray:
    """p (1 - p) for a proportion; the sample variance for a mean (0 when n <= 1)."""
    if column.kind == "proportion":
        p = column.sum / n
        return p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        sample = (column.sum_squares - column.sum * column.sum / n) / (n - 1)
    return np.where(n <= 1, 0.0, sample)


def sample_covariance(products: FloatArray, x: FloatArray, y: FloatArray, n: FloatArray):
    """Covariance of two per-unit values from their sums and the sum of their products."""
    with np.errstate(divide="ignore", invalid="ignore"):
        covariance = (products - x * y / n) / (n - 1)
    return np.where(n <= 1, 0.0, covariance)


def plain_statistics(column: Column, n: FloatArray) -> VariantStatistics:
    mean = column_mean(column, n)
    return VariantStatistics(
        n=n, mean=mean, unadjusted_mean=mean, variance=column_variance(column, n)
    )


def ratio_statistics(sums: CheckedSums) -> VariantStatistics:
    assert sums.denominator is not None
    assert sums.value_denominator_products is not None
    n, numerator, denominator = sums.n, sums.value, sums.denominator
    mean_m, mean_d = column_mean(numerator, n), column_mean(denominator, n)
    var_m, var_d = column_variance(numerator, n), column_variance(denominator, n)
    covariance = sample_covariance(
        sums.value_denominator_products, numerator.sum, denominator.sum, n
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator.sum / denominator.sum
        variance = (
            var_m / mean_d**2 - 2 * covariance * mean_m / mean_d**3 + mean_m**2 * var_d / mean_d**4
        )
    ratio = np.where(denominator.sum == 0, 0.0, ratio)
    variance = np.where((mean_d == 0) | (n <= 1), 0.0, variance)
    return VariantStatistics(n=n, mean=ratio, unadjusted_mean=ratio, variance=variance)


def cuped_pairs(sums: CheckedSums) -> tuple[VariantStatistics, VariantStatistics]:
    """Control (..., 1) and variants (..., k - 1), adjusted with each pair's own theta."""
    post, pre = sums.value, sums.covariate
    products = sums.value_covariate_products
    assert pre is not None
    assert products is not None
    n_a, n_b = sums.n[..., :1], sums.n[..., 1:]
    pooled_n = n_a + n_b

    def pooled(column: Column) -> Column:
        return Column(
            sum=column.sum[..., :1] + column.sum[..., 1:],
            sum_squares=column.sum_squares[..., :1] + column.sum_squares[..., 1:],
            kind=column.kind,
        )

    joint_post, joint_pre = pooled(post), pooled(pre)
    joint_products = products[..., :1] + products[..., 1:]
    pre_variance = column_variance(joint_pre, pooled_n)
    post_variance = column_variance(joint_post, pooled_n)
    joint_covariance = sample_covariance(joint_products, joint_post.sum, joint_pre.sum, pooled_n)
    unadjusted = (pre_variance == 0) | (post_variance == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(unadjusted, 0.0, joint_covariance / pre_variance)

    def arm(where: slice) -> VariantStatistics:
        n = sums.n[..., where]
        arm_post = Column(post.sum[..., where], post.sum_squares[..., where], post.kind)
        arm_pre = Column(pre.sum[..., where], pre.sum_squares[..., where], pre.kind)
        covariance = sample_covariance(products[..., where], arm_post.sum, arm_pre.sum, n)
        variance = (
            column_variance(arm_post, n)
            + theta**2 * column_variance(arm_pre, n)
            - 2 * theta * covariance
        )
        post_mean = column_mean(arm_post, n)
        return VariantStatistics(
            n=np.broadcast_to(n, theta.shape),
            mean=post_mean - theta * column_mean(arm_pre, n),
            unadjusted_mean=np.broadcast_to(post_mean, theta.shape),
            variance=np.where(n <= 1, 0.0, variance),
        )

    return arm(slice(0, 1)), arm(slice(1, None))


def comparison_pairs(sums: CheckedSums) -> tuple[VariantStatistics, VariantStatistics]:
    """The control's statistics (last axis of length 1, broadcasting) and the variants'."""
    if sums.covariate is not None:
        return cuped_pairs(sums)
    if sums.denominator is not None:
        everyone = ratio_statistics(sums)
    else:
        everyone = plain_statistics(sums.value, sums.n)
    return everyone.take(slice(0, 1)), everyone.take(slice(1, None))
