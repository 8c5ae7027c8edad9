"""The metric catalog: metrics, their values per period (and dimension), targets, the
data sources that values are synced from, the run log of those syncs, and key results
that follow a metric (see docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pilothouse.core.models import VersionedModel
from pilothouse.core.roles import Role
from pilothouse.engines.metrics import misalignment
from pilothouse.portfolio.models import Product
from pilothouse.strategy.models import KeyResult


class MetricKind(models.TextChoices):
    NORTH_STAR = "north_star", "North star"
    INPUT = "input", "Input"
    GUARDRAIL = "guardrail", "Guardrail"
    HEALTH = "health", "Health"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Aggregation(models.TextChoices):
    """How the values of a period roll up into a longer one (days into a week...)."""

    SUM = "sum", "Sum"
    MEAN = "mean", "Mean"
    LAST = "last", "Last value"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"


class Granularity(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


class SyncInterval(models.TextChoices):
    OFF = "off", "Only on demand"
    HOURLY = "hourly", "Every hour"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"


class SourceKind(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB (embedded)"
    SQLALCHEMY = "sqlalchemy", "Database URL (SQLAlchemy)"


class DataSource(VersionedModel):
    """Where metric queries run. DuckDB runs inside Pilothouse, over its own database
    file and the CSV/Parquet files in one folder; any other database is reached through
    a SQLAlchemy URL. The URL may hold credentials, so it is stored encrypted and only
    its masked form is ever shown. Kept by product leaders and admins."""

    # The change log never holds the encrypted URL (core.changelog); url_display shows it.
    SECRET_FIELDS = frozenset({"url_encrypted"})

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.DUCKDB)
    database_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="DuckDB: a database file, opened read-only. Empty: an in-memory database.",
    )
    files_folder = models.CharField(
        max_length=500,
        blank=True,
        help_text="DuckDB: the folder whose CSV and Parquet files the queries may read.",
    )
    # The URL with its credentials, encrypted (metrics.credentials); never sent back.
    url_encrypted = models.TextField(blank=True, editable=False)
    url_display = models.CharField(
        "URL", max_length=500, blank=True, editable=False, help_text="With the password masked."
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    row_limit = models.PositiveIntegerField(
        default=100_000, validators=[MinValueValidator(1), MaxValueValidator(5_000_000)]
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == SourceKind.SQLALCHEMY and (self.database_path or self.files_folder):
            raise ValidationError(
                {"database_path": "A database file and a files folder are for DuckDB sources."}
            )


class Metric(VersionedModel):
    """A measure the organization steers by. Values come from manual entry, a file
    import, or the metric's query on a data source (on its schedule and on demand)."""

    key = models.SlugField(
        max_length=60,
        unique=True,
        help_text="A short unique name for scripts, e.g. weekly-active-users.",
    )
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True, help_text="Markdown.")
    definition = models.TextField(blank=True, help_text="How the metric is computed, in words.")
    unit = models.CharField(max_length=32, blank=True, help_text="e.g. %, users, EUR, ms")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    kind = models.CharField(max_length=16, choices=MetricKind.choices, default=MetricKind.INPUT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_metrics",
    )
    products = models.ManyToManyField(Product, blank=True, related_name="metrics")
    aggregation = models.CharField(
        max_length=8, choices=Aggregation.choices, default=Aggregation.SUM
    )
    granularity = models.CharField(
        max_length=8, choices=Granularity.choices, default=Granularity.DAY
    )
    tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="How far short of its target a metric may be and still count as at risk "
        "rather than off track.",
    )
    source = models.ForeignKey(
        DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="metrics"
    )
    query = models.TextField(
        blank=True,
        help_text="SQL returning period_start, value and optionally dimension; "
        ":period_start and :period_end are bound to the period synced.",
    )
    sync_interval = models.CharField(
        max_length=8, choices=SyncInterval.choices, default=SyncInterval.OFF
    )
    last_synced_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Product managers add metrics (for the products they look after, see services) and
    # change the ones they own or whose products they steward.
    CREATOR_ROLES = frozenset({Role.PRODUCT_MANAGER})

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.source_id and not self.query.strip():
            raise ValidationError({"query": "A metric with a data source needs its query."})
        if self.query.strip() and not self.source_id:
            raise ValidationError({"source": "Choose the data source the query runs on."})
        if self.sync_interval != SyncInterval.OFF and not self.source_id:
            raise ValidationError({"sync_interval": "Only a metric with a query can sync."})

    def steward_ids(self) -> set[int]:
        stewards = {self.owner_id}
        if self.pk:
            # Products prefetched with their lines (selectors.metric_for_writes) are read
            # from memory: a batch of values under one metric asks only once.
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("products")
            products = (
                prefetched
                if prefetched is not None
                else self.products.select_related("product_line")
            )
            for product in products:
                stewards |= product.steward_ids()
        return stewards - {None}


class ValueOrigin(models.TextChoices):
    MANUAL = "manual", "Entered"
    IMPORT = "import", "Imported"
    SYNC = "sync", "Synced"


