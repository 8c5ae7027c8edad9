"""Every read of experiments used by views and the API, each a fixed number of queries
whatever the number of experiments, variants, metrics and statistics. Results are
computed from the statistics when read (results.py), never stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from pilothouse.core.models import User
from pilothouse.experiments import results
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    ExperimentStatus,
    MetricRole,
    Variant,
    VariantStatistics,
)
from pilothouse.metrics.models import DataSource, Metric, MetricValue
from pilothouse.portfolio.models import Product

# The list page shows the statuses in this order.
STATUS_ORDER = (
    ExperimentStatus.RUNNING,
    ExperimentStatus.DRAFT,
    ExperimentStatus.STOPPED,
    ExperimentStatus.DECIDED,
)


# --- the API's lists -------------------------------------------------------------------------


def experiment_list() -> QuerySet[Experiment]:
    return Experiment.objects.select_related("product", "owner", "feature", "objective")


def experiment_api_list() -> QuerySet[Experiment]:
    """Experiments with their variants (one more query for a whole page)."""
    return experiment_list().prefetch_related(
        Prefetch("variants", queryset=Variant.objects.order_by("position"))
    )


def variant_list() -> QuerySet[Variant]:
    return Variant.objects.all()


def experiment_metric_list() -> QuerySet[ExperimentMetric]:
    return ExperimentMetric.objects.select_related("metric")


def statistics_list() -> QuerySet[VariantStatistics]:
    return VariantStatistics.objects.all()


# --- the list page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    status: str = ""
    product_id: int | None = None
    owner_id: int | None = None

    def apply(self, experiments: QuerySet[Experiment], *, status: bool = True):
        if status and self.status:
            experiments = experiments.filter(status=self.status)
        if self.product_id is not None:
            experiments = experiments.filter(product_id=self.product_id)
        if self.owner_id is not None:
            experiments = experiments.filter(owner_id=self.owner_id)
        return experiments


def listed(filters: ListFilters) -> QuerySet[Experiment]:
    """The experiments of the list page: running first, then drafts, stopped and decided;
    the latest start first within each."""
    rank = Case(
        *(When(status=status, then=Value(index)) for index, status in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return (
        filters.apply(experiment_list())
        .annotate(status_rank=rank)
        .order_by("status_rank", "-start_date", "name", "id")
    )


def status_counts(filters: ListFilters) -> dict[str, int]:
    """How many experiments each status has under the other filters: one query."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    rows = (
        filters.apply(Experiment.objects.all(), status=False)
        .values("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


@dataclass(frozen=True)
class Headline:
    """The primary metric's first comparison, for a row of the list."""

    metric: str
    row: results.VariantRow | None
    problem: str | None
    srm_flagged: bool


def headlines(experiments: Sequence[Experiment]) -> dict[int, Headline]:
    """Each experiment's primary result, computed from its statistics: three queries for
    a page (its variants, its primary metrics, their statistics)."""
    ids = [experiment.pk for experiment in experiments]
    variants: dict[int, list[Variant]] = {}
    for variant in Variant.objects.filter(experiment_id__in=ids).order_by("position"):
        variants.setdefault(variant.experiment_id, []).append(variant)
    primaries = {
        m.experiment_id: m
        for m in ExperimentMetric.objects.filter(
            experiment_id__in=ids, role=MetricRole.PRIMARY
        ).select_related("metric")
    }
    stats: dict[int, list[VariantStatistics]] = {}
    for row in VariantStatistics.objects.filter(
        experiment_metric_id__in=[m.pk for m in primaries.values()]
    ):
        stats.setdefault(row.experiment_metric_id, []).append(row)
    found = {}
    for experiment in experiments:
        primary = primaries.get(experiment.pk)
        if primary is None:
            continue
        analysed = results.analyse(
            experiment=experiment,
            variants=variants.get(experiment.pk, []),
            metrics=[primary],
            statistics=stats.get(primary.pk, []),
        )
        metric = analysed.metrics[0]
        found[experiment.pk] = Headline(
            metric=primary.metric.name,
            row=metric.rows[0] if metric.rows else None,
            problem=analysed.problem or metric.problem,
            srm_flagged=analysed.srm_flagged,
        )
    return found


def owner_choices() -> list[tuple[int, str]]:
    """The users who own an experiment, for the list's filter."""
    owners = User.objects.filter(owned_experiments__isnull=False).distinct().order_by("username")
    return [(user.pk, str(user)) for user in owners]


def product_choices() -> list[tuple[int, str]]:
    products = Product.objects.filter(experiments__isnull=False).distinct().order_by("name")
    return [(product.pk, product.name) for product in products.only("id", "name")]


# --- an experiment's page --------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentDetail:
    experiment: Experiment
    variants: list[Variant]
    metrics: list[ExperimentMetric]
    statistics: list[VariantStatistics]
    results: results.ExperimentResults
    latest_value: float | None  # of the primary metric, for the calculator's baseline

    @property
    def primary(self) -> ExperimentMetric | None:
        return next((m for m in self.metrics if m.role == MetricRole.PRIMARY), None)

    @property
    def control(self) -> Variant | None:
        return self.variants[0] if self.variants else None

    def statistics_of(self, experiment_metric: ExperimentMetric) -> dict[int, VariantStatistics]:
        return {
            row.variant_id: row
            for row in self.statistics
            if row.experiment_metric_id == experiment_metric.pk
        }

    @property
    def control_statistics(self) -> VariantStatistics | None:
        if self.primary is None or self.control is None:
            return None
        return self.statistics_of(self.primary).get(self.control.pk)

    @property
    def weights(self) -> list[float]:
        return [float(variant.weight) for variant in self.variants]


def experiment_for_page(*, pk: int) -> Experiment:
    """An experiment with what its page and its permission check read."""
    return Experiment.objects.select_related(
        "product__product_line", "feature", "objective", "owner", "winner", "updated_by"
    ).get(pk=pk)


def experiment_detail(*, pk: int, today: dt.date) -> ExperimentDetail:
    """An experiment with its variants, metrics, statistics and results: five queries."""
    experiment = experiment_for_page(pk=pk)
    variants = list(Variant.objects.filter(experiment=experiment).order_by("position"))
    metrics = results.ordered_metrics(
        ExperimentMetric.objects.filter(experiment=experiment).select_related(
            "metric", "data_source"
        )
    )
    statistics = list(VariantStatistics.objects.filter(experiment_metric__experiment=experiment))
    primary = next((m for m in metrics if m.role == MetricRole.PRIMARY), None)
    latest = None
    if primary is not None:
        latest = (
            MetricValue.objects.filter(
                metric_id=primary.metric_id, dimension="", period_start__lte=today
            )
            .order_by("-period_start")
            .values_list("value", flat=True)
            .first()
        )
    analysed = results.analyse(
        experiment=experiment, variants=variants, metrics=metrics, statistics=statistics
    )
    return ExperimentDetail(
        experiment=experiment,
        variants=variants,
        metrics=metrics,
        statistics=statistics,
        results=analysed,
        latest_value=latest,
    )


def results_of(experiment: Experiment) -> results.ExperimentResults:
    """An experiment's results: three queries (variants, metrics, statistics)."""
    return results.analyse(
        experiment=experiment,
        variants=list(Variant.objects.filter(experiment=experiment)),
        metrics=list(
            ExperimentMetric.objects.filter(experiment=experiment).select_related("metric")
        ),
        statistics=list(VariantStatistics.objects.filter(experiment_metric__experiment=experiment)),
    )


def experiment_metric_for_page(*, pk: int) -> ExperimentMetric:
    return ExperimentMetric.objects.select_related(
        "metric", "experiment__product__product_line", "experiment__owner"
    ).get(pk=pk)


def data_source_choices() -> list[tuple[int, str]]:
    """The data sources a statistics query may run on: one query."""
    return list(DataSource.objects.order_by("name").values_list("pk", "name"))


def metric_choices() -> QuerySet[Metric]:
    return Metric.objects.only("id", "key", "name", "unit", "direction").order_by("name")


def experiments_of_feature(*, feature_id: int) -> list[Experiment]:
    """The experiments that test a feature (its page's panel): one query."""
    return list(
        Experiment.objects.filter(feature_id=feature_id)
        .select_related("winner", "owner")
        .order_by("-start_date", "name")
    )
