"""The typed environment parser (config/env.py): defaults, every variable, bad values,
database URLs, the secret-key file, and the documentation of every variable."""

from __future__ import annotations

import ast
import re
import stat
from pathlib import Path

import pytest

from pilothouse.config import env
from pilothouse.config.env import ConfigError

REPO = Path(__file__).resolve().parents[2]
KEY = "k" * 40


@pytest.fixture
def load(tmp_path):
    """env.load with only the given variables, in a fresh working directory."""

    def run(**variables: str) -> env.Config:
        return env.load(variables, cwd=tmp_path)

    return run


# --- defaults and every variable -------------------------------------------------------


def test_defaults(load, tmp_path):
    config = load()
    assert config.data_dir == tmp_path / "var"
    assert config.database == env.DatabaseConfig(
        engine="sqlite", name=str(tmp_path / "var" / "pilothouse.sqlite3")
    )
    assert config.secret_key is None
    assert config.debug is False
    assert config.allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]
    assert config.csrf_trusted_origins == []
    assert config.time_zone == "UTC"
    assert config.log_level == "INFO"
    assert config.email == env.EmailConfig(
        backend="file",
        from_address="Pilothouse <pilothouse@localhost>",
        file_path=tmp_path / "var" / "outbox",
    )
    assert config.trusted_proxies == 0


