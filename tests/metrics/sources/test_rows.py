"""Plain rows from any query (`query_rows`): the caller's own parameters bound as dates,
the columns and values as the query returned them, and the guarantees of metric
queries: one read-only statement, an unknown parameter refused, the row limit, the
time-out. On DuckDB over a CSV file and on the SQLAlchemy database of conftest.py
(PostgreSQL under scripts/with-postgres, else a SQLite file)."""

from __future__ import annotations

import datetime as dt

import pytest

from pilothouse.metrics import sources
from pilothouse.metrics.sources import QueryError, RowsResult, query_rows
from tests.metrics.sources.conftest import ROWS, duckdb_source, table_count

# Per-user rows: (user, variant, day, spend)
USERS = [
    (1, "control", "2025-03-01", 4.0),
    (2, "control", "2025-03-02", 0.0),
    (3, "B", "2025-03-02", 7.5),
    (4, "B", "2025-03-05", 2.5),
    (5, "control", "2025-03-09", 3.0),  # after the window below
]
WINDOW = {"start_date": dt.date(2025, 3, 1), "end_date": dt.date(2025, 3, 5)}
PER_VARIANT = (
    "SELECT variant, count(*) AS n, sum(spend) AS sum, sum(spend * spend) AS sum_squares "
    "FROM {table} WHERE day BETWEEN :start_date AND :end_date "
    "GROUP BY variant ORDER BY variant"
)


def expected_sums(first: dt.date, last: dt.date) -> list[tuple[str, int, float, float]]:
    sums: dict[str, list[float]] = {}
    for _user, variant, day, spend in USERS:
        if first <= dt.date.fromisoformat(day) <= last:
            sums.setdefault(variant, []).append(spend)
    return [
        (variant, len(values), sum(values), sum(v * v for v in values))
        for variant, values in sorted(sums.items())
    ]


@pytest.fixture
def users_csv(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        "user_id,variant,day,spend\n" + "".join(f"{u},{v},{d},{s}\n" for u, v, d, s in USERS),
        encoding="utf-8",
    )
    return path


def _plain(result: RowsResult) -> list[tuple]:
    return [(v, int(n), float(total), float(squares)) for v, n, total, squares in result.rows]


# --- DuckDB ----------------------------------------------------------------------------------


def test_duckdb_answers_the_rows_with_the_callers_parameters_bound(users_csv):
    source = duckdb_source(files_folder=str(users_csv.parent))
    result = query_rows(
        source=source, sql=PER_VARIANT.format(table=f"'{users_csv}'"), parameters=WINDOW
    )
    assert result.columns == ["variant", "n", "sum", "sum_squares"]
    assert _plain(result) == expected_sums(WINDOW["start_date"], WINDOW["end_date"])
    assert (result.row_count, result.truncated) == (2, False)
    narrower = query_rows(
        source=source,
        sql=PER_VARIANT.format(table=f"'{users_csv}'"),
        parameters={"start_date": dt.date(2025, 3, 2), "end_date": dt.date(2025, 3, 9)},
    )
    assert _plain(narrower) == expected_sums(dt.date(2025, 3, 2), dt.date(2025, 3, 9))
    assert _plain(narrower) != _plain(result)


def test_values_keep_their_types_and_display_as_json_can_carry_them(users_csv):
    source = duckdb_source(files_folder=str(users_csv.parent))
    sql = "SELECT :start_date AS first_day, 'x' AS label, NULL AS nothing, 1.5::DECIMAL(4,2) AS d"
    result = query_rows(source=source, sql=sql, parameters=WINDOW)
    (row,) = result.rows
    assert row[0] == dt.date(2025, 3, 1)
    assert (row[1], row[2]) == ("x", None)
    assert result.displayed() == [["2025-03-01", "x", None, "1.50"]]


def test_a_metric_parameter_is_unknown_to_a_query_that_names_others(users_csv):
    source = duckdb_source(files_folder=str(users_csv.parent))
    sql = f"SELECT count(*) AS n FROM '{users_csv}' WHERE day >= :period_start"
    with pytest.raises(QueryError) as refused:
        query_rows(source=source, sql=sql, parameters=WINDOW)
    assert "the query uses :period_start; its parameters are :start_date and :end_date" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("CREATE TABLE evil AS SELECT 1", "Only a SELECT query"),
        ("COPY (SELECT 1) TO 'out.csv'", "Only a SELECT query"),
        ("SELECT 1; SELECT 2", "Write one statement"),
        ("   ", "The query is empty"),
    ],
)
def test_duckdb_refuses_anything_but_one_select(users_csv, sql, message):
    source = duckdb_source(files_folder=str(users_csv.parent))
    with pytest.raises(QueryError, match=message):
        query_rows(source=source, sql=sql, parameters=WINDOW)
    assert sorted(p.name for p in users_csv.parent.iterdir()) == ["users.csv"]


