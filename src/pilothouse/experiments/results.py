"""From stored statistics to what the pages and the API show, through engines.experiments.

The engine does the statistics; this module only translates: an experiment's settings
into `AnalysisSettings`, each metric's stored sums into the engine's `Metric`, and the
engine's results into rows per metric and variant (effect, interval, p-value or chance
to win, risk, a verdict and the engine's plain-language reading), with the sample ratio
mismatch check and the guardrails that got worse. Results are computed when read, never
stored.

A metric is analysed once every variant has statistics on it with at least one user;
until then it says what it is waiting for. Everything that is analysed is analysed in
one call, so that a correction spans every metric and variant.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from pilothouse.engines import experiments as ex
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    MetricRole,
    MetricType,
    StatsEngine,
    Variant,
    VariantStatistics,
)

CORRECTIONS: dict[str, ex.Correction | None] = {
    "none": None,
    "holm": "holm-bonferroni",
    "bh": "benjamini-hochberg",
}
# The engine's names of the sums, from the model's.
ENGINE_FIELDS = {
    "n": "n",
    "sum": "sum",
    "sum_squares": "sum_squares",
    "denominator_sum": "denominator_sum",
    "denominator_sum_squares": "denominator_sum_squares",
    "cross_sum": "sum_denominator_products",
    "covariate_sum": "covariate_sum",
    "covariate_sum_squares": "covariate_sum_squares",
    "covariate_cross_sum": "sum_covariate_products",
}
MODEL_FIELDS = {engine: model for model, engine in ENGINE_FIELDS.items()}
ROLE_ORDER = {MetricRole.PRIMARY: 0, MetricRole.SECONDARY: 1, MetricRole.GUARDRAIL: 2}
# Where the engine found a bad value: `metrics[0].variants[1].sum_squares`.
_PLACE = re.compile(
    r"(?:metrics\[(?P<metric>\d+)\]\.)?variants\[(?P<variant>\d+)\]\.(?P<field>\w+)"
)

BETTER, WORSE, FLAT, UNKNOWN = "better", "worse", "flat", "unknown"
VERDICT_LABELS = {
    BETTER: "Better",
    WORSE: "Worse",
    FLAT: "No clear difference",
    UNKNOWN: "Cannot be estimated",
}


def settings_of(experiment: Experiment) -> ex.AnalysisSettings:
    """The experiment's reading settings as the engine takes them (a setting of the other
    engine, which the model refuses anyway, is left out)."""
    bayesian = experiment.engine == StatsEngine.BAYESIAN
    prior = ex.FLAT_PRIOR
    if bayesian and experiment.prior_mean is not None and experiment.prior_stddev:
        prior = ex.normal_prior(mean=experiment.prior_mean, variance=experiment.prior_stddev**2)
    return ex.AnalysisSettings(
        engine="bayesian" if bayesian else "frequentist",
        difference=experiment.difference,
        alpha=float(experiment.alpha),
        sequential_tuning=ex.DEFAULT_TUNING if experiment.sequential and not bayesian else None,
        prior=prior,
        correction=None if bayesian else CORRECTIONS.get(experiment.correction),
    )


def variant_sums(stats: VariantStatistics) -> ex.VariantSums:
    return ex.VariantSums(
        **{engine: getattr(stats, model) for model, engine in ENGINE_FIELDS.items()}
    )


def engine_metric(
    experiment_metric: ExperimentMetric, stats: Sequence[VariantStatistics], *, name: str
) -> ex.Metric:
    """One metric's sums in the engine's terms, in the order of `stats` (the control
    first). Sums the metric's kind does not use are left out."""
    kind = experiment_metric.metric_type
    keep = set(ENGINE_FIELDS.values()) - {"n"}
    if kind == MetricType.PROPORTION:
        keep.discard("sum_squares")
    if kind != MetricType.RATIO:
        keep -= {"denominator_sum", "denominator_sum_squares", "sum_denominator_products"}
    if not experiment_metric.cuped:
        keep -= {"covariate_sum", "covariate_sum_squares", "sum_covariate_products"}
    sums = []
    for row in stats:
        values = variant_sums(row)
        sums.append(
            ex.VariantSums(
                n=values.n,
                **{f: getattr(values, f) for f in keep},
            )
        )
    return ex.Metric(
        name=name,
        metric_type=kind,
        variants=tuple(sums),
        lower_is_better=experiment_metric.metric.direction == "lower",
    )