class MetricValue(VersionedModel):
    """A metric's value for one period (starting on `period_start`, of the metric's
    granularity), overall (empty dimension) or for one dimension value such as a segment
    or a platform."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    dimension = models.CharField(max_length=120, blank=True, default="")
    value = models.FloatField()
    origin = models.CharField(max_length=8, choices=ValueOrigin.choices, default=ValueOrigin.MANUAL)

    class Meta:
        ordering = ["metric_id", "dimension", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "dimension", "period_start"], name="metric_value_unique_period"
            ),
        ]

    def __str__(self) -> str:
        where = f" [{self.dimension}]" if self.dimension else ""
        return f"{self.metric_id}{where} {self.period_start.isoformat()}: {self.value:g}"

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """VersionedModel's checks (Django's, and no NUL character), with a short way for
        values written by the ten thousand (core.bulk.validate_many calls this for each):
        when every field to check holds a value of its plain type that those checks
        accept as it is, they have nothing to say. Anything else (another type, a value
        out of bounds, a related object given by id) takes the long way, which words the
        errors."""
        loaded = self.__dict__
        for name, attname, accepts in _plain_checks():
            if (accepts is None or not accepts(loaded.get(attname, _NOT_LOADED))) and (
                exclude is None or name not in exclude
            ):
                super().clean_fields(exclude=exclude)
                return

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if isinstance(self.value, float) and not math.isfinite(self.value):
            errors["value"] = "The value must be a finite number."
        if self.metric_id and self.period_start:
            problem = misalignment(self.period_start, self.metric.granularity)
            if problem:
                errors["period_start"] = problem
        if errors:
            raise ValidationError(errors)

    def permission_parent(self) -> Metric | None:
        return self.metric if self.metric_id else None

    def steward_ids(self) -> set[int]:
        return self.metric.steward_ids()


_NOT_LOADED = object()
_BIG_INTEGERS = range(-(2**63), 2**63)  # a BigAutoField's, on SQLite and PostgreSQL
_VERSIONS = range(0, 2**31)  # a PositiveIntegerField's on PostgreSQL (SQLite allows more)
_ORIGINS = frozenset(ValueOrigin.values)
_DIMENSION_MAX = MetricValue._meta.get_field("dimension").max_length


def _no_object(value: Any) -> bool:
    # An optional relation left empty; one given by id is for Django to check (a query).
    return value is None


def _plain_day(value: Any) -> bool:
    return type(value) is dt.date


def _plain_moment(value: Any) -> bool:
    return value is None or type(value) is dt.datetime


def _plain_id(value: Any) -> bool:
    return value is None or (type(value) is int and value in _BIG_INTEGERS)


def _plain_version(value: Any) -> bool:
    return type(value) is int and value in _VERSIONS


def _plain_dimension(value: Any) -> bool:
    return type(value) is str and len(value) <= _DIMENSION_MAX and "\x00" not in value


def _plain_number(value: Any) -> bool:
    return type(value) is float  # finite or not: clean() says


def _plain_origin(value: Any) -> bool:
    return (type(value) is str or type(value) is ValueOrigin) and value in _ORIGINS


_PLAIN = {
    "id": _plain_id,
    "created_at": _plain_moment,
    "updated_at": _plain_moment,
    "created_by": _no_object,
    "updated_by": _no_object,
    "version": _plain_version,
    "period_start": _plain_day,
    "dimension": _plain_dimension,
    "value": _plain_number,
    "origin": _plain_origin,
}


@functools.cache
def _plain_checks() -> tuple[tuple[str, str, Callable[[Any], bool] | None], ...]:
    """(name, attname, check) of each field of MetricValue; a field without a check of
    its own (the metric, given by id; a field added later) takes the long way."""
    return tuple((f.name, f.attname, _PLAIN.get(f.name)) for f in MetricValue._meta.fields)


class MetricTarget(VersionedModel):
    """What a metric should reach by the end of a span of time. A metric's targets do
    not overlap (services)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="targets")
    start = models.DateField()
    end = models.DateField()
    value = models.FloatField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["metric_id", "start"]

    def __str__(self) -> str:
        return f"{self.value:g} by {self.end.isoformat()}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end is before the start."})

    def permission_parent(self) -> Metric | None:
        return self.metric if self.metric_id else None

    def steward_ids(self) -> set[int]:
        return self.metric.steward_ids()


class SyncStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class SyncTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "On demand"
    COMMAND = "command", "Command line"


class MetricSync(models.Model):
    """One run of a metric's query: the run log. Written by the sync itself, never
    edited, so it is not a versioned object; the values it stores are change-logged
    as one batch. A sync asked for on demand is queued (for the worker) before it runs:
    `queued_at` is when it was asked for, `started_at` when it started (until then, the
    same moment)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="syncs")
    source = models.ForeignKey(
        DataSource, null=True, on_delete=models.SET_NULL, related_name="syncs"
    )
    trigger = models.CharField(max_length=10, choices=SyncTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_start = models.DateField(help_text="The first day the query was asked for.")
    period_end = models.DateField(help_text="The last day the query was asked for.")
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0, help_text="Rows the query returned.")
    values_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["metric", "-started_at"], name="metric_sync_latest")]

    def __str__(self) -> str:
        return f"sync of {self.metric_id} at {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class KeyResultReading(models.TextChoices):
    LATEST = "latest", "Latest value"
    PERIOD_SUM = "period_sum", "Sum over the objective's period"
    PERIOD_MEAN = "period_mean", "Mean over the objective's period"


class KeyResultMetric(VersionedModel):
    """A key result that follows a metric: its current value is read from the metric's
    values (the latest, or a sum or mean over the objective's period) whenever they
    change, instead of being typed in."""

    key_result = models.OneToOneField(
        KeyResult, on_delete=models.CASCADE, related_name="metric_link"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="key_result_links")
    dimension = models.CharField(max_length=120, blank=True, default="")
    reading = models.CharField(
        max_length=12, choices=KeyResultReading.choices, default=KeyResultReading.LATEST
    )

    class Meta:
        ordering = ["key_result_id"]

    def __str__(self) -> str:
        return f"key result {self.key_result_id} follows metric {self.metric_id}"

    def permission_parent(self) -> KeyResult | None:
        return self.key_result if self.key_result_id else None

    def steward_ids(self) -> set[int]:
        return self.key_result.steward_ids()
