"""One experiment, analysed: every metric, every variant against the control, the SRM check
and, when asked, a multiple-testing correction across all of those comparisons.

    analysis = analyze_experiment(
        variants=[Variant("control", 0.5, 3407), Variant("B", 0.5, 3461)],
        metrics=[Metric("revenue", "mean", (VariantSums(3407, 1396.87, 52377.9767),
                                            VariantSums(3461, 2422.7, 134698.29)))],
        settings=AnalysisSettings(engine="frequentist", difference="relative"),
    )
    analysis.srm.p_value, analysis.results[0].effect, analysis.to_dict()

The arithmetic is the batch API's (batch.py) on arrays of one experiment. Bad input
raises ExperimentInputError whose field is the path of the bad value, e.g.
`metrics[0].variants[1].sum_squares`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from pilothouse.engines.experiments.batch import (
    Adjusted,
    AnalysisSettings,
    Comparisons,
    adjust,
    compare_statistics,
)
from pilothouse.engines.experiments.bayesian import Prior, PriorArrays
from pilothouse.engines.experiments.inputs import (
    COLUMN_KINDS,
    ColumnKind,
    ColumnSums,
    ExperimentInputError,
    MetricSums,
    check_metric_sums,
)
from pilothouse.engines.experiments.issues import Issue, issue_from_code
from pilothouse.engines.experiments.srm import SrmCheck, check_weights, srm_check
from pilothouse.engines.experiments.statistics import VariantStatistics, comparison_pairs

MetricType = Literal["mean", "proportion", "ratio"]
METRIC_TYPES: tuple[str, ...] = ("mean", "proportion", "ratio")
RATIO_FIELDS = ("denominator_sum", "denominator_sum_squares", "sum_denominator_products")
CUPED_FIELDS = ("covariate_sum", "covariate_sum_squares", "sum_covariate_products")


@dataclass(frozen=True)
class Variant:
    """An arm of the experiment: its planned share of traffic and the units it got."""

    name: str
    weight: float
    n: int


@dataclass(frozen=True)
class VariantSums:
    """One variant's sums for one metric (n: the units the sums are over)."""

    n: float
    sum: float
    sum_squares: float | None = None
    denominator_sum: float | None = None
    denominator_sum_squares: float | None = None
    sum_denominator_products: float | None = None
    covariate_sum: float | None = None
    covariate_sum_squares: float | None = None
    sum_covariate_products: float | None = None


@dataclass(frozen=True)
class Metric:
    """A metric's sums per variant, in the order of the experiment's variants.

    `numerator_type` and `denominator_type` say how a ratio's parts vary (a "proportion"
    part is 0/1 per unit); `covariate_type` is the CUPED covariate's (by default the
    metric's own). `prior` overrides the analysis' prior for this metric."""

    name: str
    metric_type: MetricType
    variants: tuple[VariantSums, ...]
    lower_is_better: bool = False
    prior: Prior | None = None
    numerator_type: ColumnKind = "mean"
    denominator_type: ColumnKind = "mean"
    covariate_type: ColumnKind | None = None

    @property
    def uses_cuped(self) -> bool:
        return any(v.covariate_sum is not None for v in self.variants)


@dataclass(frozen=True)
class VariantResult:
    """One variant against the control on one metric. Intervals may be unbounded (one-
    sided tests, adjusted p-values of 1): those ends are +-inf here, null in to_dict()."""

    metric: str
    variant: str
    lower_is_better: bool
    control_mean: float
    variant_mean: float
    effect: float
    se: float
    ci: tuple[float, float]
    p_value: float | None = None
    chance_to_win: float | None = None
    risk: tuple[float, float] | None = None
    p_value_adjusted: float | None = None
    ci_adjusted: tuple[float, float] | None = None
    issue: Issue | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "variant": self.variant,
            "effect": _finite(self.effect),
            "se": _finite(self.se),
            "ci": _bounds(self.ci),
            "p_value": _finite(self.p_value),
            "chance_to_win": _finite(self.chance_to_win),
            "risk": _bounds(self.risk) if self.risk is not None else None,
            "p_value_adjusted": _finite(self.p_value_adjusted),
            "ci_adjusted": _bounds(self.ci_adjusted) if self.ci_adjusted is not None else None,
            "error": self.issue.value if self.issue is not None else None,
        }


