"""What the engine reads: per-variant sums of a metric, and the checks that refuse bad ones.

A metric reaches the engine as sums over the units (users) of each variant, never as
raw rows: the count `n`, the sum of the values and the sum of their squares, plus, for a
ratio metric, the same for the denominator and the sum of the products of numerator and
denominator, and for CUPED the same for the pre-period covariate. Arrays have the shape
(..., variants): the last axis holds the variants, the control first; the leading axes
are free (experiments, metrics), which is what makes analysing thousands at once cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ColumnKind = Literal["mean", "proportion"]
COLUMN_KINDS: tuple[str, ...] = ("mean", "proportion")
# Sums are often rounded before they reach us: a variance below zero by less than this
# share of the squared mean is rounding, not an inconsistency.
ROUNDING = 1e-9


class ExperimentInputError(ValueError):
    """Bad input for the experiment engine; `field` names what is wrong, `reason` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, eq=False)
class ColumnSums:
    """Sums of one per-unit value over each variant's units.

    `kind` says how its variance is estimated: "mean" from the sum of squares (sample
    variance), "proportion" from the mean alone, p (1 - p), for a 0/1 value.
    """

    sum: npt.ArrayLike
    sum_squares: npt.ArrayLike | None = None
    kind: ColumnKind = "mean"


@dataclass(frozen=True, eq=False)
class MetricSums:
    """One metric's sums for every variant (last axis; the control first).

    A plain metric has `value` only. A ratio metric (value over denominator, each summed
    per unit, e.g. revenue per order) adds `denominator` and `value_denominator_products`
    (the sum over units of value x denominator). CUPED adds the pre-period `covariate`
    and `value_covariate_products`. A metric is one or the other, not both.
    """

    n: npt.ArrayLike
    value: ColumnSums
    denominator: ColumnSums | None = None
    value_denominator_products: npt.ArrayLike | None = None
    covariate: ColumnSums | None = None
    value_covariate_products: npt.ArrayLike | None = None

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def is_cuped(self) -> bool:
        return self.covariate is not None


@dataclass(frozen=True, eq=False)
class Column:
    """A checked column: float arrays of the common shape."""

    sum: FloatArray
    sum_squares: FloatArray  # for a proportion, the sum itself (0/1 values)
    kind: ColumnKind


@dataclass(frozen=True, eq=False)
class CheckedSums:
    """MetricSums after the checks: float arrays of one shape (..., variants)."""

    n: FloatArray
    value: Column
    denominator: Column | None
    value_denominator_products: FloatArray | None
    covariate: Column | None
    value_covariate_products: FloatArray | None

    @property
    def variants(self) -> int:
        return self.n.shape[-1]


# Names the place of an element: its index in the arrays, and a field name.
Locator = Callable[[tuple[int, ...], str], str]


def batch_locator(index: tuple[int, ...], field: str) -> str:
    """`[3, 1] variants[2].sum` for experiment 3, metric 1, variant 2 of a batch."""
    *outer, variant = index
    where = f"[{', '.join(str(i) for i in outer)}] " if outer else ""
    return f"{where}variants[{variant}].{field}"


