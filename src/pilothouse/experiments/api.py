"""/api/v1/experiments (with /{id}/results, /{id}/variants, /{id}/sample-size,
/{id}/statistics/import and /{id}/statistics/refresh), /variants, /experiment-metrics
(with /{id}/statistics) and /variant-statistics.

An experiment moves through its statuses by PATCH (`status`, with `decision`,
`winner_id` and `rationale` to decide), under the rules of services.ExperimentWrites.
Variants are set as a whole (PUT /experiments/{id}/variants), so that their weights
sum to 1; a single variant changes only its name and description. Results are
computed from the statistics when asked, never stored.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.api.uploads import (
    RESPONSES,
    run_file_import,
    upload_body,
)
from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.experiments import imports, results, selectors, services, statistics_sources
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
)
from pilothouse.metrics.models import DataSource, Metric
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature
from pilothouse.strategy.models import Objective

# --- experiments --------------------------------------------------------------------------


class ExperimentIn(Schema):
    name: str
    hypothesis: str = Field(
        description="We believe that <change> for <who> will <outcome>, measured by <metric>."
    )
    product_id: int
    feature_id: int | None = Field(None, description="The feature tested; shipping measures it")
    objective_id: int | None = None
    owner_id: int | None = None
    status: Literal["draft", "running", "stopped", "decided"] = Field(
        "draft", description="draft -> running -> stopped -> decided (running -> decided too)"
    )
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    engine: Literal["frequentist", "bayesian"] = "frequentist"
    difference: Literal["relative", "absolute"] = "relative"
    alpha: Decimal = Field(Decimal("0.05"), description="Significance level (0.001 to 0.2)")
    correction: Literal["none", "holm", "bh"] = Field(
        "none", description="Frequentist: Holm-Bonferroni or Benjamini-Hochberg across all"
    )
    sequential: bool = Field(False, description="Frequentist: confidence sequences")
    prior_mean: float | None = Field(None, description="Bayesian: the prior's mean effect")
    prior_stddev: float | None = Field(None, description="Bayesian: the prior's deviation")
    minimum_detectable_effect: Decimal | None = Field(None, description="In %, to size the test")
    daily_users: int | None = Field(None, description="Users entering per day, all variants")
    decision: Literal["", "ship", "roll_back", "iterate", "inconclusive"] = ""
    winner_id: int | None = Field(None, description="To ship: the winning variant")
    rationale: str = Field("", description="Why (Markdown); required to decide")


class VariantOut(crud.VersionedOut):
    experiment_id: int
    name: str
    description: str
    position: int = Field(description="0 is the control")
    weight: Decimal = Field(description="The planned share of traffic")


class ExperimentOut(crud.VersionedOut, ExperimentIn):
    decided_at: dt.datetime | None = None
    variants: list[VariantOut] = []

    @staticmethod
    def resolve_variants(obj: Experiment) -> list[Variant]:
        return list(obj.variants.all())


class ExperimentFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    status: str | None = None
    product_id: int | None = None
    owner_id: int | None = None
    feature_id: int | None = None
    objective_id: int | None = None


experiments = Router(tags=["experiments"])
crud.register(
    experiments,
    crud.Resource(
        model=Experiment,
        out=ExperimentOut,
        create_in=ExperimentIn,
        update_in=crud.patch_schema(ExperimentIn, name="ExperimentPatch"),
        filters=ExperimentFilters,
        select=selectors.experiment_api_list,
        create=services.experiment.create,
        update=services.experiment.update,
        delete=services.experiment.delete,
        ordering=("id", "name", "start_date", "end_date", "status", "created_at", "updated_at"),
        default_ordering="-start_date",
        refs={
            "product_id": ("product", Product),
            "feature_id": ("feature", Feature),
            "objective_id": ("objective", Objective),
            "owner_id": ("owner", User),
            "winner_id": ("winner", Variant),
        },
    ),
)


# --- results -------------------------------------------------------------------------------


class SrmOut(Schema):
    p_value: float
    flagged: bool = Field(description="p below 0.001: the split does not match the weights")
    observed: list[int]
    expected: list[float]
    reading: str


class VariantResultOut(Schema):
    variant_id: int
    variant: str
    n: int
    mean: float | None
    effect: float | None = Field(description="Relative (0.041 is +4.1 %) or absolute")
    ci: list[float | None] = Field(description="The interval; null where unbounded")
    p_value: float | None = None
    p_value_adjusted: float | None = None
    chance_to_win: float | None = None
    risk: list[float | None] | None = Field(
        None, description="Expected loss of choosing the control, and of choosing the variant"
    )
    verdict: str = Field(description="better, worse, flat or unknown")
    reading: str = Field(description="The plain-language reading")
    issue: str | None = Field(None, description="Why the effect cannot be estimated")


class MetricResultOut(Schema):
    experiment_metric_id: int
    metric_id: int
    metric_key: str
    metric_name: str
    role: str
    metric_type: str
    problem: str | None = Field(None, description="Why it is not analysed yet")
    control_n: int | None = None
    control_mean: float | None = None
    guardrail_worse: bool
    variants: list[VariantResultOut]


class ResultsOut(Schema):
    engine: str
    difference: str
    alpha: float
    problem: str | None
    srm: SrmOut | None
    guardrails_worse: list[str] = Field(description="Keys of guardrail metrics that got worse")
    metrics: list[MetricResultOut]


@experiments.get(
    "/{int:pk}/results",
    response={200: ResultsOut, **crud.ERRORS},
    summary="An experiment's results, computed from its statistics",
    operation_id="experiment_results",
)
def experiment_results(request: HttpRequest, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    return results.as_dict(selectors.results_of(experiment))


class SampleSizeOut(Schema):
    metric_type: str
    baseline: float | None
    sd: float | None
    baseline_source: str
    mde_percent: float | None
    daily_users: float | None
    power: float
    units_per_variant: list[int] | None = None
    total_units: int | None = None
    days: int | None = None
    achieved_power: float | None = None
    problem: str | None = None


@experiments.get(
    "/{int:pk}/sample-size",
    response={200: SampleSizeOut, **crud.ERRORS},
    summary="Users and days an experiment needs for a minimum detectable effect",
    operation_id="experiment_sample_size",
)
def experiment_sample_size(
    request: HttpRequest,
    pk: int,
    mde: float | None = Query(None, description="Relative, in %; default: the experiment's"),
    baseline: float | None = Query(None, description="Default: the control's so far"),
    sd: float | None = Query(None, description="Mean metrics: one user's standard deviation"),
    daily_users: float | None = Query(None, description="Default: the experiment's"),
    power: float = Query(0.8, gt=0, lt=1),
):
    try:
        detail = selectors.experiment_detail(pk=pk, today=timezone.localdate())
    except Experiment.DoesNotExist as exc:
        raise Http404("No such experiment.") from exc
    experiment = detail.experiment
    kind, mean, deviation, source = results.baseline_from(
        detail.primary, detail.control_statistics, detail.latest_value
    )
    inputs = results.SizeInputs(
        metric_type=kind,
        baseline=baseline if baseline is not None else mean,
        sd=sd if sd is not None else deviation,
        mde_percent=mde
        if mde is not None
        else (
            float(experiment.minimum_detectable_effect)
            if experiment.minimum_detectable_effect
            else None
        ),
        daily_users=daily_users if daily_users is not None else experiment.daily_users,
        power=power,
        baseline_source="given" if baseline is not None else source,
    )
    answer = results.size(inputs, weights=detail.weights, alpha=float(experiment.alpha))
    plan = answer.plan
    return SampleSizeOut(
        metric_type=inputs.metric_type,
        baseline=inputs.baseline,
        sd=inputs.sd,
        baseline_source=inputs.baseline_source,
        mde_percent=inputs.mde_percent,
        daily_users=inputs.daily_users,
        power=inputs.power,
        units_per_variant=list(plan.units_per_variant) if plan else None,
        total_units=plan.total_units if plan else None,
        days=plan.days if plan else None,
        achieved_power=plan.power if plan else None,
        problem=answer.problem,
    )


# --- variants ------------------------------------------------------------------------------


class VariantRowIn(Schema):
    id: int | None = Field(None, description="An existing variant to keep (and its statistics)")
    name: str
    description: str = ""
    weight: Decimal = Field(description="Its share of traffic; the set's weights sum to 1")


class VariantSetIn(Schema):
    variants: list[VariantRowIn] = Field(description="In order: the first is the control")


@experiments.put(
    "/{int:pk}/variants",
    response={200: list[VariantOut], **crud.ERRORS},
    summary="Set an experiment's variants and weights (while it is a draft)",
    operation_id="experiment_variants_set",
)
def experiment_variants_set(request: HttpRequest, pk: int, payload: VariantSetIn):
    experiment = get_object_or_404(Experiment, pk=pk)
    return services.variants_set(
        actor=request.user,
        instance=experiment,
        variants=[row.dict() for row in payload.variants],
    )


class VariantIn(Schema):
    name: str
    description: str = ""


class VariantFilters(FilterSchema):
    experiment_id: int | None = None


variants = Router(tags=["experiments"])
crud.register(
    variants,
    crud.Resource(
        model=Variant,
        out=VariantOut,
        create_in=VariantIn,
        update_in=crud.patch_schema(VariantIn, name="VariantPatch"),
        filters=VariantFilters,
        select=selectors.variant_list,
        create=services.variant.create,
        update=services.variant.update,
        delete=services.variant.delete,
        ordering=("id", "position", "name", "created_at", "updated_at"),
        default_ordering="id",
    ),
)


# --- experiment metrics and their statistics ------------------------------------------------


class ExperimentMetricIn(Schema):
    experiment_id: int
    metric_id: int
    role: Literal["primary", "secondary", "guardrail"] = "secondary"
    metric_type: Literal["mean", "proportion", "ratio"] = "mean"
    cuped: bool = Field(False, description="Adjust with each user's pre-experiment value")
    data_source_id: int | None = Field(
        None, description="The data source its statistics query runs on"
    )
    statistics_query: str = Field(
        "",
        description="SQL returning one row per variant (variant, n, sum, sum_squares, ...); "
        ":start_date and :end_date are bound",
    )


class ExperimentMetricOut(crud.VersionedOut, ExperimentMetricIn):
    metric_key: str

    @staticmethod
    def resolve_metric_key(obj: ExperimentMetric) -> str:
        return obj.metric.key


class ExperimentMetricFilters(FilterSchema):
    experiment_id: int | None = None
    metric_id: int | None = None
    role: str | None = None


experiment_metrics = Router(tags=["experiments"])
crud.register(
    experiment_metrics,
    crud.Resource(
        model=ExperimentMetric,
        out=ExperimentMetricOut,
        create_in=ExperimentMetricIn,
        update_in=crud.patch_schema(ExperimentMetricIn, name="ExperimentMetricPatch"),
        filters=ExperimentMetricFilters,
        select=selectors.experiment_metric_list,
        create=services.experiment_metric.create,
        update=services.experiment_metric.update,
        delete=services.experiment_metric.delete,
        ordering=("id", "role", "created_at", "updated_at"),
        default_ordering="id",
        refs={
            "experiment_id": ("experiment", Experiment),
            "metric_id": ("metric", Metric),
            "data_source_id": ("data_source", DataSource),
        },
    ),
)


class SumsIn(Schema):
    n: int = Field(description="Users (units) of the variant")
    sum: float = Field(description="Sum of each user's value (a proportion: the conversions)")
    sum_squares: float | None = Field(None, description="Means and ratios")
    denominator_sum: float | None = Field(None, description="Ratios")
    denominator_sum_squares: float | None = Field(None, description="Ratios")
    cross_sum: float | None = Field(None, description="Ratios: sum of numerator x denominator")
    covariate_sum: float | None = Field(None, description="CUPED: the pre-period value")
    covariate_sum_squares: float | None = Field(None, description="CUPED")
    covariate_cross_sum: float | None = Field(
        None, description="CUPED: sum of value x pre-period value"
    )


class VariantStatisticsIn(SumsIn):
    experiment_metric_id: int
    variant_id: int


class VariantStatisticsOut(crud.VersionedOut, VariantStatisticsIn):
    pass


class VariantStatisticsFilters(FilterSchema):
    experiment_metric_id: int | None = None
    variant_id: int | None = None
    experiment_id: Annotated[int | None, FilterLookup("experiment_metric__experiment_id")] = None


variant_statistics = Router(tags=["experiments"])
crud.register(
    variant_statistics,
    crud.Resource(
        model=VariantStatistics,
        out=VariantStatisticsOut,
        create_in=VariantStatisticsIn,
        update_in=crud.patch_schema(VariantStatisticsIn, name="VariantStatisticsPatch"),
        filters=VariantStatisticsFilters,
        select=selectors.statistics_list,
        create=services.variant_statistics.create,
        update=services.variant_statistics.update,
        delete=services.variant_statistics.delete,
        ordering=("id", "n", "created_at", "updated_at"),
        default_ordering="id",
        refs={
            "experiment_metric_id": ("experiment_metric", ExperimentMetric),
            "variant_id": ("variant", Variant),
        },
    ),
)


class StatisticsRowIn(SumsIn):
    variant_id: int


class StatisticsSetIn(Schema):
    rows: list[StatisticsRowIn] = Field(description="One row per variant to set")


@experiment_metrics.put(
    "/{int:pk}/statistics",
    response={200: list[VariantStatisticsOut], **crud.ERRORS},
    summary="Set the statistics of a metric's variants, all rows or none",
    operation_id="experimentmetric_statistics_set",
)
def statistics_set(request: HttpRequest, pk: int, payload: StatisticsSetIn):
    experiment_metric = get_object_or_404(
        ExperimentMetric.objects.select_related("experiment__product__product_line"), pk=pk
    )
    rows = [{**row.dict(exclude={"variant_id"}), "variant": row.variant_id} for row in payload.rows]
    services.statistics_set(actor=request.user, experiment_metric=experiment_metric, rows=rows)
    return list(
        VariantStatistics.objects.filter(experiment_metric=experiment_metric).order_by(
            "variant__position"
        )
    )


@experiments.post(
    "/{int:pk}/statistics/import",
    response=RESPONSES,
    summary="Import an experiment's statistics from a CSV or XLSX file",
    operation_id="experiment_statistics_import",
    openapi_extra=upload_body({}),
)
def statistics_import(request: HttpRequest, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    permissions.require(
        permissions.can_change(request.user, experiment),
        "You may not change this experiment's statistics.",
    )

    return run_file_import(
        request, imports.import_statistics, extra=lambda: {"experiment": experiment}
    )


class MetricRefreshOut(Schema):
    experiment_metric_id: int
    metric_key: str
    ok: bool
    rows: int | None = Field(description="Rows the query returned (null: it did not finish)")
    duration_ms: int
    changed: int = Field(description="Variants whose statistics were created or changed")
    error: str | None = Field(description="Why its statistics were left as they were")
    problems: list[str] = Field(description="Each reason, naming the row and column")


class RefreshOut(Schema):
    start_date: dt.date = Field(description="Bound to :start_date")
    end_date: dt.date = Field(description="Bound to :end_date")
    failed: int
    metrics: list[MetricRefreshOut]


@experiments.post(
    "/{int:pk}/statistics/refresh",
    response={200: RefreshOut, **crud.ERRORS},
    summary="Compute the statistics of every metric with a query, from its data source",
    operation_id="experiment_statistics_refresh",
)
def statistics_refresh(request: HttpRequest, pk: int):
    try:
        experiment = selectors.experiment_for_page(pk=pk)
    except Experiment.DoesNotExist as exc:
        raise Http404("No such experiment.") from exc
    report = statistics_sources.statistics_refresh(
        actor=request.user, experiment=experiment, today=timezone.localdate()
    )
    return RefreshOut(
        start_date=report.start_date,
        end_date=report.end_date,
        failed=len(report.failed),
        metrics=[
            MetricRefreshOut(
                experiment_metric_id=done.experiment_metric.pk,
                metric_key=done.experiment_metric.metric.key,
                ok=done.ok,
                rows=done.rows,
                duration_ms=done.duration_ms,
                changed=done.changed,
                error=done.error,
                problems=done.problems,
            )
            for done in report.metrics
        ],
    )


ROUTERS = {
    "/experiments": experiments,
    "/variants": variants,
    "/experiment-metrics": experiment_metrics,
    "/variant-statistics": variant_statistics,
}
