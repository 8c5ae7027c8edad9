"""Running a query on any database SQLAlchemy reaches, read-only, within a time-out.

Every query runs in a transaction that is always rolled back, on a connection of its
own (no pool). Per dialect:
- PostgreSQL: `SET TRANSACTION READ ONLY` and a transaction-local `statement_timeout`,
  so the server itself refuses writes and stops the query; the driver's cancel is a
  second line should the server not answer;
- SQLite: the file is opened read-only (`mode=ro`) with `PRAGMA query_only`; a timer
  interrupts the query;
- any other dialect: best effort. The statement check (one statement starting with
  SELECT, WITH or VALUES) and the rollback apply; the time-out cancels through the
  driver's `cancel()` where it has one. Give such sources a read-only database user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, bindparam, create_engine, exc, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from pilothouse.metrics.sources import statements
from pilothouse.metrics.sources.results import QueryError
from pilothouse.metrics.sources.spec import RawResult, SourceSpec, Watchdog, timeout_message

# Schemes people write for PostgreSQL, sent to the installed driver (psycopg 3).
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})
# SQLSTATE codes: a write in a read-only transaction; a statement cancelled (time-out).
READ_ONLY_VIOLATION = "25006"
QUERY_CANCELED = "57014"
WRITE_REFUSED = "The query tries to write, and data sources are read-only"


def database_url(raw: str) -> URL:
    """The URL as SQLAlchemy takes it; QueryError if it is not one."""
    try:
        url = make_url(raw.strip())
    except (exc.ArgumentError, ValueError) as error:
        raise QueryError(
            "This is not a database URL; write it as "
            "dialect+driver://user:password@host:port/database, "
            "e.g. postgresql://reader:secret@db.example.com:5432/analytics"
        ) from error
    if url.drivername in POSTGRES_SCHEMES:
        url = url.set(drivername="postgresql+psycopg")
    return url


def _read_only_url(url: URL) -> URL:
    """SQLite: open the file read-only, never creating it."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return url
    if url.database.startswith("file:"):
        return url.update_query_dict({"mode": "ro", "uri": "true"})
    return url.set(database=f"file:{url.database}").update_query_dict({"mode": "ro", "uri": "true"})


def _engine(source: SourceSpec) -> tuple[Engine, URL]:
    url = database_url(source.url)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(1, round(source.timeout_seconds))
    try:
        engine = create_engine(_read_only_url(url), poolclass=NullPool, connect_args=connect_args)
    except exc.NoSuchModuleError as error:
        raise QueryError(
            f"No SQLAlchemy dialect or driver {url.drivername!r} is installed."
        ) from error
    except ImportError as error:
        raise QueryError(
            f"The database driver for {url.drivername!r} is not installed ({error})."
        ) from error
    return engine, url


def _begin_read_only(connection: Connection, *, timeout_seconds: float) -> None:
    """Open the transaction the query runs in, read-only where the dialect can say so."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"),
            {"ms": str(round(timeout_seconds * 1000))},
        )
    elif dialect == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")


def _canceller(connection: Connection):
    """What stops a running query from another thread: SQLite's interrupt, another
    driver's cancel; None if the driver has neither."""
    raw = connection.connection.dbapi_connection
    for name in ("interrupt", "cancel"):
        if callable(getattr(raw, name, None)):
            return getattr(raw, name)
    return None


def _scrubbed(error: exc.SQLAlchemyError, url: URL) -> str:
    """The driver's own message (without SQLAlchemy's SQL echo), never the password."""
    message = str(getattr(error, "orig", None) or error).strip()
    if url.password:
        message = message.replace(str(url.password), "***")
    return message


def _message(
    error: exc.SQLAlchemyError,
    *,
    url: URL,
    prepared: statements.PreparedQuery | None,
    seconds: float,
    fired: bool,
) -> str:
    original = getattr(error, "orig", None) or error
    text_ = _scrubbed(error, url)
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if fired or sqlstate == QUERY_CANCELED:
        return timeout_message(seconds)
    if sqlstate == READ_ONLY_VIOLATION or "readonly database" in text_:
        return f"{WRITE_REFUSED}: {text_}"
    return f"The query failed: {text_}{prepared.hint() if prepared else ''}"


def _run(
    source: SourceSpec,
    clause,
    parameters: dict[str, Any],
    *,
    max_rows: int,
    prepared: statements.PreparedQuery | None = None,
) -> tuple[list[str], list[tuple]]:
    engine, url = _engine(source)
    fired = False
    try:
        try:
            connection = engine.connect()
        except exc.SQLAlchemyError as error:
            raise QueryError(f"Cannot connect to the database: {_scrubbed(error, url)}") from error
        with connection:
            cancel = _canceller(connection)
            try:
                _begin_read_only(connection, timeout_seconds=source.timeout_seconds)
                # The server's own time-out comes first; the timer is the backstop.
                grace = 2 if connection.dialect.name == "postgresql" else 0
                with Watchdog(source.timeout_seconds + grace, cancel or (lambda: None)) as dog:
                    try:
                        result = connection.execution_options(stream_results=True).execute(
                            clause, parameters
                        )
                        columns = [str(name) for name in result.keys()]  # noqa: SIM118 (a Result)
                        rows = [tuple(row) for row in result.fetchmany(max_rows)]
                        result.close()
                    finally:
                        fired = dog.fired
            finally:
                with contextlib.suppress(exc.SQLAlchemyError):  # a cancelled connection
                    connection.rollback()
    except exc.SQLAlchemyError as error:
        message = _message(
            error, url=url, prepared=prepared, seconds=source.timeout_seconds, fired=fired
        )
        raise QueryError(message) from error
    finally:
        engine.dispose()
    return columns, rows


def execute(
    source: SourceSpec, sql: str, *, parameters: Mapping[str, dt.date], max_rows: int
) -> RawResult:
    """The columns and at most `max_rows` rows of the query, with `parameters` (name:
    value) the names it may use, bound as dates."""
    prepared = statements.for_sqlalchemy(sql, parameters=parameters)
    clause = text(prepared.sql)
    names = sorted(prepared.used)
    if names:
        clause = clause.bindparams(*(bindparam(name, type_=Date) for name in names))
    started = time.perf_counter()
    columns, rows = _run(
        source,
        clause,
        {name: parameters[name] for name in names},
        max_rows=max_rows,
        prepared=prepared,
    )
    return RawResult(
        columns=columns, rows=rows, duration_ms=round((time.perf_counter() - started) * 1000)
    )


def check_connection(source: SourceSpec) -> None:
    _run(source, text("SELECT 1"), {}, max_rows=1)
