"""Per-variant statistics computed by a query on a data source, the third way in after
entering and importing them.

An experiment metric may carry a data source and a statistics query. The query returns
one row per variant: a `variant` column (matched to the variants' names without regard
to case) and the sums the metric needs (`models.required_sums`: `n`, `sum`,
`sum_squares`, the ratio's and CUPED's), each column named as the VariantStatistics
field. Two dates are bound: `:start_date`, the experiment's start, and `:end_date`, its
end, or today while it has none or it lies ahead (`query_window`).

- `statistics_refresh` runs the query of every metric of an experiment that has one
  (outside any transaction of ours, as metric syncs do), checks every row and writes them
  through `services.statistics_set`, so the permission, the model's and the engine's
  checks, versioning and the change log are those of statistics entered by hand. A
  metric whose query fails or returns a bad row keeps its stored statistics; the others
  are still refreshed. The report says per metric: rows, duration, error.
- `statistics_query_test` runs a query (saved or not) and answers its first rows and
  every problem the refresh would find, storing nothing.

Who may set the experiment's statistics by hand may do both.
"""

from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.experiments import results, services
from pilothouse.experiments.models import (
    Experiment,
    ExperimentMetric,
    Variant,
    VariantStatistics,
    required_sums,
)
from pilothouse.metrics import sources
from pilothouse.metrics.models import DataSource
from pilothouse.metrics.source_services import source_spec
from pilothouse.metrics.sources.results import summary

PARAMETERS = ("start_date", "end_date")
VARIANT = "variant"
KNOWN_COLUMNS = (VARIANT, *services.STATISTICS_FIELDS)
# A test reads at most this many rows (an experiment has at most 10 variants).
TEST_ROWS = 50
MAX_PROBLEMS = 20


# --- when ------------------------------------------------------------------------------------


def query_window(experiment: Experiment, *, today: dt.date) -> dict[str, dt.date]:
    """The dates bound to a statistics query: from the experiment's start to its end, or
    to today while it has no end or its end lies ahead. ValidationError naming
    `start_date` when there is nothing to read yet."""
    start = experiment.start_date
    if start is None:
        raise ValidationError(
            {
                "start_date": "The experiment has no start date yet; its statistics queries "
                "read from it (:start_date)."
            }
        )
    end = experiment.end_date if experiment.end_date and experiment.end_date <= today else today
    if end < start:
        raise ValidationError(
            {
                "start_date": f"The experiment starts on {start.isoformat()}, after "
                f"{end.isoformat()}: there is nothing to read yet."
            }
        )
    return {"start_date": start, "end_date": end}


# --- reading the rows ------------------------------------------------------------------------


