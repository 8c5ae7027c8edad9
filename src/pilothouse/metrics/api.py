"""/api/v1/metrics, /metric-values (with /bulk and /import), /metric-targets and
/key-result-metrics (key results that follow a metric).

A metric answers with its status as of today (computed for a whole page at once).
Values are written one at a time through the standard endpoints or many at once
through POST /metric-values/bulk, the same path as file imports and syncs
(services.metric_values_upsert): all or nothing, refused rows named `rows.<i>.<field>`.

No `from __future__ import annotations`: ninja reads the signatures.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema, Router, Schema

from pilothouse.api import crud
from pilothouse.api.uploads import (
    RESPONSES,
    run_file_import,
    upload_body,
)
from pilothouse.core.models import User
from pilothouse.metrics import selectors, services
from pilothouse.metrics.imports import import_values
from pilothouse.metrics.models import (
    DataSource,
    KeyResultMetric,
    Metric,
    MetricTarget,
    MetricValue,
)
from pilothouse.portfolio.models import Product
from pilothouse.strategy.models import KeyResult

# --- metrics ------------------------------------------------------------------------------


class MetricIn(Schema):
    key: str = Field(description="A short unique name, e.g. weekly-active-users")
    name: str
    description: str = Field("", description="Markdown")
    definition: str = Field("", description="How the metric is computed, in words")
    unit: str = ""
    direction: str = Field("higher", description="higher or lower (is better)")
    kind: str = Field("input", description="north_star, input, guardrail or health")
    owner_id: int | None = None
    product_ids: list[int] = []
    aggregation: str = Field("sum", description="How values roll up: sum, mean, last, min, max")
    granularity: str = Field("day", description="day, week (from Monday) or month")
    tolerance_percent: Decimal = Field(
        Decimal(5), description="How far short of its target still counts as at risk"
    )
    source_id: int | None = Field(None, description="The data source its query runs on")
    query: str = ""
    sync_interval: str = Field("off", description="off, hourly, daily or weekly")


class MetricOut(crud.VersionedOut, MetricIn):
    last_synced_at: dt.datetime | None = None
    status: str = Field("no_data", description="on_track, at_risk, off_track, no_target, no_data")
    status_explained: str = Field("", description="The sentence the status comes from")
    latest_value: float | None = None
    latest_period: dt.date | None = None

    @staticmethod
    def resolve_product_ids(obj: Metric) -> list[int]:
        return sorted(product.pk for product in obj.products.all())

    @staticmethod
    def resolve_status(obj: Metric) -> str:
        return obj.summary.status.status if hasattr(obj, "summary") else "no_data"

    @staticmethod
    def resolve_status_explained(obj: Metric) -> str:
        return obj.summary.status.sentence if hasattr(obj, "summary") else ""

    @staticmethod
    def resolve_latest_value(obj: Metric) -> float | None:
        return obj.summary.status.latest if hasattr(obj, "summary") else None

    @staticmethod
    def resolve_latest_period(obj: Metric) -> dt.date | None:
        return obj.summary.status.latest_period if hasattr(obj, "summary") else None


class MetricFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "key__icontains"])] = None
    key: str | None = None
    kind: str | None = None
    product_id: Annotated[int | None, FilterLookup("products__id")] = None
    owner_id: int | None = None
    source_id: int | None = None


metrics = Router(tags=["metrics"])
crud.register(
    metrics,
    crud.Resource(
        model=Metric,
        out=MetricOut,
        create_in=MetricIn,
        update_in=crud.patch_schema(MetricIn, name="MetricPatch"),
        filters=MetricFilters,
        select=lambda: selectors.metric_api_list(today=timezone.localdate()),
        create=services.metric.create,
        update=services.metric.update,
        delete=services.metric.delete,
        ordering=("id", "key", "name", "kind", "created_at", "updated_at"),
        default_ordering="name",
        refs={"owner_id": ("owner", User), "source_id": ("source", DataSource)},
        many={"product_ids": ("products", Product)},
        decorate=lambda objects: selectors.decorate_statuses(objects, today=timezone.localdate()),
    ),
)


# --- values -------------------------------------------------------------------------------


class MetricValueIn(Schema):
    metric_id: int
    period_start: dt.date = Field(description="The first day of the period (a Monday, a 1st)")
    value: float
    dimension: str = Field("", description="Empty for the metric overall")


class MetricValueOut(crud.VersionedOut, MetricValueIn):
    origin: str = Field(description="manual, import or sync")


class MetricValueFilters(FilterSchema):
    metric_id: int | None = None
    metric_key: Annotated[str | None, FilterLookup("metric__key")] = None
    dimension: str | None = Field(None, description="Empty: the overall values")
    period_from: Annotated[dt.date | None, FilterLookup("period_start__gte")] = None
    period_to: Annotated[dt.date | None, FilterLookup("period_start__lte")] = None
    origin: str | None = None


class ValueRowIn(Schema):
    period_start: dt.date
    value: float
    dimension: str = ""


class BulkValuesIn(Schema):
    metric_id: int | None = Field(None, description="The metric, by id...")
    metric_key: str | None = Field(None, description="...or by key")
    rows: list[ValueRowIn]
    origin: Literal["manual", "import"] = "import"
    replace_from: dt.date | None = Field(
        None, description="With replace_to: values in this range that no row names are deleted"
    )
    replace_to: dt.date | None = None


class BulkValuesOut(Schema):
    created: int
    updated: int
    deleted: int
    unchanged: int


metric_values = Router(tags=["metrics"])


@metric_values.post(
    "/bulk",
    response={200: BulkValuesOut, **crud.ERRORS},
    summary="Create or update many values of one metric at once (all or nothing)",
    operation_id="metric_values_bulk",
)
def metric_values_bulk(request: HttpRequest, payload: BulkValuesIn):
    metric = _bulk_metric(payload)
    replace = None
    if (payload.replace_from is None) != (payload.replace_to is None):
        raise ValidationError({"replace_to": "Give both replace_from and replace_to, or neither."})
    if payload.replace_from is not None:
        replace = (payload.replace_from, payload.replace_to)
    rows = [services.ValueRow(row.period_start, row.value, row.dimension) for row in payload.rows]
    result = services.metric_values_upsert(
        actor=request.user, metric=metric, rows=rows, origin=payload.origin, replace_range=replace
    )
    return BulkValuesOut(
        created=result.created,
        updated=result.updated,
        deleted=result.deleted,
        unchanged=result.unchanged,
    )


def _bulk_metric(payload: BulkValuesIn) -> Metric:
    if (payload.metric_id is None) == (payload.metric_key is None):
        raise ValidationError({"metric_id": "Give the metric's id or its key (one of them)."})
    if payload.metric_id is not None:
        metric = Metric.objects.filter(pk=payload.metric_id).first()
        if metric is None:
            raise ValidationError({"metric_id": f"no metric with id {payload.metric_id}"})
        return metric
    metric = Metric.objects.filter(key=payload.metric_key).first()
    if metric is None:
        raise ValidationError({"metric_key": f"no metric with the key {payload.metric_key!r}"})
    return metric


@metric_values.post(
    "/import",
    response=RESPONSES,
    summary="Import metric values from a CSV or XLSX file (metric, period_start, value, dimension)",
    operation_id="metric_values_import",
    openapi_extra=upload_body({}),
)
def metric_values_import(request: HttpRequest):
    return run_file_import(request, import_values, sheets=True)


crud.register(
    metric_values,
    crud.Resource(
        model=MetricValue,
        out=MetricValueOut,
        create_in=MetricValueIn,
        update_in=crud.patch_schema(MetricValueIn, name="MetricValuePatch"),
        filters=MetricValueFilters,
        select=selectors.metric_value_list,
        create=services.metric_value.create,
        update=services.metric_value.update,
        delete=services.metric_value.delete,
        ordering=("id", "period_start", "value", "dimension", "created_at", "updated_at"),
        default_ordering="period_start",
        refs={"metric_id": ("metric", Metric)},
    ),
)


# --- targets ------------------------------------------------------------------------------


class MetricTargetIn(Schema):
    metric_id: int
    start: dt.date
    end: dt.date = Field(description="The last day; the target is to be reached by then")
    value: float
    note: str = ""


class MetricTargetOut(crud.VersionedOut, MetricTargetIn):
    pass


class MetricTargetFilters(FilterSchema):
    metric_id: int | None = None
    on: dt.date | None = Field(None, description="Targets whose span holds this day")

    def filter_on(self, value: dt.date | None) -> Q:
        return Q(start__lte=value, end__gte=value) if value else Q()


metric_targets = Router(tags=["metrics"])
crud.register(
    metric_targets,
    crud.Resource(
        model=MetricTarget,
        out=MetricTargetOut,
        create_in=MetricTargetIn,
        update_in=crud.patch_schema(MetricTargetIn, name="MetricTargetPatch"),
        filters=MetricTargetFilters,
        select=selectors.metric_target_list,
        create=services.metric_target.create,
        update=services.metric_target.update,
        delete=services.metric_target.delete,
        ordering=("id", "start", "end", "created_at", "updated_at"),
        default_ordering="start",
        refs={"metric_id": ("metric", Metric)},
    ),
)


# --- key results that follow a metric -----------------------------------------------------


class KeyResultMetricIn(Schema):
    key_result_id: int
    metric_id: int
    dimension: str = Field("", description="Follow one dimension value; empty: overall")
    reading: str = Field(
        "latest",
        description="latest, period_sum or period_mean (over the objective's period)",
    )


class KeyResultMetricOut(crud.VersionedOut, KeyResultMetricIn):
    pass


class KeyResultMetricFilters(FilterSchema):
    key_result_id: int | None = None
    metric_id: int | None = None
    objective_id: Annotated[int | None, FilterLookup("key_result__objective_id")] = None


key_result_metrics = Router(tags=["metrics"])
crud.register(
    key_result_metrics,
    crud.Resource(
        model=KeyResultMetric,
        out=KeyResultMetricOut,
        create_in=KeyResultMetricIn,
        update_in=crud.patch_schema(KeyResultMetricIn, name="KeyResultMetricPatch"),
        filters=KeyResultMetricFilters,
        select=selectors.key_result_metric_list,
        create=services.key_result_metric.create,
        update=services.key_result_metric.update,
        delete=services.key_result_metric.delete,
        ordering=("id", "key_result_id", "metric_id", "created_at", "updated_at"),
        default_ordering="id",
        refs={"key_result_id": ("key_result", KeyResult), "metric_id": ("metric", Metric)},
    ),
)


ROUTERS = {
    "/metrics": metrics,
    "/metric-values": metric_values,
    "/metric-targets": metric_targets,
    "/key-result-metrics": key_result_metrics,
}
