"""Sample ratio mismatch: do the variants' unit counts match the planned split?

Pearson's chi-square goodness-of-fit test of the observed units against the expected
ones, total x weight, with (variants - 1) degrees of freedom, as gbstats' check_srm.
A p-value below 0.001 flags a mismatch: the assignment or the tracking is broken, and
the experiment's results should not be trusted until it is explained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from pilothouse.engines.experiments.inputs import ExperimentInputError, FloatArray

SRM_THRESHOLD = 0.001
WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SrmCheck:
    p_value: float
    observed: tuple[int, ...]
    expected: tuple[float, ...]

    @property
    def flagged(self) -> bool:
        return self.p_value < SRM_THRESHOLD

    def to_dict(self) -> dict:
        return {
            "p_value": self.p_value,
            "flagged": self.flagged,
            "observed": list(self.observed),
            "expected": list(self.expected),
        }


def check_weights(weights: npt.ArrayLike, *, field: str = "weights") -> FloatArray:
    """Weights of the last axis: each in (0, 1], summing to 1 within 1e-6."""
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] < 2:
        raise ExperimentInputError(field, "at least 2 weights are needed (a control and a variant)")
    if not np.isfinite(array).all() or (array <= 0).any() or (array > 1).any():
        raise ExperimentInputError(field, "each weight must be greater than 0 and at most 1")
    totals = array.sum(axis=-1)
    off = np.abs(totals - 1) > WEIGHT_TOLERANCE
    if off.any():
        total = float(totals[np.argwhere(off)[0][0]] if totals.ndim else totals)
        raise ExperimentInputError(field, f"the weights must sum to 1 (they sum to {total:.6g})")
    return array


def srm_p_values(units: npt.ArrayLike, weights: npt.ArrayLike) -> FloatArray:
    """The chi-square p-value along the last axis (1 when there are no units at all)."""
    observed = np.asarray(units, dtype=np.float64)
    shares = np.asarray(weights, dtype=np.float64)
    total = observed.sum(axis=-1, keepdims=True)
    expected = total * shares / shares.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(total > 0, (observed - expected) ** 2 / expected, 0.0).sum(axis=-1)
    return np.where(total[..., 0] > 0, stats.chi2.sf(statistic, observed.shape[-1] - 1), 1.0)


def srm_check(units: list[int], weights: list[float]) -> SrmCheck:
    """One experiment's check, with what was observed and what was expected."""
    total = sum(units)
    share = sum(weights)
    return SrmCheck(
        p_value=float(srm_p_values(units, weights)),
        observed=tuple(int(u) for u in units),
        expected=tuple(total * w / share for w in weights),
    )
