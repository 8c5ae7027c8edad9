"""Typed parsing of Pilothouse's environment variables.

Every setting an operator can change is read here and nowhere else, so that
`docs/configuration.md`, `.env.example` and the code cannot drift apart
unnoticed (the tests compare them).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pilothouse.core.currencies import CURRENCIES

SECRET_KEY_FILE = "secret_key"
CREDENTIALS_KEY_FILE = "credentials_key"
SQLITE_FILE = "pilothouse.sqlite3"
OUTBOX_DIR = "outbox"
DEFAULT_EMAIL_FROM = "Pilothouse <pilothouse@localhost>"
# More proxies than this in front of one server is a configuration mistake.
MAX_TRUSTED_PROXIES = 10
# The currency costs are reported in when PILOTHOUSE_CURRENCY is absent.
DEFAULT_CURRENCY = "USD"

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
class EmailConfig:
    """How Pilothouse sends email: through an SMTP server, or (without one) by writing
    each message as a file into the outbox folder of the data dir."""

    backend: str  # "smtp" or "file"
    from_address: str
    file_path: Path | None = None
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False
    use_ssl: bool = False
    timeout: int = 10


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
    email: EmailConfig
    trusted_proxies: int
    # The key that encrypts data sources' credentials; None: the data dir's key file,
    # created on first use (see ensure_credentials_key).
    credentials_key: str | None = field(default=None, repr=False)
    # The reporting currency: team cost is converted into it (ISO 4217 code).
    currency: str = DEFAULT_CURRENCY


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


def parse_count(name: str, raw: str | None, *, default: int, maximum: int) -> int:
    """A whole number from 0 to `maximum`."""
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from exc
    if not 0 <= value <= maximum:
        raise ConfigError(f"{name}: must be between 0 and {maximum}, got {value}")
    return value


def parse_time_zone(name: str, raw: str | None) -> str:
    value = (raw or "UTC").strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{name}: unknown time zone {value!r}") from exc
    return value


def parse_currency(name: str, raw: str | None) -> str:
    """A currency code ISO 4217 knows, such as USD or EUR (any case, spaces trimmed)."""
    if raw is None or not raw.strip():
        return DEFAULT_CURRENCY
    code = raw.strip().upper()
    if code not in CURRENCIES:
        raise ConfigError(
            f"{name}: {raw.strip()!r} is not a currency code; use an ISO 4217 code such as "
            "USD, EUR or GBP"
        )
    return code


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


SMTP_OPTIONS = frozenset({"tls", "ssl", "timeout"})


def parse_email_from(raw: str | None) -> str:
    """`Name <address>` or a bare address."""
    value = (raw or "").strip() or DEFAULT_EMAIL_FROM
    _name, address = parseaddr(value)
    local, _at, domain = address.rpartition("@")
    if not local or not domain or any(char.isspace() for char in address):
        raise ConfigError(
            f"PILOTHOUSE_EMAIL_FROM: {value!r} is not an email address; write it as "
            "pilothouse@example.com or Pilothouse <pilothouse@example.com>"
        )
    return value


def parse_email_url(raw: str | None, *, data_dir: Path, from_address: str) -> EmailConfig:
    """Absent: messages are written as files into <data dir>/outbox. Otherwise
    smtp://user:password@host:port (?tls=1 for STARTTLS) or smtps://... (TLS from the
    first byte), with an optional ?timeout=seconds."""
    if raw is None or not raw.strip():
        return EmailConfig(
            backend="file", from_address=from_address, file_path=data_dir / OUTBOX_DIR
        )
    name = "PILOTHOUSE_EMAIL_URL"
    parts = urlsplit(raw.strip())
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtps"}:
        raise ConfigError(
            f"{name}: unsupported scheme {parts.scheme!r}; use smtp://host:587?tls=1 or "
            "smtps://host:465 (leave it empty to write messages into the outbox folder)"
        )
    if not parts.hostname:
        raise ConfigError(f"{name}: the URL needs a host, e.g. smtp://mail.example.com:587?tls=1")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{name}: invalid port ({exc})") from exc
    query = {
        key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    unknown = sorted(set(query) - SMTP_OPTIONS)
    if unknown:
        raise ConfigError(f"{name}: unknown option {unknown[0]!r}; known: tls, ssl, timeout")

    def option(key: str, parse, **kwargs):
        try:
            return parse(name, query.get(key), **kwargs)
        except ConfigError as exc:
            detail = str(exc).partition(": ")[2]
            raise ConfigError(f"{name}: option {key}: {detail}") from exc

    use_tls = option("tls", parse_bool, default=False)
    use_ssl = scheme == "smtps" or option("ssl", parse_bool, default=False)
    if use_tls and use_ssl:
        raise ConfigError(f"{name}: choose tls (STARTTLS) or ssl/smtps (implicit TLS), not both")
    timeout = option("timeout", parse_positive_int, default=10, maximum=300)
    return EmailConfig(
        backend="smtp",
        from_address=from_address,
        host=parts.hostname,
        port=port or (465 if use_ssl else 587 if use_tls else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=timeout,
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


def parse_credentials_key(name: str, raw: str) -> str:
    """A Fernet key: 32 random bytes in URL-safe base64 (44 characters)."""
    value = raw.strip()
    try:
        decoded = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        decoded = b""
    if len(decoded) != 32 or len(value) != 44:
        raise ConfigError(
            f"{name}: expected a key of 32 bytes in URL-safe base64 (44 characters); make "
            "one with: python3 -c 'import base64, os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
        )
    return value


def read_credentials_key(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    return parse_credentials_key("PILOTHOUSE_CREDENTIALS_KEY", raw)


def ensure_credentials_key(data_dir: Path) -> str:
    """The data dir's credentials key, created on first use (mode 600; never overwritten,
    and two processes creating it at once end up with the same key)."""
    key_file = data_dir / CREDENTIALS_KEY_FILE
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked into place: a reader never
        # sees half a key, and a link made meanwhile by another process wins.
        draft = data_dir / f".{CREDENTIALS_KEY_FILE}.{secrets.token_hex(8)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return parse_credentials_key(str(key_file), key_file.read_text(encoding="utf-8"))


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
        email=parse_email_url(
            env.get("PILOTHOUSE_EMAIL_URL"),
            data_dir=data_dir,
            from_address=parse_email_from(env.get("PILOTHOUSE_EMAIL_FROM")),
        ),
        trusted_proxies=parse_count(
            "PILOTHOUSE_TRUSTED_PROXIES",
            env.get("PILOTHOUSE_TRUSTED_PROXIES"),
            default=0,
            maximum=MAX_TRUSTED_PROXIES,
        ),
        credentials_key=read_credentials_key(env.get("PILOTHOUSE_CREDENTIALS_KEY")),
        currency=parse_currency("PILOTHOUSE_CURRENCY", env.get("PILOTHOUSE_CURRENCY")),
    )