def check_sums(
    experiment_metric: ExperimentMetric,
    stats: Sequence[VariantStatistics],
    *,
    where: Callable[[VariantStatistics], str],
) -> None:
    """Ask the engine whether these sums (of the metric's variants, with users) could come
    from real data: ValidationError naming `where(row).<field>` if not. The sums are
    checked one variant at a time, so a partial set is checked too."""
    rows = [row for row in stats if row.n]
    if not rows:
        return
    # The engine checks a set of two variants or more; a lone row is paired with itself.
    paired = rows if len(rows) > 1 else [rows[0], rows[0]]
    weight = 1 / len(paired)
    try:
        ex.analyze_experiment(
            variants=[ex.Variant(str(i), weight, int(row.n)) for i, row in enumerate(paired)],
            metrics=[engine_metric(experiment_metric, paired, name="metric")],
            settings=ex.AnalysisSettings(),
        )
    except ex.ExperimentInputError as exc:
        place = _PLACE.search(exc.field or "")
        if place is None:
            raise ValidationError(exc.reason) from exc
        row = paired[int(place["variant"])]
        prefix = where(row)
        name = MODEL_FIELDS.get(place["field"], place["field"])
        raise ValidationError({f"{prefix}.{name}" if prefix else name: exc.reason}) from exc


# --- what the pages show ---------------------------------------------------------------------


@dataclass(frozen=True)
class VariantRow:
    """One variant against the control on one metric."""

    variant: Variant
    n: int
    mean: float
    effect: float
    ci: tuple[float, float]
    p_value: float | None
    p_value_adjusted: float | None
    chance_to_win: float | None
    risk: tuple[float, float] | None  # (choosing the control, choosing the variant)
    verdict: str
    reading: str
    issue: str | None
    relative: bool = True

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def _text(self, value: float) -> str:
        return ex.format_effect(value, relative=self.relative)

    @property
    def effect_text(self) -> str:
        return ("+" if self.effect > 0 else "") + self._text(self.effect)

    @property
    def ci_text(self) -> str:
        low, high = self.ci
        return f"{self._text(low)} to {self._text(high)}"

    @property
    def p_text(self) -> str:
        p = self.p_value_adjusted if self.p_value_adjusted is not None else self.p_value
        return ex.format_p(p).removeprefix("p ").removeprefix("= ") if p is not None else ""

    @property
    def risk_text(self) -> str:
        return self._text(self.risk[1]) if self.risk is not None else ""


@dataclass(frozen=True)
class MetricResults:
    experiment_metric: ExperimentMetric
    relative: bool
    control: Variant | None = None
    control_n: int | None = None
    control_mean: float | None = None
    rows: tuple[VariantRow, ...] = ()
    problem: str | None = None  # why it is not analysed

    @property
    def is_guardrail(self) -> bool:
        return self.experiment_metric.role == MetricRole.GUARDRAIL

    @property
    def guardrail_worse(self) -> bool:
        return self.is_guardrail and any(row.verdict == WORSE for row in self.rows)


@dataclass(frozen=True)
class ExperimentResults:
    settings: ex.AnalysisSettings
    metrics: tuple[MetricResults, ...]
    srm: ex.SrmCheck | None = None
    problem: str | None = None  # why nothing at all is analysed

    @property
    def srm_reading(self) -> str | None:
        return ex.describe_srm(self.srm) if self.srm is not None else None

    @property
    def srm_flagged(self) -> bool:
        return self.srm is not None and self.srm.flagged

    @property
    def worse_guardrails(self) -> list[MetricResults]:
        return [metric for metric in self.metrics if metric.guardrail_worse]

    @property
    def primary(self) -> MetricResults | None:
        return next(
            (m for m in self.metrics if m.experiment_metric.role == MetricRole.PRIMARY), None
        )

    @property
    def analysed(self) -> bool:
        return any(metric.rows for metric in self.metrics)

    @property
    def interval_label(self) -> str:
        level = f"{(1 - self.settings.alpha) * 100:g}%"
        if self.settings.engine == "bayesian":
            return f"{level} credible interval"
        if self.settings.sequential_tuning is not None:
            return f"{level} confidence sequence"
        return f"{level} CI" + (" (adjusted)" if self.settings.correction else "")


