"""The query text: its parameters (:period_start and :period_end for metrics, or the
caller's own) found only in code (not in strings, quoted names or comments), for DuckDB
and for SQLAlchemy, and the single-SELECT check."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pilothouse.metrics.sources import QueryError
from pilothouse.metrics.sources.statements import (
    METRIC_PARAMETERS,
    for_duckdb,
    for_sqlalchemy,
    literal_spans,
)

TRICKY = (
    "SELECT ':period_start' AS quoted, \"col:period_end\" AS named, x::date AS cast_, "
    "$$ :period_end $$ AS dollar, E'it\\'s :period_start' AS escaped -- :period_end\n"
    "/* :period_start /* nested :period_end */ still :period_start */ "
    "FROM t WHERE d >= :period_start AND d <= :period_end"
)


def test_duckdb_gets_its_own_named_parameters_only_in_code():
    prepared = for_duckdb(TRICKY, parameters=METRIC_PARAMETERS)
    assert prepared.used == {"period_start", "period_end"}
    assert prepared.sql.endswith("WHERE d >= $period_start AND d <= $period_end")
    # everything before the WHERE clause is unchanged: literals, names, comments, casts
    head = TRICKY.split(" WHERE ")[0]
    assert prepared.sql.startswith(head)
    assert prepared.unknown == ()


def test_sqlalchemy_binds_our_parameters_and_leaves_literal_colons_alone():
    prepared = for_sqlalchemy(TRICKY, parameters=METRIC_PARAMETERS)
    assert prepared.used == {"period_start", "period_end"}
    clause = text(prepared.sql)
    assert set(clause._bindparams) == {"period_start", "period_end"}
    compiled = str(clause.compile())
    # the literals come back exactly as written
    assert "':period_start'" in compiled
    assert "$$ :period_end $$" in compiled
    assert "E'it\\'s :period_start'" in compiled
    assert "-- :period_end" in compiled
    assert compiled.endswith("WHERE d >= :period_start AND d <= :period_end")


def test_a_query_without_parameters_uses_none():
    assert for_duckdb("SELECT 1 AS value", parameters=METRIC_PARAMETERS).used == frozenset()
    assert for_sqlalchemy("SELECT 1 AS value", parameters=METRIC_PARAMETERS).used == frozenset()


def test_other_names_are_reported_as_likely_mistakes():
    with pytest.raises(QueryError, match="the query uses :start; its parameters are"):
        for_duckdb("SELECT 1 AS value WHERE 1 > :start", parameters=METRIC_PARAMETERS)
    prepared = for_sqlalchemy(
        "SELECT day FROM t WHERE day >= :start AND day < :period_end", parameters=METRIC_PARAMETERS
    )
    assert prepared.used == {"period_end"}
    assert prepared.unknown == ("start",)
    assert ":start" in prepared.hint()
    assert ":period_start" in prepared.hint()
    # the unknown one is escaped, so SQLAlchemy does not ask for a value for it
    assert set(text(prepared.sql)._bindparams) == {"period_end"}


def test_a_trailing_semicolon_is_one_statement():
    assert (
        for_duckdb("SELECT 1 AS value;", parameters=METRIC_PARAMETERS)
        .sql.strip()
        .startswith("SELECT")
    )
    assert ";" not in for_sqlalchemy("SELECT 1 AS value; -- done", parameters=METRIC_PARAMETERS).sql


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM t", "this one is a DELETE statement"),
        ("INSERT INTO t VALUES (1)", "this one is a INSERT statement"),
        ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "INSERT statement"),
        ("COPY t TO '/tmp/out.csv'", "COPY statement"),
        ("INSTALL httpfs", "statement"),
        ("ATTACH '/tmp/other.db'", "ATTACH statement"),
        ("SET threads = 1", "SET statement"),
        ("SELECT 1; SELECT 2", "Write one statement; the query holds 2"),
        ("-- only a comment", "The query is empty"),
        ("SELEC 1", "not valid SQL"),
    ],
)
def test_duckdb_accepts_only_one_select(sql, message):
    with pytest.raises(QueryError, match=message):
        for_duckdb(sql, parameters=METRIC_PARAMETERS)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM t", "starts with DELETE"),
        ("  update t set x = 1", "starts with UPDATE"),
        ("/* SELECT */ DROP TABLE t", "starts with DROP"),
        ("SELECT 1; DELETE FROM t", "Write one statement; the query holds 2"),
        ("-- nothing", "The query is empty"),
    ],
)
def test_sqlalchemy_accepts_only_one_statement_that_reads(sql, message):
    with pytest.raises(QueryError, match=message):
        for_sqlalchemy(sql, parameters=METRIC_PARAMETERS)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "with x as (select 1) select * from x",
        "(SELECT 1)",
        "VALUES (1)",
        "SELECT ';' AS semicolon_in_text",
        "SELECT 1 -- ; not a second statement",
    ],
)
def test_sqlalchemy_reading_statements_pass(sql):
    assert for_sqlalchemy(sql, parameters=METRIC_PARAMETERS).sql


def test_literal_spans_cover_strings_names_and_comments():
    sql = "SELECT 'a''b', \"x\", `y`, $t$ q $t$ -- c\n/* d */ 1"
    spans = [sql[start:end] for start, end in literal_spans(sql)]
    assert spans == ["'a''b'", '"x"', "`y`", "$t$ q $t$", "-- c", "/* d */"]


EXPERIMENT = ("start_date", "end_date")


@pytest.mark.parametrize("prepare", [for_duckdb, for_sqlalchemy])
def test_the_caller_names_the_parameters(prepare):
    sql = "SELECT ':start_date' AS t FROM x WHERE d BETWEEN :start_date AND :end_date"
    prepared = prepare(sql, parameters=EXPERIMENT)
    assert prepared.used == {"start_date", "end_date"}
    assert prepared.unknown == ()
    sent = prepared.sql if prepare is for_duckdb else str(text(prepared.sql).compile())
    assert sent.startswith("SELECT ':start_date' AS t")  # the literal stays as written
    # under a metric's names, :start_date is no parameter: DuckDB's parser refuses it,
    # SQLAlchemy passes it on as written (for the database to refuse), with the hint
    other = "SELECT 1 FROM x WHERE d >= :start_date"
    if prepare is for_duckdb:
        with pytest.raises(QueryError, match="its parameters are :period_start and :period_end"):
            prepare(other, parameters=METRIC_PARAMETERS)
    else:
        metric_names = prepare(other, parameters=METRIC_PARAMETERS)
        assert metric_names.used == frozenset()
        assert metric_names.unknown == ("start_date",)
        assert set(text(metric_names.sql)._bindparams) == set()


def test_an_unknown_name_is_named_with_the_callers_parameters():
    with pytest.raises(QueryError) as refused:
        for_duckdb("SELECT 1 AS n WHERE 1 > :period_start", parameters=EXPERIMENT)
    assert "the query uses :period_start; its parameters are :start_date and :end_date" in str(
        refused.value
    )
    prepared = for_sqlalchemy("SELECT 1 WHERE 1 > :period_start", parameters=EXPERIMENT)
    assert prepared.hint() == (
        " (the query uses :period_start; its parameters are :start_date and :end_date)"
    )
    assert "it takes no parameters" in for_sqlalchemy("SELECT :x", parameters=()).hint()
    assert "its parameter is :day" in for_sqlalchemy("SELECT :x", parameters=["day"]).hint()


@pytest.mark.parametrize("names", [["start date"], ["1st"], ["a:b"], [""]])
def test_a_parameter_name_that_cannot_be_written_is_the_callers_mistake(names):
    with pytest.raises(ValueError, match="cannot be a query parameter's name"):
        for_sqlalchemy("SELECT 1", parameters=names)


def test_the_parameters_are_a_collection_not_one_name():
    with pytest.raises(TypeError, match="not one string"):
        for_duckdb("SELECT 1", parameters="start_date")