def test_a_file_outside_the_folder_is_not_read(users_csv, files):
    source = duckdb_source(files_folder=str(users_csv.parent))
    with pytest.raises(QueryError, match="The query failed"):
        query_rows(source=source, sql=f"SELECT * FROM '{files.outside}'", parameters={})


def test_the_row_limit_holds_and_a_capped_read_says_it_is_capped(users_csv):
    source = duckdb_source(files_folder=str(users_csv.parent), row_limit=3)
    every_user = f"SELECT * FROM '{users_csv}' ORDER BY user_id"
    with pytest.raises(QueryError, match="more than 3 rows, the source's row limit") as over:
        query_rows(source=source, sql=every_user, parameters={})
    assert over.value.rows == 4  # it stops reading one row past the limit
    capped = query_rows(source=source, sql=every_user, parameters={}, max_rows=2)
    assert [row[0] for row in capped.rows] == [1, 2]
    assert capped.truncated
    # a cap above the source's limit is the limit
    assert query_rows(source=source, sql=every_user, parameters={}, max_rows=50).row_count == 3
    whole = query_rows(source=source, sql=every_user + " LIMIT 2", parameters={}, max_rows=2)
    assert (whole.row_count, whole.truncated) == (2, False)


def test_a_slow_duckdb_query_is_stopped_at_the_time_out():
    source = duckdb_source(timeout_seconds=1)
    slow = "SELECT count(*) AS n FROM range(100000000000) a WHERE a.range % 7 = 3"
    with pytest.raises(QueryError, match="longer than the source's time-out of 1 s"):
        query_rows(source=source, sql=slow, parameters={})


# --- SQLAlchemy ------------------------------------------------------------------------------


def test_sqlalchemy_answers_the_rows_with_the_callers_parameters_bound(sql_database):
    sql = (
        "SELECT segment, count(*) AS n, sum(count) AS total FROM daily "
        "WHERE day >= :start_date AND day <= :end_date GROUP BY segment ORDER BY segment"
    )
    first, last = dt.date(2025, 1, 2), dt.date(2025, 1, 4)
    result = query_rows(
        source=sql_database.source(),
        sql=sql,
        parameters={"start_date": first, "end_date": last},
    )
    assert result.columns == ["segment", "n", "total"]
    expected = {}
    for day, segment, count in ROWS:
        if first <= day <= last:
            n, total = expected.get(segment, (0, 0))
            expected[segment] = (n + 1, total + count)
    assert [(s, int(n), int(t)) for s, n, t in result.rows] == [
        (segment, *expected[segment]) for segment in sorted(expected)
    ]


def test_sqlalchemy_refuses_a_parameter_it_was_not_given(sql_database):
    sql = "SELECT count(*) AS n FROM daily WHERE day >= :period_start"
    with pytest.raises(QueryError) as refused:
        query_rows(
            source=sql_database.source(),
            sql=sql,
            parameters={"start_date": dt.date(2025, 1, 1), "end_date": dt.date(2025, 1, 31)},
        )
    assert "the query uses :period_start; its parameters are :start_date and :end_date" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM daily", "Only a SELECT query"),
        ("SELECT 1; DROP TABLE daily", "Write one statement"),
    ],
)
def test_sqlalchemy_refuses_writes(sql_database, sql, message):
    with pytest.raises(QueryError, match=message):
        query_rows(source=sql_database.source(), sql=sql, parameters={})
    assert table_count(sql_database) == len(ROWS)


def test_a_write_hidden_from_the_check_fails_in_the_database(sql_database):
    if sql_database.dialect == "postgresql":
        sql = "SELECT nextval('ticket') AS n"
    else:
        sql = "WITH gone AS (SELECT 1) DELETE FROM daily RETURNING day"
    with pytest.raises(QueryError, match="tries to write, and data sources are read-only"):
        query_rows(source=sql_database.source(), sql=sql, parameters={})
    assert table_count(sql_database) == len(ROWS)


def test_a_slow_sqlalchemy_query_is_stopped_at_the_time_out(sql_database):
    if sql_database.dialect == "postgresql":
        sql = "SELECT 1 AS n FROM pg_sleep(5)"
    else:
        sql = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            "SELECT count(*) AS n FROM n"
        )
    with pytest.raises(QueryError, match="longer than the source's time-out of 1 s"):
        query_rows(source=sql_database.source(timeout_seconds=1), sql=sql, parameters={})


def test_a_password_never_shows_in_a_failure():
    url = "postgresql://reader:s3cret-Pass@127.0.0.1:1/nowhere"
    source = sources.SourceSpec(kind=sources.SQLALCHEMY, url=url, timeout_seconds=2)
    with pytest.raises(QueryError, match="Cannot connect to the database") as failure:
        query_rows(source=source, sql="SELECT 1", parameters={})
    assert "s3cret-Pass" not in str(failure.value)
