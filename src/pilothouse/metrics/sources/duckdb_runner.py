"""Running a query in embedded DuckDB, read-only.

Each query gets a fresh connection:
- the database file, if any, is opened read_only (an in-memory database otherwise);
- files may be read only inside the source's files folder: `allowed_directories`, then
  `enable_external_access = false` (which also stops Python replacement scans and
  extension installs), and `lock_configuration = true` so the query cannot undo it;
- extensions are neither installed nor loaded on demand;
- only one SELECT statement is accepted (DuckDB's parser says which, see statements);
- a timer interrupts the connection after the source's time-out.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from typing import Any

import duckdb

from pilothouse.metrics.sources import statements
from pilothouse.metrics.sources.results import QueryError
from pilothouse.metrics.sources.spec import RawResult, SourceSpec, Watchdog, timeout_message

# Set when the connection opens; the folder rules follow once it is open (DuckDB refuses
# `allowed_directories` before that).
CONNECT_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(source: SourceSpec) -> duckdb.DuckDBPyConnection:
    path = source.database_path.strip()
    try:
        if path:
            connection = duckdb.connect(path, read_only=True, config=CONNECT_CONFIG)
        else:
            connection = duckdb.connect(":memory:", config=CONNECT_CONFIG)
    except duckdb.Error as exc:
        raise QueryError(f"Cannot open the DuckDB database {path}: {exc}") from exc
    folder = source.files_folder.strip()
    allowed = [os.path.join(os.path.abspath(folder), "")] if folder else []
    connection.execute(f"SET allowed_directories = [{', '.join(map(_sql_text, allowed))}]")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


def _refuse_zoned_columns(description: Any) -> None:
    """Python needs pytz to read DuckDB's zoned times, which Pilothouse does without."""
    for name, kind, *_rest in description or []:
        if "WITH TIME ZONE" in str(kind).upper():
            raise QueryError(
                f"The column {name} is a {str(kind).lower()}; cast it to a DATE in the query, "
                f"e.g. CAST({name} AS DATE)."
            )


def execute(
    source: SourceSpec, sql: str, *, parameters: Mapping[str, dt.date], max_rows: int
) -> RawResult:
    """The columns and at most `max_rows` rows of the query, with `parameters` (name:
    value) the names it may use."""
    prepared = statements.for_duckdb(sql, parameters=parameters)
    bound = {name: parameters[name] for name in prepared.used}
    started = time.perf_counter()
    connection = connect(source)
    try:
        with Watchdog(source.timeout_seconds, connection.interrupt) as watchdog:
            try:
                connection.execute(prepared.sql, bound)
                description = connection.description
                _refuse_zoned_columns(description)
                rows = connection.fetchmany(max_rows)
            except duckdb.Error as exc:
                if watchdog.fired:
                    raise QueryError(timeout_message(source.timeout_seconds)) from exc
                raise QueryError(f"The query failed: {str(exc).strip()}{prepared.hint()}") from exc
    finally:
        connection.close()
    columns = [str(column[0]) for column in description or []]
    return RawResult(
        columns=columns, rows=rows, duration_ms=round((time.perf_counter() - started) * 1000)
    )


def check_connection(source: SourceSpec) -> None:
    connection = connect(source)
    try:
        connection.execute("SELECT 1").fetchall()
    finally:
        connection.close()
