"""Running metric queries on data sources, free of Django: plain dataclasses in and out.

    from pilothouse.metrics import sources

    source = sources.SourceSpec(kind="duckdb", files_folder="/srv/exports", timeout_seconds=30)
    result = sources.run_query(
        source=source,
        sql="SELECT day AS period_start, count(*) AS value FROM 'orders.csv' "
        "WHERE day BETWEEN :period_start AND :period_end GROUP BY day",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 1, 31),
    )  # QueryResult(rows=[ResultRow(...)], row_count=..., duration_ms=..., columns=[...])
    sources.preview_query(source=source, sql=..., period_start=..., period_end=...)
    sources.check_connection(source=source)

Any other query, whose columns its caller checks, runs under the same guarantees
(one read-only statement, the time-out, the row limit, scrubbed messages) and answers
its plain rows; the caller names the parameters it may use and binds them to dates:

    rows = sources.query_rows(
        source=source,
        sql="SELECT variant, count(*) AS n, sum(spend) AS sum FROM 'users.csv' "
        "WHERE day BETWEEN :start_date AND :end_date GROUP BY variant",
        parameters={"start_date": date(2025, 3, 1), "end_date": date(2025, 3, 28)},
    )  # RowsResult(columns=["variant", "n", "sum"], rows=[("control", 5012, 10433.5), ...])
    sources.query_rows(source=source, sql=..., parameters=..., max_rows=100)  # a preview

Every failure is a QueryError whose message says what to fix (naming the row and the
column where it applies). See docs/data-sources.md for the guarantees of each kind.
"""

from pilothouse.metrics.sources.results import (
    DIMENSION_MAX_LENGTH,
    PreviewResult,
    QueryError,
    QueryResult,
    ResultRow,
    RowsResult,
    finite_number,
)
from pilothouse.metrics.sources.runner import (
    PREVIEW_ROWS,
    SHOWN_ROWS,
    check_connection,
    preview_query,
    query_rows,
    run_query,
)
from pilothouse.metrics.sources.spec import DUCKDB, SQLALCHEMY, SourceSpec
from pilothouse.metrics.sources.sqlalchemy_runner import database_url

__all__ = [
    "DIMENSION_MAX_LENGTH",
    "DUCKDB",
    "PREVIEW_ROWS",
    "SHOWN_ROWS",
    "SQLALCHEMY",
    "PreviewResult",
    "QueryError",
    "QueryResult",
    "ResultRow",
    "RowsResult",
    "SourceSpec",
    "check_connection",
    "database_url",
    "finite_number",
    "preview_query",
    "query_rows",
    "run_query",
]
