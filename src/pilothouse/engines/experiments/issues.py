"""Why an effect cannot be computed: the data are valid, the comparison is not defined.

When a comparison has an issue, its numbers are those gbstats returns in that case (an
effect of 0, a CI of [0, 0], a p-value of 1 or a chance to win of 0.5 and no risk), and
the issue says why; nothing is NaN.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

from pilothouse.engines.experiments.statistics import VariantStatistics

IssueCodes = npt.NDArray[np.int8]


class Issue(StrEnum):
    ZERO_CONTROL_MEAN = "zero_control_mean"
    TOO_FEW_UNITS = "too_few_units"
    ZERO_VARIANCE = "zero_variance"

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self]


EXPLANATIONS = {
    Issue.ZERO_CONTROL_MEAN: "the control's mean is zero, so the change cannot be measured "
    "against it",
    Issue.TOO_FEW_UNITS: "a variant has fewer than 2 units, too few to estimate a variance",
    Issue.ZERO_VARIANCE: "the metric does not vary within a variant (zero variance), so "
    "there is no uncertainty to test against",
}
# Arrays of results carry an issue as a small code: 0 is none, i is CODES[i].
CODES: tuple[Issue | None, ...] = (None, *Issue)
NONE = 0


def code(issue: Issue) -> int:
    return CODES.index(issue)


def issue_from_code(value: int) -> Issue | None:
    return CODES[int(value)]


def comparison_issues(
    control: VariantStatistics, variant: VariantStatistics, *, zero_mean_matters: bool
) -> IssueCodes:
    """The first issue of each comparison in gbstats' order: a zero control mean (when it
    matters: a relative effect, or any frequentist test), then a zero variance, reported
    as too few units when a variant has fewer than 2."""
    shape = np.broadcast_shapes(control.mean.shape, variant.mean.shape)
    issues = np.zeros(shape, dtype=np.int8)
    zero_variance = (control.variance <= 0) | (variant.variance <= 0)
    too_few = zero_variance & ((control.n < 2) | (variant.n < 2))
    issues[np.broadcast_to(zero_variance, shape)] = code(Issue.ZERO_VARIANCE)
    issues[np.broadcast_to(too_few, shape)] = code(Issue.TOO_FEW_UNITS)
    if zero_mean_matters:
        zero_mean = (control.mean == 0) | (control.unadjusted_mean == 0)
        issues[np.broadcast_to(zero_mean, shape)] = code(Issue.ZERO_CONTROL_MEAN)
    return issues