def ordered_metrics(metrics: Iterable[ExperimentMetric]) -> list[ExperimentMetric]:
    return sorted(metrics, key=lambda m: (ROLE_ORDER.get(m.role, 3), m.metric.name.lower(), m.pk))


def analyse(
    *,
    experiment: Experiment,
    variants: Sequence[Variant],
    metrics: Sequence[ExperimentMetric],
    statistics: Iterable[VariantStatistics],
) -> ExperimentResults:
    """Every metric of the experiment against the control, from its stored statistics.
    `metrics` need their catalog metric loaded; no query is made."""
    settings = settings_of(experiment)
    relative = settings.difference == "relative"
    metrics = ordered_metrics(metrics)
    variants = sorted(variants, key=lambda v: v.position)
    if len(variants) < 2:
        return ExperimentResults(
            settings=settings,
            metrics=tuple(MetricResults(m, relative) for m in metrics),
            problem="Add a control and at least one variant to see results.",
        )
    by_metric: dict[int, dict[int, VariantStatistics]] = {}
    for row in statistics:
        by_metric.setdefault(row.experiment_metric_id, {})[row.variant_id] = row
    problems: dict[int, str] = {}
    ready: list[ExperimentMetric] = []
    for metric in metrics:
        problem = _waiting_for(variants, by_metric.get(metric.pk, {}))
        if problem:
            problems[metric.pk] = problem
        else:
            ready.append(metric)
    names = _engine_names(ready)
    analysis = None
    while ready:
        try:
            analysis = _run(experiment, settings, variants, ready, by_metric, names)
            break
        except ex.ExperimentInputError as exc:
            place = _PLACE.search(exc.field or "")
            if place is None or place["metric"] is None:
                for metric in ready:
                    problems[metric.pk] = f"The engine cannot analyse it: {exc}."
                ready = []
                break
            bad = ready.pop(int(place["metric"]))
            variant = variants[int(place["variant"])]
            field_name = MODEL_FIELDS.get(place["field"], place["field"])
            problems[bad.pk] = (
                f"The statistics of {variant.name} cannot be analysed: {field_name} {exc.reason}."
            )
    found: dict[int, list[ex.VariantResult]] = {}
    if analysis is not None:
        by_name = {names[m.pk]: m.pk for m in ready}
        for result in analysis.results:
            found.setdefault(by_name[result.metric], []).append(result)
    out = []
    for metric in metrics:
        if metric.pk in problems or metric.pk not in found:
            out.append(
                MetricResults(metric, relative, problem=problems.get(metric.pk, "Not analysed."))
            )
            continue
        stats = by_metric[metric.pk]
        control = variants[0]
        rows = tuple(
            _row(result, variant, stats[variant.pk], settings, analysis, metric)
            for result, variant in zip(found[metric.pk], variants[1:], strict=True)
        )
        out.append(
            MetricResults(
                metric,
                relative,
                control=control,
                control_n=int(stats[control.pk].n),
                control_mean=found[metric.pk][0].control_mean,
                rows=rows,
            )
        )
    return ExperimentResults(
        settings=settings, metrics=tuple(out), srm=analysis.srm if analysis else None
    )


def _waiting_for(variants: Sequence[Variant], stats: Mapping[int, VariantStatistics]) -> str:
    if not stats:
        return "No statistics yet."
    missing = [v.name for v in variants if v.pk not in stats]
    if missing:
        return f"No statistics yet for {_listed(missing)}."
    empty = [v.name for v in variants if not stats[v.pk].n]
    if empty:
        verb = "has" if len(empty) == 1 else "have"
        return f"{_listed(empty)} {verb} no users yet: nothing to compare."
    return ""


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _engine_names(metrics: Sequence[ExperimentMetric]) -> dict[int, str]:
    """The metric names the readings use, made unique by the key where two share one."""
    counts: dict[str, int] = {}
    for metric in metrics:
        counts[metric.metric.name] = counts.get(metric.metric.name, 0) + 1
    return {
        m.pk: m.metric.name if counts[m.metric.name] == 1 else f"{m.metric.name} ({m.metric.key})"
        for m in metrics
    }