def test_load_reads_the_process_environment_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("PILOTHOUSE_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("PILOTHOUSE_LOG_LEVEL", "warning")
    config = env.load()
    assert config.data_dir == tmp_path / "from-env"
    assert config.log_level == "WARNING"


def test_every_variable_set(load, tmp_path):
    config = load(
        PILOTHOUSE_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL="postgres://ph:pw@db:5432/pilothouse",
        PILOTHOUSE_SECRET_KEY=f"  {KEY}  ",
        PILOTHOUSE_DEBUG="yes",
        PILOTHOUSE_ALLOWED_HOSTS=" pilothouse.example.com , ,10.0.0.5 ",
        PILOTHOUSE_CSRF_TRUSTED_ORIGINS="https://pilothouse.example.com,http://10.0.0.5:8000",
        PILOTHOUSE_TIME_ZONE=" Europe/Berlin ",
        PILOTHOUSE_LOG_LEVEL=" debug ",
        PILOTHOUSE_EMAIL_URL="smtp://mailer:s3cret@mail.example.com:587?tls=1",
        PILOTHOUSE_EMAIL_FROM=" Product team <product@example.com> ",
        PILOTHOUSE_TRUSTED_PROXIES=" 2 ",
    )
    assert config.data_dir == tmp_path / "data"
    assert config.database.engine == "postgresql"
    assert config.secret_key == KEY
    assert config.debug is True
    assert config.allowed_hosts == ["pilothouse.example.com", "10.0.0.5"]
    assert config.csrf_trusted_origins == [
        "https://pilothouse.example.com",
        "http://10.0.0.5:8000",
    ]
    assert config.time_zone == "Europe/Berlin"
    assert config.log_level == "DEBUG"
    assert config.email.backend == "smtp"
    assert config.email.from_address == "Product team <product@example.com>"
    assert config.trusted_proxies == 2


def test_a_relative_data_dir_is_taken_from_the_working_directory(load, tmp_path):
    assert load(PILOTHOUSE_DATA_DIR="state/ph").data_dir == tmp_path / "state" / "ph"
    assert load(PILOTHOUSE_DATA_DIR="   ").data_dir == tmp_path / "var"


def test_a_data_dir_under_home_is_expanded(load, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert load(PILOTHOUSE_DATA_DIR="~/ph").data_dir == tmp_path / "home" / "ph"


def test_the_sqlite_file_follows_the_data_dir(load, tmp_path):
    config = load(PILOTHOUSE_DATA_DIR=str(tmp_path / "elsewhere"))
    assert config.database.name == str(tmp_path / "elsewhere" / "pilothouse.sqlite3")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_debug_words(load, raw, expected):
    assert load(PILOTHOUSE_DEBUG=raw).debug is expected


def test_empty_lists_stay_empty(load):
    assert load(PILOTHOUSE_ALLOWED_HOSTS="").allowed_hosts == []
    assert load(PILOTHOUSE_CSRF_TRUSTED_ORIGINS=" , ").csrf_trusted_origins == []


@pytest.mark.parametrize("level", ["DEBUG", "info", "Warning", "ERROR", "critical"])
def test_log_levels(load, level):
    assert load(PILOTHOUSE_LOG_LEVEL=level).log_level == level.upper()


# --- bad values: each a ConfigError naming its variable -----------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PILOTHOUSE_DEBUG", "maybe"),
        ("PILOTHOUSE_DEBUG", "2"),
        ("PILOTHOUSE_LOG_LEVEL", "loud"),
        ("PILOTHOUSE_LOG_LEVEL", "   "),
        ("PILOTHOUSE_TIME_ZONE", "Mars/Olympus_Mons"),
        ("PILOTHOUSE_TIME_ZONE", "../../etc/passwd"),
        ("PILOTHOUSE_TIME_ZONE", "   "),
        ("PILOTHOUSE_SECRET_KEY", "too-short"),
        ("PILOTHOUSE_SECRET_KEY", " " + "x" * 31 + " "),
        ("PILOTHOUSE_CSRF_TRUSTED_ORIGINS", "pilothouse.example.com"),
        ("PILOTHOUSE_CSRF_TRUSTED_ORIGINS", "https://ok.example.com,ftp://files.example.com"),
        ("DATABASE_URL", "mysql://u:p@h/db"),
        ("DATABASE_URL", "just-a-word"),
        ("DATABASE_URL", "sqlite://"),
        ("DATABASE_URL", "sqlite:///"),
        ("DATABASE_URL", "postgres://user:pw@host:5432"),
        ("DATABASE_URL", "postgres://user:pw@host:5432/"),
        ("DATABASE_URL", "postgres://user:pw@host:port/db"),
        ("DATABASE_URL", "postgres://user:pw@host:99999/db"),
        ("PILOTHOUSE_EMAIL_URL", "mailto:someone@example.com"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://user@:25"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://mail.example.com:port"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://mail.example.com?tls=maybe"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://mail.example.com?tls=1&ssl=1"),
        ("PILOTHOUSE_EMAIL_URL", "smtps://mail.example.com?tls=1"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://mail.example.com?starttls=1"),
        ("PILOTHOUSE_EMAIL_URL", "smtp://mail.example.com?timeout=0"),
        ("PILOTHOUSE_EMAIL_FROM", "nobody"),
        ("PILOTHOUSE_EMAIL_FROM", "Team <team@>"),
        ("PILOTHOUSE_EMAIL_FROM", "Team <@example.com>"),
        ("PILOTHOUSE_TRUSTED_PROXIES", "-1"),
        ("PILOTHOUSE_TRUSTED_PROXIES", "11"),
        ("PILOTHOUSE_TRUSTED_PROXIES", "one"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_variable(load, variable, value):
    with pytest.raises(ConfigError) as caught:
        load(**{variable: value})
    assert str(caught.value).startswith(f"{variable}:")


def test_a_data_dir_that_is_a_file_is_a_config_error(load, tmp_path):
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(ConfigError, match=r"^PILOTHOUSE_DATA_DIR:"):
        load(PILOTHOUSE_DATA_DIR="taken")


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_the_secret_key_is_not_in_the_repr(load):
    config = load(PILOTHOUSE_SECRET_KEY=KEY, DATABASE_URL="postgres://u:hunter2hunter2@h/db")
    assert KEY not in repr(config)
    assert "hunter2hunter2" not in repr(config)


# --- DATABASE_URL ----------------------------------------------------------------------


def parse(url: str, data_dir: Path = Path("/data")) -> env.DatabaseConfig:
    return env.parse_database_url(url, data_dir=data_dir)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_database_url_absent_is_sqlite_in_the_data_dir(raw):
    assert parse(raw) == env.DatabaseConfig(engine="sqlite", name="/data/pilothouse.sqlite3")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:///pilothouse.db", "pilothouse.db"),
        ("sqlite:///sub/dir/ph.db", "sub/dir/ph.db"),
        ("sqlite:////var/lib/ph/ph.db", "/var/lib/ph/ph.db"),
        ("SQLITE:////tmp/My%20Data.db", "/tmp/My Data.db"),
        ("sqlite:///:memory:", ":memory:"),
    ],
)
def test_database_url_sqlite(url, name):
    config = parse(url)
    assert config.engine == "sqlite"
    assert config.name == name
    assert (config.user, config.password, config.host, config.port) == ("", "", "", None)


def test_database_url_postgres_every_part():
    config = parse(
        "postgres://ph%20user:p%40ss%3Aw%2Fo%23rd%3F@db.example.internal:6543/pilot%20house"
        "?sslmode=require&connect_timeout=5&application_name=pilothouse"
    )
    assert config == env.DatabaseConfig(
        engine="postgresql",
        name="pilot house",
        user="ph user",
        password="p@ss:w/o#rd?",
        host="db.example.internal",
        port=6543,
        options={"sslmode": "require", "connect_timeout": "5", "application_name": "pilothouse"},
    )


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg", "pgsql"])
def test_database_url_postgres_schemes(scheme):
    config = parse(f"{scheme}://u@h/db")
    assert (config.engine, config.name, config.user, config.host) == ("postgresql", "db", "u", "h")


def test_database_url_postgres_minimal():
    config = parse("postgres:///pilothouse")
    assert config == env.DatabaseConfig(engine="postgresql", name="pilothouse")


def test_database_url_postgres_ipv6_host_and_repeated_option():
    config = parse("postgres://u:p@[::1]:5433/db?sslmode=prefer&sslmode=require")
    assert config.host == "::1"
    assert config.port == 5433
    assert config.options == {"sslmode": "require"}


def test_database_url_reaches_the_settings(load):
    from pilothouse.config.settings import _database

    config = load(DATABASE_URL="postgres://u:p%40w@h:5433/db?sslmode=require")
    settings = _database(config.database)
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert (settings["USER"], settings["PASSWORD"], settings["HOST"]) == ("u", "p@w", "h")
    assert settings["PORT"] == "5433"
    assert settings["OPTIONS"] == {"sslmode": "require"}
    sqlite = _database(load().database)
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- the secret key --------------------------------------------------------------------


def test_secret_key_file_is_created_once_with_mode_600(tmp_path):
    data_dir = tmp_path / "new" / "data"
    path = env.ensure_secret_key_file(data_dir)
    assert path == data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text()
    assert len(secret) >= 50
    assert env.ensure_secret_key_file(data_dir) == path
    assert path.read_text() == secret
    assert env.ensure_secret_key_file(tmp_path / "other").read_text() != secret


def test_secret_key_file_is_never_overwritten(tmp_path):
    existing = tmp_path / "secret_key"
    existing.write_text("chosen-by-the-operator-and-long-enough-to-use")
    existing.chmod(0o640)
    env.ensure_secret_key_file(tmp_path)
    assert existing.read_text() == "chosen-by-the-operator-and-long-enough-to-use"
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640


def test_secret_key_comes_from_the_file_when_the_variable_is_absent(load, tmp_path):
    data_dir = tmp_path / "var"
    secret = env.ensure_secret_key_file(data_dir).read_text()
    assert load().secret_key == secret
    assert load(PILOTHOUSE_SECRET_KEY="").secret_key == secret
    assert load(PILOTHOUSE_SECRET_KEY=KEY).secret_key == KEY


def test_an_empty_secret_key_file_means_no_key(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    assert env.read_secret_key(None, data_dir=tmp_path) is None


def test_loading_creates_no_file(load, tmp_path):
    load()
    assert not (tmp_path / "var").exists()


# --- every variable is documented ------------------------------------------------------


class RecordingEnviron(dict):
    """A mapping that remembers which variables were asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def variables_read_by_env() -> set[str]:
    environ = RecordingEnviron()
    env.load(environ, cwd=REPO / "does-not-exist")
    tree = ast.parse(Path(env.__file__).read_text())
    named = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"(PILOTHOUSE_[A-Z_]+|DATABASE_URL)", node.value)
    }
    return environ.asked | named


def test_the_variables_read_are_found():
    found = variables_read_by_env()
    assert {"DATABASE_URL", "PILOTHOUSE_DATA_DIR", "PILOTHOUSE_SECRET_KEY"} <= found
    assert len(found) >= 8


@pytest.mark.parametrize("document", ["docs/configuration.md", ".env.example"])
def test_every_variable_is_documented(document):
    path = REPO / document
    assert path.is_file(), f"{document} is missing"
    text = path.read_text(encoding="utf-8")
    if document == ".env.example":
        missing = [
            name
            for name in sorted(variables_read_by_env())
            if not re.search(rf"^\s*#?\s*{name}=", text, re.MULTILINE)
        ]
    else:
        missing = [
            name for name in sorted(variables_read_by_env()) if not re.search(rf"\b{name}\b", text)
        ]
    assert missing == [], f"{document} does not mention {', '.join(missing)}"


def test_the_example_file_loads(tmp_path):
    values = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    values["PILOTHOUSE_DATA_DIR"] = str(tmp_path)
    config = env.load(values, cwd=tmp_path)
    assert config.data_dir == tmp_path


def test_max_upload_size_is_a_bounded_whole_number(tmp_path):
    assert env.load({}, cwd=tmp_path).max_upload_mb == 50
    assert env.load({"PILOTHOUSE_MAX_UPLOAD_MB": "200"}, cwd=tmp_path).max_upload_mb == 200
    for bad in ("0", "lots", "5000"):
        with pytest.raises(ConfigError, match="PILOTHOUSE_MAX_UPLOAD_MB"):
            env.load({"PILOTHOUSE_MAX_UPLOAD_MB": bad}, cwd=tmp_path)


# --- email -----------------------------------------------------------------------------


def email(url: str | None, **variables: str) -> env.EmailConfig:
    return env.load(
        {"PILOTHOUSE_EMAIL_URL": url, **variables} if url is not None else variables,
        cwd=Path("/srv"),
    ).email


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_without_smtp_messages_go_to_the_outbox_folder(tmp_path, raw):
    values = {"PILOTHOUSE_DATA_DIR": str(tmp_path)}
    if raw is not None:
        values["PILOTHOUSE_EMAIL_URL"] = raw
    config = env.load(values, cwd=tmp_path).email
    assert (config.backend, config.file_path) == ("file", tmp_path / "outbox")


def test_smtp_with_starttls_and_every_part():
    config = email(
        "smtp://mailer%40example.com:p%40ss%3Aword@mail.example.com:2525?tls=1&timeout=30"
    )
    assert config == env.EmailConfig(
        backend="smtp",
        from_address="Pilothouse <pilothouse@localhost>",
        host="mail.example.com",
        port=2525,
        user="mailer@example.com",
        password="p@ss:word",
        use_tls=True,
        use_ssl=False,
        timeout=30,
    )


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp://relay.internal", 25, False, False),
        ("SMTP://relay.internal?tls=yes", 587, True, False),
        ("smtp://relay.internal?ssl=1", 465, False, True),
        ("smtps://relay.internal", 465, False, True),
        ("smtps://relay.internal:4650", 4650, False, True),
    ],
)
def test_smtp_ports_and_encryption(url, port, tls, ssl):
    config = email(url)
    assert (config.host, config.port, config.use_tls, config.use_ssl) == (
        "relay.internal",
        port,
        tls,
        ssl,
    )
    assert (config.user, config.password, config.timeout) == ("", "", 10)


def test_the_smtp_password_is_not_in_the_repr():
    config = email("smtp://u:hunter2hunter2@mail.example.com")
    assert "hunter2hunter2" not in repr(config)
    assert "hunter2hunter2" not in repr(
        env.load({"PILOTHOUSE_EMAIL_URL": "smtp://u:hunter2hunter2@h"}, cwd=Path("/srv"))
    )


@pytest.mark.parametrize("sender", ["ops@example.com", "Pilothouse Ops <ops@example.com>"])
def test_the_sender(sender):
    assert email(None, PILOTHOUSE_EMAIL_FROM=sender).from_address == sender


def test_email_reaches_the_settings(tmp_path):
    from pilothouse.config.settings import _email

    smtp = _email(email("smtps://u:p@mail.example.com", PILOTHOUSE_EMAIL_FROM="a@example.com"))
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_SSL"]) == (
        "mail.example.com",
        465,
        True,
    )
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("u", "p")
    assert smtp["DEFAULT_FROM_EMAIL"] == smtp["SERVER_EMAIL"] == "a@example.com"
    files = _email(env.load({"PILOTHOUSE_DATA_DIR": str(tmp_path)}, cwd=tmp_path).email)
    assert files["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert files["EMAIL_FILE_PATH"] == str(tmp_path / "outbox")


def test_the_tests_send_email_to_memory():
    from django.conf import settings

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


# --- proxies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 0), ("", 0), ("0", 0), ("1", 1), (" 10 ", 10)]
)
def test_trusted_proxies(load, raw, expected):
    values = {} if raw is None else {"PILOTHOUSE_TRUSTED_PROXIES": raw}
    assert load(**values).trusted_proxies == expected
