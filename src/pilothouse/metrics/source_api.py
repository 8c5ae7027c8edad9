"""The API of data sources and metric syncs.

- /data-sources: the five standard endpoints (api.crud). `url` is write-only: answers
  carry `url_display`, masked; on PATCH, no `url` keeps the stored one.
- POST /data-sources/{id}/test: open the source and run SELECT 1.
- POST /data-sources/{id}/preview: the first rows of a query, checked as a sync would.
- /metric-syncs: the run log, read-only (filters: metric_id, status, source_id).
- POST /metrics/{id}/sync: queue a sync of the metric; 202 with its run (queued), or with
  the run queued or running already (`already_pending`: no other was queued).

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.metrics import source_selectors, source_services, sync
from pilothouse.metrics.models import (
    DataSource,
    Metric,
    SourceKind,
    SyncStatus,
    SyncTrigger,
)

# --- data sources -------------------------------------------------------------------------


class DataSourceIn(Schema):
    name: str
    description: str = ""
    kind: SourceKind = SourceKind.DUCKDB
    database_path: str = Field("", description="DuckDB: a database file, opened read-only")
    files_folder: str = Field("", description="DuckDB: the folder whose files queries may read")
    url: str | None = Field(
        None,
        description="Database URL sources: dialect://user:password@host:port/database. "
        "Write-only; stored encrypted and never sent back (see url_display)",
    )
    timeout_seconds: int = Field(30, description="A query stops after this long (1-600)")
    row_limit: int = Field(100_000, description="The most rows a query may return")


class DataSourceOut(crud.VersionedOut):
    name: str
    description: str
    kind: SourceKind
    database_path: str
    files_folder: str
    url_display: str = Field(description="The URL with its password masked")
    timeout_seconds: int
    row_limit: int
    metric_count: int = Field(0, description="Metrics that query this source")


class DataSourceFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    kind: SourceKind | None = None


data_sources = Router(tags=["metrics"])
crud.register(
    data_sources,
    crud.Resource(
        model=DataSource,
        out=DataSourceOut,
        create_in=DataSourceIn,
        update_in=crud.patch_schema(DataSourceIn, name="DataSourcePatch"),
        filters=DataSourceFilters,
        select=source_selectors.data_source_list,
        create=source_services.data_source.create,
        update=source_services.data_source.update,
        delete=source_services.data_source.delete,
        ordering=("id", "name", "kind", "created_at", "updated_at"),
        default_ordering="name",
    ),
)


class ConnectionCheckOut(Schema):
    ok: bool
    message: str
    duration_ms: int | None


@data_sources.post(
    "/{int:pk}/test",
    response={200: ConnectionCheckOut, **crud.ERRORS},
    summary="Test a data source's connection (SELECT 1)",
    operation_id="datasource_test",
)
def data_source_test(request: HttpRequest, pk: int):
    source = get_object_or_404(DataSource, pk=pk)
    return source_services.data_source_test(actor=request.user, source=source)


class PreviewIn(Schema):
    sql: str = Field(description="The query; :period_start and :period_end are bound")
    period_start: dt.date | None = Field(None, description="Default: 90 days before the end")
    period_end: dt.date | None = Field(None, description="Default: today")


class PreviewValueOut(Schema):
    period_start: dt.date
    value: float
    dimension: str


class PreviewOut(Schema):
    ok: bool
    period_start: dt.date
    period_end: dt.date
    columns: list[str] = Field(description="The columns the query returned, as named")
    rows: list[list[Any]] = Field(description="The first rows as returned, for display")
    values: list[PreviewValueOut] = Field(description="The rows read as values")
    errors: list[str] = Field(description="What is wrong, naming the row and column")
    row_count: int = Field(description="Rows read (a preview reads the first ones)")
    truncated: bool = Field(description="The query has more rows than were read")
    duration_ms: int


@data_sources.post(
    "/{int:pk}/preview",
    response={200: PreviewOut, **crud.ERRORS},
    summary="Preview a query on a data source (nothing is stored)",
    operation_id="datasource_preview",
)
def data_source_preview(request: HttpRequest, pk: int, payload: PreviewIn):
    source = get_object_or_404(DataSource, pk=pk)
    first, last = source_services.preview_period(
        period_start=payload.period_start,
        period_end=payload.period_end,
        today=timezone.localdate(),
    )
    result = source_services.query_preview(
        actor=request.user, source=source, sql=payload.sql, period_start=first, period_end=last
    )
    return PreviewOut(
        ok=result.ok,
        period_start=first,
        period_end=last,
        columns=result.columns,
        rows=result.raw_rows,
        values=[
            PreviewValueOut(period_start=row.period_start, value=row.value, dimension=row.dimension)
            for row in result.rows
        ],
        errors=result.problems,
        row_count=result.row_count,
        truncated=result.truncated,
        duration_ms=result.duration_ms,
    )


# --- the run log ---------------------------------------------------------------------------


class MetricSyncOut(Schema):
    id: int
    metric_id: int
    metric_key: str = Field(alias="metric.key")
    source_id: int | None
    trigger: SyncTrigger
    triggered_by_id: int | None
    period_start: dt.date
    period_end: dt.date
    status: SyncStatus = Field(
        description="queued (waiting for the worker), running, succeeded or failed"
    )
    queued_at: dt.datetime | None = Field(description="When it was asked for, if on demand")
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: int | None
    rows: int = Field(description="Rows the query returned")
    values_written: int = Field(description="Values created or changed")
    error: str


metric_syncs = Router(tags=["metrics"])


@metric_syncs.get(
    "",
    response={200: crud.Page[MetricSyncOut], **crud.ERRORS},
    summary="List metric sync runs, latest first",
    operation_id="metricsync_list",
)
def metric_sync_list(
    request: HttpRequest,
    metric_id: int | None = None,
    status: SyncStatus | None = None,
    source_id: int | None = None,
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    runs = source_selectors.sync_list(metric_id=metric_id, status=status, source_id=source_id)
    return {"items": list(runs[offset : offset + limit]), "count": runs.count()}


@metric_syncs.get(
    "/{int:pk}",
    response={200: MetricSyncOut, **crud.ERRORS},
    summary="Get a metric sync run",
    operation_id="metricsync_get",
)
def metric_sync_get(request: HttpRequest, pk: int):
    return get_object_or_404(source_selectors.sync_list(), pk=pk)


class SyncRequestOut(MetricSyncOut):
    already_pending: bool = Field(
        False,
        description="True when a sync of the metric was queued or running already: no "
        "other was queued, and this is that run",
    )
    message: str = Field("", description="Why no other sync was queued, if so")


class SyncIn(Schema):
    period_start: dt.date | None = Field(None, description="Default: the usual window")
    period_end: dt.date | None = Field(None, description="Default: today")


metric_sync_requests = Router(tags=["metrics"])


@metric_sync_requests.post(
    "/{int:pk}/sync",
    response={202: SyncRequestOut, **crud.ERRORS},
    summary="Sync a metric from its data source (queued for the worker)",
    operation_id="metric_sync",
)
def metric_sync(request: HttpRequest, pk: int, payload: SyncIn | None = None):
    metric = get_object_or_404(Metric, pk=pk)
    asked = sync.metric_sync_queue(
        metric=metric,
        actor=request.user,
        period_start=payload.period_start if payload else None,
        period_end=payload.period_end if payload else None,
    )
    run = get_object_or_404(source_selectors.sync_list(), pk=asked.run.pk)
    run.already_pending, run.message = asked.already_pending, asked.message
    return 202, run


ROUTERS = {
    "/data-sources": data_sources,
    "/metric-syncs": metric_syncs,
    "/metrics": metric_sync_requests,
}
