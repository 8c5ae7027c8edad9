"""Run a metric query on a source and read its rows, or preview its first rows; run any
other query for its plain rows (`query_rows`), under the same guarantees."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from types import ModuleType

from pilothouse.metrics.sources import duckdb_runner, sqlalchemy_runner
from pilothouse.metrics.sources.results import (
    DIMENSION_MAX_LENGTH,
    PreviewResult,
    QueryError,
    QueryResult,
    RowsResult,
    display_value,
    read_rows,
)
from pilothouse.metrics.sources.spec import DUCKDB, SQLALCHEMY, RawResult, SourceSpec

# A preview reads at most this many rows, and shows the first SHOWN_ROWS of them raw.
PREVIEW_ROWS = 100
SHOWN_ROWS = 20


def _backend(source: SourceSpec) -> ModuleType:
    if source.kind == DUCKDB:
        return duckdb_runner
    if source.kind == SQLALCHEMY:
        if not source.url.strip():
            raise QueryError("The data source has no database URL.")
        return sqlalchemy_runner
    raise QueryError(f"Unknown kind of data source {source.kind!r}.")


def _execute(
    source: SourceSpec, sql: str, *, parameters: Mapping[str, dt.date], max_rows: int
) -> RawResult:
    if not sql.strip():
        raise QueryError("The query is empty.")
    return _backend(source).execute(source, sql, parameters=parameters, max_rows=max_rows)


def _period(period_start: dt.date, period_end: dt.date) -> dict[str, dt.date]:
    """A metric query's parameters (statements.METRIC_PARAMETERS)."""
    if period_end < period_start:
        raise QueryError(
            f"The period ends ({period_end.isoformat()}) before it starts "
            f"({period_start.isoformat()})."
        )
    return {"period_start": period_start, "period_end": period_end}


def _over_the_limit(source: SourceSpec, rows: int) -> QueryError:
    return QueryError(
        f"The query returned more than {source.row_limit:,} rows, the source's row "
        "limit; aggregate or filter more, or raise the limit.",
        rows=rows,
    )


def run_query(
    *,
    source: SourceSpec,
    sql: str,
    period_start: dt.date,
    period_end: dt.date,
    max_dimension_length: int = DIMENSION_MAX_LENGTH,
) -> QueryResult:
    """Every row of the query for the period, checked; QueryError if the query fails, is
    refused, runs too long, returns more rows than the source allows, or any row is
    wrong (then no row is returned: a sync stores all of them or none)."""
    raw = _execute(
        source,
        sql,
        parameters=_period(period_start, period_end),
        max_rows=source.row_limit + 1,
    )
    if len(raw.rows) > source.row_limit:
        raise _over_the_limit(source, len(raw.rows))
    rows, problems = read_rows(
        raw.columns,
        raw.rows,
        period_start=period_start,
        period_end=period_end,
        max_dimension_length=max_dimension_length,
    )
    if problems:
        raise QueryError(problems, rows=len(raw.rows))
    return QueryResult(
        rows=rows, row_count=len(raw.rows), duration_ms=raw.duration_ms, columns=raw.columns
    )


def preview_query(
    *,
    source: SourceSpec,
    sql: str,
    period_start: dt.date,
    period_end: dt.date,
    max_rows: int = PREVIEW_ROWS,
    shown_rows: int = SHOWN_ROWS,
    max_dimension_length: int = DIMENSION_MAX_LENGTH,
) -> PreviewResult:
    """The first `max_rows` rows of the query, checked as a sync would, with the first
    `shown_rows` raw ones for display. Never raises for the query's faults: they are
    the result's problems."""
    started = time.perf_counter()
    limit = min(max_rows, source.row_limit)
    try:
        raw = _execute(
            source, sql, parameters=_period(period_start, period_end), max_rows=limit + 1
        )
    except QueryError as exc:
        elapsed = round((time.perf_counter() - started) * 1000)
        return PreviewResult(
            columns=[], raw_rows=[], rows=[], problems=exc.problems, duration_ms=elapsed
        )
    fetched = raw.rows[:limit]
    try:
        rows, problems = read_rows(
            raw.columns,
            fetched,
            period_start=period_start,
            period_end=period_end,
            max_dimension_length=max_dimension_length,
        )
    except QueryError as exc:  # the columns are wrong: no row can be read
        rows, problems = [], exc.problems
    return PreviewResult(
        columns=raw.columns,
        raw_rows=[[display_value(cell) for cell in row] for row in fetched[:shown_rows]],
        rows=rows,
        problems=problems,
        duration_ms=raw.duration_ms,
        truncated=len(raw.rows) > len(fetched),
        row_count=len(fetched),
    )


def query_rows(
    *,
    source: SourceSpec,
    sql: str,
    parameters: Mapping[str, dt.date],
    max_rows: int | None = None,
) -> RowsResult:
    """The plain rows of a query whose columns the caller checks, run as a metric query
    is (one read-only statement, the source's time-out, scrubbed messages).

    `parameters` maps each name the query may use as `:name` to its date; another
    `:name` in code is passed on as written, and when that fails the message names the
    parameters the query may use. Without `max_rows`, every row, and more than the
    source's row limit is a QueryError; with it, the first `max_rows` (at most the row
    limit), `truncated` saying whether the query has more."""
    limit = source.row_limit if max_rows is None else max(1, min(max_rows, source.row_limit))
    raw = _execute(source, sql, parameters=parameters, max_rows=limit + 1)
    if len(raw.rows) > limit and max_rows is None:
        raise _over_the_limit(source, len(raw.rows))
    return RowsResult(
        columns=raw.columns,
        rows=[tuple(row) for row in raw.rows[:limit]],
        duration_ms=raw.duration_ms,
        truncated=len(raw.rows) > limit,
    )


def check_connection(*, source: SourceSpec) -> int:
    """Open the source and run SELECT 1; the milliseconds it took, or QueryError."""
    started = time.perf_counter()
    _backend(source).check_connection(source)
    return round((time.perf_counter() - started) * 1000)
