"""Data for the query runner's tests: CSV and Parquet files in a folder, a DuckDB
database file, and a real SQLAlchemy database. The SQLAlchemy database follows
DATABASE_URL: on PostgreSQL (under scripts/with-postgres) a database of its own on that
server; otherwise a SQLite file. Both hold the same table, `daily`."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pilothouse.metrics import sources

FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 10
SEGMENTS = ("web", "ios")
# (day, segment, count): 10 days of two segments, count = day number * 10 (+ 1 for ios)
ROWS = [
    (FIRST_DAY + dt.timedelta(days=i), segment, (i + 1) * 10 + offset)
    for i in range(DAYS)
    for offset, segment in enumerate(SEGMENTS)
]
JANUARY = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 1, 31)}


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@dataclass(frozen=True)
class Files:
    folder: Path
    csv: Path
    parquet: Path
    outside: Path  # a CSV file beside the folder, which queries may not read


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> Files:
    base = tmp_path_factory.mktemp("metric-files")
    folder = base / "exports"
    folder.mkdir()
    csv = folder / "daily.csv"
    csv.write_text(
        "day,segment,count\n" + "".join(f"{d.isoformat()},{s},{n}\n" for d, s, n in ROWS),
        encoding="utf-8",
    )
    parquet = folder / "daily.parquet"
    with duckdb.connect() as writer:
        writer.execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{parquet}' (FORMAT parquet)")
    outside = base / "secret.csv"
    outside.write_text("day,count\n2025-01-01,99\n", encoding="utf-8")
    return Files(folder=folder, csv=csv, parquet=parquet, outside=outside)


@pytest.fixture(scope="session")
def duckdb_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("duckdb") / "metrics.duckdb"
    with duckdb.connect(str(path)) as writer:
        writer.execute("CREATE TABLE daily (day DATE, segment VARCHAR, count INTEGER)")
        writer.executemany("INSERT INTO daily VALUES (?, ?, ?)", ROWS)
        writer.execute("CREATE SEQUENCE ticket START 1")
    return path


def duckdb_source(**fields) -> sources.SourceSpec:
    return sources.SourceSpec(kind=sources.DUCKDB, **{"timeout_seconds": 10, **fields})


@dataclass(frozen=True)
class SqlDatabase:
    url: str
    dialect: str  # "postgresql" or "sqlite"

    def source(self, **fields) -> sources.SourceSpec:
        return sources.SourceSpec(
            kind=sources.SQLALCHEMY, url=self.url, **{"timeout_seconds": 10, **fields}
        )


def _postgres_database(server_url: str):
    import psycopg

    name = f"metric_source_{secrets.token_hex(4)}"
    admin = server_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE daily (day date, segment text, count integer)")
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO daily VALUES (%s, %s, %s)", ROWS)
        connection.execute("CREATE SEQUENCE ticket")
    return name, admin, url


@pytest.fixture(scope="session")
def sql_database(tmp_path_factory):
    """The SQLAlchemy source's database: PostgreSQL when the suite runs on it."""
    server = postgres_url()
    if server is None:
        path = tmp_path_factory.mktemp("sqlite-source") / "warehouse.sqlite3"
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE daily (day TEXT, segment TEXT, count INTEGER)")
            connection.executemany(
                "INSERT INTO daily VALUES (?, ?, ?)", [(d.isoformat(), s, n) for d, s, n in ROWS]
            )
        yield SqlDatabase(url=f"sqlite:///{path}", dialect="sqlite")
        return
    import psycopg

    name, admin, url = _postgres_database(server)
    yield SqlDatabase(url=url, dialect="postgresql")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_count(database: SqlDatabase) -> int:
    """The rows of `daily`, read outside the runner (to see that nothing was written)."""
    if database.dialect == "sqlite":
        path = database.url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            return connection.execute("SELECT count(*) FROM daily").fetchone()[0]
    import psycopg

    with psycopg.connect(database.url) as connection:
        return connection.execute("SELECT count(*) FROM daily").fetchone()[0]