class RowsRefused(Exception):
    """The query's rows cannot be statistics; `problems` names each (row, column)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(summary(self.problems))


def _columns(experiment_metric: ExperimentMetric, columns: Sequence[str]) -> dict[str, int]:
    """Where each column the metric needs is, by lower-cased name; RowsRefused naming the
    missing, unknown and repeated ones, and the columns the query returned."""
    lowered = [str(name).strip().lower() for name in columns]
    needed = (VARIANT, "n", *required_sums(experiment_metric))
    missing = [name for name in needed if name not in lowered]
    unknown = [name for name in lowered if name not in KNOWN_COLUMNS]
    repeated = sorted({name for name in lowered if lowered.count(name) > 1})
    if missing or unknown or repeated:
        reasons = []
        if missing:
            reasons.append("no column " + ", ".join(missing))
        if unknown:
            reasons.append("unexpected column " + ", ".join(unknown))
        if repeated:
            reasons.append("repeated column " + ", ".join(repeated))
        found = ", ".join(str(name) for name in columns) or "none"
        raise RowsRefused(
            [
                f"The query must return the columns {', '.join(needed)} "
                f"({'; '.join(reasons)}); it returned: {found}."
            ]
        )
    return {name: lowered.index(name) for name in needed}


def _variant_name(raw: Any) -> str:
    if raw is None:
        raise ValueError("is empty (NULL)")
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValueError(f"{raw!r} is not a variant's name; cast it in the query")
    return str(raw).strip()


def _count(raw: Any) -> int:
    value = sources.finite_number(raw)
    if value != int(value):
        raise ValueError(f"{raw} is not a whole number of users")
    if value < 0:
        raise ValueError(f"{raw} is negative; a count of users is 0 or more")
    if isinstance(raw, int | decimal.Decimal):
        return int(raw)  # exact, however large
    return int(value)


def read_statistics(
    experiment_metric: ExperimentMetric,
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    variants: Sequence[Variant],
) -> list[dict[str, Any]]:
    """The query's rows as `services.statistics_set` takes them ({variant, n, sums...}),
    in the query's order; RowsRefused naming each problem (the row counted from 1, its
    variant, the column): a wrong column, a value that is no number, a negative or
    fractional n, an unknown variant, a variant twice, a variant without a row. With
    n = 0, an empty (NULL) sum is 0 (SQL's sum over no rows)."""
    where = _columns(experiment_metric, columns)
    by_name = {variant.name.casefold(): variant for variant in variants}
    known = ", ".join(variant.name for variant in variants) or "none yet"
    sums = required_sums(experiment_metric)
    problems: list[str] = []
    found: dict[int, int] = {}  # variant id -> row number
    read: list[dict[str, Any]] = []

    def note(place: str, column: str, reason: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(f"{place}, column {column}: {reason}")

    for number, raw in enumerate(rows, start=1):
        place = f"row {number}"
        try:
            name = _variant_name(raw[where[VARIANT]])
        except ValueError as exc:
            note(place, VARIANT, str(exc))
            continue
        variant = by_name.get(name.casefold())
        if variant is None:
            note(place, VARIANT, f"“{name}” is not a variant of this experiment ({known})")
            continue
        place = f"row {number} ({variant.name})"
        if variant.pk in found:
            note(place, VARIANT, f"{variant.name} is on row {found[variant.pk]} already")
            continue
        found[variant.pk] = number
        values: dict[str, Any] = {"variant": variant}
        bad = False
        try:
            values["n"] = _count(raw[where["n"]])
        except ValueError as exc:
            note(place, "n", str(exc))
            bad = True
        for column in sums:
            cell = raw[where[column]]
            if cell is None and values.get("n") == 0:
                values[column] = 0.0
                continue
            try:
                values[column] = sources.finite_number(cell)
            except ValueError as exc:
                note(place, column, str(exc))
                bad = True
        if not bad:
            read.append(values)
    for variant in variants:
        if variant.pk not in found and len(problems) < MAX_PROBLEMS:
            problems.append(
                f"No row for the variant {variant.name} (a variant without users needs a row "
                "with n = 0)."
            )
    if problems:
        raise RowsRefused(problems)
    return read


def _messages(exc: ValidationError, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """statistics_set's `rows[i].<field>` refusals as 'row i+1 (variant), column field'."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    found = []
    for key, texts in exc.message_dict.items():
        head, _, column = key.partition(".")
        index = head[len("rows[") : -1] if head.startswith("rows[") else ""
        if index.isdigit() and int(index) < len(rows):
            at = int(index)
            place = f"row {at + 1} ({rows[at]['variant'].name})"
            found += [f"{place}, column {column or VARIANT}: {text}" for text in texts]
        elif key == NON_FIELD_ERRORS:
            found += texts
        else:
            found += [f"{key}: {text}" for text in texts]
    return found


# --- refreshing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRefresh:
    """What the refresh of one metric did: `error` None when its statistics were set."""

    experiment_metric: ExperimentMetric
    rows: int | None  # the rows the query returned (None: it did not run to the end)
    duration_ms: int
    error: str | None = None
    problems: list[str] = field(default_factory=list)  # each reason, when it failed
    changed: int = 0  # variants whose statistics were created or changed

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RefreshReport:
    experiment: Experiment
    start_date: dt.date
    end_date: dt.date
    metrics: list[MetricRefresh]

    @property
    def failed(self) -> list[MetricRefresh]:
        return [metric for metric in self.metrics if not metric.ok]


def may_refresh(user: User | None, experiment: Experiment) -> bool:
    """Who may set the experiment's statistics by hand (services.statistics_set)."""
    return permissions.can_create(user, parent=experiment, model=VariantStatistics)


def metrics_with_query(experiment: Experiment) -> list[ExperimentMetric]:
    return list(
        ExperimentMetric.objects.filter(experiment=experiment, data_source__isnull=False)
        .exclude(statistics_query="")
        .select_related("metric", "data_source", "experiment__product__product_line")
        .order_by("id")
    )


def statistics_refresh(
    *, actor: User | None, experiment: Experiment, today: dt.date
) -> RefreshReport:
    """Compute the statistics of every metric of `experiment` that has a query, from its
    query on its data source, and set them (all of a metric's variants or none of them).
    PermissionDenied for who may not set statistics; ValidationError when there is no
    window (no start date) or no metric with a query. One metric's failure is in its
    report and leaves its statistics as they were."""
    if actor is not None:
        permissions.require(
            may_refresh(actor, experiment), "You may not change this experiment's statistics."
        )
    window = query_window(experiment, today=today)
    metrics = metrics_with_query(experiment)
    if not metrics:
        raise ValidationError(
            {
                "metrics": "No metric of this experiment has a data source and a statistics "
                "query; give one a query first."
            }
        )
    variants = list(Variant.objects.filter(experiment=experiment).order_by("position"))
    done = [
        _refresh_one(actor=actor, experiment_metric=metric, variants=variants, window=window)
        for metric in metrics
    ]
    return RefreshReport(
        experiment=experiment,
        start_date=window["start_date"],
        end_date=window["end_date"],
        metrics=done,
    )


def _refresh_one(
    *,
    actor: User | None,
    experiment_metric: ExperimentMetric,
    variants: Sequence[Variant],
    window: Mapping[str, dt.date],
) -> MetricRefresh:
    started = time.perf_counter()
    key = experiment_metric.metric.key
    rows: int | None = None

    def failed(problems: Sequence[str]) -> MetricRefresh:
        return MetricRefresh(
            experiment_metric=experiment_metric,
            rows=rows,
            duration_ms=round((time.perf_counter() - started) * 1000),
            error=f"{key}: {summary(problems)}",
            problems=list(problems),
        )

    try:
        answer = sources.query_rows(
            source=source_spec(experiment_metric.data_source),
            sql=experiment_metric.statistics_query,
            parameters=window,
        )
    except sources.QueryError as exc:
        rows = exc.rows
        return failed(exc.problems)
    rows = answer.row_count
    try:
        given = read_statistics(
            experiment_metric, columns=answer.columns, rows=answer.rows, variants=variants
        )
    except RowsRefused as exc:
        return failed(exc.problems)
    before = dict(
        VariantStatistics.objects.filter(experiment_metric=experiment_metric).values_list(
            "variant_id", "version"
        )
    )
    try:
        saved = services.statistics_set(
            actor=actor, experiment_metric=experiment_metric, rows=given
        )
    except ValidationError as exc:
        return failed(_messages(exc, given))
    return MetricRefresh(
        experiment_metric=experiment_metric,
        rows=rows,
        duration_ms=round((time.perf_counter() - started) * 1000),
        changed=sum(1 for stats in saved if before.get(stats.variant_id) != stats.version),
    )


# --- testing a query -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryTest:
    """A statistics query's first rows as it returned them, and every problem a refresh
    would find in them (a failing query is one problem). Nothing is stored."""

    start_date: dt.date | None
    end_date: dt.date | None
    columns: list[str]
    rows: list[list[Any]]  # as JSON can carry them, for display
    problems: list[str]
    duration_ms: int = 0
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def statistics_query_test(
    *,
    actor: User | None,
    experiment_metric: ExperimentMetric,
    data_source: DataSource | None,
    sql: str,
    today: dt.date,
) -> QueryTest:
    """Run `sql` on `data_source` for the experiment's window as a refresh would, and
    check its rows (columns, types, variants, the model's and the engine's checks of the
    sums), without storing anything. `experiment_metric` says which sums are needed (its
    type and CUPED as saved)."""
    experiment = experiment_metric.experiment
    if actor is not None:
        permissions.require(
            may_refresh(actor, experiment), "You may not change this experiment's statistics."
        )
    try:
        window = query_window(experiment, today=today)
    except ValidationError as exc:
        return QueryTest(None, None, [], [], problems=list(exc.messages))
    if data_source is None:
        return _untested(window, "Choose the data source the query runs on.")
    if not sql.strip():
        return _untested(window, "Write the query first.")
    try:
        answer = sources.query_rows(
            source=source_spec(data_source), sql=sql, parameters=window, max_rows=TEST_ROWS
        )
    except sources.QueryError as exc:
        return _untested(window, *exc.problems)
    variants = list(Variant.objects.filter(experiment=experiment).order_by("position"))
    problems: list[str] = []
    try:
        given = read_statistics(
            experiment_metric, columns=answer.columns, rows=answer.rows, variants=variants
        )
    except RowsRefused as exc:
        problems = exc.problems
    else:
        problems = _sums_problems(experiment_metric, given)
    return QueryTest(
        start_date=window["start_date"],
        end_date=window["end_date"],
        columns=answer.columns,
        rows=answer.displayed(),
        problems=problems,
        duration_ms=answer.duration_ms,
        truncated=answer.truncated,
    )


def _untested(window: Mapping[str, dt.date], *problems: str) -> QueryTest:
    return QueryTest(window["start_date"], window["end_date"], [], [], problems=list(problems))


def _sums_problems(
    experiment_metric: ExperimentMetric, given: Sequence[Mapping[str, Any]]
) -> list[str]:
    """What statistics_set would refuse in these rows: each row's sums, then the set."""
    errors: dict[str, list[str]] = {}
    probes = []
    for index, row in enumerate(given):
        data = {name: row.get(name) for name in services.STATISTICS_FIELDS}
        for name, texts in services.statistics_row_problems(
            experiment_metric, row["variant"], data
        ).items():
            errors.setdefault(f"rows[{index}].{name}", []).extend(texts)
        probes.append(
            VariantStatistics(experiment_metric=experiment_metric, variant=row["variant"], **data)
        )
    if not errors:
        order = {id(probe): index for index, probe in enumerate(probes)}
        try:
            results.check_sums(
                experiment_metric, probes, where=lambda stats: f"rows[{order[id(stats)]}]"
            )
        except ValidationError as exc:
            return _messages(exc, given)
    return _messages(ValidationError(errors), given) if errors else []
