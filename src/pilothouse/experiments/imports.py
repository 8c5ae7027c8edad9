"""Importing an experiment's per-variant statistics from a CSV or XLSX file (an export of
the analytics warehouse): one row per metric and variant.

`import_statistics(experiment=..., source=...)` maps the columns (by name and alias, or
as the caller says) and runs `core.imports.run_import`: one transaction, all or nothing
unless `partial`, nothing written on a dry run, every refused row named by line and
field. The rows of one metric are set together through `services.statistics_set`, so
they pass the same checks as statistics entered on the page (and the engine's check of
the set); a row of a refused metric is refused with it.

Columns: metric (the catalog metric's key, or its name), variant (its name), n, sum,
sum_squares, and for ratio metrics denominator_sum, denominator_sum_squares, cross_sum,
for CUPED covariate_sum, covariate_sum_squares, covariate_cross_sum. A row for a metric
and variant that has statistics already updates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

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
from pilothouse.experiments import services
from pilothouse.experiments.models import Experiment, ExperimentMetric, VariantStatistics

SUM_ALIASES = {
    "sum": ("total", "value", "conversions", "numerator sum"),
    "sum_squares": ("sum of squares", "sumsq", "sum sq", "ss"),
    "denominator_sum": ("denominator", "denominator total"),
    "denominator_sum_squares": ("denominator sum of squares",),
    "cross_sum": ("sum of products", "numerator denominator sum"),
    "covariate_sum": ("pre sum", "pre-period sum", "covariate"),
    "covariate_sum_squares": ("pre sum of squares", "pre-period sum of squares"),
    "covariate_cross_sum": ("pre cross sum", "sum of metric and pre-period products"),
}
STATISTICS_FIELDS = (
    FieldSpec("metric", required=True, aliases=("metric key", "metric_key", "key"), max_length=160),
    FieldSpec("variant", required=True, aliases=("variant name", "arm", "group"), max_length=80),
    FieldSpec("n", kind=FieldKind.INT, required=True, aliases=("users", "units", "count")),
    *(
        FieldSpec(
            name,
            kind=FieldKind.DECIMAL,
            required=name == "sum",
            aliases=aliases,
            negative=not name.endswith("squares"),
        )
        for name, aliases in SUM_ALIASES.items()
    ),
)


class StatisticsHandler(RowHandler):
    fields = STATISTICS_FIELDS
    row_savepoints = False  # apply writes nothing; flush sets each metric's rows at once

    def __init__(self, *, actor: User | None, experiment: Experiment) -> None:
        self.actor = actor
        self.experiment = experiment
        self.metrics: dict[str, ExperimentMetric] = {}
        for experiment_metric in experiment.metrics.select_related("metric"):
            self.metrics[experiment_metric.metric.key.casefold()] = experiment_metric
            self.metrics.setdefault(experiment_metric.metric.name.casefold(), experiment_metric)
        self.variants = {v.name.casefold(): v for v in experiment.variants.all()}
        self.seen: dict[tuple[int, int], int] = {}
        self.kept: list[tuple[Row, ExperimentMetric, dict[str, Any]]] = []
        self.existing: dict[tuple[int, int], VariantStatistics] = {}

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        self.existing = {
            (s.experiment_metric_id, s.variant_id): s
            for s in VariantStatistics.objects.filter(experiment_metric__experiment=self.experiment)
        }

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        experiment_metric = self.metrics.get(str(values["metric"]).casefold())
        if experiment_metric is None:
            known = ", ".join(sorted({m.metric.key for m in self.metrics.values()})) or "none yet"
            raise ValidationError(
                {"metric": f"“{values['metric']}” is not a metric of this experiment ({known})."}
            )
        variant = self.variants.get(str(values["variant"]).casefold())
        if variant is None:
            known = ", ".join(v.name for v in self.variants.values()) or "none yet"
            raise ValidationError(
                {"variant": f"“{values['variant']}” is not a variant of this experiment ({known})."}
            )
        pair = (experiment_metric.pk, variant.pk)
        first = self.seen.setdefault(pair, row.line)
        if first != row.line:
            raise ValidationError(
                {
                    "variant": f"{variant.name} on {experiment_metric.metric.key} is on line "
                    f"{first} already; keep one."
                }
            )
        data = {
            name: (float(values[name]) if values.get(name) is not None else None)
            for name in services.STATISTICS_FIELDS
            if name != "n"
        }
        data["n"] = values["n"]
        stored = self.existing.get(pair)
        if stored is not None and all(getattr(stored, k) == v for k, v in data.items()):
            return RowOutcome.UNCHANGED
        self.kept.append((row, experiment_metric, {"variant": variant, **data}))
        return None

    def flush(self) -> list[tuple[Row, RowOutcome | Exception]]:
        kept, self.kept = self.kept, []
        groups: dict[int, list[tuple[Row, dict[str, Any]]]] = {}
        metrics: dict[int, ExperimentMetric] = {}
        for row, experiment_metric, data in kept:
            groups.setdefault(experiment_metric.pk, []).append((row, data))
            metrics[experiment_metric.pk] = experiment_metric
        answered: dict[int, RowOutcome | Exception] = {}
        for pk, members in groups.items():
            try:
                services.statistics_set(
                    actor=self.actor,
                    experiment_metric=metrics[pk],
                    rows=[data for _row, data in members],
                )
            except ValidationError as exc:
                answered.update(_refusals(exc, members))
            except PermissionDenied as exc:
                answered.update((row.line, exc) for row, _data in members)
            else:
                for row, data in members:
                    pair = (pk, data["variant"].pk)
                    answered[row.line] = (
                        RowOutcome.UPDATED if pair in self.existing else RowOutcome.CREATED
                    )
        return [(row, answered[row.line]) for row, _metric, _data in kept]


def _refusals(
    exc: ValidationError, members: Sequence[tuple[Row, dict[str, Any]]]
) -> dict[int, Exception]:
    """The service's `rows[i].<field>` errors on the rows they name; the metric's other
    rows are refused with them (a metric's rows are set together)."""
    named: dict[int, dict[str, list[str]]] = {}
    other: list[str] = []
    for where, messages in exc.message_dict.items():
        head, _, field = where.partition(".")
        index = head[len("rows[") : -1] if head.startswith("rows[") else ""
        if index.isdigit() and int(index) < len(members):
            named.setdefault(int(index), {}).setdefault(field or "__all__", []).extend(messages)
        else:
            other.extend(f"{where}: {message}" for message in messages)
    lines = ", ".join(str(members[i][0].line) for i in sorted(named))
    answer: dict[int, Exception] = {}
    for index, (row, _data) in enumerate(members):
        if index in named:
            answer[row.line] = ValidationError(named[index])
        else:
            reason = "; ".join(other) or f"a row of the same metric (line {lines}) was refused"
            answer[row.line] = ValidationError(f"Not saved: {reason}.")
    return answer


def import_statistics(
    *,
    experiment: Experiment,
    source: Any,
    actor: User | None,
    filename: str | None = None,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    encoding: str | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import a file of `experiment`'s statistics as `actor` (None: the system). A file
    that cannot be read or a mapping that does not fit raises (TableError, MappingError):
    nothing is written."""
    return import_file(
        make_handler=lambda: StatisticsHandler(actor=actor, experiment=experiment),
        source=source,
        filename=filename,
        mapping=mapping,
        dry_run=dry_run,
        partial=partial,
        encoding=encoding,
        limits=limits,
    )
