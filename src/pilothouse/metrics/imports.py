"""Importing metric values from a CSV or XLSX file: one row per value, with the metric's
key, the first day of the period, the value and optionally a dimension (a segment, a
platform). One file may hold several metrics.

`import_values(source=...)` maps the columns (by name and alias, or as the caller
says) and runs `core.imports.run_import` with `ValueHandler`: one transaction, all or
nothing unless `partial`, nothing written on a dry run, every refused row named by line
and field. Every row is checked before anything is written: an unknown metric key, a
period that does not start a period of the metric's granularity (a week starts on
Monday, a month on the 1st), a value that is not a number, the same metric, period and
dimension twice in the file. The values of each metric are then written through
`services.metric_values_upsert` (origin "import"): a value the metric already has for
that period and dimension is updated, or left alone when it is the same. Whoever may
change a metric imports its values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from pilothouse.core import bulk, permissions, writes
from pilothouse.core.file_imports import ImportResult, import_file
from pilothouse.core.imports import (
    ColumnMapping,
    FieldKind,
    FieldSpec,
    RowHandler,
    RowOutcome,
)
from pilothouse.core.models import User
from pilothouse.core.tabular import DEFAULT_LIMITS, Row, TableLimits
from pilothouse.engines import metrics as engine
from pilothouse.metrics import selectors, services
from pilothouse.metrics.models import Metric, MetricValue, ValueOrigin

VALUE_FIELDS = (
    FieldSpec(
        "metric",
        required=True,
        aliases=("metric key", "key", "kpi", "metric_key"),
        max_length=60,
        help="The metric's key, e.g. weekly-active-users.",
    ),
    FieldSpec(
        "period_start",
        kind=FieldKind.DATE,
        required=True,
        aliases=("period", "date", "day", "week", "month", "period start", "start"),
        help="The first day of the period: the day, the Monday of the week, the 1st.",
    ),
    FieldSpec(
        "value",
        kind=FieldKind.DECIMAL,
        required=True,
        negative=True,
        aliases=("amount", "count", "total", "figure"),
    ),
    FieldSpec(
        "dimension",
        aliases=("segment", "platform", "breakdown", "dimension value"),
        max_length=services.DIMENSION_MAX,
        help="Empty for the metric overall.",
    ),
)
# Rows read before they are checked and written together: a whole file, up to the
# most values one write takes.
BATCH_ROWS = services.MAX_VALUES


@dataclass(frozen=True)
class _Kept:
    row: Row
    value: services.ValueRow


class ValueHandler(RowHandler):
    fields = VALUE_FIELDS
    row_savepoints = False  # apply writes nothing; flush writes each metric's values

    def __init__(self, *, actor: User | None) -> None:
        self.actor = actor
        self.metrics: dict[str, Metric] = {}
        self.allowed: dict[int, bool] = {}
        self.first_line: dict[tuple[int, str, dt.date], int] = {}
        self.kept: dict[int, list[_Kept]] = defaultdict(list)

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        wanted = {values["metric"] for values in batch} - set(self.metrics)
        self.metrics.update(selectors.metrics_by_key(wanted))

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        key = values["metric"]
        metric = self.metrics.get(key)
        if metric is None:
            raise ValidationError({"metric": f"There is no metric with the key '{key}'."})
        if self.actor is not None:
            if metric.pk not in self.allowed:
                self.allowed[metric.pk] = permissions.can_change(self.actor, metric)
            if not self.allowed[metric.pk]:
                raise PermissionDenied(f"You may not change the values of the metric '{key}'.")
        day = values["period_start"]
        problem = engine.misalignment(day, metric.granularity)
        if problem:
            raise ValidationError(
                {"period_start": f"{problem} ('{key}' is by {metric.granularity})."}
            )
        number = float(values["value"])
        if not math.isfinite(number) or abs(number) > 1e300:
            raise ValidationError({"value": "The value must be a finite number."})
        dimension = values.get("dimension") or ""
        identity = (metric.pk, dimension, day)
        first = self.first_line.setdefault(identity, row.line)
        if first != row.line:
            where = f" for '{dimension}'" if dimension else ""
            raise ValidationError(
                {
                    "period_start": f"'{key}' has the period {day.isoformat()}{where} on line "
                    f"{first} and on line {row.line}; keep one."
                }
            )
        self.kept[metric.pk].append(_Kept(row, services.ValueRow(day, number, dimension)))
        return None

    def flush(self) -> list[tuple[Row, RowOutcome | Exception]]:
        results: list[tuple[Row, RowOutcome | Exception]] = []
        by_id = {metric.pk: metric for metric in self.metrics.values()}
        stored = self._stored()
        for metric_id, kept in self.kept.items():
            metric = by_id[metric_id]
            try:
                services.metric_values_upsert(
                    actor=self.actor,
                    metric=metric,
                    rows=[item.value for item in kept],
                    origin=ValueOrigin.IMPORT,
                )
            except writes.RefusedRows as exc:
                results += [
                    (item.row, exc.errors.get(i, _not_saved())) for i, item in enumerate(kept)
                ]
                continue
            except (ValidationError, PermissionDenied) as exc:
                results += [(item.row, exc) for item in kept]
                continue
            for item in kept:
                before = stored.get((metric_id, item.value.dimension, item.value.period_start))
                if before is None:
                    results.append((item.row, RowOutcome.CREATED))
                elif before == (item.value.value, ValueOrigin.IMPORT):
                    results.append((item.row, RowOutcome.UNCHANGED))
                else:
                    results.append((item.row, RowOutcome.UPDATED))
        self.kept = defaultdict(list)
        return results

    def _stored(self) -> dict[tuple[int, str, dt.date], tuple[float, str]]:
        """The values the kept rows will replace, as they are before the write (a query
        per thousand metrics, over each metric's span of periods in the file)."""
        spans = Q()
        for metric_id, kept in self.kept.items():
            days = [item.value.period_start for item in kept]
            spans |= Q(
                metric_id=metric_id, period_start__gte=min(days), period_start__lte=max(days)
            )
        found: dict[tuple[int, str, dt.date], tuple[float, str]] = {}
        if not self.kept:
            return found
        rows = MetricValue.objects.filter(spans).values_list(
            "metric_id", "dimension", "period_start", "value", "origin"
        )
        for metric_id, dimension, day, value, origin in rows.iterator(chunk_size=bulk.IN_BATCH):
            found[(metric_id, dimension, day)] = (value, origin)
        return found


def _not_saved() -> ValidationError:
    return ValidationError("Not saved: other values of this metric were refused.")


def import_values(
    *,
    source: Any,
    actor: User | None,
    filename: str | None = None,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import a file of metric values as `actor` (None: the system). A file that cannot
    be read or a mapping that does not fit raises (TableError, MappingError): nothing is
    written."""
    return import_file(
        make_handler=lambda: ValueHandler(actor=actor),
        source=source,
        filename=filename,
        mapping=mapping,
        dry_run=dry_run,
        partial=partial,
        sheet=sheet,
        encoding=encoding,
        limits=limits,
        batch_size=BATCH_ROWS,
    )
