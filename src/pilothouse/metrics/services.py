"""Every write of the metric catalog goes through these (core.writes underneath:
permission-checked, validated, atomic, change-logged).

Values arrive one at a time (`metric_value`) or many at once through
`metric_values_upsert`, the one path of manual entry in bulk, file imports, the API's
bulk endpoint and data source syncs. Key results that follow a metric read their
current value from its values: every write of values re-reads them
(`key_results_refresh`) in the same transaction, as the system, so the change log of
each key result shows the new value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from pilothouse.core import bulk, changelog, locks, permissions, writes
from pilothouse.core.models import ChangeAction, User
from pilothouse.core.writes import ModelWrites
from pilothouse.engines import metrics as engine
from pilothouse.metrics.models import (
    KeyResultMetric,
    KeyResultReading,
    Metric,
    MetricTarget,
    MetricValue,
    ValueOrigin,
)
from pilothouse.portfolio.models import Product
from pilothouse.strategy import services as strategy_services
from pilothouse.strategy.models import KeyResult

# Values written by one call at most (a longer file or sync is split by its caller).
MAX_VALUES = 50_000
DIMENSION_MAX = MetricValue._meta.get_field("dimension").max_length
# Keys that would be taken for the catalog's own pages (/metrics/<key>/).
RESERVED_KEYS = frozenset({"new", "dashboard", "import", "sources", "values", "targets"})
# What a key result's current value can hold (DecimalField(max_digits=16, places=4)).
_KEY_RESULT_LIMIT = Decimal(10) ** 12


# --- metrics ------------------------------------------------------------------------------


def metric_for_writes(*, pk: int) -> Metric:
    """A metric with what deciding who may change it needs (its products and their
    lines), read once for a batch of writes."""
    return Metric.objects.prefetch_related(
        Prefetch("products", queryset=Product.objects.select_related("product_line"))
    ).get(pk=pk)


def _require_products(actor: User | None, products: Iterable[Any] | None) -> None:
    """A product manager attaches a metric only to products they look after; the others
    who may create metrics (leaders, admins) attach it anywhere."""
    if actor is None or products is None or permissions.is_portfolio_wide(actor):
        return
    for product in products:
        if not isinstance(product, Product):
            product = Product.objects.select_related("product_line").get(pk=product)
        permissions.require(
            permissions.can_create(actor, parent=product),
            f"You may not add metrics to {product}: you do not look after it.",
        )


class MetricWrites(ModelWrites):
    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            _require_products(actor, (m2m or {}).get("products"))
            return super().create(actor=actor, data=data, m2m=m2m)

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            if m2m and "products" in m2m:
                before = set(instance.products.values_list("pk", flat=True))
                added = [p for p in m2m["products"] if getattr(p, "pk", p) not in before]
                _require_products(actor, added)
            return super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )

    def delete(self, *, actor, instance, version=None):
        """Its values go first, in bulk with one statement of change records (a metric
        may have tens of thousands); a refusal of the deletion keeps them."""
        with transaction.atomic():
            if actor is not None:
                permissions.require(permissions.can_change(actor, instance))
            writes.lock(instance=instance, version=version)
            values = list(MetricValue.objects.filter(metric=instance).order_by())
            if values:
                _delete_values(actor, values)
            super().delete(actor=actor, instance=instance, version=version)

    def prepare(self, instance: Metric | None, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("key") in RESERVED_KEYS:
            raise ValidationError(
                {"key": f"“{data['key']}” names a page of the catalog; choose another key."}
            )
        if (
            instance is not None
            and "granularity" in data
            and data["granularity"] != instance.granularity
            and instance.values.exists()
        ):
            raise ValidationError(
                {
                    "granularity": "The metric has values by "
                    f"{instance.granularity}; delete them before changing its granularity."
                }
            )
        return data


# --- targets ------------------------------------------------------------------------------


def _metric_id(instance: Any, data: Mapping[str, Any]) -> int | None:
    metric = data.get("metric", getattr(instance, "metric", None) if instance else None)
    return getattr(metric, "pk", metric)


class MetricTargetWrites(ModelWrites):
    """A metric's targets do not overlap. The check reads the metric's other targets
    before writing one, so two writes for one metric take turns (core.locks)."""

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            locks.serialize(f"metrics.targets.{_metric_id(None, data)}")
            return super().create(actor=actor, data=data, m2m=m2m)

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            locks.serialize(f"metrics.targets.{_metric_id(instance, data)}")
            if _metric_id(None, data) not in (None, instance.metric_id):
                locks.serialize(f"metrics.targets.{instance.metric_id}")
            return super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )

    def prepare(self, instance: MetricTarget | None, data: dict[str, Any]) -> dict[str, Any]:
        metric_id = _metric_id(instance, data)
        start = data.get("start", getattr(instance, "start", None))
        end = data.get("end", getattr(instance, "end", None))
        if metric_id is None or start is None or end is None or end < start:
            return data  # full_clean names what is missing or reversed
        overlapping = (
            MetricTarget.objects.filter(metric_id=metric_id, start__lte=end, end__gte=start)
            .exclude(pk=getattr(instance, "pk", None))
            .order_by("start")
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                {
                    "start": f"The target {overlapping.start.isoformat()} to "
                    f"{overlapping.end.isoformat()} ({overlapping}) overlaps this one; "
                    "a metric's targets may not overlap."
                }
            )
        return data


# --- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRow:
    """One value to write: the first day of its period, the value, and its dimension
    ("" for the metric overall)."""

    period_start: date
    value: float
    dimension: str = ""


@dataclass(frozen=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted


def _row_problems(index: int, row: Any, granularity: str) -> dict[str, str]:
    if (  # the usual row, checked in one go; any doubt takes the checks below
        type(row) is ValueRow
        and type(row.period_start) is date
        and type(row.value) is float
        and -1e300 <= row.value <= 1e300  # finite, not too large (NaN fails)
        and type(row.dimension) is str
        and len(row.dimension) <= DIMENSION_MAX
        and "\x00" not in row.dimension
        and not engine.misalignment(row.period_start, granularity)
    ):
        return {}
    if not isinstance(row, ValueRow):
        return {"__all__": f"Row {index + 1} is not a value row."}
    problems: dict[str, str] = {}
    if not isinstance(row.period_start, date) or hasattr(row.period_start, "hour"):
        problems["period_start"] = "Give the period's first day as a date."
    else:
        misaligned = engine.misalignment(row.period_start, granularity)
        if misaligned:
            problems["period_start"] = misaligned
    value = row.value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        problems["value"] = f"{value!r} is not a number."
    elif not math.isfinite(float(value)):
        problems["value"] = "The value must be a finite number."
    elif abs(float(value)) > 1e300:
        problems["value"] = "The value is too large."
    if not isinstance(row.dimension, str):
        problems["dimension"] = "The dimension must be text."
    elif len(row.dimension) > DIMENSION_MAX:
        problems["dimension"] = f"At most {DIMENSION_MAX} characters, not {len(row.dimension)}."
    elif "\x00" in row.dimension:
        problems["dimension"] = "Text may not contain a NUL character."
    return problems


def _validated(metric: Metric, rows: Sequence[ValueRow]) -> dict[tuple[str, date], float]:
    """{(dimension, period start): value} of rows that are all valid, or RefusedRows
    naming every bad row (by index, counted from 0 as `rows[i]`; the message counts
    from 1) and field."""
    errors: dict[int, Exception] = {}
    seen: dict[tuple[str, date], int] = {}
    wanted: dict[tuple[str, date], float] = {}
    for index, row in enumerate(rows):
        problems = _row_problems(index, row, metric.granularity)
        if problems:
            errors[index] = ValidationError(problems)
            continue
        key = (row.dimension, row.period_start)
        if key in seen:
            where = f" for {row.dimension}" if row.dimension else ""
            errors[index] = ValidationError(
                {
                    "period_start": f"Row {index + 1} repeats the period "
                    f"{row.period_start.isoformat()}{where} of row {seen[key] + 1}."
                }
            )
            continue
        seen[key] = index
        wanted[key] = float(row.value)
    if errors:
        raise writes.RefusedRows(errors)
    return wanted


def metric_values_upsert(
    *,
    actor: User | None,
    metric: Metric,
    rows: Sequence[ValueRow],
    origin: str,
    replace_range: tuple[date, date] | None = None,
) -> UpsertResult:
    """Write many values of one metric at once, all or nothing: a row whose period and
    dimension the metric has updates that value (if it differs), any other row creates
    one. With `replace_range` (first day, last day), the metric's values of periods
    starting in that range that no row names are deleted, so a sync that re-reads a
    window replaces it.

    Every row is checked before anything is written (its period starts a period of the
    metric's granularity, a finite number, the dimension's length, no period and
    dimension twice): refused rows raise core.writes.RefusedRows naming each row and
    field. New values are logged as one batch (`origin`: "manual", "import" or
    "sync"); updated and deleted ones with their before and after. Key results that
    follow the metric get their current value again. Whoever may change the metric
    writes its values.
    """
    if origin not in ValueOrigin.values:
        raise ValidationError(
            {"origin": f"{origin!r} is not one of {', '.join(ValueOrigin.values)}."}
        )
    origin = ValueOrigin(origin).value  # plain text: written as it is, row after row
    if len(rows) > MAX_VALUES:
        raise ValidationError(
            {"rows": f"At most {MAX_VALUES:,} values at once, not {len(rows):,}."}
        )
    if replace_range is not None:
        first, last = replace_range
        if not isinstance(first, date) or not isinstance(last, date) or last < first:
            raise ValidationError(
                {"replace_range": "Give the first and the last day, in that order."}
            )
    with transaction.atomic():
        locks.serialize(f"metrics.values.{metric.pk}")
        metric = metric_for_writes(pk=metric.pk)
        if actor is not None:
            permissions.require(
                permissions.can_change(actor, metric),
                "You may not change the values of this metric.",
            )
        wanted = _validated(metric, rows)
        result = _write_values(actor, metric, wanted, origin, replace_range)
        if result.written:
            key_results_refresh(metric_ids=[metric.pk])
        return result


def _stored_values(
    metric: Metric,
    wanted: Mapping[tuple[str, date], float],
    replace_range: tuple[date, date] | None,
    origin: str,
) -> tuple[dict[tuple[str, date], MetricValue], set[tuple[str, date]]]:
    """The metric's stored values that the rows change, and those in `replace_range` that
    no row names (to delete), locked and read whole; and the keys of the rows the metric
    holds already as they are. Values are compared on a light read (no model object for
    each): a sync that finds nothing new reads no more."""
    days = [day for _dimension, day in wanted]
    if replace_range is not None:
        days += list(replace_range)
    if not days:
        return {}, set()
    stored = (
        MetricValue.objects.select_for_update()
        .filter(metric=metric, period_start__gte=min(days), period_start__lte=max(days))
        .order_by()
        .values_list("pk", "dimension", "period_start", "value", "origin")
    )
    touched: dict[int, tuple[str, date]] = {}
    same: set[tuple[str, date]] = set()
    for pk, dimension, day, value, was in stored.iterator(chunk_size=2000):
        key = (dimension, day)
        if key in wanted:
            if value == wanted[key] and was == origin:
                same.add(key)
            else:
                touched[pk] = key
        elif replace_range is not None and replace_range[0] <= day <= replace_range[1]:
            touched[pk] = key
    found: dict[tuple[str, date], MetricValue] = {}
    for chunk in bulk.chunks(list(touched)):
        for value in MetricValue.objects.select_for_update().filter(pk__in=chunk).order_by():
            value.metric = metric  # one metric in memory: its stewards are read once
            found[touched[value.pk]] = value
    return found, same


def _write_values(
    actor: User | None,
    metric: Metric,
    wanted: Mapping[tuple[str, date], float],
    origin: str,
    replace_range: tuple[date, date] | None,
) -> UpsertResult:
    existing, same = _stored_values(metric, wanted, replace_range, origin)
    new_rows = [
        {
            "metric": metric,
            "dimension": dimension,
            "period_start": day,
            "value": value,
            "origin": origin,
        }
        for (dimension, day), value in wanted.items()
        if (dimension, day) not in existing and (dimension, day) not in same
    ]
    changes = [
        (stored, {"value": wanted[key], "origin": origin})
        for key, stored in existing.items()
        if key in wanted
    ]
    gone = [stored for key, stored in existing.items() if key not in wanted]
    created: list[MetricValue] = []
    if new_rows:
        objects, errors = writes.check_many(model=MetricValue, actor=actor, rows=new_rows)
        if errors:
            raise writes.RefusedRows(errors)
        created = writes.insert_many(actor=actor, objects=objects, batch=origin)
    updated = writes.update_many(actor=actor, changes=changes) if changes else []
    if gone:
        _delete_values(actor, gone)
    return UpsertResult(
        created=len(created), updated=len(updated), deleted=len(gone), unchanged=len(same)
    )


def _delete_values(actor: User | None, values: Sequence[MetricValue]) -> None:
    """Delete values (nothing depends on them) with one record each of their last state."""
    entries = [(value, changelog.snapshot(value), {}) for value in values]
    for chunk in bulk.chunks([value.pk for value in values]):
        MetricValue.objects.filter(pk__in=chunk).delete()
    changelog.record_many(actor=actor, action=ChangeAction.DELETE, entries=entries)


class MetricValueWrites(ModelWrites):
    """One value at a time (a form, the API). Key results that follow the metric are
    refreshed in the same transaction."""

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            locks.serialize(f"metrics.values.{_metric_id(None, data)}")
            value = super().create(actor=actor, data=data, m2m=m2m)
            key_results_refresh(metric_ids=[value.metric_id])
            return value

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            locks.serialize(f"metrics.values.{instance.metric_id}")
            value = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            key_results_refresh(metric_ids={instance.metric_id, value.metric_id})
            return value

    def delete(self, *, actor, instance, version=None):
        with transaction.atomic():
            locks.serialize(f"metrics.values.{instance.metric_id}")
            super().delete(actor=actor, instance=instance, version=version)
            key_results_refresh(metric_ids=[instance.metric_id])


# --- key results that follow a metric -----------------------------------------------------


def _reading_of(link: KeyResultMetric) -> float | None:
    """The key result's value read from its metric, as its link says."""
    start, end = engine.label_span(link.key_result.objective.period)
    values = MetricValue.objects.filter(metric_id=link.metric_id, dimension=link.dimension)
    if link.reading == KeyResultReading.LATEST:
        values = values.filter(period_start__lte=end).order_by("-period_start")[:1]
    else:
        values = values.filter(period_start__gte=start, period_start__lte=end)
    return engine.key_result_reading(
        values=values.values_list("period_start", "value"),
        reading=link.reading,
        start=start,
        end=end,
    )


