"""Multiple-testing corrections across an experiment's metrics and variants.

Along the last axis of an array of p-values (m of them):

- Holm-Bonferroni (family-wise error rate): sort ascending; the i-th smallest (i from 1)
  becomes min(1, (m - i + 1) p), then each is raised to the largest adjusted value
  before it, so the order is kept (step-down).
- Benjamini-Hochberg (false discovery rate): the i-th smallest becomes min(1, m p / i),
  then each is lowered to the smallest adjusted value after it (step-up).

Adjusted confidence intervals follow GrowthBook: the standard deviation implied by the
effect and its adjusted p-value, |effect / z(1 - p_adj / 2)|, times z(1 - alpha / 2)
either side of the effect; used only where wider than the unadjusted interval; unbounded
when the adjusted p-value rounds to 1 (above 0.999999).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from pilothouse.engines.experiments.inputs import FloatArray

Correction = Literal["holm-bonferroni", "benjamini-hochberg"]
CORRECTIONS: tuple[str, ...] = ("holm-bonferroni", "benjamini-hochberg")
UNBOUNDED_ABOVE = 0.999999


def holm_bonferroni(p_values: npt.ArrayLike) -> FloatArray:
    p = np.asarray(p_values, dtype=np.float64)
    m = p.shape[-1]
    order = np.argsort(p, axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1)
    multipliers = m - np.arange(m)
    adjusted = np.maximum.accumulate(np.minimum(ranked * multipliers, 1.0), axis=-1)
    return _unsort(adjusted, order)


def benjamini_hochberg(p_values: npt.ArrayLike) -> FloatArray:
    p = np.asarray(p_values, dtype=np.float64)
    m = p.shape[-1]
    order = np.argsort(p, axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1)
    scaled = np.minimum(ranked * m / np.arange(1, m + 1), 1.0)
    # Step-up: the running minimum from the largest p-value down.
    adjusted = np.flip(np.minimum.accumulate(np.flip(scaled, axis=-1), axis=-1), axis=-1)
    return _unsort(adjusted, order)


def adjust_p_values(p_values: npt.ArrayLike, method: Correction) -> FloatArray:
    if method == "holm-bonferroni":
        return holm_bonferroni(p_values)
    if method == "benjamini-hochberg":
        return benjamini_hochberg(p_values)
    raise ValueError(f"unknown correction {method!r}")


def adjusted_intervals(
    *,
    effect: npt.ArrayLike,
    ci_low: npt.ArrayLike,
    ci_high: npt.ArrayLike,
    p_adjusted: npt.ArrayLike,
    alpha: float,
) -> tuple[FloatArray, FloatArray]:
    """Two-sided intervals widened to match the adjusted p-values (never narrowed)."""
    effect, low, high, p = (
        np.asarray(x, dtype=np.float64) for x in (effect, ci_low, ci_high, p_adjusted)
    )
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied_sd = np.abs(effect / stats.norm.ppf(1 - p / 2))
    width = z * implied_sd
    new_low, new_high = effect - width, effect + width
    wider = (effect != 0) & (new_low < low) & (new_high > high)
    unbounded = p > UNBOUNDED_ABOVE
    out_low = np.where(unbounded, -np.inf, np.where(wider, new_low, low))
    out_high = np.where(unbounded, np.inf, np.where(wider, new_high, high))
    return out_low, out_high


def _unsort(values: FloatArray, order: npt.NDArray[np.intp]) -> FloatArray:
    result = np.empty_like(values)
    np.put_along_axis(result, order, values, axis=-1)
    return result
