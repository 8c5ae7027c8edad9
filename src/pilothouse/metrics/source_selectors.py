"""Reads of data sources and of the sync run log, for the pages and the API (a fixed
number of queries per page)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pilothouse.metrics.models import DataSource, Metric, MetricSync


def data_source_list() -> QuerySet[DataSource]:
    """Data sources with the number of metrics that query each (`metric_count`)."""
    return DataSource.objects.annotate(metric_count=Count("metrics"))


def sync_list(
    *, metric_id: int | None = None, status: str | None = None, source_id: int | None = None
) -> QuerySet[MetricSync]:
    """Sync runs, latest first, with their metric, source and who asked for them."""
    runs = MetricSync.objects.select_related("metric", "source", "triggered_by")
    if metric_id is not None:
        runs = runs.filter(metric_id=metric_id)
    if status:
        runs = runs.filter(status=status)
    if source_id is not None:
        runs = runs.filter(source_id=source_id)
    return runs.order_by("-started_at", "-id")


def metrics_with_query() -> QuerySet[Metric]:
    """The metrics that sync from a data source, by name."""
    return (
        Metric.objects.filter(source__isnull=False)
        .exclude(query="")
        .select_related("source")
        .order_by("name")
    )