def _run(
    experiment: Experiment,
    settings: ex.AnalysisSettings,
    variants: Sequence[Variant],
    metrics: Sequence[ExperimentMetric],
    by_metric: Mapping[int, Mapping[int, VariantStatistics]],
    names: Mapping[int, str],
) -> ex.ExperimentAnalysis:
    # The sample ratio check counts the users of the primary metric (the first).
    units = by_metric[metrics[0].pk]
    return ex.analyze_experiment(
        variants=[ex.Variant(v.name, float(v.weight), int(units[v.pk].n)) for v in variants],
        metrics=[
            engine_metric(m, [by_metric[m.pk][v.pk] for v in variants], name=names[m.pk])
            for m in metrics
        ],
        settings=settings,
    )


def verdict(result: ex.VariantResult, settings: ex.AnalysisSettings) -> str:
    """Better or worse when the evidence clears the experiment's level: a p-value (the
    adjusted one under a correction) below alpha, or a chance to win of at least
    1 - alpha (at most alpha: worse); otherwise no clear difference."""
    if result.issue is not None:
        return UNKNOWN
    if result.chance_to_win is not None:
        if result.chance_to_win >= 1 - settings.alpha:
            return BETTER
        return WORSE if result.chance_to_win <= settings.alpha else FLAT
    p = result.p_value_adjusted if result.p_value_adjusted is not None else result.p_value
    if p is None or p >= settings.alpha or result.effect == 0:
        return FLAT
    improved = (result.effect < 0) if result.lower_is_better else (result.effect > 0)
    return BETTER if improved else WORSE


def _row(
    result: ex.VariantResult,
    variant: Variant,
    stats: VariantStatistics,
    settings: ex.AnalysisSettings,
    analysis: ex.ExperimentAnalysis,
    metric: ExperimentMetric,
) -> VariantRow:
    primary = metric.role == MetricRole.PRIMARY
    return VariantRow(
        variant=variant,
        n=int(stats.n),
        mean=result.variant_mean,
        effect=result.effect,
        ci=result.ci_adjusted if result.ci_adjusted is not None else result.ci,
        p_value=result.p_value,
        p_value_adjusted=result.p_value_adjusted,
        chance_to_win=result.chance_to_win,
        risk=result.risk,
        verdict=verdict(result, settings),
        reading=ex.describe(result, settings=settings, srm=analysis.srm if primary else None),
        issue=result.issue.explanation if result.issue is not None else None,
        relative=settings.difference == "relative",
    )


# --- sizing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeInputs:
    """What the sample-size calculator is asked, with where its baseline came from."""

    metric_type: str  # mean or proportion
    baseline: float | None
    sd: float | None
    mde_percent: float | None
    daily_users: float | None
    power: float = 0.8
    baseline_source: str = ""


@dataclass(frozen=True)
class SizeAnswer:
    inputs: SizeInputs
    plan: ex.SamplePlan | None = None
    problem: str | None = None
    errors: dict[str, str] = field(default_factory=dict)


