"""Sequential testing: an asymptotic confidence sequence, valid however often one peeks.

Following Waudby-Smith et al., "Time-uniform central limit theory and asymptotic
confidence sequences" (arXiv 2103.06476v7), as gbstats' SequentialTwoSidedTTest does:
with N the units of both variants, s^2 = N x the variance of the effect estimate and a
mixing parameter

    rho = sqrt((-2 ln alpha + ln(-2 ln alpha + 1)) / tuning)            (eq. 161)

the interval is the effect +- s sqrt(2 (N rho^2 + 1) ln(sqrt(N rho^2 + 1) / alpha) / (N rho)^2)
(eq. 9), and the always-valid p-value is min(1, 1 / E) with the e-value

    E = exp(rho^2 N effect^2 / (2 s^2 (N rho^2 + 1))) / sqrt(N rho^2 + 1)   (eq. 155).

`tuning` is the number of units at which the interval is tightest relative to a fixed-
sample one (gbstats' sequential_tuning_parameter, 5,000 by default). The p-value is
computed from ln E, so a huge e-value gives 0 instead of overflowing.
"""

from __future__ import annotations

import math

import numpy as np

from pilothouse.engines.experiments.inputs import FloatArray

DEFAULT_TUNING = 5000.0


def mixing_rho(*, alpha: float, tuning: float) -> float:
    log_alpha = math.log(alpha)
    return math.sqrt((-2 * log_alpha + math.log(-2 * log_alpha + 1)) / tuning)


def confidence_sequence(
    *, effect: FloatArray, variance: FloatArray, units: FloatArray, alpha: float, tuning: float
) -> tuple[FloatArray, FloatArray]:
    """Half-width of the (1 - alpha) confidence sequence and the always-valid p-value."""
    rho = mixing_rho(alpha=alpha, tuning=tuning)
    spread = units * rho**2 + 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        half_width = np.sqrt(variance * units) * np.sqrt(
            2 * spread * np.log(np.sqrt(spread) / alpha) / (units * rho) ** 2
        )
        scaled = effect**2 * units / variance
        log_evalue = rho**2 * scaled / (2 * spread) - 0.5 * np.log(spread)
        p_value = np.exp(-np.maximum(log_evalue, 0.0))
    return half_width, p_value