def key_results_refresh(
    *, metric_ids: Iterable[int] = (), links: Sequence[KeyResultMetric] | None = None
) -> int:
    """Give the key results that follow these metrics (or these links) their current
    value from the metric, as the system, through the strategy app's service so that
    the change log shows it. A key result with nothing to read keeps its value.
    Answers how many changed."""
    if links is None:
        ids = sorted(set(metric_ids))
        if not ids:
            return 0
        links = list(
            KeyResultMetric.objects.filter(metric_id__in=ids).select_related(
                "key_result__objective"
            )
        )
    changed = 0
    for link in links:
        reading = _reading_of(link)
        if reading is None:
            continue
        current = Decimal(repr(reading)).quantize(Decimal("0.0001"))
        if abs(current) >= _KEY_RESULT_LIMIT or current == link.key_result.current_value:
            continue
        strategy_services.key_result.update(
            actor=None, instance=link.key_result, version=None, data={"current_value": current}
        )
        changed += 1
    return changed


class KeyResultMetricWrites(ModelWrites):
    """Binding a key result to a metric reads its current value from the metric at once."""

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            link = super().create(actor=actor, data=data, m2m=m2m)
            key_results_refresh(links=[_link_for_refresh(link.pk)])
            return link

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            link = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            key_results_refresh(links=[_link_for_refresh(link.pk)])
            return link

    def prepare(self, instance: KeyResultMetric | None, data: dict[str, Any]) -> dict[str, Any]:
        key_result = data.get("key_result", getattr(instance, "key_result", None))
        if isinstance(key_result, int):
            key_result = KeyResult.objects.select_related("objective").filter(pk=key_result).first()
        if key_result is not None:
            try:
                engine.label_span(key_result.objective.period)
            except ValueError:
                raise ValidationError(
                    {"key_result": "Its objective's period is not a year, half, quarter or month."}
                ) from None
        return data


def _link_for_refresh(pk: int) -> KeyResultMetric:
    return KeyResultMetric.objects.select_related("key_result__objective").get(pk=pk)


metric = MetricWrites(Metric)
metric_target = MetricTargetWrites(MetricTarget)
metric_value = MetricValueWrites(MetricValue)
key_result_metric = KeyResultMetricWrites(KeyResultMetric)
