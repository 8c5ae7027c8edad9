"""What a query must return: the columns, the type of each cell, the period, the row
limit; every problem names the row and the column. And the preview's answer."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from pilothouse.metrics.sources import QueryError, ResultRow, preview_query, run_query
from pilothouse.metrics.sources.results import MAX_PROBLEMS, column_positions, read_rows
from tests.metrics.sources.conftest import JANUARY, duckdb_source

DAY = dt.date(2025, 1, 5)


def read(columns, rows, **bounds):
    return read_rows(columns, rows, **{**JANUARY, **bounds})


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["day", "n"], "missing period_start, value; unexpected day, n); it returned: day, n."),
        (["period_start"], "missing value"),
        (["period_start", "value", "segment"], "unexpected segment"),
        (["period_start", "value", "VALUE"], "repeated value"),
        ([], "it returned: none"),
    ],
)
def test_wrong_columns_are_named(columns, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        column_positions(columns)


def test_column_names_ignore_case_and_order():
    assert column_positions(["Value", "DIMENSION", "Period_Start"]) == {
        "value": 0,
        "dimension": 1,
        "period_start": 2,
    }


def test_cells_of_every_accepted_type():
    rows, problems = read(
        ["period_start", "value", "dimension"],
        [
            (DAY, 1, "web"),
            (dt.datetime(2025, 1, 6, 13, 30), 2.5, None),
            ("2025-01-07", decimal.Decimal("3.25"), "  ios  "),
            ("2025-01-08T00:00:00", -4, ""),
        ],
    )
    assert problems == []
    assert rows == [
        ResultRow(DAY, 1.0, "web"),
        ResultRow(dt.date(2025, 1, 6), 2.5, ""),
        ResultRow(dt.date(2025, 1, 7), 3.25, "ios"),
        ResultRow(dt.date(2025, 1, 8), -4.0, ""),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ((None, 1, "x"), "row 1, column period_start: is empty (NULL)"),
        (("5 Jan", 1, "x"), "row 1, column period_start: '5 Jan' is not a date"),
        ((20250105, 1, "x"), "row 1, column period_start: 20250105 is not a date"),
        ((DAY, None, "x"), "row 1, column value: is empty (NULL)"),
        ((DAY, True, "x"), "row 1, column value: True is a boolean, not a number"),
        ((DAY, "12", "x"), "row 1, column value: '12' is text, not a number"),
        ((DAY, float("nan"), "x"), "row 1, column value: nan is not a finite number"),
        ((DAY, float("inf"), "x"), "row 1, column value: inf is not a finite number"),
        ((DAY, decimal.Decimal("NaN"), "x"), "row 1, column value: NaN is not a finite number"),
        ((DAY, [1], "x"), "row 1, column value: [1] is not a number"),
        ((DAY, 1, 7), "row 1, column dimension: 7 is not text"),
        ((DAY, 1, "x" * 121), "row 1, column dimension: is 121 characters long, more than 120"),
        ((DAY, 1, "a\x00b"), "row 1, column dimension: contains a NUL character"),
    ],
)
def test_a_wrong_cell_is_named_by_row_and_column(row, problem):
    rows, problems = read(["period_start", "value", "dimension"], [row])
    assert rows == []
    assert problems[0].startswith(problem)


def test_a_period_outside_the_bounds_asked_for_is_a_problem():
    _rows, problems = read(["period_start", "value"], [(DAY, 1), (dt.date(2024, 12, 31), 2)])
    assert problems == [
        "row 2, column period_start: 2024-12-31 is outside the period asked for "
        "(2025-01-01 to 2025-01-31); filter on :period_start and :period_end"
    ]


def test_every_bad_cell_of_a_row_is_named_and_the_list_is_bounded():
    _rows, problems = read(["period_start", "value"], [("x", "y")])
    assert [p.split(":")[0] for p in problems] == [
        "row 1, column period_start",
        "row 1, column value",
    ]
    _rows, problems = read(["period_start", "value"], [(DAY, "bad")] * 100)
    assert len(problems) == MAX_PROBLEMS
    assert problems[-1].startswith(f"row {MAX_PROBLEMS}, column value")


# --- through the runner: a query's rows are all stored or none ---------------------------------


def test_one_bad_row_fails_the_whole_result():
    sql = (
        "SELECT * FROM (VALUES (DATE '2025-01-01', 1.0), (DATE '2025-01-02', NULL), "
        "(DATE '2025-01-03', 3.0)) AS t(period_start, value)"
    )
    with pytest.raises(QueryError) as failure:
        run_query(source=duckdb_source(), sql=sql, **JANUARY)
    assert failure.value.problems == ["row 2, column value: is empty (NULL)"]
    assert failure.value.rows == 3
    assert str(failure.value) == "row 2, column value: is empty (NULL)"


def test_the_row_limit():
    sql = (
        "SELECT DATE '2025-01-01' + CAST(i AS INTEGER) AS period_start, 1 AS value "
        "FROM range(31) t(i)"
    )
    assert run_query(source=duckdb_source(row_limit=31), sql=sql, **JANUARY).row_count == 31
    with pytest.raises(QueryError, match="more than 30 rows, the source's row limit"):
        run_query(source=duckdb_source(row_limit=30), sql=sql, **JANUARY)


def test_a_preview_reads_the_first_rows_and_reports_without_raising():
    sql = (
        "SELECT DATE '2025-01-01' + CAST(i AS INTEGER) AS period_start, "
        "CASE WHEN i = 2 THEN 'oops' ELSE CAST(i AS VARCHAR) END AS value, "
        "CAST(NULL AS VARCHAR) AS dimension FROM range(31) t(i)"
    )
    preview = preview_query(source=duckdb_source(), sql=sql, **JANUARY, max_rows=10, shown_rows=3)
    assert preview.columns == ["period_start", "value", "dimension"]
    assert preview.raw_rows == [
        ["2025-01-01", "0", None],
        ["2025-01-02", "1", None],
        ["2025-01-03", "oops", None],
    ]
    assert preview.truncated is True
    assert preview.row_count == 10
    assert not preview.ok
    # text is not a number, on every row of the ten read
    assert len(preview.problems) == 10
    assert (
        preview.problems[2]
        == "row 3, column value: 'oops' is text, not a number; cast it in the query"
    )


def test_a_preview_of_good_rows():
    sql = "SELECT DATE '2025-01-02' AS period_start, 42 AS value, 'web' AS dimension"
    preview = preview_query(source=duckdb_source(), sql=sql, **JANUARY)
    assert preview.ok
    assert preview.rows == [ResultRow(dt.date(2025, 1, 2), 42.0, "web")]
    assert preview.raw_rows == [["2025-01-02", 42, "web"]]
    assert preview.truncated is False


def test_a_preview_of_a_broken_query_has_one_problem():
    preview = preview_query(source=duckdb_source(), sql="SELECT FROM WHERE", **JANUARY)
    assert preview.columns == []
    assert len(preview.problems) == 1
    assert preview.problems[0].startswith("The query is not valid SQL")


def test_a_period_that_ends_before_it_starts():
    with pytest.raises(QueryError, match=r"The period ends \(2025-01-01\) before it starts"):
        run_query(
            source=duckdb_source(),
            sql="SELECT 1",
            period_start=dt.date(2025, 1, 2),
            period_end=dt.date(2025, 1, 1),
        )


def test_an_empty_query_and_an_unknown_kind():
    with pytest.raises(QueryError, match="The query is empty"):
        run_query(source=duckdb_source(), sql="  ", **JANUARY)
    from pilothouse.metrics.sources import SourceSpec

    with pytest.raises(QueryError, match="Unknown kind of data source 'oracle'"):
        run_query(source=SourceSpec(kind="oracle"), sql="SELECT 1", **JANUARY)
