"""SQLAlchemy sources against a real database: PostgreSQL when the suite runs on it
(scripts/with-postgres), else a SQLite file. The same queries for both; then what each
dialect guarantees: a read-only transaction, the server's statement time-out (PostgreSQL),
a file opened read-only and an interrupted query (SQLite)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import make_url

from pilothouse.metrics import sources
from pilothouse.metrics.sources import QueryError, ResultRow, preview_query, run_query
from tests.metrics.sources.conftest import JANUARY, ROWS, table_count

BY_SEGMENT = (
    "SELECT day AS period_start, count AS value, segment AS dimension FROM daily "
    "WHERE day >= :period_start AND day <= :period_end ORDER BY day, segment"
)


def test_rows_are_read_with_the_period_bound(sql_database):
    result = run_query(
        source=sql_database.source(),
        sql=BY_SEGMENT,
        period_start=dt.date(2025, 1, 2),
        period_end=dt.date(2025, 1, 3),
    )
    assert result.rows == [
        ResultRow(dt.date(2025, 1, 2), 21.0, "ios"),
        ResultRow(dt.date(2025, 1, 2), 20.0, "web"),
        ResultRow(dt.date(2025, 1, 3), 31.0, "ios"),
        ResultRow(dt.date(2025, 1, 3), 30.0, "web"),
    ]
    assert result.row_count == 4


def test_a_colon_in_a_string_is_not_a_parameter(sql_database):
    sql = (
        "SELECT day AS period_start, count AS value, 'a:b' AS dimension FROM daily "
        "WHERE day = :period_start AND segment = 'web' AND ':period_end' <> ''"
    )
    result = run_query(source=sql_database.source(), sql=sql, **JANUARY)
    assert result.rows == [ResultRow(dt.date(2025, 1, 1), 10.0, "a:b")]


def test_an_aggregate_over_the_period(sql_database):
    sql = (
        "SELECT min(day) AS period_start, sum(count) AS value FROM daily "
        "WHERE day BETWEEN :period_start AND :period_end"
    )
    result = run_query(source=sql_database.source(), sql=sql, **JANUARY)
    assert result.rows == [ResultRow(dt.date(2025, 1, 1), float(sum(n for _d, _s, n in ROWS)))]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM daily",
        "UPDATE daily SET count = 0",
        "DROP TABLE daily",
        "SELECT 1; DELETE FROM daily",
    ],
)
def test_writes_are_refused_before_they_run(sql_database, sql):
    with pytest.raises(QueryError, match=r"Only a SELECT query|Write one statement"):
        run_query(source=sql_database.source(), sql=sql, **JANUARY)
    assert table_count(sql_database) == len(ROWS)


def test_a_write_the_check_cannot_see_fails_in_the_database(sql_database):
    if sql_database.dialect == "postgresql":
        sql = "SELECT DATE '2025-01-01' AS period_start, nextval('ticket') AS value"
        match = "tries to write, and data sources are read-only: cannot execute nextval"
    else:
        # it starts with WITH, so the statement check lets it by: the file refuses it
        sql = "WITH gone AS (SELECT 1) DELETE FROM daily RETURNING day AS period_start"
        match = "tries to write, and data sources are read-only: attempt to write a readonly"
    with pytest.raises(QueryError, match=match):
        run_query(source=sql_database.source(), sql=sql, **JANUARY)
    assert table_count(sql_database) == len(ROWS)


def test_the_transaction_is_read_only(sql_database):
    if sql_database.dialect == "postgresql":
        sql = (
            "SELECT DATE '2025-01-01' AS period_start, 1 AS value, "
            "current_setting('transaction_read_only') AS dimension"
        )
        assert run_query(source=sql_database.source(), sql=sql, **JANUARY).rows[0].dimension == "on"
    else:
        sql = "SELECT '2025-01-01' AS period_start, query_only AS value FROM pragma_query_only"
        assert run_query(source=sql_database.source(), sql=sql, **JANUARY).rows[0].value == 1.0


def test_a_slow_query_is_stopped_at_the_time_out(sql_database):
    if sql_database.dialect == "postgresql":
        sql = "SELECT DATE '2025-01-01' AS period_start, 1 AS value FROM pg_sleep(5)"
    else:
        sql = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            "SELECT '2025-01-01' AS period_start, count(*) AS value FROM n"
        )
    with pytest.raises(QueryError, match="longer than the source's time-out of 1 s"):
        run_query(source=sql_database.source(timeout_seconds=1), sql=sql, **JANUARY)


def test_the_statement_time_out_is_the_servers(sql_database):
    if sql_database.dialect != "postgresql":
        sql = "SELECT '2025-01-01' AS period_start, 1 AS value"
        assert run_query(source=sql_database.source(), sql=sql, **JANUARY).rows
        return
    sql = (
        "SELECT DATE '2025-01-01' AS period_start, 1 AS value, "
        "current_setting('statement_timeout') AS dimension"
    )
    row = run_query(source=sql_database.source(timeout_seconds=7), sql=sql, **JANUARY).rows[0]
    assert row.dimension == "7s"


def test_a_failing_query_names_the_problem(sql_database):
    preview = preview_query(source=sql_database.source(), sql="SELECT nope FROM daily", **JANUARY)
    assert not preview.ok
    assert preview.problems[0].startswith("The query failed:")
    assert "nope" in preview.problems[0]


def test_an_unknown_parameter_gets_a_hint(sql_database):
    preview = preview_query(
        source=sql_database.source(),
        sql="SELECT day AS period_start, count AS value FROM daily WHERE day >= :start",
        **JANUARY,
    )
    assert not preview.ok
    assert (
        "the query uses :start; its parameters are :period_start and :period_end"
        in (preview.problems[0])
    )


def test_a_wrong_password_does_not_show_in_the_message(sql_database):
    if sql_database.dialect != "postgresql":
        url = "sqlite:////no/such/folder/warehouse.sqlite3"
    else:
        written = make_url(sql_database.url).set(
            password="s3cret-Pass", database="no_such_database"
        )
        url = written.render_as_string(hide_password=False)
    source = sources.SourceSpec(kind=sources.SQLALCHEMY, url=url, timeout_seconds=5)
    with pytest.raises(QueryError, match="Cannot connect to the database") as failure:
        sources.check_connection(source=source)
    assert "s3cret-Pass" not in str(failure.value)


def test_check_connection(sql_database):
    assert sources.check_connection(source=sql_database.source()) >= 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("nosuchdialect://host/db", "No SQLAlchemy dialect or driver 'nosuchdialect'"),
    ],
)
def test_bad_urls(url, message):
    source = sources.SourceSpec(kind=sources.SQLALCHEMY, url=url)
    with pytest.raises(QueryError, match=message):
        run_query(source=source, sql="SELECT 1", **JANUARY)


def test_postgres_schemes_use_the_installed_driver():
    assert sources.database_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert sources.database_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert sources.database_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
