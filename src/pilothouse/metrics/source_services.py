"""Data sources: their writes (core.writes underneath: permission-checked, validated,
atomic, change-logged) and the actions on them, testing a connection and previewing a
query.

The database URL is a write-only input, `url` in the data given to create and update:
it is encrypted into `url_encrypted` (never logged, see DataSource.SECRET_FIELDS) and
shown as `url_display`, masked. On update, no URL (None or "") keeps the stored one.
Only product leaders and admins keep data sources (core.permissions: a data source has
no steward); whoever may create metrics previews queries on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from sqlalchemy import exc as sqlalchemy_errors

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.metrics import credentials, sources
from pilothouse.metrics.models import DataSource, Metric, MetricValue, SourceKind

# A preview without a period reads this many days up to today.
PREVIEW_DAYS = 90
OWN_DATA = (
    "This path holds Pilothouse's own data (its keys and database) or lies inside it; "
    "choose one outside {data_dir}."
)


def _own_data_problem(path: Path) -> str | None:
    """Why `path` may not be read by queries: it is, holds or lies in the data dir."""
    data_dir = Path(settings.DATA_DIR).resolve()
    resolved = path.resolve()
    if resolved == data_dir or data_dir in resolved.parents or resolved in data_dir.parents:
        return OWN_DATA.format(data_dir=data_dir)
    return None


def _path_problem(name: str, raw: str) -> str | None:
    path = Path(raw)
    if not path.is_absolute():
        return f"Give the full path, starting at the root (e.g. /srv/metrics), not {raw!r}."
    if name == "database_path" and not path.is_file():
        return f"No database file at {raw}."
    if name == "files_folder" and not path.is_dir():
        return f"No folder at {raw}."
    return _own_data_problem(path)


def _url_problem(url: str) -> str | None:
    try:
        parsed = sources.database_url(url)
        parsed.get_dialect()
    except sources.QueryError as exc:
        return str(exc)
    except (sqlalchemy_errors.NoSuchModuleError, ImportError):
        return f"No SQLAlchemy dialect or driver {parsed.drivername!r} is installed."
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return _own_data_problem(Path(parsed.database.removeprefix("file:")))
    return None


class DataSourceWrites(ModelWrites):
    def prepare(self, instance: DataSource | None, data: dict[str, Any]) -> dict[str, Any]:
        url = (data.pop("url", None) or "").strip()
        kind = data.get("kind", instance.kind if instance else SourceKind.DUCKDB)
        errors: dict[str, str] = {}
        for name in ("database_path", "files_folder"):
            if name in data:
                data[name] = (data[name] or "").strip()
                if data[name] and kind == SourceKind.DUCKDB:
                    problem = _path_problem(name, data[name])
                    if problem:
                        errors[name] = problem
        if kind == SourceKind.DUCKDB:
            if url:
                errors["url"] = "A DuckDB source reads its own file and folder; it has no URL."
            data["url_encrypted"] = data["url_display"] = ""
        elif url:
            problem = _url_problem(url)
            if problem:
                errors["url"] = problem
            else:
                data["url_encrypted"] = credentials.url_encrypt(url)
                data["url_display"] = credentials.masked_url(url)[:500]
        elif instance is None or not instance.url_encrypted:
            errors["url"] = "Enter the database URL, e.g. postgresql://reader:secret@host/db."
        if errors:
            raise ValidationError(errors)
        return data


data_source = DataSourceWrites(DataSource)


# --- actions on a source ---------------------------------------------------------------------


def source_spec(source: DataSource) -> sources.SourceSpec:
    """The plain description the query runner takes (with the URL decrypted); a
    QueryError if the URL cannot be decrypted."""
    url = ""
    if source.kind == SourceKind.SQLALCHEMY:
        try:
            url = credentials.url_decrypt(source.url_encrypted, source_name=source.name)
        except credentials.CredentialsError as exc:
            raise sources.QueryError(str(exc)) from exc
    return sources.SourceSpec(
        kind=source.kind,
        database_path=source.database_path,
        files_folder=source.files_folder,
        url=url,
        timeout_seconds=source.timeout_seconds,
        row_limit=source.row_limit,
    )


def may_query(user: User | None) -> bool:
    """Whether `user` may preview queries on data sources: who may create metrics."""
    return permissions.can_create_any(user, model=Metric)


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    duration_ms: int | None = None


def data_source_test(*, actor: User, source: DataSource) -> ConnectionCheck:
    """Open the source and run SELECT 1 (who may change the source may test it)."""
    permissions.require(permissions.can_change(actor, source))
    try:
        elapsed = sources.check_connection(source=source_spec(source))
    except sources.QueryError as exc:
        return ConnectionCheck(ok=False, message=str(exc))
    return ConnectionCheck(ok=True, message=f"Connected in {elapsed} ms.", duration_ms=elapsed)


def preview_period(
    *, period_start: dt.date | None, period_end: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    end = period_end or today
    return period_start or end - dt.timedelta(days=PREVIEW_DAYS - 1), end


def query_preview(
    *,
    actor: User,
    source: DataSource,
    sql: str,
    period_start: dt.date,
    period_end: dt.date,
) -> sources.PreviewResult:
    """The first rows of `sql` on `source` for the period, checked as a sync would;
    nothing is stored. Problems (the query's and its rows') are in the result."""
    permissions.require(may_query(actor), "You may not run queries on data sources.")
    try:
        spec = source_spec(source)
    except sources.QueryError as exc:
        return sources.PreviewResult(
            columns=[], raw_rows=[], rows=[], problems=exc.problems, duration_ms=0
        )
    return sources.preview_query(
        source=spec,
        sql=sql,
        period_start=period_start,
        period_end=period_end,
        max_dimension_length=MetricValue._meta.get_field("dimension").max_length,
    )
