"""Typed parsing of Pilothouse's environment variables.

Every setting an operator can change is read here and nowhere else, so that
`docs/configuration.md`, `.env.example` and the code cannot drift apart
unnoticed (the tests compare them).
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SECRET_KEY_FILE = "secret_key"
SQLITE_FILE = "pilothouse.sqlite3"

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ConfigError(ValueError):
    """A variable has a value Pilothouse cannot use; the message names it."""


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = field(default="", repr=False)
    host: str = ""
    port: int | None = None
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Config:
    data_dir: Path
    database: DatabaseConfig
    secret_key: str | None = field(repr=False)
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    time_zone: str
    log_level: str
    max_upload_mb: int


def parse_bool(name: str, raw: str | None, *, default: bool) -> bool:
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}: expected one of true/false/1/0/yes/no/on/off, got {raw!r}")


def parse_list(raw: str | None, *, default: list[str]) -> list[str]:
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_origins(name: str, raw: str | None) -> list[str]:
    """Origins such as https://pilothouse.example.com (Django refuses them without a scheme)."""
    origins = parse_list(raw, default=[])
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConfigError(
                f"{name}: {origin!r} is not an origin; write it with its scheme, "
                "e.g. https://pilothouse.example.com"
            )
    return origins


def parse_positive_int(name: str, raw: str | None, *, default: int, maximum: int) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from exc
    if not 1 <= value <= maximum:
        raise ConfigError(f"{name}: must be between 1 and {maximum}, got {value}")
    return value


def parse_time_zone(name: str, raw: str | None) -> str:
    value = (raw or "UTC").strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{name}: unknown time zone {value!r}") from exc
    return value


def parse_database_url(raw: str | None, *, data_dir: Path) -> DatabaseConfig:
    """Absent: the SQLite file in the data dir. Otherwise sqlite:///path or postgres://..."""
    if raw is None or not raw.strip():
        return DatabaseConfig(engine="sqlite", name=str(data_dir / SQLITE_FILE))
    parts = urlsplit(raw.strip())
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path, as in most tools.
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ConfigError(
                "DATABASE_URL: a sqlite URL needs a file path, e.g. sqlite:///db.sqlite3"
            )
        return DatabaseConfig(engine="sqlite", name=path)
    if scheme in {"postgres", "postgresql", "postgresql+psycopg", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("DATABASE_URL: a postgres URL needs a database name after the host")
        try:
            port = parts.port
        except ValueError as exc:
            raise ConfigError(f"DATABASE_URL: invalid port ({exc})") from exc
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return DatabaseConfig(
            engine="postgresql",
            name=name,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=unquote(parts.hostname or ""),
            port=port,
            options=query,
        )
    raise ConfigError(
        f"DATABASE_URL: unsupported scheme {parts.scheme!r}; use postgres://... or sqlite:///..."
    )


def read_secret_key(raw: str | None, *, data_dir: Path) -> str | None:
    """From the environment, else the file `init` wrote; None if neither exists yet."""
    if raw is not None and raw.strip():
        if len(raw.strip()) < 32:
            raise ConfigError("PILOTHOUSE_SECRET_KEY: must be at least 32 characters long")
        return raw.strip()
    key_file = data_dir / SECRET_KEY_FILE
    if key_file.is_file():
        return key_file.read_text(encoding="utf-8").strip() or None
    return None


def ensure_secret_key_file(data_dir: Path) -> Path:
    """Create the data dir's secret key once (mode 600); never overwrite it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / SECRET_KEY_FILE
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file


def load(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Config:
    env = os.environ if environ is None else environ
    base = cwd or Path.cwd()
    raw_dir = env.get("PILOTHOUSE_DATA_DIR")
    data_dir = Path(raw_dir).expanduser() if raw_dir and raw_dir.strip() else base / "var"
    if not data_dir.is_absolute():
        data_dir = base / data_dir
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"PILOTHOUSE_DATA_DIR: {data_dir} exists and is not a folder")
    debug = parse_bool("PILOTHOUSE_DEBUG", env.get("PILOTHOUSE_DEBUG"), default=False)
    log_level = (env.get("PILOTHOUSE_LOG_LEVEL") or "INFO").strip().upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"PILOTHOUSE_LOG_LEVEL: unknown level {log_level!r}")
    return Config(
        data_dir=data_dir,
        database=parse_database_url(env.get("DATABASE_URL"), data_dir=data_dir),
        secret_key=read_secret_key(env.get("PILOTHOUSE_SECRET_KEY"), data_dir=data_dir),
        debug=debug,
        allowed_hosts=parse_list(
            env.get("PILOTHOUSE_ALLOWED_HOSTS"), default=["localhost", "127.0.0.1", "[::1]"]
        ),
        csrf_trusted_origins=parse_origins(
            "PILOTHOUSE_CSRF_TRUSTED_ORIGINS", env.get("PILOTHOUSE_CSRF_TRUSTED_ORIGINS")
        ),
        time_zone=parse_time_zone("PILOTHOUSE_TIME_ZONE", env.get("PILOTHOUSE_TIME_ZONE")),
        log_level=log_level,
        max_upload_mb=parse_positive_int(
            "PILOTHOUSE_MAX_UPLOAD_MB",
            env.get("PILOTHOUSE_MAX_UPLOAD_MB"),
            default=50,
            maximum=2048,
        ),
    )