def check_metric_sums(sums: MetricSums, *, locate: Locator = batch_locator) -> CheckedSums:
    """The sums as float arrays of one shape, or ExperimentInputError naming the first bad
    element: fewer than 2 variants, n below 1 or not whole, a value not finite, a
    proportion outside [0, n], a sum of squares smaller than the sum allows (a negative
    variance beyond rounding), cross products that no data could give."""
    if sums.is_ratio and sums.is_cuped:
        raise ExperimentInputError("covariate", "CUPED applies to mean and proportion metrics")
    fields: dict[str, npt.ArrayLike] = {"n": sums.n}
    _add_column(fields, "", sums.value)
    if sums.denominator is not None:
        _add_column(fields, "denominator_", sums.denominator)
        fields["sum_denominator_products"] = _required(
            sums.value_denominator_products, "sum_denominator_products"
        )
    if sums.covariate is not None:
        _add_column(fields, "covariate_", sums.covariate)
        fields["sum_covariate_products"] = _required(
            sums.value_covariate_products, "sum_covariate_products"
        )
    try:
        arrays = dict(zip(fields, np.broadcast_arrays(*fields.values()), strict=True))
    except ValueError as exc:
        raise ExperimentInputError("variants", f"the sums have different shapes: {exc}") from None
    arrays = {name: np.asarray(array, dtype=np.float64) for name, array in arrays.items()}
    n = arrays["n"]
    if n.ndim == 0 or n.shape[-1] < 2:
        raise ExperimentInputError("variants", "at least 2 are needed (a control and a variant)")
    for name, array in arrays.items():
        _refuse(~np.isfinite(array), array, name, "must be a finite number", locate)
    _refuse(n < 1, n, "n", "must be at least 1", locate)
    _refuse(n != np.floor(n), n, "n", "must be a whole number", locate)
    value = _column(arrays, "", sums.value.kind, n, locate)
    denominator = covariate = None
    if sums.denominator is not None:
        denominator = _column(arrays, "denominator_", sums.denominator.kind, n, locate)
        _check_products(
            value,
            denominator,
            arrays["sum_denominator_products"],
            n,
            locate,
            "sum_denominator_products",
        )
    if sums.covariate is not None:
        covariate = _column(arrays, "covariate_", sums.covariate.kind, n, locate)
        _check_products(
            value, covariate, arrays["sum_covariate_products"], n, locate, "sum_covariate_products"
        )
    return CheckedSums(
        n=n,
        value=value,
        denominator=denominator,
        value_denominator_products=arrays.get("sum_denominator_products"),
        covariate=covariate,
        value_covariate_products=arrays.get("sum_covariate_products"),
    )


def _required(array: npt.ArrayLike | None, name: str) -> npt.ArrayLike:
    if array is None:
        raise ExperimentInputError(name, "required with a denominator or a covariate")
    return array


def _add_column(fields: dict[str, npt.ArrayLike], prefix: str, column: ColumnSums) -> None:
    if column.kind not in COLUMN_KINDS:
        raise ExperimentInputError(
            f"{prefix}kind", f"must be mean or proportion, not {column.kind!r}"
        )
    fields[f"{prefix}sum"] = column.sum
    if column.kind == "mean":
        if column.sum_squares is None:
            raise ExperimentInputError(f"{prefix}sum_squares", "required for a mean")
        fields[f"{prefix}sum_squares"] = column.sum_squares


def _column(
    arrays: dict[str, FloatArray], prefix: str, kind: ColumnKind, n: FloatArray, locate: Locator
) -> Column:
    total = arrays[f"{prefix}sum"]
    if kind == "proportion":
        outside = (total < 0) | (total > n)
        _refuse(outside, total, f"{prefix}sum", "must be between 0 and n for a proportion", locate)
        return Column(sum=total, sum_squares=total, kind=kind)
    squares = arrays[f"{prefix}sum_squares"]
    _refuse(squares < 0, squares, f"{prefix}sum_squares", "must not be negative", locate)
    explained = total * total / n
    short = explained - squares > ROUNDING * explained
    _refuse(
        short,
        squares,
        f"{prefix}sum_squares",
        "is smaller than sum^2 / n, which would make the variance negative",
        locate,
    )
    return Column(sum=total, sum_squares=squares, kind=kind)


def _check_products(
    x: Column, y: Column, products: FloatArray, n: FloatArray, locate: Locator, name: str
) -> None:
    """Cauchy-Schwarz: the centred cross product is at most the root of the two centred
    sums of squares, up to rounding of the inputs."""
    cross = products - x.sum * y.sum / n
    spread_x = np.maximum(x.sum_squares - x.sum * x.sum / n, 0.0)
    spread_y = np.maximum(y.sum_squares - y.sum * y.sum / n, 0.0)
    slack = ROUNDING * np.maximum(np.abs(products), np.abs(x.sum * y.sum / n))
    impossible = np.abs(cross) > np.sqrt(spread_x * spread_y) * (1 + ROUNDING) + slack
    _refuse(
        impossible, products, name, "is not consistent with the sums and sums of squares", locate
    )


def _refuse(
    bad: npt.NDArray[np.bool_], values: FloatArray, field: str, reason: str, locate: Locator
) -> None:
    if not bad.any():
        return
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ExperimentInputError(locate(index, field), f"{reason} (got {values[index]:g})")