def baseline_from(
    experiment_metric: ExperimentMetric | None,
    control: VariantStatistics | None,
    latest_value: float | None,
) -> tuple[str, float | None, float | None, str]:
    """(metric type, mean, standard deviation, where they came from) to size the test by:
    the control's statistics so far, else the metric's latest value (a rate for a
    proportion; a mean metric's deviation is then asked for)."""
    kind = "proportion"
    if experiment_metric is not None and experiment_metric.metric_type != MetricType.PROPORTION:
        kind = "mean"
    if experiment_metric is None:
        return kind, None, None, ""
    if experiment_metric.metric_type == MetricType.RATIO:
        return kind, None, None, ""  # a ratio is sized as a mean, from what the user enters
    if control is not None and control.n and control.n > 1:
        mean = control.sum / control.n
        sd = None
        if kind == "mean" and control.sum_squares is not None:
            # The sample deviation of one user's value, the unit the calculator sizes by.
            spread = max(control.sum_squares - control.sum * mean, 0.0) / (control.n - 1)
            sd = math.sqrt(spread) or None
        return kind, mean, sd, "the control's statistics so far"
    if latest_value is not None:
        metric = experiment_metric.metric
        value = latest_value
        if kind == "proportion":
            value = value / 100 if metric.unit.strip() == "%" else value
            if not 0 < value < 1:
                return kind, None, None, ""
        return kind, value, None, f"the latest value of {metric.name}"
    return kind, None, None, ""


def size(inputs: SizeInputs, *, weights: Sequence[float], alpha: float) -> SizeAnswer:
    """Users per variant and days for the relative minimum detectable effect, by the
    engine's calculator; what is missing or refused is named."""
    missing = []
    if inputs.baseline is None:
        missing.append("a baseline")
    if inputs.metric_type == "mean" and inputs.sd is None:
        missing.append("the baseline's standard deviation")
    if inputs.mde_percent is None:
        missing.append("a minimum detectable effect")
    if missing:
        return SizeAnswer(inputs, problem="To size the experiment, give " + _listed(missing) + ".")
    if len(weights) < 2:
        weights = (0.5, 0.5)
    try:
        plan = ex.sample_size(
            baseline=ex.Baseline(inputs.metric_type, inputs.baseline, inputs.sd),
            mde=inputs.mde_percent / 100,
            difference="relative",
            alpha=alpha,
            power=inputs.power,
            weights=weights,
            daily_units=inputs.daily_users,
        )
    except ex.ExperimentInputError as exc:
        names = {"baseline_mean": "baseline", "baseline_sd": "sd", "mde": "mde"}
        return SizeAnswer(
            inputs, problem=str(exc), errors={names.get(exc.field, exc.field): exc.reason}
        )
    return SizeAnswer(inputs, plan=plan)


def as_dict(results: ExperimentResults) -> dict[str, Any]:
    """The results as the API answers them (infinite bounds as null)."""

    def finite(value: float | None) -> float | None:
        return value if value is not None and math.isfinite(value) else None

    return {
        "engine": results.settings.engine,
        "difference": results.settings.difference,
        "alpha": results.settings.alpha,
        "problem": results.problem,
        "srm": None
        if results.srm is None
        else {
            "p_value": results.srm.p_value,
            "flagged": results.srm.flagged,
            "observed": list(results.srm.observed),
            "expected": list(results.srm.expected),
            "reading": results.srm_reading,
        },
        "guardrails_worse": [m.experiment_metric.metric.key for m in results.worse_guardrails],
        "metrics": [
            {
                "experiment_metric_id": m.experiment_metric.pk,
                "metric_id": m.experiment_metric.metric_id,
                "metric_key": m.experiment_metric.metric.key,
                "metric_name": m.experiment_metric.metric.name,
                "role": m.experiment_metric.role,
                "metric_type": m.experiment_metric.metric_type,
                "problem": m.problem,
                "control_n": m.control_n,
                "control_mean": finite(m.control_mean),
                "guardrail_worse": m.guardrail_worse,
                "variants": [
                    {
                        "variant_id": row.variant.pk,
                        "variant": row.variant.name,
                        "n": row.n,
                        "mean": finite(row.mean),
                        "effect": finite(row.effect),
                        "ci": [finite(row.ci[0]), finite(row.ci[1])],
                        "p_value": finite(row.p_value),
                        "p_value_adjusted": finite(row.p_value_adjusted),
                        "chance_to_win": finite(row.chance_to_win),
                        "risk": [finite(r) for r in row.risk] if row.risk else None,
                        "verdict": row.verdict,
                        "reading": row.reading,
                        "issue": row.issue,
                    }
                    for row in m.rows
                ],
            }
            for m in results.metrics
        ],
    }
