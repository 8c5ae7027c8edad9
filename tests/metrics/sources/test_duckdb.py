"""Embedded DuckDB sources: CSV and Parquet files in the source's folder, a database
file opened read-only; writes, files outside the folder and extensions refused; the
time-out."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.metrics import sources
from pilothouse.metrics.sources import QueryError, ResultRow, preview_query, run_query
from tests.metrics.sources.conftest import FIRST_DAY, JANUARY, ROWS, duckdb_source

BY_SEGMENT = (
    "SELECT day AS period_start, count AS value, segment AS dimension FROM {table} "
    "WHERE day BETWEEN :period_start AND :period_end"
)


def expected(first: dt.date = FIRST_DAY, last: dt.date = dt.date(2025, 12, 31)):
    return sorted(
        ResultRow(period_start=d, value=float(n), dimension=s)
        for d, s, n in ROWS
        if first <= d <= last
    )


@pytest.mark.parametrize("file_name", ["daily.csv", "daily.parquet"])
def test_files_in_the_folder_are_read(files, file_name):
    source = duckdb_source(files_folder=str(files.folder))
    table = f"'{files.folder / file_name}'"
    result = run_query(source=source, sql=BY_SEGMENT.format(table=table), **JANUARY)
    assert sorted(result.rows) == expected()
    assert result.row_count == len(ROWS) == 20
    assert result.columns == ["period_start", "value", "dimension"]
    assert result.duration_ms >= 0


def test_the_period_bounds_are_bound_parameters(files):
    source = duckdb_source(files_folder=str(files.folder))
    sql = BY_SEGMENT.format(table=f"read_csv('{files.csv}')")
    result = run_query(
        source=source,
        sql=sql,
        period_start=dt.date(2025, 1, 3),
        period_end=dt.date(2025, 1, 4),
    )
    assert sorted(result.rows) == expected(dt.date(2025, 1, 3), dt.date(2025, 1, 4))
    assert len(result.rows) == 4


def test_a_database_file_is_read(duckdb_file):
    source = duckdb_source(database_path=str(duckdb_file))
    sql = (
        "SELECT day AS period_start, sum(count) AS value FROM daily "
        "WHERE day BETWEEN :period_start AND :period_end GROUP BY day ORDER BY day"
    )
    result = run_query(source=source, sql=sql, **JANUARY)
    assert [row.value for row in result.rows[:2]] == [10 + 11, 20 + 21]
    assert all(row.dimension == "" for row in result.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO daily VALUES (DATE '2025-02-01', 'web', 1)",
        "UPDATE daily SET count = 0",
        "CREATE TABLE evil AS SELECT 1",
        "DROP TABLE daily",
    ],
)
def test_writes_are_refused_and_nothing_changes(duckdb_file, sql):
    source = duckdb_source(database_path=str(duckdb_file))
    with pytest.raises(QueryError, match="Only a SELECT query"):
        run_query(source=source, sql=sql, **JANUARY)
    count = "SELECT DATE '2025-01-01' AS period_start, count(*) AS value FROM daily"
    assert run_query(source=source, sql=count, **JANUARY).rows[0].value == len(ROWS)


def test_a_write_hidden_in_a_select_fails_on_the_read_only_file(duckdb_file):
    source = duckdb_source(database_path=str(duckdb_file))
    sql = "SELECT DATE '2025-01-01' AS period_start, nextval('ticket') AS value"
    with pytest.raises(QueryError, match="read-only"):
        run_query(source=source, sql=sql, **JANUARY)


def test_files_outside_the_folder_are_refused(files):
    source = duckdb_source(files_folder=str(files.folder))
    for table in (
        f"read_csv('{files.outside}')",
        f"read_csv('{files.folder}/../{files.outside.name}')",
        "read_text('/etc/passwd')",
        f"glob('{files.outside.parent}/*')",
    ):
        sql = f"SELECT DATE '2025-01-01' AS period_start, 1 AS value FROM {table}"
        with pytest.raises(QueryError, match="disabled by configuration"):
            run_query(source=source, sql=sql, **JANUARY)


def test_without_a_folder_no_file_is_read(files):
    sql = f"SELECT day AS period_start, count AS value FROM read_csv('{files.csv}')"
    with pytest.raises(QueryError, match="disabled by configuration"):
        run_query(source=duckdb_source(), sql=sql, **JANUARY)


def test_the_settings_cannot_be_changed_back_nor_extensions_loaded(files):
    source = duckdb_source(files_folder=str(files.folder))
    for sql in ("SET enable_external_access = true", "LOAD json", "INSTALL httpfs"):
        with pytest.raises(QueryError, match="Only a SELECT query"):
            run_query(source=source, sql=sql, **JANUARY)
    # and a SELECT reading the settings sees them locked
    preview = preview_query(
        source=source,
        sql="SELECT current_setting('lock_configuration') AS locked, "
        "current_setting('enable_external_access') AS external",
        **JANUARY,
    )
    assert preview.raw_rows == [[True, False]]


def test_a_slow_query_is_stopped_at_the_time_out():
    source = duckdb_source(timeout_seconds=1)
    sql = (
        "SELECT DATE '2025-01-01' AS period_start, count(*) AS value "
        "FROM range(100000000) a, range(100000000) b"
    )
    with pytest.raises(QueryError, match="longer than the source's time-out of 1 s"):
        run_query(source=source, sql=sql, **JANUARY)


def test_a_missing_database_file_is_a_clear_error(tmp_path):
    source = duckdb_source(database_path=str(tmp_path / "nope.duckdb"))
    with pytest.raises(QueryError, match="Cannot open the DuckDB database"):
        run_query(source=source, sql="SELECT 1", **JANUARY)
    assert not (tmp_path / "nope.duckdb").exists()


def test_a_zoned_timestamp_asks_for_a_cast():
    sql = "SELECT TIMESTAMPTZ '2025-01-02 10:00+00' AS period_start, 1 AS value"
    with pytest.raises(QueryError, match=r"cast it to a DATE .*CAST\(period_start AS DATE\)"):
        run_query(source=duckdb_source(), sql=sql, **JANUARY)


def test_check_connection(duckdb_file, tmp_path):
    assert sources.check_connection(source=duckdb_source(database_path=str(duckdb_file))) >= 0
    with pytest.raises(QueryError):
        sources.check_connection(source=duckdb_source(database_path=str(tmp_path / "x.db")))