@dataclass(frozen=True)
class ExperimentAnalysis:
    settings: AnalysisSettings
    srm: SrmCheck
    results: tuple[VariantResult, ...]  # metric by metric, variants in order

    def by_metric(self) -> dict[str, tuple[VariantResult, ...]]:
        """Each metric's results, variants in order, metrics in the order given."""
        grouped: dict[str, list[VariantResult]] = {}
        for result in self.results:
            grouped.setdefault(result.metric, []).append(result)
        return {metric: tuple(results) for metric, results in grouped.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "srm_p_value": _finite(self.srm.p_value),
            "results": [result.to_dict() for result in self.results],
        }


def analyze_experiment(
    *, variants: list[Variant], metrics: list[Metric], settings: AnalysisSettings
) -> ExperimentAnalysis:
    """All metrics' comparisons are tested in one vectorized call, as a batch would be."""
    settings.check()
    weights = _check_variants(variants)
    if not metrics:
        raise ExperimentInputError("metrics", "at least one metric is needed")
    width = len(variants) - 1
    controls: list[VariantStatistics] = []
    treated: list[VariantStatistics] = []
    priors: list[Prior] = []
    for index, metric in enumerate(metrics):
        label = f"metrics[{index}]"
        if metric.name in (m.name for m in metrics[:index]):
            raise ExperimentInputError(f"{label}.name", f"{metric.name!r} is used twice")
        if metric.prior is not None:
            if metric.prior.proper and settings.engine != "bayesian":
                raise ExperimentInputError(f"{label}.prior", "only with the bayesian engine")
            metric.prior.check(f"{label}.prior")
        checked = check_metric_sums(
            _metric_sums(metric, label, len(variants)),
            locate=lambda at, field, label=label: f"{label}.variants[{at[-1]}].{field}",
        )
        control, variant = comparison_pairs(checked)
        controls.append(control)
        treated.append(variant)
        priors += [metric.prior if metric.prior is not None else settings.prior] * width
    compared = compare_statistics(
        VariantStatistics.concatenate(controls, width),
        VariantStatistics.concatenate(treated, width),
        settings,
        priors=PriorArrays.of(priors),
        lower_is_better=np.repeat([m.lower_is_better for m in metrics], width),
    )
    adjusted = None
    if settings.correction is not None:
        adjusted = adjust(
            compared,
            method=settings.correction,
            alpha=settings.alpha,
            two_sided=settings.alternative == "two-sided",
        )
    results = tuple(
        _result(metrics[i // width], variants[i % width + 1], compared, adjusted, i)
        for i in range(len(metrics) * width)
    )
    return ExperimentAnalysis(
        settings=settings,
        srm=srm_check([v.n for v in variants], list(weights)),
        results=results,
    )


def _check_variants(variants: list[Variant]) -> np.ndarray:
    if len(variants) < 2:
        raise ExperimentInputError("variants", "at least 2 are needed (a control and a variant)")
    seen: set[str] = set()
    for index, variant in enumerate(variants):
        label = f"variants[{index}]"
        if not variant.name.strip():
            raise ExperimentInputError(f"{label}.name", "must not be empty")
        if variant.name in seen:
            raise ExperimentInputError(f"{label}.name", f"{variant.name!r} is used twice")
        seen.add(variant.name)
        if variant.n < 1:
            raise ExperimentInputError(f"{label}.n", f"must be at least 1 (got {variant.n})")
        if variant.n != int(variant.n):
            raise ExperimentInputError(f"{label}.n", f"must be a whole number (got {variant.n})")
        weight = variant.weight
        if not (math.isfinite(weight) and 0 < weight <= 1):
            raise ExperimentInputError(
                f"{label}.weight", f"must be greater than 0 and at most 1 (got {weight:g})"
            )
    return check_weights([v.weight for v in variants], field="variants")


def _metric_sums(metric: Metric, label: str, variant_count: int) -> MetricSums:
    if metric.metric_type not in METRIC_TYPES:
        raise ExperimentInputError(f"{label}.metric_type", "must be mean, proportion or ratio")
    for kind_field in ("numerator_type", "denominator_type", "covariate_type"):
        kind = getattr(metric, kind_field)
        if kind is not None and kind not in COLUMN_KINDS:
            raise ExperimentInputError(f"{label}.{kind_field}", "must be mean or proportion")
    if len(metric.variants) != variant_count:
        raise ExperimentInputError(
            f"{label}.variants",
            f"{len(metric.variants)} entries for {variant_count} variants (one per variant)",
        )
    ratio = metric.metric_type == "ratio"
    value_kind: ColumnKind = metric.numerator_type if ratio else metric.metric_type  # type: ignore[assignment]
    cuped = metric.uses_cuped
    if cuped and ratio:
        raise ExperimentInputError(
            f"{label}.variants[0].covariate_sum",
            "CUPED applies to mean and proportion metrics, not ratios",
        )
    covariate_kind = metric.covariate_type or value_kind
    # In the order a reader fills them in, so the first missing one is named.
    required = ["sum"] + (["sum_squares"] if value_kind == "mean" else [])
    if ratio:
        required += ["denominator_sum"]
        required += ["denominator_sum_squares"] if metric.denominator_type == "mean" else []
        required += ["sum_denominator_products"]
    if cuped:
        required += ["covariate_sum"]
        required += ["covariate_sum_squares"] if covariate_kind == "mean" else []
        required += ["sum_covariate_products"]
    for index, sums in enumerate(metric.variants):
        where = f"{label}.variants[{index}]"
        for field in required:
            if getattr(sums, field) is None:
                raise ExperimentInputError(f"{where}.{field}", _why_required(field, metric))
        if not ratio:
            for field in RATIO_FIELDS:
                if getattr(sums, field) is not None:
                    raise ExperimentInputError(f"{where}.{field}", "only for ratio metrics")

    def column(prefix: str, kind: ColumnKind) -> ColumnSums:
        return ColumnSums(
            sum=_values(metric, f"{prefix}sum"),
            sum_squares=_values(metric, f"{prefix}sum_squares") if kind == "mean" else None,
            kind=kind,
        )

    return MetricSums(
        n=_values(metric, "n"),
        value=column("", value_kind),
        denominator=column("denominator_", metric.denominator_type) if ratio else None,
        value_denominator_products=_values(metric, "sum_denominator_products") if ratio else None,
        covariate=column("covariate_", covariate_kind) if cuped else None,
        value_covariate_products=_values(metric, "sum_covariate_products") if cuped else None,
    )


def _why_required(field: str, metric: Metric) -> str:
    if field in CUPED_FIELDS:
        return "required for CUPED (another variant gives a covariate)"
    if field in RATIO_FIELDS:
        return "required for a ratio metric"
    return f"required for a {metric.metric_type} metric"


def _values(metric: Metric, field: str) -> np.ndarray:
    return np.array([getattr(sums, field) for sums in metric.variants], dtype=np.float64)


def _result(
    metric: Metric, variant: Variant, compared: Comparisons, adjusted: Adjusted | None, i: int
) -> VariantResult:
    risk = None
    if compared.risk_control is not None and compared.risk_variant is not None:
        risk = (float(compared.risk_control[i]), float(compared.risk_variant[i]))
    ci_adjusted = None
    if adjusted is not None and adjusted.ci_low is not None and adjusted.ci_high is not None:
        ci_adjusted = (float(adjusted.ci_low[i]), float(adjusted.ci_high[i]))
    return VariantResult(
        metric=metric.name,
        variant=variant.name,
        lower_is_better=metric.lower_is_better,
        control_mean=float(compared.control_mean[i]),
        variant_mean=float(compared.variant_mean[i]),
        effect=float(compared.effect[i]),
        se=float(compared.se[i]),
        ci=(float(compared.ci_low[i]), float(compared.ci_high[i])),
        p_value=_item(compared.p_value, i),
        chance_to_win=_item(compared.chance_to_win, i),
        risk=risk,
        p_value_adjusted=_item(adjusted.p_value if adjusted is not None else None, i),
        ci_adjusted=ci_adjusted,
        issue=issue_from_code(compared.issue[i]),
    )


def _item(array: np.ndarray | None, index: int) -> float | None:
    return None if array is None else float(array[index])


def _finite(value: float | None) -> float | None:
    """JSON has no infinity or NaN: an unbounded or undefined number is null."""
    return value if value is not None and math.isfinite(value) else None


def _bounds(pair: tuple[float, float]) -> list[float | None]:
    return [_finite(value) for value in pair]
